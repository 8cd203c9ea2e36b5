/**
 * The failure lens panel on real recordings (the kernel bridge's fixtures):
 * a mutex ordering deadlock shows every blocked goroutine and the cycle as
 * arrows; a leak shows its lines with the never woken; a click asks for the
 * goroutine at the moment it blocked.
 */
import '../picture/dom-shim';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  explainEnding,
  initialState,
  parseEvent,
  replay,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { FailureLensPanel, lensOf } from '../../src/widget/failure-lens';

const RECORDINGS = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'kernel-bridge',
  'test',
  'fixtures',
  'recordings',
);

function lens(name: string) {
  const plain = path.join(RECORDINGS, `${name}.ndjson`);
  const text = existsSync(plain)
    ? readFileSync(plain, 'utf8')
    : gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8');
  const events: SlowmoEvent[] = text
    .trim()
    .split('\n')
    .map((l) => parseEvent(l));
  const lines = readFileSync(path.join(RECORDINGS, `${name}.go`), 'utf8').split('\n');
  const end = replay(events, initialState());
  return lensOf(events, end, explainEnding(events, end), (_f, n) => lines[n - 1]);
}

function panel() {
  const picks: [number, number][] = [];
  const p = new FailureLensPanel((goid, seq) => picks.push([goid, seq]));
  document.body.append(p.node);
  return { p, picks };
}

describe('the failure lens panel', () => {
  it('shows a deadlock: each blocked goroutine, its line, its object, and the cycle', () => {
    const l = lens('deadlock-mutex')!;
    const { p, picks } = panel();
    p.set(l);
    const n = p.node;
    expect(p.isHidden).toBe(false);
    expect(n.dataset.kind).toBe('deadlock');
    expect(n.querySelector('.jp-slowmo-lens-title')?.textContent).toBe(
      'Deadlock: 3 goroutines blocked for ever',
    );
    const rows = [...n.querySelectorAll('.jp-slowmo-lens-row')];
    expect(rows).toHaveLength(3);
    const objects = [...n.querySelectorAll('.jp-slowmo-lens-object')].map((o) => o.textContent);
    expect(objects.sort()).toEqual(['a', 'b', 'done']);
    expect(n.querySelectorAll('.jp-slowmo-lens-row.jp-mod-cycle')).toHaveLength(2);
    const cycle = n.querySelector('.jp-slowmo-lens-cycle')!.textContent!;
    expect(cycle).toMatch(/^Wait-for cycle: g(\d+) —[ab]→ g\d+ —[ab]→ g\1$/);
    const lineButtons = [...n.querySelectorAll<HTMLButtonElement>('.jp-slowmo-lens-line')];
    expect(lineButtons.map((b) => b.textContent).sort()).toEqual([
      'deadlock-mutex.go:18',
      'deadlock-mutex.go:28',
      'deadlock-mutex.go:33',
    ]);
    const b18 = l.blocked.find((b) => b.line === 18)!;
    lineButtons.find((b) => b.textContent === 'deadlock-mutex.go:18')!.click();
    (
      n.querySelector(
        `.jp-slowmo-lens-cycle .jp-slowmo-lens-g[data-goid="${b18.goid}"]`,
      ) as HTMLElement
    ).click();
    expect(picks).toEqual([
      [b18.goid, b18.seq],
      [b18.goid, b18.seq],
    ]);
    p.set(null);
    expect(p.isHidden).toBe(true);
    expect(n.childElementCount).toBe(0);
  });

  it('shows a leak by line, with the never woken marked', () => {
    const l = lens('leak')!;
    const { p } = panel();
    p.set(l);
    const n = p.node;
    expect(n.dataset.kind).toBe('leak');
    const heads = [...n.querySelectorAll('.jp-slowmo-lens-head')].map((h) => h.textContent);
    expect(heads[0]).toMatch(/^leak\.go:13 3 × waiting to send on a channel: g\d+ g\d+ g\d+$/);
    expect(heads[1]).toMatch(/^leak\.go:22 1 × waiting to receive from a channel: g\d+$/);
    expect(n.querySelectorAll('.jp-slowmo-lens-g.jp-mod-never-woken')).toHaveLength(4);
    expect(n.querySelector('.jp-slowmo-lens-cycle')).toBeNull();
  });

  it("shows beside a leak whether the runtime's own detector agrees, and why not", () => {
    // Go 1.26 with the detector: the workers on a local channel leaked for both; the goroutine
    // on a package variable's channel for the lens only.
    const l = lens('leak-global')!;
    const { p } = panel();
    p.set(l);
    const n = p.node;
    const rows = [...n.querySelectorAll('.jp-slowmo-lens-row')];
    const verdicts = rows.map((r) => {
      const v = r.querySelector<HTMLElement>('.jp-slowmo-lens-runtime-verdict');
      return [
        r.querySelector('.jp-slowmo-lens-line')?.textContent,
        v?.dataset.agrees,
        v?.textContent,
      ];
    });
    expect(verdicts).toEqual([
      ['leak-global.go:16', 'all', "The runtime's detector agrees: all 2 leaked."],
      [
        'leak-global.go:24',
        'none',
        "The runtime's detector does not call it leaked: what it waits on is still reachable.",
      ],
    ]);
    const box = n.querySelector<HTMLElement>('.jp-slowmo-lens-runtime')!;
    expect(box.dataset.status).toBe('compared');
    expect(box.querySelector('.jp-slowmo-lens-runtime-words')?.textContent).toBe(
      "The runtime's own leak detector reported 2 goroutines leaked as main returned, 2 of the 3 listed here.",
    );
    expect(box.querySelector('.jp-slowmo-lens-runtime-explain')?.textContent).toMatch(
      /^The runtime's detector judges by reachability: .*from a package variable/,
    );
  });

  it('says how to ask for the detector when a run on Go 1.26+ did not', () => {
    const l = lens('leak')!;
    const { p } = panel();
    p.set(l);
    const box = p.node.querySelector<HTMLElement>('.jp-slowmo-lens-runtime')!;
    expect(box.dataset.status).toBe('not-asked');
    expect(box.textContent).toMatch(
      /was not asked for in this run: turn on “Runtime’s Leak Detector” in the cell.s context menu/,
    );
    expect(p.node.querySelector('.jp-slowmo-lens-runtime-verdict')).toBeNull();
  });

  it('has nothing to show for a run that ended well', () => {
    expect(lens('pool')).toBeNull();
  });
});
