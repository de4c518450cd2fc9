/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Types are checked once by `tsc --noEmit` in `npm test`; jest only transpiles.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // PGlite's CommonJS build loads Node built-ins with import(), which jest's vm cannot run
    // without --experimental-vm-modules: this transform turns them into require().
    '/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/tests/helpers/store-pglite-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  testTimeout: 30000,
};
