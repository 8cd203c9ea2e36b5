/**
 * `{"type": "profile", "profile": "block", "lead": {"line": 23}}`: what the runtime's own
 * profiles of the run (a cell's `profile: true`; profile.ts says what each measures) put
 * first. Each sample counts for the innermost of the learner's frames on its stack (where the
 * learner's code was when the runtime took it: the call that blocked, the loop that spun), so
 * the runtime's and the standard library's frames under it do not hide the learner's line:
 *
 *   {"type": "profile", "profile": "block", "lead": {"line": 23}}
 *       most of the blocked time was at line 23 (of main.go, or of `file`)
 *   {"type": "profile", "profile": "cpu", "lead": {"fn": "main.spin"}, "minShare": 0.5}
 *       main.spin leads the CPU profile, with at least half of its on-CPU time
 *
 * `minShare` is of the whole profile, the samples outside the learner's code included.
 * Functions and lines are ranked apart: `lead.fn` ranks functions, `lead.line` lines.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { isLearnerFile } from '../goroutines';
import { PROFILE_KINDS, type ProfileFrame, type ProfileKind } from '../profile';
import { baseName, eventNumber } from '../words';
import { msWords, type Found } from './compare';

export const ProfileCheckSchema = z.object({
  type: z.literal('profile'),
  profile: z.enum(PROFILE_KINDS),
  lead: z.union([
    z.object({ fn: z.string().min(1) }).strict(),
    z
      .object({
        line: z.number().int().min(1),
        /** Matches by its last path parts; main.go when absent. */
        file: z.string().min(1).optional(),
      })
      .strict(),
  ]),
  /** The leader's least share of the whole profile, above 0 and at most 1. */
  minShare: z.number().gt(0).max(1).optional(),
});
export type ProfileCheck = z.infer<typeof ProfileCheckSchema>;

type ProfileEvent = Extract<SlowmoEvent, { kind: 'profile' }>;

/** Whether a profile's frame is the learner's: one of their files, or a function of package main. */
export function isOwnFrame(frame: ProfileFrame): boolean {
  return isLearnerFile(frame.file) || frame.fn.startsWith('main.');
}

/** One function or line of the learner's code and the profile's value it holds. */
export interface ProfileLeader {
  /** `main.spin`, or `main.go:23`. */
  readonly name: string;
  readonly fn: string;
  readonly file: string;
  /** 0 for a function. */
  readonly line: number;
  readonly value: number;
}

/**
 * The learner's functions or lines by the profile's value each holds (see above), heaviest
 * first, and the profile's total (outside the learner's code included).
 */
export function profileLeaders(
  profile: ProfileEvent,
  by: 'fn' | 'line',
): { leaders: ProfileLeader[]; total: number } {
  const sums = new Map<string, { fn: string; file: string; line: number; value: number }>();
  let total = 0;
  for (const sample of profile.samples) {
    total += sample.value;
    const frame = sample.stack.map((i) => profile.frames[i]).find((f) => f && isOwnFrame(f));
    if (frame === undefined) continue;
    const name = by === 'fn' ? frame.fn : `${baseName(frame.file)}:${frame.line}`;
    const s = sums.get(name) ?? {
      fn: frame.fn,
      file: frame.file,
      line: by === 'fn' ? 0 : frame.line,
      value: 0,
    };
    s.value += sample.value;
    sums.set(name, s);
  }
  const leaders = [...sums].map(([name, s]) => ({ name, ...s }));
  leaders.sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
  return { leaders, total };
}

/** What each profile adds up, in words: "blocked time". */
export const PROFILE_MEASURE: Readonly<Record<ProfileKind, string>> = {
  cpu: 'on-CPU time',
  block: 'blocked time',
  mutex: 'mutex contention',
  goroutine: 'goroutines',
  wall: 'wall-clock time',
};

/** A profile's name as a learner reads it: "the block profile". */
export const profileName = (kind: ProfileKind): string =>
  `the ${kind === 'cpu' ? 'CPU' : kind} profile`;

/** A value in the profile's unit, in words: "12.3 ms", "2.31 s", "4 goroutines". */
export function profileValueWords(value: number, unit: ProfileEvent['unit']): string {
  // Profiles add up the waits of many goroutines: seconds read better than thousands of ms.
  if (unit === 'nanoseconds')
    return value >= 1e9 ? `${(value / 1e9).toFixed(2)} s` : msWords(value);
  return `${value.toLocaleString('en')} ${value === 1 ? 'goroutine' : 'goroutines'}`;
}

const percent = (part: number, total: number): string =>
  `${total > 0 ? Math.round((part / total) * 100) : 0}%`;

function matches(leader: ProfileLeader, lead: ProfileCheck['lead']): boolean {
  if ('fn' in lead) return leader.fn === lead.fn;
  const file = lead.file ?? 'main.go';
  return leader.line === lead.line && (leader.file === file || leader.file.endsWith(`/${file}`));
}

export function evalProfile(check: ProfileCheck, events: readonly SlowmoEvent[]): Found {
  const name = profileName(check.profile);
  const profile = events.find(
    (e): e is ProfileEvent => e.kind === 'profile' && e.profile === check.profile,
  );
  const wanted =
    'fn' in check.lead
      ? check.lead.fn
      : `${baseName(check.lead.file ?? 'main.go')}:${check.lead.line}`;
  if (profile === undefined) {
    const any = events.some((e) => e.kind === 'profile');
    const end = events.at(-1);
    const ended =
      end?.kind === 'run.end' && (end.reason !== 'exit' || end.exitCode !== 0)
        ? `the run holds no profiles: they are handed over when main returns, and this program ended otherwise (${end.reason === 'exit' ? `exit code ${end.exitCode}` : end.reason})`
        : null;
    return {
      passed: false,
      reason: any
        ? `the run holds no ${name.replace(/^the /, '')}: the backend did not collect it`
        : (ended ?? 'the run holds no profiles: the cell needs profile: true'),
    };
  }
  const measure = PROFILE_MEASURE[check.profile];
  const at = `(event ${eventNumber(profile.seq)})`;
  const { leaders, total } = profileLeaders(profile, 'fn' in check.lead ? 'fn' : 'line');
  const first = leaders[0];
  if (first === undefined) {
    const why =
      total === 0
        ? `recorded no ${measure} at all${check.profile === 'cpu' ? ' (it samples the program 100 times a second of CPU it uses: a program that only waits or sleeps leaves none)' : ''}`
        : `holds none of your code's ${measure} (${profileValueWords(total, profile.unit)} in all, none of it in your functions)`;
    return { passed: false, reason: `${name} ${why} ${at}`, seq: profile.seq };
  }
  const words = (l: ProfileLeader) =>
    `${l.name} with ${profileValueWords(l.value, profile.unit)}, ${percent(l.value, total)} of ${profileValueWords(total, profile.unit)}`;
  const mine = leaders.find((l) => matches(l, check.lead));
  if (!matches(first, check.lead)) {
    const them = mine ? `; ${words(mine)}` : `; ${wanted} holds none of it`;
    return {
      passed: false,
      reason: `${first.name} leads ${name}, not ${wanted}: ${words(first)}${them} ${at}`,
      seq: profile.seq,
    };
  }
  const share = total > 0 ? first.value / total : 0;
  if (check.minShare !== undefined && share < check.minShare) {
    return {
      passed: false,
      reason: `${wanted} leads ${name} but with less than ${percent(check.minShare, 1)} of its ${measure}: ${words(first)} ${at}`,
      seq: profile.seq,
    };
  }
  const next = leaders[1] ? `; next ${words(leaders[1])}` : '';
  return {
    passed: true,
    reason: `${wanted} leads ${name}: ${words(first)}${next} ${at}`,
    seq: profile.seq,
  };
}
