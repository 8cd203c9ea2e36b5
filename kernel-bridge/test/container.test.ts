/**
 * The container image built and run by a real engine (scripts/container-check.mjs):
 * podman builds containers/Dockerfile from a debian:12 made here, then runs
 * its roles and serves Go programs through Jupyter's proxy. Needs root, eBPF
 * and podman (make setup installs it); skipped elsewhere, except in CI. The
 * image is rebuilt only when the build context changed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ebpfDescribe } from './support/bridge';

const ROOT = join(__dirname, '..', '..');

ebpfDescribe()('the container image, built and run by podman', () => {
  test(
    'builds from containers/Dockerfile and serves Go programs through Jupyter in its roles',
    () => {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'container-check.mjs')], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 256 << 20,
        timeout: 40 * 60_000,
      });
      const out = r.stdout + r.stderr;
      console.log(
        out
          .split('\n')
          .filter((l) => /PASS|FAIL|container check/.test(l))
          .join('\n'),
      );
      if (r.status !== 0) console.log(out.slice(-8000));
      expect(out).toMatch(/container check: \d+ passed, 0 failed/);
      expect(r.status).toBe(0);
    },
    41 * 60_000,
  );
});
