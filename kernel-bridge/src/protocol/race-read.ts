/**
 * Reads the race detector's reports out of a run's stderr `output` events as they pass, into
 * `race` events (race.ts). The bridge's event pipeline calls it for a run built with `-race`,
 * on both backends; the output events pass unchanged, so the learner still reads the reports.
 *
 * A report, as the Go race runtime prints it:
 *
 *   ==================
 *   WARNING: DATA RACE
 *   Read at 0x00c000094028 by goroutine 8:
 *     main.main.func1()
 *         /src/main.go:16 +0x99
 *
 *   Previous write at 0x00c000094028 by goroutine 7:
 *     main.main.func1()
 *         /src/main.go:16 +0xab
 *
 *   Goroutine 8 (running) created at:
 *     main.main()
 *         /src/main.go:13 +0x78
 *   ...
 *   ==================
 *
 * The program's own stderr may come between its lines, and a run may end in the middle of one
 * (a limit, a kill): lines that are no part of a report are skipped, and a report cut short
 * still makes an event at the run's end when its first access was read, with what it holds.
 */
import type { SlowmoEvent } from './events';
import { StderrLines } from './stderr-lines';
import { isLearnerFile, learnerFunction } from './goroutines';
import { RACE_NAME_MAX, RACES_MAX, type RaceAccess, type RaceFrame } from './race';

/** A report longer than this is the detector's only if something is wrong: it is let go. */
const REPORT_LINES_MAX = 2000;

const BEGIN = 'WARNING: DATA RACE';
const SEPARATOR = /^={10,}$/;
const ACCESS =
  /^(Previous )?((?:[Aa]tomic )?)([Rr]ead|[Ww]rite) at (0x[0-9a-fA-F]{1,16}) by (?:goroutine (\d+)|(main goroutine)|thread T\d+):$/;
const CREATED = /^Goroutine (\d+) \([^)]*\) created at:$/;
const FUNCTION = /^\s+(\S.*?)\(.*\)$/;
const PLACE = /^\s+(.+?):(\d+)(?: \+0x[0-9a-fA-F]+)?$/;

interface Stack {
  frames: RaceFrame[];
  /** A function line waiting for its place line. */
  fn?: string;
}

interface Access {
  head: Omit<RaceAccess, 'fn' | 'file' | 'line' | 'created' | 'goid'>;
  stack: Stack;
  /** "by main goroutine". */
  main: boolean;
}

interface Report {
  at: number;
  addr?: string;
  accesses: Access[];
  creations: Map<number, Stack>;
  /** What the next frame lines belong to. */
  into?: Stack;
  lines: number;
}

export class RaceReader {
  private readonly lines = new StderrLines();
  private report: Report | undefined;
  private made = 0;
  /** The goroutines created at each site of the learner's ("main.go:13"), by goid. */
  private readonly sites = new Map<string, Set<number>>();

  /** `learnerPath` turns a path as printed (in the sandbox: /src/main.go) into the learner's. */
  constructor(private readonly learnerPath: (file: string) => string = (f) => f) {}

  /** The events that stderr output `e` completes, to pass after it (none for other events). */
  read(e: SlowmoEvent): SlowmoEvent[] {
    if (e.kind === 'g.create') this.created(e.goid, this.learnerPath(e.file), e.line);
    if (e.kind !== 'output' || e.stream !== 'stderr') return [];
    const made: SlowmoEvent[] = [];
    this.lines.read(e, (text, at, t) => this.line(text, at, t, made));
    return made;
  }

  private created(goid: number, file: string, line: number): void {
    if (!isLearnerFile(file)) return;
    const key = `${file}:${line}`;
    const goids = this.sites.get(key) ?? new Set();
    goids.add(goid);
    this.sites.set(key, goids);
  }

  /** The picture's goroutine for an access, where only one can be it. */
  private goidOf(
    goroutine: number,
    main: boolean,
    site: RaceFrame | undefined,
  ): number | undefined {
    if (main) return 1;
    if (!site || goroutine === 0) return undefined;
    const goids = this.sites.get(`${site.file}:${site.line}`);
    return goids?.size === 1 ? [...goids][0] : undefined;
  }

  /** A report the run's end cut short (at `t`), to pass before run.end. */
  end(t: number): SlowmoEvent[] {
    const made: SlowmoEvent[] = [];
    this.lines.end(t, (text, at, end) => this.line(text, at, end, made));
    this.close(t, made);
    return made;
  }

  private line(raw: string, at: number, t: number, made: SlowmoEvent[]): void {
    const text = raw.replace(/\r$/, '');
    if (text === BEGIN) {
      this.close(t, made);
      this.report = { at, accesses: [], creations: new Map(), lines: 0 };
      return;
    }
    const r = this.report;
    if (!r) return;
    if (SEPARATOR.test(text)) return this.close(t, made);
    if (++r.lines > REPORT_LINES_MAX) {
      this.report = undefined;
      return;
    }
    const access = ACCESS.exec(text);
    if (access) {
      const [, previous, atomic, op, addr, goid, main] = access;
      r.addr ??= addr!.toLowerCase();
      const stack: Stack = { frames: [] };
      r.accesses.push({
        head: {
          goroutine: goid ? Number(goid) : main ? 1 : 0,
          op: op!.toLowerCase() === 'read' ? 'read' : 'write',
          ...(atomic ? { atomic: true } : {}),
          previous: previous !== undefined,
        },
        stack,
        main: main !== undefined,
      });
      r.into = stack;
      return;
    }
    const created = CREATED.exec(text);
    if (created) {
      const stack: Stack = { frames: [] };
      r.creations.set(Number(created[1]), stack);
      r.into = stack;
      return;
    }
    if (text.trim() === '') {
      r.into = undefined;
      return;
    }
    this.frameLine(r.into, text);
  }

  /** A stack's function line, or the place line after it. */
  private frameLine(stack: Stack | undefined, text: string): void {
    if (!stack) return;
    const place = stack.fn !== undefined ? PLACE.exec(text) : null;
    if (place && stack.fn !== undefined) {
      stack.frames.push({
        fn: cut(learnerFunction(stack.fn)),
        file: cut(this.learnerPath(place[1]!)),
        line: Number(place[2]),
      });
      stack.fn = undefined;
      return;
    }
    const fn = FUNCTION.exec(text);
    stack.fn = fn ? fn[1] : undefined;
  }

  private close(t: number, made: SlowmoEvent[]): void {
    const r = this.report;
    this.report = undefined;
    if (!r?.addr || r.accesses.length === 0 || this.made >= RACES_MAX) return;
    this.made++;
    const accesses = r.accesses.slice(0, 2).map(({ head, stack, main }): RaceAccess => {
      const where = ownFrame(stack.frames) ?? { fn: '', file: '', line: 0 };
      const creation = main ? undefined : r.creations.get(head.goroutine);
      const site = creation ? ownFrame(creation.frames) : undefined;
      const goid = this.goidOf(head.goroutine, main, site);
      return {
        goroutine: head.goroutine,
        ...(goid !== undefined ? { goid } : {}),
        op: head.op,
        ...(head.atomic ? { atomic: true } : {}),
        previous: head.previous,
        ...where,
        ...(site ? { created: site } : {}),
      };
    });
    made.push({ seq: 0, t, m: -1, p: -1, g: 0, kind: 'race', at: r.at, addr: r.addr, accesses });
  }
}

/** The innermost frame in the learner's own files, else the innermost of all. */
function ownFrame(frames: RaceFrame[]): RaceFrame | undefined {
  return frames.find((f) => isLearnerFile(f.file)) ?? frames[0];
}

function cut(s: string): string {
  return s.length > RACE_NAME_MAX ? s.slice(0, RACE_NAME_MAX) : s;
}
