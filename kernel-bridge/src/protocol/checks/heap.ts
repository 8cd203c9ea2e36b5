/**
 * `{"type": "heap", "claim": ...}`: what the GC lens (a cell's `gc: true`, eBPF only) saw the
 * collector do to the program's objects. Objects are named by where the learner's code
 * allocated them (`site`: `fn`, `line`, `file`, any of them; prefer `fn`, which survives edits):
 *
 *   {"type": "heap", "claim": "freed", "site": {"fn": "main.drop"}, "byCycle": 2, "min": 500}
 *       at least 500 objects allocated in main.drop were freed by the sweep after cycle 2's marking
 *   {"type": "heap", "claim": "neverWhite", "from": "globals"}   (or "from": {"fn": "main.build"})
 *       no object of the program's own that the collector had reached from a package variable
 *       (directly or through other objects, in that cycle or before) was still white at the end of
 *       a mark phase; with a site, no object allocated there before a mark phase began. The lens
 *       cannot see reachability but by the marking itself: an object reached once and then let
 *       go by the program fails this, so it is a claim about data kept for the whole run.
 *   {"type": "heap", "claim": "barrier", "min": 1}               the write barrier shaded objects
 *   {"type": "heap", "claim": "bornBlack", "site": {...}}        objects were allocated during marking
 *
 * Cycles count the mark phases of the run from 1. Green Tea (Go 1.26+) finds fewer edges (it scans
 * a span's objects together), so "reached from a global" is more often the objects a global points
 * to directly; a site names objects the same way on every collector.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { eventNumber, plural } from '../words';
import type { Found } from './compare';
import {
  heapHistory,
  liveAt,
  reachedFromGlobals,
  type HeapHistory,
  type TrackedObject,
} from './heap-history';
import { HeapSiteSchema, isLearners, objectWords, siteMatcher, siteWords } from './heap-site';

const min = () => z.number().int().min(1).default(1);

export const HeapCheckSchema = z.discriminatedUnion('claim', [
  z.object({
    type: z.literal('heap'),
    claim: z.literal('freed'),
    site: HeapSiteSchema,
    /** Freed by the sweep that follows this cycle's marking (or an earlier one); any time if absent. */
    byCycle: z.number().int().min(1).optional(),
    min: min(),
  }),
  z.object({
    type: z.literal('heap'),
    claim: z.literal('neverWhite'),
    from: z.union([z.literal('globals'), HeapSiteSchema]).default('globals'),
  }),
  z.object({
    type: z.literal('heap'),
    claim: z.literal('barrier'),
    site: HeapSiteSchema.optional(),
    min: min(),
  }),
  z.object({
    type: z.literal('heap'),
    claim: z.literal('bornBlack'),
    site: HeapSiteSchema.optional(),
    min: min(),
  }),
]);
export type HeapCheck = z.infer<typeof HeapCheckSchema>;

const stopWords = (limit: NonNullable<HeapHistory['limit']>) =>
  `the lens stopped following the heap after ${limit.objects} allocations, at event ${eventNumber(limit.seq)}`;
const limitWords = (h: HeapHistory) => (h.limit === null ? '' : ` (${stopWords(h.limit)})`);

const LENS_OFF: Found = {
  passed: false,
  reason:
    'the GC lens was off, so the run holds no heap events: the cell needs gc: true, under eBPF',
};

function evalFreed(
  check: Extract<HeapCheck, { claim: 'freed' }>,
  h: HeapHistory,
  source?: string,
): Found {
  const where = siteWords(check.site);
  const mine = h.objects.filter(siteMatcher(check.site, source));
  if (mine.length === 0)
    return {
      passed: false,
      reason: `no object was allocated ${where} (the lens saw ${plural(h.objects.length, 'allocation')})${limitWords(h)}`,
    };
  const by = check.byCycle;
  const freed = mine
    .filter((o) => o.freed !== null && (by === undefined || o.freed.cycle <= by))
    .sort((a, b) => (a.freed?.seq ?? 0) - (b.freed?.seq ?? 0));
  const when = by === undefined ? '' : ` by the sweep after GC cycle ${by}`;
  const said = `${freed.length} of the ${plural(mine.length, 'object')} allocated ${where} were freed${when} (needed at least ${check.min})`;
  if (freed.length >= check.min) {
    const seq = freed[check.min - 1]!.freed!.seq;
    const enough = check.min === 1 ? 'the first' : `the last of the ${check.min} needed`;
    return { passed: true, reason: `${said}; ${enough} at event ${eventNumber(seq)}`, seq };
  }
  const cycles = h.marks.length;
  const why =
    by !== undefined && cycles < by
      ? `: only ${plural(cycles, 'GC cycle')} ran`
      : ': the rest were still reached by the marking (something kept pointing to them), or not swept yet';
  return { passed: false, reason: `${said}${why}${limitWords(h)}` };
}

function evalNeverWhite(
  check: Extract<HeapCheck, { claim: 'neverWhite' }>,
  h: HeapHistory,
  source?: string,
): Found {
  const from = check.from;
  const what =
    from === 'globals' ? 'of the program reached from a global' : `allocated ${siteWords(from)}`;
  // Past the lens's limit no colour is seen: a mark phase that ended there proves nothing.
  const seen = (seq: number) => h.limit === null || seq < h.limit.seq;
  const ended = h.marks.filter((m) => m.endSeq !== null && seen(m.endSeq));
  const unseen = h.limit && h.marks.some((m) => !seen(m.endSeq ?? m.startSeq));
  const cut =
    unseen && h.limit ? `; ${stopWords(h.limit)}, and later mark phases went unchecked` : '';
  if (ended.length === 0)
    return {
      passed: false,
      reason: `no GC mark phase ended in the run${unseen ? ' while the lens followed the heap' : ''}, so no object was checked${cut}`,
    };
  const checked = new Set<TrackedObject>();
  for (const m of ended) {
    const end = m.endSeq!;
    const set =
      from === 'globals'
        ? [...reachedFromGlobals(h, end)].filter(isLearners)
        : h.objects.filter(siteMatcher(from, source));
    const candidates = set.filter((o) => liveAt(o, m.startSeq));
    candidates.forEach((o) => checked.add(o));
    const white = candidates.filter((o) => !o.shades.has(m.cycle));
    if (white.length > 0) {
      const first = white[0]!;
      const others = white.length > 1 ? `, with ${plural(white.length - 1, 'other')}` : '';
      return {
        passed: false,
        reason: `${objectWords(first)}${from === 'globals' ? ', reached from a global,' : ''} was still white at the end of GC cycle ${m.cycle}'s mark phase (event ${eventNumber(end)})${others}: the collector did not reach it, so the sweep frees it`,
        seq: end,
      };
    }
  }
  if (checked.size === 0)
    return {
      passed: false,
      reason: `no object ${what} lived through a mark phase${limitWords(h)}`,
    };
  const last = ended.at(-1)!.endSeq!;
  return {
    passed: true,
    reason: `none of the ${plural(checked.size, 'object')} ${what} was white at the end of a mark phase (${plural(ended.length, 'mark phase')} checked, the last ending at event ${eventNumber(last)})${cut}`,
    seq: last,
  };
}

function evalShaded(
  check: Extract<HeapCheck, { claim: 'barrier' | 'bornBlack' }>,
  h: HeapHistory,
  source?: string,
): Found {
  const by = check.claim === 'barrier' ? 'barrier' : 'alloc';
  const shades = h.objects
    .filter(siteMatcher(check.site, source))
    .flatMap((o) => [...o.shades.values()].filter((s) => s.by === by))
    .sort((a, b) => a.seq - b.seq);
  const where = check.site ? ` allocated ${siteWords(check.site)}` : '';
  const need = `needed at least ${check.min}`;
  const first = shades[0];
  const at = first ? `; the first at event ${eventNumber(first.seq)}, by g${first.g}` : '';
  const said =
    by === 'barrier'
      ? `the write barrier shaded ${plural(shades.length, 'object')}${where} while the collector marked (${need})${at}`
      : `${plural(shades.length, 'object')}${where} ${shades.length === 1 ? 'was' : 'were'} born black, allocated while the collector marked (${need})${at}`;
  if (shades.length >= check.min) return { passed: true, reason: said, seq: first?.seq };
  const cycles = h.marks.length;
  const why =
    cycles === 0
      ? ': no GC cycle ran'
      : by === 'barrier'
        ? `: the barrier shades the objects whose pointers the program moves during marking, and none${where} moved in the ${plural(cycles, 'mark phase')}`
        : `: none${where} was allocated during the ${plural(cycles, 'mark phase')}`;
  return { passed: false, reason: `${said}${why}${limitWords(h)}` };
}

/** `source`: the program's code, by which a site's fn is found (heap-site.ts). */
export function evalHeap(check: HeapCheck, events: readonly SlowmoEvent[], source?: string): Found {
  const h = heapHistory(events);
  if (!h.lens) return LENS_OFF;
  switch (check.claim) {
    case 'freed':
      return evalFreed(check, h, source);
    case 'neverWhite':
      return evalNeverWhite(check, h, source);
    default:
      return evalShaded(check, h, source);
  }
}
