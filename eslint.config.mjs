// One lint config for every TypeScript workspace. Prettier owns formatting, so
// eslint-config-prettier switches off the stylistic rules that would fight it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import jest from 'eslint-plugin-jest';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'jupyter-ext/lib/**',
      'jupyter-ext/go_slowmo_ext/**',
      'jupyter-ext/bench-dist/**',
      'jupyter-ext/ui-tests/screenshots/**',
      'jupyter-ext/test/support/style-stub.js',
      '.venv/**',
      '**/coverage/**',
      '.nx/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The protocol is imported by the browser extension too: zod and its own
    // files only, never node built-ins or server packages.
    files: ['kernel-bridge/src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod$|\\./|\\.\\./).*',
              message: 'The protocol may import only zod and its own modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests must test: every test asserts, none is switched off, no assertion
    // hides behind a branch or a catch, and every expect is complete. The one
    // allowed skip is the CI-aware guard (kernel-bridge/test/support/guard.ts).
    files: [
      'kernel-bridge/test/**/*.ts',
      'jupyter-ext/test/**/*.ts',
      'jupyter-ext/ui-tests/**/*.ts',
    ],
    plugins: { jest },
    languageOptions: { globals: jest.environments.globals.globals },
    rules: {
      'jest/expect-expect': [
        'error',
        { assertFunctionNames: ['expect', 'expect*', 'assert*', 'check*'] },
      ],
      'jest/no-disabled-tests': 'error',
      'jest/no-conditional-expect': 'error',
      'jest/valid-expect': 'error',
      // An afterEach may assert what every test must leave behind.
      'jest/no-standalone-expect': ['error', { additionalTestBlockFunctions: ['afterEach'] }],
      'jest/no-focused-tests': 'error',
      'no-restricted-properties': [
        'error',
        ...['describe', 'test', 'it'].map((object) => ({
          object,
          property: 'skip',
          message: 'Skip only through the CI-aware guard (test/support/guard.ts).',
        })),
      ],
    },
  },
  {
    files: ['kernel-bridge/test/support/guard.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // One job per function: past 80 lines (blank lines and comments not
    // counted) a function is doing several, so split it by job. Tests live
    // outside these folders; a data table is a module-level constant, which
    // this rule does not count.
    files: [
      'kernel-bridge/src/**/*.ts',
      'jupyter-ext/src/**/*.ts',
      'scripts/**/*.mjs',
      'lessons/tools/**/*.mjs',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Node scripts (scripts/*.mjs, the lessons' generator): Node's globals.
    files: ['scripts/**/*.mjs', 'lessons/tools/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
