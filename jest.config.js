/**
 * Run through `npm run test:jest`, which starts node with
 * --experimental-vm-modules: PGlite loads Node built-ins with import(), which
 * jest's module sandbox only allows with that flag.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Types are checked once by `tsc --noEmit` in `npm test`; jest only transpiles.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
};
