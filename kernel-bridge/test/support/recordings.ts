/**
 * Real recordings for tests: each `test/fixtures/recordings/NAME.go` was run
 * with `npx slowmo run` at the repository root (eBPF backend unless the name
 * ends in -trace) and its NDJSON saved as `NAME.ndjson` (gzipped when
 * large). To record one again:
 *
 *   npx slowmo run kernel-bridge/test/fixtures/recordings/pool.go > kernel-bridge/test/fixtures/recordings/pool.ndjson
 *
 * (wake.go with --procs 1, stuck.go with --timeout 2, gc.go with --procs 2,
 * pool-trace with --backend trace.) Tests of these must hold for any faithful re-recording:
 * they assert what the program makes happen, not incidental goids or seqs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  apply,
  initialState,
  parseEvent,
  type SchedState,
  type SlowmoEvent,
} from '../../src/protocol';

export const RECORDINGS = path.join(__dirname, '..', 'fixtures', 'recordings');

export function recording(name: string): SlowmoEvent[] {
  const plain = path.join(RECORDINGS, `${name}.ndjson`);
  const text = existsSync(plain)
    ? readFileSync(plain, 'utf8')
    : gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => parseEvent(line));
}

/** The Go source a recording was made from. */
export function sourceOf(name: string): string {
  return readFileSync(path.join(RECORDINGS, `${name.replace(/-trace$/, '')}.go`), 'utf8');
}

/** A source lookup for narration: line `line` of the recording's own program. */
export function sourceLookup(name: string): (file: string, line: number) => string | undefined {
  const lines = sourceOf(name).split('\n');
  return (_file, line) => lines[line - 1];
}

/** The state before each event: states[i] is the state before events[i]; states[n] the end. */
export function statesOf(events: readonly SlowmoEvent[]): SchedState[] {
  const states = [initialState()];
  for (const e of events) states.push(apply(states[states.length - 1] as SchedState, e));
  return states;
}
