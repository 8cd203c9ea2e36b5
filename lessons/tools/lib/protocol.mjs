// The protocol's schemas, from the kernel bridge's build: the lessons are
// checked by the same definitions that the bridge and the extension use.
import { createRequire } from 'node:module';
import { SourceError } from './source.mjs';

const require = createRequire(import.meta.url);

function load() {
  try {
    return require('@go-slowmo/kernel-bridge/protocol');
  } catch (err) {
    throw new SourceError(
      `cannot load the protocol from the kernel bridge's build (${err.message.split('\n')[0]}): run make setup`,
    );
  }
}

export const protocol = load();
