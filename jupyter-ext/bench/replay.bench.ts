/**
 * `make bench` for the notebook extension, in headless Chromium against a
 * real JupyterLab:
 *
 * 1. Opening a saved notebook whose output holds a recording of 1,000
 *    goroutines and 100,000 events, from the file browser of a running
 *    JupyterLab: time to the first picture, beside opening the same notebook
 *    with only the text/plain output (what JupyterLab itself costs). Goal:
 *    under 1 s.
 * 2. Replaying that recording at full speed: frames drawn per second.
 *    Goal: at least 30.
 * 3. Its timeline with a lane per P and per goroutine (about 4,000 lanes,
 *    1,000 goroutines alive at a time): the replay again with it open, then
 *    zoomed and panned by one wheel gesture per animation frame: frames it
 *    draws per second, with the time per frame (bench/timeline-gestures.ts).
 *    Goal: at least 30.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { synthetic } from '../../kernel-bridge/bench/synthetic';
import type { Locator } from 'playwright-core';
import { pack, RUN_MIME, summaryText, type Recording } from '../src/recording';
import { codeCell, launchChromium, startLab, uiAvailable, writeNotebook } from '../ui-tests/lab';
import { driveTimeline } from './timeline-gestures';

const EVENTS = 100_000;
const GOROUTINES = 1_000;
const OPEN_GOAL_MS = 1000;
const FPS_GOAL = 30;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function row(name: string, value: string, note: string): void {
  console.log(`${name.padEnd(44)} ${value.padStart(10)}   ${note}`);
}

async function main(): Promise<void> {
  const why = uiAvailable();
  if (why) {
    console.log(`extension benchmark: skipped (${why})`);
    return;
  }
  const events = synthetic(EVENTS, { seed: 7, procs: 8, population: GOROUTINES });
  const created = events.filter((e) => e.kind === 'g.create').length;
  const rec: Recording = {
    source: 'package main\n\nfunc main() {}\n',
    options: { backend: 'ebpf', mode: 'record' },
    events,
    end: { exitCode: 0, reason: 'exit', lost: 0, stats: { events: events.length } },
  };
  const packed = pack(rec);
  const meta = { slowmo: { backend: 'auto', mode: 'record' } };
  const lab = await startLab();
  const browser = await launchChromium();
  try {
    const output = (data: object) => ({ output_type: 'display_data', data, metadata: {} });
    await writeNotebook(lab, 'big.ipynb', [
      {
        ...codeCell(rec.source, meta),
        outputs: [output({ [RUN_MIME]: packed, 'text/plain': summaryText(rec) })],
      },
    ]);
    await writeNotebook(lab, 'plain.ipynb', [
      { ...codeCell(rec.source, meta), outputs: [output({ 'text/plain': summaryText(rec) })] },
    ]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Warm JupyterLab's own assets once, so both measurements start equal.
    await page.goto(`${lab.url}/lab/tree/plain.ipynb?token=${lab.token}`);
    await page.locator('.jp-OutputArea-output').first().waitFor({ timeout: 60_000 });

    // Open each notebook from the file browser of a running JupyterLab, as a
    // learner does, and time until its output is drawn.
    const openFromBrowser = async (name: string, drawn: string): Promise<number> => {
      await page.goto(`${lab.url}/lab?reset&token=${lab.token}`);
      const item = page.locator('.jp-DirListing-item', { hasText: name });
      await item.waitFor({ timeout: 60_000 });
      const t0 = performance.now();
      await item.dblclick();
      await page.locator(drawn).first().waitFor({ timeout: 120_000 });
      return performance.now() - t0;
    };
    const openTimes: number[] = [];
    const plainTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      plainTimes.push(
        await openFromBrowser('plain.ipynb', '.jp-OutputArea-output:has-text("Go-slowmo run")'),
      );
      openTimes.push(await openFromBrowser('big.ipynb', '.jp-slowmo-run[data-frames]'));
    }
    const open = median(openTimes);
    const plain = median(plainTimes);

    const run = page.locator('.jp-slowmo-run').first();
    // To the very start (the first click goes to the start of main), at about 10,000 events/s.
    await run.getByRole('button', { name: 'To the start of main' }).click();
    await run.getByRole('button', { name: 'To the start of main' }).click();
    await run.locator('.jp-slowmo-speed').fill('99');
    const frames = async () => Number(await run.getAttribute('data-frames'));
    await run.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(500);
    const f0 = await frames();
    const t0 = performance.now();
    await page.waitForTimeout(5000);
    const fps = ((await frames()) - f0) / ((performance.now() - t0) / 1000);

    console.log(
      `extension benchmark: ${EVENTS.toLocaleString('en')} events, ${created.toLocaleString('en')} goroutines, headless Chromium`,
    );
    row(
      'open notebook -> first picture',
      `${open.toFixed(0)} ms`,
      `goal < ${OPEN_GOAL_MS} ms: ${open < OPEN_GOAL_MS ? 'met' : 'NOT met'}; same notebook with text/plain only: ${plain.toFixed(0)} ms (x${(open / plain).toFixed(2)})`,
    );
    row(
      'replay at full speed',
      `${fps.toFixed(1)} fps`,
      `goal >= ${FPS_GOAL}: ${fps >= FPS_GOAL ? 'met' : 'NOT met'} (x${(fps / FPS_GOAL).toFixed(2)})`,
    );
    await run.getByRole('button', { name: 'Pause' }).click();
    await timelineRows(run, fps);
    mkdirSync(path.join(__dirname, '..', 'ui-tests', 'screenshots'), { recursive: true });
    await page.screenshot({
      path: path.join(__dirname, '..', 'ui-tests', 'screenshots', 'bench-1000-goroutines.png'),
    });
  } finally {
    await browser.close();
    await lab.stop();
  }
}

/** The timeline of the big run, with every goroutine's lane: during the replay, then under gestures. */
async function timelineRows(run: Locator, replayFps: number): Promise<void> {
  await run.getByRole('button', { name: 'Timeline' }).click();
  await run.locator('.jp-slowmo-timeline-gs input').check();
  await run.locator('.jp-slowmo-timeline-view').evaluate((el) => el.scrollIntoView());
  const replay = await replayWithTimeline(run);
  row(
    'replay at full speed, timeline open',
    `${replay.fps.toFixed(1)} fps`,
    `goal >= ${FPS_GOAL}: ${replay.fps >= FPS_GOAL ? 'met' : 'NOT met'}; ${replayFps.toFixed(1)} fps ` +
      `without it; the timeline's share: ${replay.perFrame.toFixed(1)} ms a frame`,
  );
  const t = await driveTimeline(run);
  // What was measured, to look at: the whole run, a lane per P and the first goroutines'.
  await run.locator('.jp-slowmo-timeline').screenshot({
    path: path.join(__dirname, '..', 'ui-tests', 'screenshots', 'bench-timeline.png'),
  });
  row(
    'timeline: zoom and pan, a lane per goroutine',
    `${t.fps.toFixed(1)} fps`,
    `goal >= ${FPS_GOAL}: ${t.fps >= FPS_GOAL ? 'met' : 'NOT met'} (x${(t.fps / FPS_GOAL).toFixed(2)}); ` +
      `a frame drawn in ${t.median.toFixed(1)} ms (p95 ${t.p95.toFixed(1)}; the whole run in view ` +
      `${t.whole.toFixed(1)} ms), ${t.rows} rows; headless Chromium, a wheel gesture per frame`,
  );
}

/** Replays from the start of main for 5 s: pictures drawn per second, and the timeline's ms in each. */
async function replayWithTimeline(run: Locator): Promise<{ fps: number; perFrame: number }> {
  const frames = async () => Number(await run.getAttribute('data-frames'));
  const drawn = () =>
    run
      .locator('.jp-slowmo-timeline-view')
      .evaluate(
        (el) =>
          (el as unknown as { slowmoTimeline: { stats: { drawMs: number } } }).slowmoTimeline.stats
            .drawMs,
      );
  await run.getByRole('button', { name: 'To the start of main' }).click();
  await run.getByRole('button', { name: 'Play' }).click();
  await run.page().waitForTimeout(500);
  const f0 = await frames();
  const d0 = await drawn();
  const t0 = performance.now();
  await run.page().waitForTimeout(5000);
  const n = (await frames()) - f0;
  const fps = n / ((performance.now() - t0) / 1000);
  const perFrame = ((await drawn()) - d0) / Math.max(1, n);
  await run.getByRole('button', { name: 'Pause' }).click();
  return { fps, perFrame };
}

void main().catch((err: Error) => {
  console.error(`extension benchmark failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
