/**
 * `describe` for browser tests: skipped, saying why, where this machine cannot
 * run them; in CI a missing piece is a failure instead. (Apart from lab.ts,
 * which the benchmarks also use, outside jest.)
 */
import { uiAvailable } from './lab';

export function browserDescribe(): jest.Describe {
  const why = uiAvailable();
  if (why && process.env.CI) throw new Error(`CI forbids skipping the browser tests: ${why}`);
  if (why) console.warn(`browser tests skipped: ${why}`);
  return why ? describe.skip : describe;
}
