/**
 * The first start, as a new user makes it on a built checkout: `make start`
 * runs make setup (every step finds its work done) and JupyterLab, and prints
 * the lesson index's URL with its token within 15 s; that URL opens the index
 * notebook, not the Launcher; no bridge beside Jupyter's own is started or
 * announced; and it stops cleanly. It runs on a free port with Jupyter's
 * runtime, config, settings and workspaces in a folder of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { browserDescribe } from './describe';
import { launchChromium, REPO } from './lab';

const WITHIN_MS = 15_000;
const INDEX = 'lessons/00-index.ipynb';

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

/**
 * The command lines of the processes in process group `pgid` (make and what it
 * started), and of any process that names `dir` (a kernel, in a session of its
 * own, names its connection file in Jupyter's runtime folder).
 */
function processes(pgid: number, dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (Number(fields[2]) === pgid || cmd.includes(dir)) out.push(cmd);
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/**
 * Whether make start and everything holding its output ended within `within` ms: 'close' comes
 * once the last process writing to its pipes is gone and all they wrote has been read ('exit',
 * when make alone is gone: JupyterLab's last lines could still be on their way).
 */
function exited(proc: ChildProcess, within: number): Promise<boolean> {
  if (proc.stdout?.closed && proc.stderr?.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), within);
    proc.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

browserDescribe()('make start on a built checkout', () => {
  let proc: ChildProcess;
  let output = '';
  let port: number;
  let dirs: string;
  let url: string;
  let token: string;
  let elapsed: number;
  let status: number;
  let lessonPage: number;
  let browser: Browser | undefined;

  beforeAll(async () => {
    port = await freePort();
    dirs = mkdtempSync(path.join(tmpdir(), 'slowmo-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLOWMO_PORT: String(port),
      SLOWMO_HOST: '127.0.0.1',
      JUPYTER_CONFIG_DIR: path.join(dirs, 'config'),
      JUPYTER_RUNTIME_DIR: path.join(dirs, 'runtime'),
      JUPYTERLAB_SETTINGS_DIR: path.join(dirs, 'settings'),
      JUPYTERLAB_WORKSPACES_DIR: path.join(dirs, 'workspaces'),
    };
    delete env.SLOWMO_BRIDGE_PORT;
    // A built checkout (make test's own setup built it): make start rebuilds nothing.
    const started = Date.now();
    proc = spawn('make', ['start'], {
      cwd: REPO,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const printed = new RegExp(
      `http://127\\.0\\.0\\.1:${port}/lab/tree/${INDEX}\\?token=([0-9a-f]+)`,
    );
    const found = await new Promise<RegExpExecArray | null>((resolve) => {
      const look = (): void => {
        const m = printed.exec(output);
        if (m || proc.exitCode !== null) {
          clearTimeout(timer);
          proc.stdout?.off('data', look);
          proc.stderr?.off('data', look);
          resolve(m);
        }
      };
      const timer = setTimeout(() => resolve(null), 180_000);
      proc.stdout?.on('data', look);
      proc.stderr?.on('data', look);
    });
    if (!found) throw new Error(`make start printed no URL of ${INDEX}:\n${output}`);
    [url, token] = [found[0], found[1]!];
    // Jupyter prints its URL just before it binds its port: a refused connection is retried.
    const get = async (u: string, init?: RequestInit): Promise<number> => {
      for (;;) {
        try {
          return (await fetch(u, init)).status;
        } catch (err) {
          if (Date.now() - started > 60_000 || proc.exitCode !== null) {
            throw new Error(`GET ${u}: ${String((err as Error).cause ?? err)}\n${output}`, {
              cause: err,
            });
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    status = await get(`http://127.0.0.1:${port}/api/status`, {
      headers: { Authorization: `token ${token}` },
    });
    lessonPage = await get(url);
    elapsed = Date.now() - started;
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (proc && proc.exitCode === null) {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dirs, { recursive: true, force: true });
  });

  it(`prints the lesson index's URL, and answers /api/status and that URL, within ${WITHIN_MS / 1000} s`, () => {
    expect({ status, lessonPage }).toEqual({ status: 200, lessonPage: 200 });
    // Too slow: the output says whether make setup rebuilt something or JupyterLab was slow.
    expect(elapsed < WITHIN_MS ? 'in time' : `${elapsed} ms:\n${output}`).toBe('in time');
  });

  it("rebuilds nothing that make setup built (each workspace's stamp still matches)", () => {
    expect(output).toMatch(/skip: kernel-bridge: up to date/);
    expect(output).toMatch(/skip: jupyter-ext: up to date/);
  });

  it('keeps Jupyter to the runtime and config folders it was given', () => {
    expect(
      readdirSync(path.join(dirs, 'runtime')).some((n) => /^jpserver-\d+\.json$/.test(n)),
    ).toBe(true);
  });

  it('starts and announces no bridge beside the one Jupyter starts for the notebook', () => {
    // The old start.sh announced "The kernel bridge listens on http://127.0.0.1:8765".
    const ports = [...output.matchAll(/https?:\/\/[\w.[\]:-]+?:(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(ports)).toEqual(new Set([port]));
    expect(processes(proc.pid!, dirs).filter((cmd) => cmd.includes('cli.js serve'))).toEqual([]);
  });

  it('opens JupyterLab on the lesson index, not the Launcher', async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    const tab = page.locator('.jp-mod-current.lm-TabBar-tab .lm-TabBar-tabLabel').first();
    await page.locator('.jp-NotebookPanel:visible .jp-Cell').first().waitFor({ timeout: 60_000 });
    expect(await tab.innerText()).toBe('00-index.ipynb');
    expect(await page.locator('.jp-Launcher:visible').count()).toBe(0);
    // Opening it started its kernel: the session appears in Jupyter's API.
    const kernelOf = async (): Promise<string | undefined> => {
      const r = await fetch(`http://127.0.0.1:${port}/api/sessions`, {
        headers: { Authorization: `token ${token}` },
      });
      const sessions = (await r.json()) as { path: string; kernel: { id: string } | null }[];
      return sessions.find((x) => x.path === INDEX)?.kernel?.id;
    };
    let kernel: string | undefined;
    for (const end = Date.now() + 60_000; !kernel && Date.now() < end;) {
      kernel = await kernelOf();
      if (!kernel) await new Promise((r) => setTimeout(r, 100));
    }
    expect(kernel).toEqual(expect.any(String));
    await browser.close();
  });

  it('stops cleanly on SIGTERM: JupyterLab, its kernel and everything make start began exit', async () => {
    expect(processes(proc.pid!, dirs).filter((cmd) => cmd.includes('ipykernel'))).toHaveLength(1);
    process.kill(-proc.pid!, 'SIGTERM');
    // Jupyter shuts the index's kernel down first (start.sh: then it exits, not waiting for idle threads).
    const stopped = await exited(proc, 30_000);
    expect(stopped ? 'exited' : `still running 30 s after SIGTERM:\n${output.slice(-3000)}`).toBe(
      'exited',
    );
    const left = await new Promise<string[]>((resolve) => {
      const poll = (tries: number): void => {
        const cmds = processes(proc.pid!, dirs);
        if (cmds.length === 0 || tries === 0) resolve(cmds);
        else setTimeout(() => poll(tries - 1), 100);
      };
      poll(50);
    });
    expect(left).toEqual([]);
    expect(output).toContain('received signal 15, stopping');
  });
});
