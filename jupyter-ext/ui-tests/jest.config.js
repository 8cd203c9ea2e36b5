/**
 * Browser tests: a real JupyterLab (from .venv, with this extension
 * installed) driven by Debian's Chromium through playwright-core, with the
 * real bridge behind jupyter-server-proxy and the real probe engine.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>'],
  testMatch: ['**/*.ui.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.test.json' }] },
  testTimeout: 240000,
  // One JupyterLab and one browser at a time: two would fight over two cores and the probes.
  maxWorkers: 1,
};
