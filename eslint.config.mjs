// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'certs/',
      'bench/results/',
      'var/',
      'coverage/',
      'generated/',
      'console/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core is shared: it never reaches into either server.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/gateway/**', '**/security-server/**'],
              message: 'core/ must not depend on a server.',
            },
          ],
        },
      ],
    },
  },
  {
    // The gateway and the security servers talk over the network, never through imports.
    files: ['gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/security-server/**'],
              message: 'gateway/ and security-server/ share code only through core/.',
            },
            {
              group: ['**/core/src/*/**', '**/core/src/*', '!**/core/src/index'],
              message: 'Servers use the core through core/src/index.ts, its public surface.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['security-server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/gateway/**'],
              message: 'gateway/ and security-server/ share code only through core/.',
            },
            {
              group: ['**/core/src/*/**', '**/core/src/*', '!**/core/src/index'],
              message: 'Servers use the core through core/src/index.ts, its public surface.',
            },
          ],
        },
      ],
    },
  },
  {
    // The console is a browser bundle: it talks to the gateway over HTTP, with the generated API types only.
    files: ['console/**/*.ts', 'console/**/*.tsx', 'console/**/*.mts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/gateway/**', '**/security-server/**', '**/cli/**', '**/scripts/**'],
              message:
                'console/ uses the API through generated/admin-api.ts and openapi-fetch, never server code.',
            },
          ],
        },
      ],
    },
  },
);
