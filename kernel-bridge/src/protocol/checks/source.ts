/**
 * `{"type": "source", "contains": [".Lock()", ".Unlock()"]}`: a source check,
 * for what no event can show (a mutex locked without contention leaves no
 * trace in the scheduler). It reads the program's code, comments left out,
 * with every space ignored, and says in its result that it read the code, so
 * a learner knows it is not about the run. Plain text, never a pattern: a
 * notebook from anywhere carries checkpoints, and a regular expression from a
 * stranger could take for ever.
 */
import { z } from 'zod';
import { joinWords } from '../words';
import type { Found } from './compare';

export const SourceCheckSchema = z.object({
  type: z.literal('source'),
  /** Each must appear in the code. */
  contains: z.array(z.string().min(1)).min(1),
});
export type SourceCheck = z.infer<typeof SourceCheckSchema>;

/** Go code with its comments replaced by a space; strings and runes kept as they are. */
export function withoutComments(code: string): string {
  let out = '';
  let i = 0;
  const copyQuoted = (quote: string, escapes: boolean) => {
    let j = i + 1;
    while (j < code.length && code[j] !== quote) j += escapes && code[j] === '\\' ? 2 : 1;
    out += code.slice(i, j + 1);
    i = j + 1;
  };
  while (i < code.length) {
    const c = code[i] as string;
    const two = code.slice(i, i + 2);
    if (two === '//') {
      const eol = code.indexOf('\n', i);
      i = eol < 0 ? code.length : eol;
      out += ' ';
    } else if (two === '/*') {
      const close = code.indexOf('*/', i + 2);
      i = close < 0 ? code.length : close + 2;
      out += ' ';
    } else if (c === '"' || c === "'") {
      copyQuoted(c, true);
    } else if (c === '`') {
      copyQuoted(c, false);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const squeeze = (s: string) => s.replace(/\s+/g, '');

export function evalSource(check: SourceCheck, source: string | undefined): Found {
  const label = "source check: the program's code (comments left out)";
  if (source === undefined) {
    return {
      passed: false,
      reason: `not checked: this is a source check, and no source was given`,
    };
  }
  const code = squeeze(withoutComments(source));
  const missing = check.contains.filter((s) => !code.includes(squeeze(s)));
  if (missing.length === 0) {
    return { passed: true, reason: `${label} contains ${joinWords(check.contains)}` };
  }
  return { passed: false, reason: `${label} lacks ${joinWords(missing)}` };
}
