/**
 * `{"type": "goVersion", "op": ">=", "value": "1.26"}`: the run's Go version
 * (from run.start), for a checkpoint whose claim holds from one version on:
 * `{"type": "any", "of": [{"type": "not", "check": <this>}, <the claim>]}`
 * reads "from Go 1.26, the claim holds".
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { compare, COMPARE_OPS, type Found } from './compare';

export const GoVersionCheckSchema = z.object({
  type: z.literal('goVersion'),
  op: z.enum(COMPARE_OPS).default('>='),
  /** `1.26`, compared by minor version (patch releases do not change the runtime's rules). */
  value: z.string().regex(/^1\.\d+$/, 'a Go release such as "1.26"'),
});
export type GoVersionCheck = z.infer<typeof GoVersionCheckSchema>;

const minor = (v: string) => Number(/^(?:go)?1\.(\d+)/.exec(v)?.[1] ?? NaN);

const OP_WORDS: Record<string, string> = {
  '==': 'is',
  '!=': 'is not',
  '<': 'is older than',
  '<=': 'is at most',
  '>': 'is newer than',
  '>=': 'is at least',
};

export function evalGoVersion(check: GoVersionCheck, events: readonly SlowmoEvent[]): Found {
  const start = events.find((e) => e.kind === 'run.start');
  if (start?.kind !== 'run.start') return { passed: false, reason: 'the run has not started' };
  const passed = compare(minor(start.goVersion), check.op, minor(check.value));
  const words = OP_WORDS[check.op] ?? check.op;
  return {
    passed,
    reason: `the run's Go (${start.goVersion}) ${passed ? words : `${words.replace(/^is /, 'is not ')}`} Go ${check.value}`,
  };
}
