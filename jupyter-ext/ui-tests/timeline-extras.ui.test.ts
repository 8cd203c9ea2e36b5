/**
 * Issue 17's extras in a real JupyterLab at 1400x900: a program with a
 * runtime/trace task, nested regions and a log, and a crowd of goroutines
 * taking turns at one mutex (the "many goroutines, few running" pattern).
 * Its regions and log are drawn on main's lane with their words; the
 * patterns list names the crowd and a click seeks the picture to it; the
 * toolbar's button downloads the run as Chrome Trace Event JSON.
 * Screenshot: ui-tests/screenshots/timeline-extras.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeCell, launchChromium, SCREENSHOTS, startLab, writeNotebook, type Lab } from './lab';
import { openNotebook, runFirstCell } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

const PROGRAM = `package main

import (
	"context"
	"runtime/trace"
	"sync"
	"time"
)

var mu sync.Mutex

func work(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

func main() {
	ctx, task := trace.NewTask(context.Background(), "crowd")
	var wg sync.WaitGroup
	trace.WithRegion(ctx, "setup", func() {
		trace.WithRegion(ctx, "spawn", func() {
			for i := 0; i < 30; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := 0; j < 8; j++ {
						mu.Lock()
						work(time.Millisecond)
						mu.Unlock()
					}
				}()
			}
		})
		trace.Log(ctx, "step", "spawned 30")
	})
	trace.WithRegion(ctx, "wait", wg.Wait)
	task.End()
}
`;

const META = { slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 2 } };

maybe('patterns, annotations and export, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const run = () => page.locator('.jp-slowmo-run').first();

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'extras.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
      acceptDownloads: true,
    });
    await openNotebook(page, lab, 'extras.ipynb');
    await runFirstCell(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test("regions and the log are drawn on main's lane, with words", async () => {
    await run().locator('.jp-slowmo-timeline-toggle').click();
    await run().locator('.jp-slowmo-timeline-gs input').check();
    const view = run().locator('.jp-slowmo-timeline-view');
    await view.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.waitForFunction(
      () =>
        (
          document.querySelector('.jp-slowmo-timeline-view') as unknown as {
            slowmoTimeline: { marks: unknown[] };
          }
        ).slowmoTimeline.marks.length >= 4,
    );
    const marks = await view.evaluate((node) =>
      (
        node as unknown as {
          slowmoTimeline: {
            marks: { x0: number; x1: number; y0: number; y1: number; text: string }[];
          };
        }
      ).slowmoTimeline.marks.map((m) => ({ ...m })),
    );
    const texts = marks.map((m) => m.text);
    expect(texts.some((t) => t.startsWith('region "setup" of g1 in task'))).toBe(true);
    expect(texts.some((t) => /region "spawn" of g1 .*nested 1 deep/.test(t))).toBe(true);
    expect(texts.some((t) => t.startsWith('region "wait" of g1'))).toBe(true);
    const log = marks.find((m) => m.text.includes('logged [step] "spawned 30"'))!;
    expect(log).toBeDefined();
    const box = (await run().locator('.jp-slowmo-timeline-canvas').boundingBox())!;
    await page.mouse.move(box.x + (log.x0 + log.x1) / 2, box.y + (log.y0 + log.y1) / 2);
    await expect(run().locator('.jp-slowmo-timeline-tip').textContent()).resolves.toContain(
      'spawned 30',
    );
    // The key says what the bands and diamonds are.
    const key = run().locator('.jp-slowmo-timeline-key');
    await expect(key.locator('[data-key="region"]').textContent()).resolves.toMatch(/region/);
    await expect(key.locator('[data-key="log"]').textContent()).resolves.toMatch(/log ◆/);
  });

  test('the patterns list names the crowd, and a note seeks the picture to it', async () => {
    const note = run().locator('.jp-slowmo-pattern[data-kind="few-running"]').first();
    await note.waitFor({ timeout: 10_000 });
    await expect(note.textContent()).resolves.toMatch(/goroutines/);
    const seq = Number(await note.getAttribute('data-seq'));
    expect(Number(await run().getAttribute('data-seq'))).not.toBe(seq);
    await note.click();
    await page.waitForFunction(
      (s) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === String(s),
      seq,
    );
    await run()
      .locator('.jp-slowmo-patterns')
      .evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'timeline-extras.png') });
  });

  test('the toolbar downloads the run as Chrome Trace Event JSON', async () => {
    const btn = run().locator('.jp-slowmo-export');
    await expect(btn.isEnabled()).resolves.toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), btn.click()]);
    expect(download.suggestedFilename()).toMatch(/^run-ebpf-[0-9a-f]{8}\.json$/);
    const json = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      traceEvents: { ph: string; name: string; args?: { name?: string } }[];
    };
    expect(json.traceEvents.length).toBeGreaterThan(100);
    const tracks = json.traceEvents.filter((e) => e.ph === 'M').map((e) => e.args?.name);
    expect(tracks).toEqual(expect.arrayContaining(['P0', 'P1']));
    expect(json.traceEvents.some((e) => e.name === 'setup')).toBe(true);
  });
});
