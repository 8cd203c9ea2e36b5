/**
 * The checks of this folder, as checkpoints.ts composes them: their schemas
 * (members of its CheckSchema union) and one evaluator for all of them. A
 * check here needs only the events, except a source check, which reads the
 * program's code from the context it is given, and a heap check, which finds
 * a site's function in it.
 */
import type { SlowmoEvent } from '../events';
import { BatchCheckSchema, evalBatch, type BatchCheck } from './batch';
import { BlockedCheckSchema, evalBlocked, type BlockedCheck } from './blocked';
import { CallCheckSchema, evalCall, type CallCheck } from './call';
import type { Found } from './compare';
import { evalExit, ExitCheckSchema, type ExitCheck } from './exit';
import { evalFairness, FairnessCheckSchema, type FairnessCheck } from './fairness';
import { evalGoroutines, GoroutinesCheckSchema, type GoroutinesCheck } from './goroutines';
import { evalHeap, HeapCheckSchema, type HeapCheck } from './heap';
import { evalOrder, OrderCheckSchema, type OrderCheck } from './order';
import { evalOutput, OutputCheckSchema, type OutputCheck } from './output';
import { evalOverflow, OverflowCheckSchema, type OverflowCheck } from './overflow';
import { evalParallel, ParallelCheckSchema, type ParallelCheck } from './parallel';
import { evalProfile, ProfileCheckSchema, type ProfileCheck } from './profile';
import { evalSource, SourceCheckSchema, type SourceCheck } from './source';
import { evalGoVersion, GoVersionCheckSchema, type GoVersionCheck } from './version';

export { COMPARE_OPS, compare, type CompareOp } from './compare';
export { withoutComments } from './source';
export { overflows } from './overflow';
export { GOROUTINES_METRICS } from './goroutines';
export {
  isOwnFrame,
  PROFILE_MEASURE,
  profileLeaders,
  profileName,
  profileValueWords,
  type ProfileLeader,
} from './profile';

/** What a check may read besides the events. */
export interface CheckContext {
  /** The program's source (its files joined), for source checks. */
  source?: string;
}

export const EXTRA_CHECK_SCHEMAS = [
  ExitCheckSchema,
  GoroutinesCheckSchema,
  BlockedCheckSchema,
  ParallelCheckSchema,
  CallCheckSchema,
  SourceCheckSchema,
  OverflowCheckSchema,
  FairnessCheckSchema,
  OrderCheckSchema,
  BatchCheckSchema,
  GoVersionCheckSchema,
  HeapCheckSchema,
  ProfileCheckSchema,
  OutputCheckSchema,
] as const;

export type ExtraCheck =
  | ExitCheck
  | GoroutinesCheck
  | BlockedCheck
  | ParallelCheck
  | CallCheck
  | SourceCheck
  | OverflowCheck
  | FairnessCheck
  | OrderCheck
  | BatchCheck
  | GoVersionCheck
  | HeapCheck
  | ProfileCheck
  | OutputCheck;

export function evaluateExtra(
  check: ExtraCheck,
  events: readonly SlowmoEvent[],
  ctx: CheckContext = {},
): Found {
  switch (check.type) {
    case 'exit':
      return evalExit(check, events);
    case 'goroutines':
      return evalGoroutines(check, events);
    case 'blocked':
      return evalBlocked(check, events, ctx.source);
    case 'parallel':
      return evalParallel(check, events);
    case 'call':
      return evalCall(check, events);
    case 'source':
      return evalSource(check, ctx.source);
    case 'overflow':
      return evalOverflow(check, events);
    case 'fairness':
      return evalFairness(check, events);
    case 'order':
      return evalOrder(check, events);
    case 'batch':
      return evalBatch(check, events);
    case 'goVersion':
      return evalGoVersion(check, events);
    case 'heap':
      return evalHeap(check, events, ctx.source);
    case 'profile':
      return evalProfile(check, events);
    case 'output':
      return evalOutput(check, events);
  }
}
