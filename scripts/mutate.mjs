#!/usr/bin/env node
// The mutation check: a green suite must mean the core behaviours are
// there. Each mutation below breaks one of them (the reducer's queue rules,
// the sandbox, back-pressure, the Host check, the output limit, checkpoint
// evaluation, the installed extension) and runs the tests that claim to
// guard it; they must fail. A mutation they survive, or one whose code has
// moved (its text is no longer found exactly once), fails the check.
//
// Files are changed in place and always restored (also on Ctrl-C), so run it
// on a tree nobody is editing: CI's fresh clone, or yours between changes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTENSION } from './lib/labextension.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BRIDGE = path.join(ROOT, 'kernel-bridge');

/** A test run in kernel-bridge: jest on one file, optionally one test name. */
const jest = (file, name) => ({
  cwd: BRIDGE,
  argv: ['npx', '--no-install', 'jest', file, ...(name ? ['-t', name] : [])],
});

/** One edit of a source file: `from` must occur exactly once. */
const edit = (file, from, to) => ({ file, from, to });

const MUTATIONS = [
  {
    name: 'reducer: runnext no longer kicks its old goroutine to the local queue',
    edits: [
      edit(
        'kernel-bridge/src/protocol/reducer.ts',
        'if (kicked !== 0 && kicked !== goid) this.pushLocal(qp, this.g(kicked));',
        'if (kicked !== 0 && kicked === -1) this.pushLocal(qp, this.g(kicked));',
      ),
    ],
    test: jest('test/reducer.test.ts'),
  },
  {
    name: 'sandbox: the program shares the host network (no --unshare-net)',
    edits: [edit('kernel-bridge/src/sandbox/sandbox.ts', "    '--unshare-net',\n", '')],
    test: jest('test/bridge-sandbox.test.ts', 'no network'),
  },
  {
    name: "sandbox: the bridge's tree and work directory are bound into the sandbox",
    edits: [
      edit(
        'kernel-bridge/src/sandbox/sandbox.ts',
        "for (const b of spec.binds) argv.push(b.writable ? '--bind' : '--ro-bind', b.src, b.dest);",
        "for (const b of spec.binds) argv.push(b.writable ? '--bind' : '--ro-bind', b.src, b.dest);\n" +
          `  argv.push('--ro-bind', ${JSON.stringify(BRIDGE)}, ${JSON.stringify(BRIDGE)});\n` +
          "  argv.push('--ro-bind', '/tmp/slowmo-bridge-tests', '/tmp/slowmo-bridge-tests');",
      ),
    ],
    test: jest('test/bridge-sandbox.test.ts', 'no network'),
  },
  {
    name: 'sandbox: the system-call filter lets the keyring calls through',
    edits: [
      edit(
        'kernel-bridge/src/sandbox/seccomp.ts',
        'for (const name of deniedCalls(arch)) jeq(',
        'for (const name of deniedCalls(arch).filter((n) => !/key/.test(n))) jeq(',
      ),
    ],
    test: jest('test/hostile-sandbox.test.ts', 'keyrings and the rest are refused'),
  },
  {
    name: 'back-pressure: a slow client never pauses the run',
    edits: [edit('kernel-bridge/src/server/outbox.ts', 'this.flow?.pauseReading();', '')],
    test: jest('test/bridge-server.test.ts', 'a slow client'),
  },
  {
    name: 'access: a token-less bridge answers any Host (DNS rebinding)',
    edits: [
      edit(
        'kernel-bridge/src/server/access.ts',
        'export function isLoopbackHost(hostHeader: string): boolean {',
        'export function isLoopbackHost(hostHeader: string): boolean {\n  if (hostHeader !== "\\0") return true;',
      ),
    ],
    test: jest('test/hostile-access.test.ts'),
  },
  {
    name: 'limits: output past the limit no longer ends the run',
    edits: [
      edit(
        'kernel-bridge/src/run-limits.ts',
        "if (out !== data) this.hit('output-limit');",
        "if (out !== data && data === '\\0') this.hit('output-limit');",
      ),
    ],
    test: jest('test/run-limits.test.ts'),
  },
  {
    name: 'checkpoints: a count passes when either bound holds',
    edits: [
      edit(
        'kernel-bridge/src/protocol/checkpoints.ts',
        'passed: okMin && okMax,',
        'passed: okMin || okMax,',
      ),
    ],
    test: jest('test/checkpoints.test.ts'),
  },
  {
    name: 'binder: the extension is disabled in the notebook environment',
    // Not a source edit: the Binder check's test of the extension, run on
    // this checkout's environment with the extension disabled in a config
    // directory of its own (the environment itself is untouched).
    edits: [],
    setup() {
      const config = mkdtempSync(path.join(tmpdir(), 'slowmo-mutate-jupyter-'));
      const jupyter = path.join(ROOT, '.venv', 'bin', 'jupyter');
      const env = { ...process.env, JUPYTER_CONFIG_DIR: config };
      const r = spawnSync(jupyter, ['labextension', 'disable', '--level=user', EXTENSION], { env });
      if (r.status !== 0) throw new Error(`cannot disable ${EXTENSION}: ${r.stderr}`);
      return {
        env: { JUPYTER_CONFIG_DIR: config },
        cleanup: () => rmSync(config, { recursive: true }),
      };
    },
    test: {
      cwd: ROOT,
      argv: ['node', 'scripts/lib/labextension.mjs', path.join(ROOT, '.venv', 'bin', 'jupyter')],
    },
  },
];

const restores = [];
const restoreAll = () => {
  while (restores.length) restores.pop()();
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    restoreAll();
    process.exit(130);
  });
}

/** Applies a mutation's edits; false (with why) when its code moved. */
function apply(m) {
  for (const { file, from, to } of m.edits) {
    const full = path.join(ROOT, file);
    const text = readFileSync(full, 'utf8');
    const found = text.split(from).length - 1;
    if (found !== 1)
      return `${file}: its text is found ${found} times, not once: update the mutation`;
    restores.push(() => writeFileSync(full, text));
    writeFileSync(full, text.replace(from, to));
  }
  return undefined;
}

/** Runs a mutation's tests: their exit status, and the tests that failed (jest's ✕ lines). */
function runTests(test, env) {
  const r = spawnSync(test.argv[0], test.argv.slice(1), {
    cwd: test.cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
  const said = `${r.stdout}${r.stderr}`;
  const failedTests = said
    .split('\n')
    .filter((l) => /^\s+✕ /.test(l))
    .map((l) =>
      l
        .trim()
        .replace(/^✕ /, '')
        .replace(/ \(\d+ ms\)$/, ''),
    );
  return { passed: r.status === 0, failedTests, tail: said.trim().split('\n').slice(-8) };
}

let bad = 0;
let killed = 0;
const started = Date.now();
const baseline = new Map();
for (const m of MUTATIONS) {
  const t0 = Date.now();
  // The tests must pass as the code is, or a failure with the mutation proves nothing.
  const key = m.test.argv.join(' ');
  if (!baseline.has(key)) baseline.set(key, runTests(m.test));
  const before = baseline.get(key);
  let verdict;
  let setup;
  try {
    const moved = before.passed ? apply(m) : undefined;
    if (!before.passed) {
      verdict = `BROKEN: its tests fail without the mutation:\n      ${before.tail.join('\n      ')}`;
    } else if (moved) {
      verdict = `STALE ${moved}`;
    } else {
      setup = m.setup?.();
      const after = runTests(m.test, setup?.env);
      const isJest = m.test.argv.includes('jest');
      if (after.passed) {
        verdict = `SURVIVED (its tests passed with it):\n      ${after.tail.join('\n      ')}`;
      } else if (isJest && after.failedTests.length === 0) {
        verdict = `UNCLEAR: the suite failed without a failing test (does it still compile?):\n      ${after.tail.join('\n      ')}`;
      } else {
        verdict = 'killed';
        if (isJest) verdict += ` by "${after.failedTests[0]}"`;
      }
    }
  } finally {
    restoreAll();
    setup?.cleanup();
  }
  if (verdict.startsWith('killed')) killed++;
  else bad++;
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  console.log(
    `    ${verdict.startsWith('killed') ? 'PASS' : 'FAIL'} ${m.name}: ${verdict} (${secs} s)`,
  );
}
const total = ((Date.now() - started) / 1000).toFixed(0);
console.log(`mutation check: ${killed} killed, ${bad} not, in ${total} s`);
process.exit(bad ? 1 : 0);
