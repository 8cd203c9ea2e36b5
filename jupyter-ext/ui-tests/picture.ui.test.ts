/**
 * The picture as a learner reads it, at 1400x900 in Debian's Chromium, with
 * a real JupyterLab, the real bridge and the real probes: text big enough
 * to read, the whole program beside it, who stole and who woke whom drawn
 * and said, endings explained on their lines, runtime goroutines out of the
 * way, and a saved output that comes back exactly as it was drawn live.
 * Screenshots of each scenario in both themes go to ui-tests/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  codeCell,
  launchChromium,
  REPO,
  savedNotebook,
  SCREENSHOTS,
  startLab,
  writeNotebook,
  type Lab,
} from './lab';
import { browserDescribe } from './describe';
import { setTheme } from './open';

const maybe = browserDescribe();

const VIEWPORT = { width: 1400, height: 900 };

/** The worker pool: three workers on a buffered channel of five jobs. */
const WORKER_POOL = `package main

import (
	"fmt"
	"time"
)

func worker(id int, jobs <-chan int, results chan<- int) {
	for j := range jobs {
		fmt.Println("worker", id, "started  job", j)
		time.Sleep(100 * time.Millisecond)
		fmt.Println("worker", id, "finished job", j)
		results <- j * 2
	}
}

func main() {
	const numJobs = 5
	jobs := make(chan int, numJobs)
	results := make(chan int, numJobs)
	for w := 1; w <= 3; w++ {
		go worker(w, jobs, results)
	}
	for j := 1; j <= numJobs; j++ {
		jobs <- j
	}
	close(jobs)
	for a := 1; a <= numJobs; a++ {
		<-results
	}
}
`;

/** main hands a value to a parked receiver: the send on line 19 wakes it. */
const HANDOFF = `package main

import (
	"fmt"
	"time"
)

func receiver(ch <-chan int, done chan<- bool) {
	v := <-ch
	fmt.Println("received", v)
	done <- true
}

func main() {
	ch := make(chan int)
	done := make(chan bool)
	go receiver(ch, done)
	time.Sleep(20 * time.Millisecond)
	ch <- 42
	<-done
}
`;
const SEND_LINE = 19;

const DEADLOCK = `package main

func waiter(never <-chan bool) {
	<-never
}

func main() {
	never := make(chan bool)
	ch := make(chan int)
	go waiter(never)
	<-ch
}
`;

const PANIC = `package main

import (
	"fmt"
	"os"
)

func main() {
	scores := []int{90, 75, 60}
	i := len(os.Args) + 4
	fmt.Println("score", scores[i])
}
`;

/** A loop that never ends, doing real work on lines 7-8 (an empty loop compiles to one JMP on line 1). */
const ENDLESS = `package main

import "fmt"

func main() {
	total := 0
	for i := 0; total >= 0; i++ {
		total += len(fmt.Sprint(i)) % 2
	}
	fmt.Println(total)
}
`;

interface LessonCell {
  cell_type: string;
  source: string | string[];
  metadata: Record<string, unknown>;
}

/** The first Go-slowmo cell of a lesson (its worked example), as a cell of our own. */
function workedExample(file: string): { source: string; metadata: Record<string, unknown> } {
  const nb = JSON.parse(readFileSync(path.join(REPO, 'lessons', file), 'utf8')) as {
    cells: LessonCell[];
  };
  const cell = nb.cells.find((c) => c.cell_type === 'code' && 'slowmo' in c.metadata)!;
  const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
  return { source, metadata: cell.metadata };
}

const SLOWMO = { slowmo: { backend: 'auto', mode: 'record', gomaxprocs: 2 } };

maybe('the picture a learner reads, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const lesson1 = workedExample('01-goroutines-gmp.ipynb');
  const lesson7 = workedExample('07-work-stealing.ipynb');
  const cells = [
    codeCell(lesson1.source, lesson1.metadata),
    codeCell(WORKER_POOL, SLOWMO),
    codeCell(lesson7.source, lesson7.metadata),
    codeCell(HANDOFF, SLOWMO),
    codeCell(DEADLOCK, SLOWMO),
    codeCell(PANIC, SLOWMO),
    codeCell(ENDLESS, SLOWMO),
  ];
  const [L1, POOL, L7, HAND, DEAD, PANICKED, LOOP] = [0, 1, 2, 3, 4, 5, 6] as const;

  const shot = async (name: string, target: Locator | Page = page): Promise<void> => {
    await target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'picture.ipynb', cells);
    await writeNotebook(lab, 'other.ipynb', [codeCell(WORKER_POOL, SLOWMO)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(
      `${lab.url}/lab/workspaces/picture/tree/picture.ipynb?reset&token=${lab.token}`,
    );
    await panel().locator('.jp-slowmo-cell').first().waitFor({ timeout: 60_000 });
    await page
      .getByText('Kernel status: Idle')
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
    // Run every cell once, as Run All would, and wait for each to finish.
    await panel().locator('.jp-slowmo-cell').first().click();
    await page.keyboard.press('Escape');
    await page.getByText('Run', { exact: true }).first().click();
    await page.getByText('Run All Cells', { exact: true }).first().click();
    for (let i = 0; i < cells.length; i++) await finished(cell(i), 150_000);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  /** The notebook in front (a background one is hidden with content-visibility, not display). */
  const panel = (p: Page = page): Locator =>
    p.locator('.jp-NotebookPanel:visible:not([style*="content-visibility: hidden"])');
  const cell = (i: number, p: Page = page): Locator => panel(p).locator('.jp-slowmo-cell').nth(i);
  const run = (i: number, p: Page = page): Locator => cell(i, p).locator('.jp-slowmo-run');

  async function finished(c: Locator, timeout = 60_000): Promise<void> {
    try {
      await c
        .locator('.jp-slowmo-run .jp-slowmo-status', { hasText: 'Finished' })
        .waitFor({ timeout });
    } catch (err) {
      await shot('failed-waiting-for-finished');
      throw err;
    }
  }

  /** Scrolls a cell's output into view (the cell first: JupyterLab does not render cells out of view). */
  async function toCell(i: number): Promise<Locator> {
    await cell(i).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const r = run(i);
    await r.waitFor({ state: 'attached' });
    await r.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await r.locator('.jp-slowmo-picture').waitFor({ state: 'visible', timeout: 15_000 });
    return r;
  }

  async function jump(r: Locator, label: string): Promise<void> {
    const before = await r.locator('.jp-slowmo-position').innerText();
    await r.locator('.jp-slowmo-jump').selectOption({ label: `next ${label}` });
    await expectChange(r.locator('.jp-slowmo-position'), before);
  }

  /** The smallest text in the picture as drawn on screen: SVG text and canvas labels alike. */
  function smallestText(r: Locator): Promise<{ size: number; what: string }> {
    return r.locator('.jp-slowmo-picture').evaluate((pic) => {
      type Node = { style(name: string): string; data(name: string): string };
      const view = (
        pic as unknown as {
          slowmoPicture: {
            cy: { zoom(): number; nodes(): { forEach(f: (n: Node) => void): void } };
          };
        }
      ).slowmoPicture;
      let size = Infinity;
      let what = '';
      const zoom = view.cy.zoom();
      view.cy.nodes().forEach((n) => {
        const label = n.data('label');
        if (!label) return;
        const px = parseFloat(n.style('font-size')) * zoom;
        if (px < size) [size, what] = [px, `canvas label "${label}"`];
      });
      for (const svg of pic.querySelectorAll('svg')) {
        const box = svg.getBoundingClientRect();
        const scale = box.width / (svg as SVGSVGElement).width.baseVal.value;
        for (const t of svg.querySelectorAll('text')) {
          if (!t.textContent) continue;
          const px = parseFloat(getComputedStyle(t).fontSize) * scale;
          if (px < size) [size, what] = [px, `svg text "${t.textContent}"`];
        }
      }
      return { size, what };
    });
  }

  test('at 1400x900 every label in the picture is at least 11 px and the whole program is in the source pane', async () => {
    for (const i of [L1, POOL]) {
      const r = await toCell(i);
      const { size, what } = await smallestText(r);
      expect({ size: size >= 11, what }).toEqual({ size: true, what });
      const source = i === L1 ? lesson1.source : WORKER_POOL;
      const lines = await r.locator('.jp-slowmo-source-line').count();
      expect(lines).toBe(source.split('\n').length);
      // No line is cut at the right: each line's code ends inside the pane.
      const cut = await r.locator('.jp-slowmo-source').evaluate((pane) => {
        const right = pane.getBoundingClientRect().left + pane.clientWidth;
        return [...pane.querySelectorAll('.jp-slowmo-source-code')]
          .filter((c) => c.getBoundingClientRect().right > right + 1)
          .map((c) => c.textContent);
      });
      expect(cut).toEqual([]);
      // Tabs are 4 columns from the start of the code: "\tfor" starts 4 characters in.
      const indent = await r.locator('.jp-slowmo-source').evaluate((pane) => {
        const code = [...pane.querySelectorAll('.jp-slowmo-source-code')].find((c) =>
          /^\t[a-z]/.test(c.textContent ?? ''),
        ) as HTMLElement;
        const probe = document.createElement('span');
        probe.textContent = 'abcd';
        code.appendChild(probe);
        const four = probe.getBoundingClientRect().width;
        probe.remove();
        const range = document.createRange();
        range.setStart(code.firstChild!, 1);
        range.setEnd(code.firstChild!, 2);
        return range.getBoundingClientRect().left - code.getBoundingClientRect().left - four;
      });
      expect(Math.abs(indent)).toBeLessThan(1.5);
    }
    await shot('picture-1-worker-pool', await toCell(POOL));
  });

  test('the divider drags, and the source keeps its new width', async () => {
    const r = await toCell(POOL);
    // At 1400x900 the source and the picture are side by side.
    expect(await r.locator('.jp-slowmo-main').getAttribute('class')).not.toMatch(/jp-mod-stacked/);
    const pane = r.locator('.jp-slowmo-source');
    const drag = async (dx: number) => {
      const bar = (await r.locator('.jp-slowmo-divider').boundingBox())!;
      await page.mouse.move(bar.x + bar.width / 2, bar.y + 40);
      await page.mouse.down();
      await page.mouse.move(bar.x + bar.width / 2 + dx, bar.y + 40, { steps: 6 });
      await page.mouse.up();
    };
    const before = (await pane.boundingBox())!.width;
    await drag(-90);
    const after = (await pane.boundingBox())!.width;
    expect(before - after).toBeGreaterThan(85);
    expect(before - after).toBeLessThan(95);
    const saved = await page.evaluate(() => localStorage.getItem('go-slowmo:source-size'));
    expect(Math.abs(JSON.parse(saved!).width - after)).toBeLessThan(2);
    // The picture took the room: it is laid out again for its new width.
    await drag(90);
    expect(Math.abs((await pane.boundingBox())!.width - before)).toBeLessThan(2);
  });

  test('a steal is drawn from the victim P to the thief, carrying the stolen goroutines', async () => {
    const r = await toCell(L7);
    await r.getByRole('button', { name: 'To the start of main' }).click();
    await jump(r, 'steal');
    const arrow = r.locator('.jp-slowmo-picture [data-arrow="steal"]');
    await arrow.waitFor({ state: 'attached' });
    const from = await arrow.getAttribute('data-from');
    const to = await arrow.getAttribute('data-to');
    expect(from).toMatch(/^p:\d$/);
    expect(to).toMatch(/^p:\d$/);
    expect(from).not.toBe(to);
    const goids = (await arrow.getAttribute('data-goids'))!.split(' ').map(Number);
    expect(goids.length).toBeGreaterThan(0);
    const narration = await r.locator('.jp-slowmo-narration').innerText();
    const [thief, victim] = [to!.slice(2), from!.slice(2)];
    expect(narration).toContain(`P${thief}`);
    expect(narration).toContain(`P${victim}`);
    for (const goid of goids.slice(0, 3)) expect(narration).toContain(`g${goid}`);
    // The arrow ends on a stolen goroutine, now in the thief's box.
    const landed = await r.locator('.jp-slowmo-picture').evaluate(
      (pic, { ids, thief }) => {
        type Item = {
          kind: string;
          key: string;
          goid?: number;
          x: number;
          y: number;
          w: number;
          h: number;
        };
        const view = pic as unknown as { slowmoPicture: { scene: { items: Item[] } } };
        const items = view.slowmoPicture.scene.items;
        const box = items.find((i) => i.key === `p:${thief}`)!;
        const arrow = items.find((i) => i.kind === 'arrow') as Item & { x2: number; y2: number };
        const inBox = (x: number, y: number) =>
          Math.abs(x - box.x) <= box.w / 2 && Math.abs(y - box.y) <= box.h / 2;
        const onThief = items.filter(
          (i) => i.kind === 'g' && ids.includes(i.goid!) && inBox(i.x, i.y),
        ).length;
        return { end: inBox(arrow.x2, arrow.y2), onThief };
      },
      { ids: goids, thief: Number(to!.slice(2)) },
    );
    expect(landed.end).toBe(true);
    expect(landed.onThief).toBeGreaterThan(0);
    await shot('picture-2-steal', r);
    await r.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('picture-2-steal-page');
  });

  test('a wake-up: the arrow from the waker and the sentence naming it and the line', async () => {
    const r = await toCell(HAND);
    await r.getByRole('button', { name: 'To the start of main' }).click();
    const narration = r.locator('.jp-slowmo-narration');
    let said = '';
    for (let i = 0; i < 12 && !/woke/.test(said); i++) {
      await jump(r, 'goroutine wakes');
      said = await narration.innerText();
    }
    expect(said).toMatch(/g1\b.*woke g\d+/);
    expect(said).toContain(`main.go:${SEND_LINE}`);
    const arrow = r.locator('.jp-slowmo-picture [data-arrow="wake"]');
    await arrow.waitFor({ state: 'attached' });
    expect(await arrow.getAttribute('data-from')).toBe('g:1');
    // The sending line is lit.
    const lit = r.locator(`.jp-slowmo-source-line[data-line="${SEND_LINE}"]`);
    expect(await lit.getAttribute('data-lit')).toBeTruthy();
    await shot('picture-3-wake', r);
  });

  test('endings are explained on their lines: a deadlock, a panic, the time limit', async () => {
    const dead = await toCell(DEAD);
    const banner = dead.locator('.jp-slowmo-ending');
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/deadlock/i);
    expect(await dead.locator('.jp-slowmo-status').getAttribute('data-tone')).toBe('error');
    const deadLines = await litEnding(dead);
    expect(deadLines).toEqual(expect.arrayContaining([4, 11]));
    await shot('picture-4-deadlock', dead);

    const panicked = await toCell(PANICKED);
    await panicked.locator('.jp-slowmo-ending').waitFor();
    expect(await panicked.locator('.jp-slowmo-ending').innerText()).toMatch(
      /panic.*index out of range/is,
    );
    expect(await litEnding(panicked)).toEqual([11]);
    await shot('picture-5-panic', panicked);

    const loop = await toCell(LOOP);
    await loop.locator('.jp-slowmo-ending').waitFor();
    // Whichever of the server's time limits comes first: 20 s of wall time or 10 s of CPU time.
    expect(await loop.locator('.jp-slowmo-ending').innerText()).toMatch(
      /Stopped after \d+ ?s.*(time|CPU) limit of this server/is,
    );
    // The stacks printed when it was stopped say which line of the loop it was on.
    const loopLines = await litEnding(loop);
    expect(loopLines.some((l) => l === 7 || l === 8)).toBe(true);
    await shot('picture-6-time-limit', loop);
  });

  async function litEnding(r: Locator): Promise<number[]> {
    return r
      .locator('.jp-slowmo-source-line[data-lit="ending"]')
      .evaluateAll((rows) => rows.map((row) => Number((row as HTMLElement).dataset.line)));
  }

  test('runtime goroutines are hidden by default; "next goroutine created" lands on the program\'s own', async () => {
    const r = await toCell(POOL);
    const toggle = r.locator('.jp-slowmo-runtime');
    expect(await toggle.textContent()).toMatch(/\(\d+ hidden\)/);
    expect(await r.locator('.jp-slowmo-runtime input').isChecked()).toBe(false);
    // From the start of main, the next goroutine created is the first worker.
    await r.getByRole('button', { name: 'To the start of main' }).click();
    await jump(r, 'goroutine created');
    const said = await r.locator('.jp-slowmo-narration').innerText();
    expect(said).toMatch(/g\d+ .*main\.worker|worker/);
    // From the very first event (the runtime starting up), it is main's own g1: no runtime one between.
    await r.getByRole('button', { name: 'To the start of main' }).click();
    // The second press goes further only once the first has landed (the button says so).
    await r.locator('.jp-slowmo-first[title^="To the first event"]').waitFor();
    await r.getByRole('button', { name: 'To the start of main' }).click();
    // The position is redrawn on the next frame: waited for, not read at once.
    await r.locator('.jp-slowmo-position', { hasText: /^event 1 of/ }).waitFor();
    await jump(r, 'goroutine created');
    expect(await r.locator('.jp-slowmo-narration').innerText()).toMatch(/main\.main|main\.worker/);
    expect(await r.locator('.jp-slowmo-narration').innerText()).not.toMatch(/runtime\./);
    // Shown again: the runtime's goroutines are back in the picture.
    const runtimeNodes = () =>
      r.locator('.jp-slowmo-picture').evaluate((pic) => {
        const cy = (
          pic as unknown as { slowmoPicture: { cy: { nodes(s: string): { length: number } } } }
        ).slowmoPicture.cy;
        return cy.nodes('.g.runtime').length;
      });
    await r.getByRole('button', { name: 'To the last event (follow a live run)' }).click();
    expect(await runtimeNodes()).toBe(0);
    await r.locator('.jp-slowmo-runtime input').check();
    await expectTrue(async () => (await runtimeNodes()) > 0);
    await r.locator('.jp-slowmo-runtime input').uncheck();
  });

  test('saved, reloaded and reopened in a foreground and a background tab, outputs are laid out as they were live', async () => {
    const measure = (r: Locator) =>
      r.evaluate((run) => {
        const parts = [
          '.jp-slowmo-controls',
          '.jp-slowmo-main',
          '.jp-slowmo-source',
          '.jp-slowmo-picture',
          '.jp-slowmo-narration',
          '.jp-slowmo-scrub',
          '.jp-slowmo-output',
          '.xterm-screen',
        ];
        const out: Record<string, [number, number]> = {};
        const r0 = run.getBoundingClientRect();
        out.run = [Math.round(r0.width), Math.round(r0.height)];
        for (const sel of parts) {
          const el = run.querySelector(sel);
          if (el) {
            const b = el.getBoundingClientRect();
            out[sel] = [Math.round(b.width), Math.round(b.height)];
          }
        }
        return out;
      });
    const live = await measure(await toCell(POOL));
    await shot('picture-7-live', await toCell(POOL));
    const saved = await savedNotebook(lab, 'picture.ipynb', () => page.keyboard.press('Control+s'));
    expect(Object.keys(saved.cells[POOL]?.outputs?.[0]?.data ?? {})).toContain(
      'application/vnd.go-slowmo.run.v1+json',
    );

    // Reload: the saved output, in the foreground.
    await page.reload();
    await finished(cell(POOL));
    const restored = await measure(await toCell(POOL));
    await shot('picture-8-restored', await toCell(POOL));
    expectSameLayout(restored, live);

    // Opened with another notebook in front: this one is restored in a background tab, then shown.
    await page.goto(`${lab.url}/lab/workspaces/picture/tree/other.ipynb?token=${lab.token}`);
    const tabOf = (name: string) =>
      page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: name }).first();
    await tabOf('other.ipynb').waitFor({ timeout: 60_000 });
    await tabOf('picture.ipynb').waitFor({ timeout: 60_000 });
    await panel().locator('.jp-slowmo-cell').first().waitFor();
    // other.ipynb is in front: picture.ipynb was restored behind it. Now bring it forward.
    expect(await tabOf('other.ipynb').getAttribute('class')).toMatch(/lm-mod-current/);
    await tabOf('picture.ipynb').click();
    await finished(cell(POOL));
    const shown = await toCell(POOL);
    await shot('picture-9-background-tab', page);
    const background = await measure(shown);
    expectSameLayout(background, live);
  });

  test('each scenario in the dark theme too', async () => {
    await setTheme(page, 'dark');
    const r = await toCell(L7);
    await r.getByRole('button', { name: 'To the start of main' }).click();
    await jump(r, 'steal');
    await shot('picture-dark-2-steal', r);
    const { size } = await smallestText(r);
    expect(size).toBeGreaterThanOrEqual(11);
    await shot('picture-dark-1-worker-pool', await toCell(POOL));
    await shot('picture-dark-3-wake', await toCell(HAND));
    await shot('picture-dark-4-deadlock', await toCell(DEAD));
    await shot('picture-dark-5-panic', await toCell(PANICKED));
    await shot('picture-dark-6-time-limit', await toCell(LOOP));
    await page.getByText('Settings', { exact: true }).first().click();
    await page.getByText('Theme', { exact: true }).first().hover();
    await page.getByText('JupyterLab Light', { exact: true }).first().click();
  });
});

function expectSameLayout(
  got: Record<string, [number, number]>,
  want: Record<string, [number, number]>,
): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [sel, [w, h]] of Object.entries(want)) {
    const [gw, gh] = got[sel]!;
    expect({
      sel,
      w: Math.abs(gw - w) <= 2,
      h: Math.abs(gh - h) <= 2,
      got: [gw, gh],
      want: [w, h],
    }).toEqual({
      sel,
      w: true,
      h: true,
      got: [gw, gh],
      want: [w, h],
    });
  }
}

async function expectChange(loc: Locator, from: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await loc.innerText()) !== from) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`"${from}" did not change`);
}

async function expectTrue(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await check()).toBe(true);
}
