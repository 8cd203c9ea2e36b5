/**
 * What a learner sees of a Go-slowmo output, read from the page: the
 * position, status, narration and ending banner, the goroutine counts, the
 * source pane's lit lines and their tags, the program's output, and the
 * picture (every token's place, label and colours, and the boxes' words).
 * Two of these are equal when the learner could not tell the outputs apart.
 */
import type { Locator } from 'playwright-core';

export interface Seen {
  position: string;
  status: string;
  narration: string;
  ending: string;
  counts: { goroutines: string | null; waiting: string | null };
  /** Lit source lines: "line kind: tag, tag". */
  source: string[];
  output: string;
  picture: Record<string, string>;
}

/** Waits until no token of the run's picture glides or fades (at most `within` ms). */
export async function settled(run: Locator, within = 10_000): Promise<void> {
  await run.locator('.jp-slowmo-picture').evaluate(async (pic, ms) => {
    type Cy = { nodes(): { some(f: (n: { animated(): boolean }) => boolean): boolean } };
    const view = (pic as unknown as { slowmoPicture: { cy: Cy } }).slowmoPicture;
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const end = performance.now() + ms;
    await frame();
    while (view.cy.nodes().some((n) => n.animated())) {
      if (performance.now() > end) throw new Error(`the picture still moved after ${ms} ms`);
      await frame();
    }
    // Two more: what the last glide's end or the terminal becoming visible asked to
    // draw is drawn (the visibility is told in one frame, the terminal draws in the next).
    await frame();
    await frame();
  }, within);
}

export async function seen(run: Locator): Promise<Seen> {
  // xterm draws only while on screen (it pauses off it): look at the terminal, as a
  // learner would scroll to it, then let the picture and the terminal draw.
  await run.locator('.jp-slowmo-output').scrollIntoViewIfNeeded();
  await settled(run);
  return run.evaluate((el) => {
    const text = (sel: string) => (el.querySelector(sel)?.textContent ?? '').trim();
    const source = [...el.querySelectorAll<HTMLElement>('.jp-slowmo-source-line')]
      .filter((row) => row.dataset.lit !== undefined || row.querySelector('.jp-slowmo-source-tag'))
      .map((row) => {
        const tags = [...row.querySelectorAll('.jp-slowmo-source-tag')].map(
          (t) => `${(t as HTMLElement).dataset.kind}=${t.textContent}`,
        );
        return `${row.dataset.line} ${row.dataset.lit ?? ''}: ${tags.join(', ')}`;
      });
    type N = {
      id(): string;
      position(): { x: number; y: number };
      classes(): string[];
      data(k: string): unknown;
      style(k: string): string;
    };
    const pic = el.querySelector('.jp-slowmo-picture') as unknown as {
      slowmoPicture: { cy: { nodes(): { forEach(f: (n: N) => void): void } } };
    };
    const picture: Record<string, string> = {};
    pic.slowmoPicture.cy.nodes().forEach((n) => {
      const p = n.position();
      picture[n.id()] =
        `${Math.round(p.x)},${Math.round(p.y)} ${n.classes().join('.')} ${String(n.data('label'))} ` +
        `${n.style('background-color')} on ${n.style('color')}`;
    });
    for (const g of el.querySelectorAll('.jp-slowmo-picture-under > g'))
      picture[`svg:${g.getAttribute('data-key')}`] = g.textContent ?? '';
    const node = el as HTMLElement;
    return {
      position: text('.jp-slowmo-position'),
      status: text('.jp-slowmo-status'),
      narration: text('.jp-slowmo-narration'),
      ending: text('.jp-slowmo-ending'),
      counts: {
        goroutines: node.dataset.userGoroutines ?? null,
        waiting: node.dataset.userWaiting ?? null,
      },
      source,
      // As rendered: innerText leaves out the style sheet xterm keeps in the pane.
      output: (el.querySelector<HTMLElement>('.jp-slowmo-output')?.innerText ?? '').trim(),
      picture,
    };
  });
}
