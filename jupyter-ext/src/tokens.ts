/**
 * The services the extension's plugins share, one token each: the bridge
 * client (one connection per page) and the live runs (the executor fills it,
 * the renderer reads it).
 */
import { Token } from '@lumino/coreutils';
import type { BridgeClient } from './client';
import type { LiveRuns } from './store';

export const IBridgeClient = new Token<BridgeClient>(
  '@go-slowmo/jupyter-ext:bridge-client',
  'The connection to the go-slowmo bridge that compiles and runs Go-slowmo cells.',
);

export const ILiveRuns = new Token<LiveRuns>(
  '@go-slowmo/jupyter-ext:live-runs',
  'The Go-slowmo runs going on now, by id, for their live output to draw.',
);
