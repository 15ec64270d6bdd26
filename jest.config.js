/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking happens once, in `tsc --noEmit`; ts-jest only transpiles (isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/lib/local/polyfills.ts', '<rootDir>/lib/local/quiet.ts'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  testTimeout: 60000,
};
