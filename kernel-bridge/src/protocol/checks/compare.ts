/**
 * Comparisons, shared by every check (checkpoints.ts re-exports them): a
 * module of its own so that the checks in this folder and checkpoints.ts,
 * which composes them, do not import each other.
 */
import { z } from 'zod';

export const COMPARE_OPS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export const ComparisonSchema = z.object({ op: z.enum(COMPARE_OPS), value: z.number() }).strict();
export type Comparison = z.infer<typeof ComparisonSchema>;

export function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** What a check found: the same shape as checkpoints.ts's CheckResult. */
export interface Found {
  passed: boolean;
  reason: string;
  seq?: number;
}

/** Milliseconds from nanoseconds, as a learner reads them: "12.3 ms", "0.07 ms", "600 µs" below 0.1 ms. */
export function msWords(ns: number): string {
  const ms = ns / 1e6;
  if (ms < 0.1) return `${Math.round(ns / 1e3)} µs`;
  const digits = ms >= 10 ? 1 : ms >= 1 ? 2 : 3;
  return `${Number(ms.toFixed(digits))} ms`;
}
