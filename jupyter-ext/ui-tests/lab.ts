/**
 * A JupyterLab server for browser tests, and Chromium to look at it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** The repository root, found upwards (this file also runs compiled, from bench-dist/). */
export const REPO = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'bpf', 'go-versions.txt'))) return dir;
  }
  throw new Error(`cannot find the repository above ${__dirname}`);
})();
export const CHROMIUM = process.env.SLOWMO_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO, 'jupyter-ext', 'ui-tests', 'screenshots');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Lab {
  url: string;
  token: string;
  root: string;
  proc: ChildProcess;
  stop(): Promise<void>;
  /** Jupyter's REST API with the token. */
  api(pathname: string, init?: RequestInit): Promise<Response>;
}

/** Whether this machine can run the browser tests; in CI a missing piece is a failure. */
export function uiAvailable(): string | undefined {
  const lab = spawnSync(path.join(REPO, '.venv/bin/jupyter'), ['labextension', 'list'], {
    encoding: 'utf8',
  });
  const out = `${lab.stdout}${lab.stderr}`;
  if (!/@go-slowmo\/jupyter-ext.*enabled/.test(out))
    return 'the extension is not installed in .venv (make setup)';
  if (spawnSync(CHROMIUM, ['--version']).status !== 0) return `no Chromium at ${CHROMIUM}`;
  const probe = spawnSync(path.join(REPO, 'bpf/bin/slowmo-probe'), ['check']);
  if (probe.status !== 0 || process.getuid?.() !== 0)
    return 'eBPF is not available (root and the probe engine are needed)';
  return undefined;
}

/**
 * A JupyterLab on a free port; `env` reaches the bridge it starts (e.g. SLOWMO_WALL_SECONDS).
 * It serves an empty folder of its own unless `root` names one; `args` go to `jupyter lab`.
 */
export async function startLab(
  env: Record<string, string> = {},
  { root = mkdtempSync(path.join(tmpdir(), 'slowmo-ui-')), args = [] as string[] } = {},
): Promise<Lab> {
  const port = await freePort();
  const token = `t${Math.random().toString(36).slice(2)}${Date.now()}`;
  // Settings and workspaces of its own: a theme or layout left by an earlier run changes nothing.
  const state = mkdtempSync(path.join(tmpdir(), 'slowmo-ui-state-'));
  // Never ask about Jupyter's news: the question's toast came late in some runs and covered
  // what a test clicked, or slid under the click meant to dismiss it.
  const notification = path.join(state, 'settings', '@jupyterlab', 'apputils-extension');
  mkdirSync(notification, { recursive: true });
  writeFileSync(
    path.join(notification, 'notification.jupyterlab-settings'),
    JSON.stringify({ fetchNews: 'false' }),
  );
  const proc = spawn(
    path.join(REPO, '.venv/bin/jupyter'),
    [
      'lab',
      '--no-browser',
      `--port=${port}`,
      '--ip=127.0.0.1',
      `--ServerApp.token=${token}`,
      `--ServerApp.root_dir=${root}`,
      '--allow-root',
      '--LabApp.news_url=',
      `--LabApp.user_settings_dir=${path.join(state, 'settings')}`,
      `--LabApp.workspaces_dir=${path.join(state, 'workspaces')}`,
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, JUPYTER_PLATFORM_DIRS: '1', ...env },
      detached: true,
    },
  );
  let log = '';
  proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const api = (p: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${p}`, {
      ...init,
      headers: {
        Authorization: `token ${token}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  for (let i = 0; ; i++) {
    try {
      if ((await api('/api/status')).ok) break;
    } catch {
      // not yet up
    }
    if (i > 300 || proc.exitCode !== null) throw new Error(`JupyterLab did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    token,
    root,
    proc,
    api,
    stop: async () => {
      const running = proc.exitCode === null && proc.signalCode === null;
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        // gone
      }
      // Jupyter stops its kernels and the bridge on SIGTERM: wait for it (at most 5 s),
      // then kill whatever of its process group is left.
      if (running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          proc.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
}

/** A notebook file with these cells, written through Jupyter's contents API. */
export async function writeNotebook(lab: Lab, name: string, cells: object[]): Promise<void> {
  const content = {
    cells,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const r = await lab.api(`/api/contents/${name}`, {
    method: 'PUT',
    body: JSON.stringify({ type: 'notebook', content }),
  });
  if (!r.ok) throw new Error(`cannot write ${name}: ${r.status} ${await r.text()}`);
}

export interface SavedNotebook {
  cells: {
    metadata: Record<string, unknown>;
    outputs?: { data?: Record<string, unknown> }[];
  }[];
}

/**
 * Saves a notebook through `save` (the learner's keystroke or button) and
 * returns it as Jupyter then has it on disk: done when the file's
 * modification time moves. Polls without the content (reading a notebook of
 * recordings is slow); fails after `within` ms naming the file.
 */
export async function savedNotebook(
  lab: Lab,
  name: string,
  save: () => Promise<void>,
  within = 60_000,
): Promise<SavedNotebook> {
  const modified = async (): Promise<string> => {
    const r = await lab.api(`/api/contents/${name}?content=0`);
    if (!r.ok) throw new Error(`cannot read ${name}: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { last_modified: string }).last_modified;
  };
  const before = await modified();
  await save();
  const end = Date.now() + within;
  while ((await modified()) === before) {
    if (Date.now() > end) throw new Error(`${name} was not saved within ${within} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const r = await lab.api(`/api/contents/${name}`);
  return ((await r.json()) as { content: SavedNotebook }).content;
}

export function codeCell(source: string, metadata: object = {}): object {
  return { cell_type: 'code', source, metadata, outputs: [], execution_count: null };
}
