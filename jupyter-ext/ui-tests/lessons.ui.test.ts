/**
 * Opening a lesson changes nothing. JupyterLab serves the repository itself,
 * as `make start` does, and opens every lesson notebook: once its kernel has
 * connected and JupyterLab has written what the kernel says about itself into
 * the notebook (kernel-info.ts), the notebook is still unmodified, its tab has
 * no modified mark, the file keeps its bytes, and git sees nothing new in
 * lessons/ (the checkpoint folder JupyterLab makes there is ignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserDescribe } from './describe';
import { launchChromium, REPO, startLab, type Lab } from './lab';

const LESSONS = path.join(REPO, 'lessons');
const names = readdirSync(LESSONS)
  .filter((n) => /^\d\d-.+\.ipynb$/.test(n))
  .sort();

const gitStatus = (): string =>
  execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'lessons/'], {
    cwd: REPO,
    encoding: 'utf8',
  });

/** What the page says of a notebook it opened, once its kernel has described itself. */
interface Opened {
  modified: boolean;
  tabMarkedModified: boolean;
  kernelDescribedItself: boolean;
}

browserDescribe()('every lesson, opened in JupyterLab', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const bytes = new Map<string, string>();
  let statusBefore: string;

  beforeAll(async () => {
    for (const name of names) bytes.set(name, readFileSync(path.join(LESSONS, name), 'utf8'));
    statusBefore = gitStatus();
    lab = await startLab({}, { root: REPO, args: ['--LabApp.expose_app_in_browser=True'] });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${lab.url}/lab/workspaces/lessons?reset&token=${lab.token}`);
    await page.waitForFunction(() => 'jupyterapp' in window, null, { timeout: 60_000 });
    await page.evaluate(
      () => (window as unknown as { jupyterapp: { restored: Promise<void> } }).jupyterapp.restored,
    );
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  it('serves the lessons', () => {
    expect(names).toContain('00-index.ipynb');
    expect(names.length).toBeGreaterThanOrEqual(11);
  });

  it.each(names)(
    '%s stays unmodified, on screen and on disk, once its kernel has connected',
    async (name) => {
      const opened = await page.evaluate(async (file): Promise<Opened> => {
        type Json = Record<string, unknown>;
        interface Panel {
          context: {
            ready: Promise<void>;
            model: {
              dirty: boolean;
              getMetadata(key: string): Json | undefined;
              metadataChanged: { connect(f: () => void): void; disconnect(f: () => void): void };
            };
          };
          sessionContext: {
            ready: Promise<void>;
            session: { kernel: { name: string; spec: Promise<Json | undefined> } | null } | null;
            shutdown(): Promise<void>;
          };
          title: { className: string };
          dispose(): void;
        }
        const app = (
          window as unknown as {
            jupyterapp: { commands: { execute(id: string, args: Json): Promise<unknown> } };
          }
        ).jupyterapp;
        const panel = (await app.commands.execute('docmanager:open', { path: file })) as Panel;
        await panel.context.ready;
        await panel.sessionContext.ready;
        const kernel = panel.sessionContext.session?.kernel;
        if (!kernel) throw new Error(`${file}: no kernel started`);
        const spec = (await kernel.spec) ?? {};
        const model = panel.context.model;
        // JupyterLab writes language_info (with the Python version) and the kernelspec
        // when the kernel connects: both must have landed before the verdict.
        const described = (): boolean => {
          const ks = model.getMetadata('kernelspec') ?? {};
          return (
            model.getMetadata('language_info')?.version !== undefined &&
            ks.name === kernel.name &&
            ks.display_name === spec.display_name
          );
        };
        const kernelDescribedItself = await new Promise<boolean>((resolve) => {
          const check = (): void => {
            if (!described()) return;
            model.metadataChanged.disconnect(check);
            clearTimeout(timer);
            resolve(true);
          };
          const timer = setTimeout(() => {
            model.metadataChanged.disconnect(check);
            resolve(false);
          }, 60_000);
          model.metadataChanged.connect(check);
          check();
        });
        const result = {
          modified: model.dirty,
          tabMarkedModified: panel.title.className.includes('jp-mod-dirty'),
          kernelDescribedItself,
        };
        await panel.sessionContext.shutdown();
        panel.dispose();
        return result;
      }, `lessons/${name}`);
      expect(opened).toEqual({
        modified: false,
        tabMarkedModified: false,
        kernelDescribedItself: true,
      });
      expect(readFileSync(path.join(LESSONS, name), 'utf8')).toBe(bytes.get(name));
    },
    90_000,
  );

  it("leaves git nothing to see in lessons/ (JupyterLab's checkpoint folder is ignored)", () => {
    expect(existsSync(path.join(LESSONS, '.ipynb_checkpoints'))).toBe(true);
    const status = gitStatus();
    expect(status).not.toContain('.ipynb_checkpoints');
    expect(status).toBe(statusBefore);
  });
});
