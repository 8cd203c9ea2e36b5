// The Binder path, tested for real without a Docker engine: do what
// binder/postBuild does (make setup, Binder profile) as an unprivileged user
// in a fresh copy of the repository, start JupyterLab from it through
// binder/start, and check through Jupyter's proxy that the bridge explains
// why eBPF is unavailable, serves a run with the trace backend, and that the
// first lesson opens. Prints "binder check: N passed, M failed".
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labExtensionState } from './lib/labextension.mjs';
import { runThroughProxy } from './lib/proxy-run.mjs';
import { waitForLab } from './lib/wait-lab.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USER = '65534';
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`    ${ok ? 'PASS' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

function finish(code = failed ? 1 : 0) {
  console.log(`binder check: ${passed} passed, ${failed} failed`);
  process.exit(code);
}

if (process.getuid?.() !== 0) {
  console.log('binder check: skipped (needs root to become an unprivileged user)');
  if (process.env.CI) {
    failed++;
    finish(1);
  }
  finish(0);
}

const base = mkdtempSync(path.join(tmpdir(), 'slowmo-binder-'));
const repo = path.join(base, 'repo');
const home = path.join(base, 'home');
const env = path.join(base, 'env');
execFileSync('git', ['clone', '-q', '--depth', '1', `file://${ROOT}`, repo]);
mkdirSync(home);
execFileSync('chown', ['-R', `${USER}:${USER}`, base]);
chmodSync(base, 0o755);

const userEnv = {
  HOME: home,
  PATH: [
    path.dirname(process.execPath),
    '/usr/local/go/bin',
    '/usr/local/bin',
    '/usr/bin',
    '/bin',
  ].join(':'),
  LANG: 'C.UTF-8',
  GOMODCACHE: path.join(home, 'go', 'pkg', 'mod'),
  GOCACHE: path.join(home, '.cache', 'go-build'),
  GOTOOLCHAIN: 'local',
  npm_config_cache: path.join(home, '.npm'),
  CI: process.env.CI ?? '',
};
const asUser = (cmd, args, opts = {}) => [
  'setpriv',
  [`--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', '--', cmd, ...args],
  { env: userEnv, ...opts },
];

// 1. The image's notebook environment, then postBuild's make setup.
try {
  const [c1, a1, o1] = asUser('python3', ['-m', 'venv', env]);
  execFileSync(c1, a1, o1);
  const t0 = Date.now();
  const [c2, a2, o2] = asUser('bash', [path.join(repo, 'binder', 'postBuild')], {
    cwd: repo,
    env: { ...userEnv, NB_PYTHON_PREFIX: env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  execFileSync(c2, a2, o2);
  check(
    `postBuild (make setup, Binder profile) as uid ${USER} in ${Math.round((Date.now() - t0) / 1000)} s`,
    true,
  );
} catch (err) {
  check(
    'postBuild (make setup, Binder profile)',
    false,
    `${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`.slice(-4000),
  );
  finish(1);
}

// 2. JupyterLab from that environment, started through binder/start.
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const token = `binder${Date.now()}`;
const [cmd, args, opts] = asUser(
  path.join(repo, 'binder', 'start'),
  [
    path.join(env, 'bin', 'jupyter'),
    'lab',
    '--no-browser',
    `--port=${port}`,
    '--ip=127.0.0.1',
    `--ServerApp.token=${token}`,
    `--ServerApp.root_dir=${repo}`,
  ],
  {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...userEnv, PATH: `${path.join(env, 'bin')}:${userEnv.PATH}` },
  },
);
const lab = spawn(cmd, args, opts);
let labLog = '';
lab.stdout.on('data', (d) => (labLog += d));
lab.stderr.on('data', (d) => (labLog += d));
const url = `http://127.0.0.1:${port}`;
const get = (p) => fetch(`${url}${p}`, { headers: { Authorization: `token ${token}` } });
const stop = () => {
  try {
    process.kill(-lab.pid, 'SIGKILL');
  } catch {
    // gone
  }
};
try {
  await waitForLab(get, lab, () => labLog);
  const ext = labExtensionState(path.join(env, 'bin', 'jupyter'), userEnv);
  check('the extension is installed in the notebook environment', ext.ok, ext.line);

  // 3. The bridge, started by jupyter-server-proxy on first use.
  const info = await (await get('/slowmo/api/info')).json();
  check(
    '/slowmo/api/info: eBPF unavailable, with why',
    info.backends?.ebpf?.available === false && /sandbox|root/.test(info.backends?.ebpf?.why ?? ''),
    JSON.stringify(info.backends),
  );
  check(
    '/slowmo/api/info: the trace backend is available',
    info.backends?.trace?.available === true,
    JSON.stringify(info.backends),
  );

  // 4. A run through the proxy's WebSocket.
  const run = await runThroughProxy({
    base: `${url}/slowmo`,
    token,
    origin: url,
    greeting: 'hello from Binder',
    request: { id: 'binder' },
  });
  const out = run.output;
  check(
    'a run through the proxy ends with exit code 0',
    run.msg.type === 'end' && run.msg.exitCode === 0,
    JSON.stringify(run.msg),
  );
  check(
    'it was watched by the trace backend',
    run.events[0]?.kind === 'run.start' && run.events[0].backend === 'trace',
    JSON.stringify(run.events[0]),
  );
  check("the program's output came through", out === 'hello from Binder 1\n', JSON.stringify(out));

  // 5. The first lesson opens (what the Binder link points at).
  const lesson = await get('/api/contents/lessons/00-index.ipynb');
  check('the lesson index is there to open', lesson.ok, String(lesson.status));
  const page = await get('/lab/tree/lessons/00-index.ipynb');
  check('JupyterLab serves the lesson page', page.ok, String(page.status));
} catch (err) {
  check('the Binder session', false, err.message);
} finally {
  stop();
  rmSync(base, { recursive: true, force: true });
}
finish();
