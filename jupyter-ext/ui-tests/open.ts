/**
 * Opening a notebook in the browser as a learner finds it: the notebook
 * drawn, its kernel idle (lab.ts turns JupyterLab's news question off).
 */
import type { Locator, Page } from 'playwright-core';
import type { Lab } from './lab';

/** Opens `file` (in `workspace`, reset, when given) and waits until a learner could run it. */
export async function openNotebook(
  page: Page,
  lab: Lab,
  file: string,
  workspace?: string,
): Promise<void> {
  const where = workspace ? `workspaces/${workspace}/tree/${file}` : `tree/${file}`;
  await page.goto(`${lab.url}/lab/${where}?reset&token=${lab.token}`);
  await page.locator('.jp-slowmo-cell').first().waitFor({ timeout: 60_000 });
  await page
    .getByText('Kernel status: Idle')
    .first()
    .waitFor({ state: 'attached', timeout: 60_000 });
}

/** Runs the first Go-slowmo cell with Ctrl+Enter and waits until its run has finished. */
export async function runFirstCell(page: Page, within = 150_000): Promise<Locator> {
  await page.locator('.jp-slowmo-cell').first().locator('.cm-content').click();
  await page.keyboard.press('Control+Enter');
  const run = page.locator('.jp-slowmo-run').first();
  await run.locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor({ timeout: within });
  return run;
}

/** Switches JupyterLab's theme as a learner does (Settings → Theme) and waits until it applies. */
export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByText('Settings', { exact: true }).first().click();
  await page.getByText('Theme', { exact: true }).first().hover();
  const name = theme === 'dark' ? 'JupyterLab Dark' : 'JupyterLab Light';
  await page.getByText(name, { exact: true }).first().click();
  await page.waitForFunction(
    (dark) => (document.body.dataset.jpThemeLight === 'false') === dark,
    theme === 'dark',
  );
}
