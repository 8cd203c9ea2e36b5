/**
 * A flame graph's words: what a frame holds (its hover text), what a profile measures
 * (its caption), and the moments a goroutine waited at a frame's line (found in the
 * recording's g.waiting events, which say the innermost line of the learner's code).
 */
import {
  fileWords,
  PROFILE_MEASURE,
  profileName,
  profileValueWords,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { OUTSIDE, type FlameNode, type ProfileEvent } from './tree';

type Kind = ProfileEvent['profile'];

/** What each profile shows, for the caption under its tabs. */
const ABOUT: Record<Kind, string> = {
  cpu: 'where the program used the CPU: sampled 100 times a second of CPU, waiting goroutines never seen',
  block:
    'where goroutines waited on channels, select and sync: every blocking event, timed from park to wake-up',
  mutex:
    'contention on sync.Mutex: charged to the goroutine that held the lock, at its Unlock, for the time others waited',
  goroutine: 'where every goroutine stood when the profile was taken, at the end of the run',
  wall: 'wall-clock time, running or waiting alike: all goroutines’ stacks sampled every ~10 ms',
};

export const TAB_LABEL: Record<Kind, string> = {
  cpu: 'CPU',
  block: 'Block',
  mutex: 'Mutex',
  goroutine: 'Goroutines',
  wall: 'Wall clock',
};

const percent = (share: number): string =>
  share >= 0.995
    ? '100%'
    : share >= 0.1
      ? `${Math.round(share * 100)}%`
      : `${(share * 100).toFixed(1)}%`;

/** "block profile · 900 ms blocked time in all: where goroutines waited…". */
export function captionOf(profile: ProfileEvent, total: number): string {
  const name = profileName(profile.profile).replace(/^the /, '');
  const all = `${profileValueWords(total, profile.unit)} ${profile.unit === 'count' ? 'in all' : `of ${PROFILE_MEASURE[profile.profile]} in all`}`;
  return `${name[0]!.toUpperCase()}${name.slice(1)} · ${all}: ${ABOUT[profile.profile]}`;
}

/** Where a frame is, as a learner places it: "main.go:15", "the runtime (chan.go:489)". */
export function placeOf(node: FlameNode): string {
  if (node.file === '') return node.fn === OUTSIDE ? 'the runtime and libraries' : '';
  const file = node.own ? learnerName(node.file) : node.file;
  return fileWords(file, node.line || undefined);
}

/** A frame's label in its box: the function, and the line when known. */
export function labelOf(node: FlameNode, root: boolean): string {
  if (root) return 'all';
  return node.line > 0 ? `${node.fn} :${node.line}` : node.fn;
}

/** The hover text: the function, where it is, its value with the unit and its share. */
export function frameWords(
  node: FlameNode,
  profile: ProfileEvent,
  total: number,
  root: boolean,
): string[] {
  const value = profileValueWords(node.value, profile.unit);
  const measure = profile.unit === 'count' ? '' : ` ${PROFILE_MEASURE[profile.profile]}`;
  const share = total > 0 ? node.value / total : 0;
  if (root) return [`all of ${profileName(profile.profile)}`, `${value}${measure}`];
  const lines = [node.fn];
  const place = placeOf(node);
  if (place) lines.push(place);
  lines.push(`${value}${measure} · ${percent(share)} of the profile`);
  if (node.self > 0 && node.self < node.value)
    lines.push(`${profileValueWords(node.self, profile.unit)} in this frame itself`);
  return lines;
}

/** A moment a goroutine parked at a line. */
export interface WaitMoment {
  readonly seq: number;
  readonly t: number;
  readonly goid: number;
  readonly reason: string;
}

/** The events the moments are looked for in (the run's timeline). */
export interface EventSource {
  nextOfKind(after: number, kinds: SlowmoEvent['kind'][]): number;
  event(seq: number): SlowmoEvent | undefined;
}

/**
 * A file's name as the learner knows it. Events come with the learner's files as they named
 * them (main.go); a profile's frames may keep the path of the build (/src/main.go in the
 * sandbox, /tmp/…/main.go), and the Go installation's files keep theirs (…/src/runtime/chan.go,
 * which stays runtime/chan.go here, never the learner's main.go).
 */
export function learnerName(file: string): string {
  if (!file.startsWith('/')) return file;
  const i = file.lastIndexOf('/src/');
  return i >= 0 ? file.slice(i + '/src/'.length) : file.slice(file.lastIndexOf('/') + 1);
}

/** Every g.waiting of the recording at `file:line`, in order. */
export function waitsAt(events: EventSource, file: string, line: number): WaitMoment[] {
  const found: WaitMoment[] = [];
  if (!file || line <= 0) return found;
  const name = learnerName(file);
  for (
    let s = events.nextOfKind(-1, ['g.waiting']);
    s >= 0;
    s = events.nextOfKind(s, ['g.waiting'])
  ) {
    const e = events.event(s);
    if (e?.kind === 'g.waiting' && e.line === line && learnerName(e.file ?? '') === name)
      found.push({ seq: e.seq, t: e.t, goid: e.goid, reason: e.reason });
  }
  return found;
}

/** "g7 · chan receive · 12.345 ms": a moment's button. */
export function momentWords(m: WaitMoment): string {
  return `g${m.goid} · ${m.reason} · ${(m.t / 1e6).toFixed(3)} ms`;
}

/** The profiles whose frames lead to moments of waiting. */
export const WAITING_PROFILES: ReadonlySet<Kind> = new Set(['block', 'mutex', 'wall']);
