/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking happens once, in `tsc --noEmit`; jest only strips types, with swc (the settings of
  // tsconfig.json that change emitted code: ES2022, CommonJS with esModuleInterop, define semantics for
  // class fields). swc also hoists `jest.mock` calls above the imports, as ts-jest did.
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', transform: { useDefineForClassFields: true } },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // asl-validator compiles its schemas on every call; the tests load it through a wrapper that compiles
  // them once per test file (test/helpers/asl-validator.ts).
  moduleNameMapper: { '^asl-validator$': '<rootDir>/test/helpers/asl-validator.ts' },
  // Per-run folders: the PostgreSQL template cluster later servers copy, the templates synthesized once.
  globalSetup: '<rootDir>/test/helpers/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/jest-global-teardown.ts',
  setupFiles: ['<rootDir>/lib/local/polyfills.ts', '<rootDir>/lib/local/quiet.ts', '<rootDir>/test/helpers/jest-env.ts'],
  // aws-sdk-client-mock-jest's matchers (toHaveReceivedCommand...) are imported by the test files that use
  // them, not set up for every file: loading them (sinon, the mock library) costs about 0.3 s per file.
  // One worker per core: jest's default leaves one core to its own process, which has little to do.
  maxWorkers: '100%',
  // How long jest waits for a worker to exit at the end before it kills it and warns "A worker process
  // has failed to exit gracefully". Not a leak here: measured with a probe in jest-worker, both workers
  // had only their IPC and stdio pipes open and emitted 'exit' 1-5 ms after jest's stop message, and jest
  // saw them gone 400-520 ms later: Node tearing down a process of about 1 GB (each test file loads
  // aws-cdk-lib and the engine anew). A worker kept alive by a leaked timer or socket still runs past
  // this and is still reported (the local engine's 60 s task timers were such a leak, fixed in 789a400).
  workerGracefulExitTimeout: 2000,
  testTimeout: 60000,
};
