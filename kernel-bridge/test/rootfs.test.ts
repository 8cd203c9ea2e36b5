/**
 * The container image without a Docker engine (scripts/rootfs-check.mjs): a
 * fresh Debian 12 root filesystem from debootstrap gets the Dockerfile's
 * instructions (the same make setup as CI), then its entry point serves an
 * eBPF run through Jupyter's proxy, with JupyterLab unprivileged. Needs root
 * and eBPF; skipped elsewhere, except in CI. Downloads are cached between
 * runs (/var/cache/slowmo-rootfs); a warm run takes about five minutes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ebpfDescribe } from './support/bridge';

const ROOT = join(__dirname, '..', '..');

ebpfDescribe()('the container image in a fresh Debian 12 root filesystem', () => {
  test(
    'builds from containers/Dockerfile and serves an eBPF run through Jupyter',
    () => {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'rootfs-check.mjs')], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 256 << 20,
        timeout: 14 * 60_000,
      });
      const out = r.stdout + r.stderr;
      if (r.status !== 0) console.log(out.slice(-8000));
      expect(out).toMatch(/rootfs check: \d+ passed, 0 failed/);
      expect(r.status).toBe(0);
    },
    15 * 60_000,
  );
});
