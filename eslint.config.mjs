// One lint config for every TypeScript workspace. Prettier owns formatting, so
// eslint-config-prettier switches off the stylistic rules that would fight it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/lib/**',
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
    // Node scripts (scripts/*.mjs): Node's globals.
    files: ['scripts/**/*.mjs'],
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
