/**
 * containers/: the Dockerfile, compose file and JupyterHub values pass
 * scripts/lint-containers.mjs (hadolint's rules that matter, ours, a real
 * YAML parser and a JSON Schema), and the linter does catch what it claims to.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const LINT = join(ROOT, 'scripts', 'lint-containers.mjs');

function lint(args: string[] = []): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [LINT, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('containers/', () => {
  test('the Dockerfile, compose file and values are clean', () => {
    const { status, out } = lint();
    expect(out).toMatch(/lint containers: 0 findings/);
    expect(status).toBe(0);
  });

  describe('the linter catches', () => {
    let dir: string;
    beforeAll(() => {
      // A copy of the tree the files refer to, so only the planted faults differ.
      dir = mkdtempSync(join(tmpdir(), 'slowmo-lint-'));
      cpSync(join(ROOT, 'containers'), join(dir, 'containers'), { recursive: true });
      cpSync(join(ROOT, 'scripts'), join(dir, 'scripts'), { recursive: true });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const edit = (file: string, f: (s: string) => string): string => {
      const p = join(dir, 'containers', file);
      writeFileSync(p, f(readFileSync(join(ROOT, 'containers', file), 'utf8')));
      return p;
    };

    test('Dockerfile faults', () => {
      const df = edit(
        'Dockerfile',
        (s) =>
          s.replace('FROM debian:12', 'FROM debian:latest').replace(/make setup/g, 'true') +
          'RUN cd /tmp && curl -fsSL https://example.org/x | sh\n' +
          'RUN apt-get install foo\nRUN pip install requests\nCMD make start\nUSER root\n',
      );
      const { status, out } = lint(['--dockerfile', df, '--no-hadolint']);
      expect(status).toBe(1);
      for (const rule of [
        'DL3007',
        'SLOWMO1',
        'DL3003',
        'SLOWMO3',
        'SLOWMO4',
        'DL3014',
        'DL3015',
        'DL3009',
        'DL3013',
        'DL3042',
        'DL3025',
        'DL3002',
        'SLOWMO6',
      ])
        expect(out).toContain(` ${rule} `);
    });

    test('compose faults', () => {
      const df = join(dir, 'containers', 'Dockerfile');
      cpSync(join(ROOT, 'containers', 'Dockerfile'), df);
      const compose = edit('compose.yaml', (s) =>
        s
          .replace('[SYS_ADMIN, NET_ADMIN, ', '[SYS_ADMIN, ')
          .replace('init: true', 'inti: true')
          .replace('${SLOWMO_BIND:-127.0.0.1}:', '')
          .replace('- notebooks:/home', '- other:/home'),
      );
      const { status, out } = lint(['--dockerfile', df, '--compose', compose, '--no-hadolint']);
      expect(status).toBe(1);
      for (const rule of ['COMPOSE1', 'COMPOSE4', 'COMPOSE5', 'COMPOSE6', 'COMPOSE7'])
        expect(out).toContain(` ${rule} `);
      const broken = edit('compose.yaml', (s) => s.replace('services:', 'services:\n  - x: [\n'));
      expect(lint(['--dockerfile', df, '--compose', broken, '--no-hadolint']).out).toContain(
        ' YAML ',
      );
    });

    test('values faults: schema and agreement with the image', () => {
      const values = edit('jupyterhub/values.yaml', (s) =>
        s
          .replace("drop: ['ALL']", 'drop: []')
          .replace('homeMountPath:', 'homeMountPth:')
          .replace('uid: 1000', 'uid: 1001')
          .replace('registry.example.edu/go-slowmo:0.1.0', 'registry.example.edu/go-slowmo:0.0.9'),
      );
      const { status, out } = lint(['--values', values, '--no-hadolint']);
      expect(status).toBe(1);
      expect(out).toMatch(/SCHEMA .*capabilities\.drop/);
      expect(out).toMatch(/SCHEMA .*additional properties: homeMountPth/);
      const agree = edit('jupyterhub/values.yaml', (s) =>
        s
          .replace('uid: 1000', 'uid: 1001')
          .replace('registry.example.edu/go-slowmo:0.1.0', 'registry.example.edu/go-slowmo:0.0.9')
          .replace('mountPath: /run/slowmo\n', 'mountPath: /run/other\n'),
      );
      const r = lint(['--values', agree, '--no-hadolint']);
      for (const rule of ['VALUES1', 'VALUES2', 'VALUES3']) expect(r.out).toContain(` ${rule} `);
    });
  });
});
