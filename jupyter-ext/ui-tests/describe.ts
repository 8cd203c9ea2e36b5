/**
 * `describe` for browser tests: skipped, saying why, where this machine cannot
 * run them; in CI a missing piece is a failure instead. (Apart from lab.ts,
 * which the benchmarks also use, outside jest.)
 */
import { guardedDescribe } from '../test/support/guard';
import { uiAvailable } from './lab';

export function browserDescribe(): jest.Describe {
  return guardedDescribe(uiAvailable());
}
