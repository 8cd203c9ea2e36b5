/**
 * What `slowmo run --format chrome`, `slowmo run --format text --summary`
 * and `slowmo export` write: a recording read back from its NDJSON file
 * (a bad one refused naming the line and what is wrong with it), the Chrome
 * trace, and the goroutine analysis with the patterns as text.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  analyzeGoroutines,
  chromeTrace,
  durationWords,
  eventNumber,
  fileWords,
  findPatterns,
  isRuntimeFunction,
  LaneBuilder,
  parseEvent,
  plural,
  ProtocolError,
  stateCounts,
  type GoroutineAnalysis,
  type GoroutineStats,
  type Lanes,
  type PatternNote,
  type SlowmoEvent,
  type StateCounts,
} from './protocol';

/** A recording file that cannot be read as one: the message names the file, the line and the fault. */
export class RecordingError extends Error {}

/** The events of an NDJSON recording (gzipped when its name ends in .gz), checked line by line. */
export function readRecording(file: string): SlowmoEvent[] {
  let text: string;
  try {
    const raw = readFileSync(file);
    text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new RecordingError(`cannot read ${file}: ${code}`);
  }
  const events: SlowmoEvent[] = [];
  // The lanes refuse events out of order or back in time, as any reader of the recording would.
  const order = new LaneBuilder();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${file} line ${i + 1}`;
    let e: SlowmoEvent;
    try {
      e = parseEvent(line);
      order.append(e);
    } catch (err) {
      const what =
        err instanceof ProtocolError ? err.message : `not JSON (${(err as Error).message})`;
      throw new RecordingError(`${at}: ${what}`);
    }
    events.push(e);
  });
  if (events.length === 0)
    throw new RecordingError(`${file}: no events (an NDJSON recording has one per line)`);
  return events;
}

/** The Chrome Trace Event JSON of a recording, as a file holds it. */
export function chromeJson(events: readonly SlowmoEvent[]): string {
  return `${JSON.stringify(chromeTrace(events))}\n`;
}

const ms = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;

function name(g: GoroutineStats): string {
  if (g.goid === 1) return 'g1 main';
  return g.fn ? `g${g.goid} ${g.fn}` : `g${g.goid}`;
}

/** "chan receive 8 ms, sleep 10 ms": the reasons it waited most for. */
function waits(g: GoroutineStats): string {
  const top = Object.entries(g.waitingBy)
    .filter(([, ns]) => ns > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([reason, ns]) => `${reason || 'waiting'} ${durationWords(ns)}`);
  return top.length > 0 ? top.join(', ') : '-';
}

function row(g: GoroutineStats): string[] {
  const dur = (ns: number) => (ns > 0 ? durationWords(ns) : '-');
  return [
    name(g),
    g.file ? fileWords(g.file, g.line) : '-',
    g.createdAt === null ? '-' : ms(g.createdAt),
    g.endedAt === null ? '-' : ms(g.endedAt),
    String(g.runs),
    dur(g.running),
    dur(g.runnable),
    waits(g),
    dur(g.syscall),
    g.ps.length > 0 ? g.ps.map((p) => `P${p}`).join(',') : '-',
    String(g.stolen),
    String(g.preempted),
  ];
}

const HEADER = [
  'goroutine',
  'created at',
  'created',
  'ended',
  'runs',
  'running',
  'runnable',
  'waiting',
  'syscall',
  'Ps',
  'stolen',
  'preempted',
];

/** Rows as columns padded to their widest cell. */
function table(rows: readonly string[][]): string {
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map(
      (r) =>
        `  ${r
          .map((cell, c) => cell.padEnd(widths[c] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

const BARS = ' ▁▂▃▄▅▆▇█';

/** One line of bars per state, each bar a bucket of time, scaled to the most goroutines at once. */
function chart(counts: StateCounts): string {
  const states = ['running', 'runnable', 'waiting', 'syscall'] as const;
  const most = Math.max(1, ...counts.buckets.flatMap((b) => states.map((s) => b[s])));
  const lines = states.map((s) => {
    const bars = counts.buckets
      .map((b) => BARS[Math.ceil((b[s] / most) * (BARS.length - 1))])
      .join('');
    const peak = Math.max(...counts.buckets.map((b) => b[s]));
    return `  ${s.padEnd(9)} ${bars}  (at most ${peak})\n`;
  });
  const each = durationWords(counts.width);
  return `Goroutines by state over time (a bar is ${each}, the tallest ${most} goroutines)\n${lines.join('')}`;
}

function patternLines(notes: readonly PatternNote[]): string {
  if (notes.length === 0) return 'Patterns: none found\n';
  const lines = notes.map(
    (n) =>
      `  ${ms(n.start)} to ${ms(n.end)} (events ${eventNumber(n.startSeq)} to ${eventNumber(n.endSeq)}): ${n.text}\n`,
  );
  return `Patterns\n${lines.join('')}`;
}

function goroutineSection(analysis: GoroutineAnalysis, hideRuntime: boolean): string {
  const shown = analysis.goroutines.filter((g) => !(hideRuntime && g.runtime));
  const hidden = analysis.goroutines.length - shown.length;
  const note =
    hidden > 0
      ? ` (and ${plural(hidden, 'goroutine')} of the runtime's own: --runtime shows them)`
      : '';
  return `Goroutines: ${shown.length}${note}\n${table([HEADER, ...shown.map(row)])}`;
}

/** `--summary`: the goroutine analysis and the patterns, for a terminal (the runtime's own goroutines left out unless asked for). */
export function summaryText(events: readonly SlowmoEvent[], hideRuntime = true): string {
  const lanes: Lanes = LaneBuilder.from(events).lanes();
  const analysis = analyzeGoroutines(lanes);
  const counts = stateCounts(
    lanes,
    40,
    (g) => !hideRuntime || g.goid === 1 || !isRuntimeFunction(g.fn),
  );
  return [
    '',
    `Summary of ${ms(lanes.end - lanes.start)}, ${plural(events.length, 'event')}`,
    '',
    goroutineSection(analysis, hideRuntime),
    chart(counts),
    patternLines(findPatterns(lanes)),
  ].join('\n');
}
