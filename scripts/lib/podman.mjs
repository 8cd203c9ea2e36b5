// The container engine the container check uses: Debian's podman, run as
// root with runc and cgroupfs (scripts/setup.sh writes that configuration).
// No registry is reachable here, so the Dockerfile's `FROM debian:12` is a
// Debian 12 root made locally (debootstrap) and imported under that name; and
// the image is built only when its inputs changed since the last build (the
// image is tagged with their hash, so podman's own storage is the stamp).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';

const CACHE = process.env.SLOWMO_ROOTFS_CACHE ?? '/var/cache/slowmo-rootfs';
const MIRROR = process.env.SLOWMO_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
export const BASE = 'docker.io/library/debian:12';
const LOCAL_CAS = '/usr/local/share/ca-certificates';

/** podman ARGS → stdout; throws with stderr when it fails. */
export function podman(args, opts = {}) {
  const r = spawnSync('podman', args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(
      `podman ${args.slice(0, 3).join(' ')}: exit ${r.status}\n${r.stderr.slice(-3000)}`,
    );
  return r.stdout;
}

export const exists = (image) =>
  spawnSync('podman', ['image', 'exists', image], { stdio: 'ignore' }).status === 0;

const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/**
 * debian:12, made here: a minbase debootstrap root (its packages cached as a
 * tarball), with this machine's local CAs (behind a TLS-intercepting proxy a
 * site's base image carries them, as a proxied docker build would need) and
 * the variables that point Node and pip at the system bundle. Rebuilt when
 * the CAs change (the label keeps their hash). Returns what it did.
 */
export function ensureBase() {
  const cas = existsSync(LOCAL_CAS) ? readdirSync(LOCAL_CAS).sort() : [];
  const key = sha('base 1', ...cas.flatMap((f) => [f, readFileSync(path.join(LOCAL_CAS, f))]));
  if (exists(BASE)) {
    const label = podman(['image', 'inspect', BASE, '--format', '{{index .Labels "slowmo.base"}}']);
    if (label.trim() === key) return 'cached';
  }
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync('/usr/sbin/debootstrap'))
    execFileSync('apt-get', ['install', '-y', '-qq', 'debootstrap'], { stdio: 'ignore' });
  const tmp = mkdtempSync('/var/tmp/slowmo-base-');
  try {
    const tarball = path.join(CACHE, 'bookworm-minbase.tgz');
    if (!existsSync(tarball)) {
      execFileSync('debootstrap', [
        '--variant=minbase',
        `--make-tarball=${tarball}`,
        'bookworm',
        path.join(tmp, 'dl'),
        MIRROR,
      ]);
    }
    const root = path.join(tmp, 'root');
    execFileSync(
      'debootstrap',
      ['--variant=minbase', `--unpack-tarball=${tarball}`, 'bookworm', root, MIRROR],
      { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
    );
    // What the official image leaves out: the packages' archives and lists.
    execFileSync('bash', [
      '-c',
      `rm -rf "$0"/var/cache/apt/archives/*.deb "$0"/var/lib/apt/lists/* "$0"/debootstrap`,
      root,
    ]);
    mkdirSync(path.join(root, LOCAL_CAS), { recursive: true });
    for (const f of cas)
      execFileSync('cp', [path.join(LOCAL_CAS, f), path.join(root, LOCAL_CAS, f)]);
    const bundle = '/etc/ssl/certs/ca-certificates.crt';
    const tar = path.join(tmp, 'root.tar');
    execFileSync('tar', ['-C', root, '--numeric-owner', '-cf', tar, '.']);
    podman([
      'import',
      '--change',
      'CMD ["bash"]',
      // One variable per ENV: podman import takes the rest of the line as the value.
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      `ENV NODE_EXTRA_CA_CERTS=${bundle}`,
      '--change',
      `ENV PIP_CERT=${bundle}`,
      '--change',
      `LABEL slowmo.base=${key}`,
      tar,
      BASE,
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 'made';
}

/** The build context's files: Git's (tracked and new, not ignored) minus the Dockerfile's ignore file. */
export function contextFiles(root, dockerfile) {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(path.join(root, f)));
  const ignore = readFileSync(`${dockerfile}.dockerignore`, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      const re = p
        .replace(/[.+^$()|[\]{}]/g, '\\$&')
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*/g, '[^/]*');
      return new RegExp(`^${re}(?:/.*)?$`);
    });
  return files.filter((f) => !ignore.some((re) => re.test(f))).sort();
}

/** `go env NAME` / `npm config get NAME` on this machine, or undefined. */
const toolSetting = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
};

/**
 * What this machine's make setup already downloaded and built, for the
 * image's make setup to take before the network's or a build of its own (the
 * Dockerfile's SLOWMO_SEED; scripts/setup/env.sh says how each step uses
 * it): the checkout ROOT (its node_modules and TypeScript outputs, used only
 * where its stamps show the same inputs) and the Go module cache (unpacked
 * toolchains, modules' zips) read-only; the Go build cache and npm's and
 * pip's caches as overlays (their tools write to the cache they read; what
 * they write is thrown away). `podman build -v` arguments for those there.
 */
export function seedVolumes(root) {
  const seeds = [
    ['checkout', root, 'ro'],
    ['gomod', toolSetting('go', ['env', 'GOMODCACHE']), 'ro'],
    ['gocache', toolSetting('go', ['env', 'GOCACHE']), 'O'],
    ['npm', toolSetting('npm', ['config', 'get', 'cache']), 'O'],
    ['pip', path.join(process.env.HOME ?? '/root', '.cache', 'pip'), 'O'],
  ];
  return seeds
    .filter(([, dir]) => dir && existsSync(dir))
    .flatMap(([name, dir, mode]) => ['-v', `${dir}:/var/cache/slowmo-seed/${name}:${mode}`]);
}

/**
 * `podman build -f DOCKERFILE -t IMAGE ROOT`, unless an image of the same
 * inputs (the context's files, their modes, the base) is there: then IMAGE is
 * tagged to it. Older builds' tags go, so their layers can be pruned.
 * Returns 'cached' or 'built'.
 */
export function buildImage({ root, dockerfile, image, log }) {
  const files = contextFiles(root, dockerfile);
  const baseId = podman(['image', 'inspect', BASE, '--format', '{{.Id}}']).trim();
  const h = createHash('sha256').update(baseId);
  for (const f of files) {
    const p = path.join(root, f);
    h.update(`${f}\0${(statSync(p).mode & 0o111) !== 0}\0`);
    h.update(readFileSync(p));
  }
  const stamp = `${image.split(':')[0]}:inputs-${h.digest('hex').slice(0, 16)}`;
  if (exists(stamp)) {
    podman(['tag', stamp, image]);
    return 'cached';
  }
  // One build at a time on this machine (flock): a second waits, then hits the layer cache.
  const r = spawnSync(
    'flock',
    [
      '/var/tmp/slowmo-image-build.lock',
      'podman',
      'build',
      '--layers',
      // Docker's image format: OCI's has no SHELL, so buildah would drop it.
      '--format',
      'docker',
      ...seedVolumes(root),
      '--ignorefile',
      `${dockerfile}.dockerignore`,
      '-f',
      dockerfile,
      '-t',
      image,
      '-t',
      stamp,
      root,
    ],
    { encoding: 'utf8', maxBuffer: 512 << 20 },
  );
  log?.(r.stdout + r.stderr);
  if (r.status !== 0)
    throw new Error(`podman build: exit ${r.status}\n${(r.stdout + r.stderr).slice(-6000)}`);
  // The previous builds' stamps: podman rmi takes their layers that no other
  // image uses (the shared, slow ones stay as this build's parents).
  const repo = image.split(':')[0];
  for (const t of podman(['images', '--format', '{{.Repository}}:{{.Tag}}', repo]).split('\n'))
    if (t.startsWith(`${repo}:inputs-`) && t !== stamp)
      spawnSync('podman', ['rmi', t], { stdio: 'ignore' });
  return 'built';
}
