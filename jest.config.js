// One jest run for the whole fleet. TypeScript is compiled by swc (type checking is `tsc -b`,
// run by `npm test` before jest). Workspace packages resolve to their sources so tests never
// depend on a stale dist/.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@storytelling/([a-z-]+)$': '<rootDir>/shared/$1/src/index.ts',
    '^@storytelling/([a-z-]+)/(.+)\\.js$': '<rootDir>/shared/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{services,shared}/*/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.data/'],
  globalSetup: '<rootDir>/shared/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/shared/testing/src/global-teardown.ts',
  // Services' logs go to files under .data/logs/test/<runId>/; a failing test file gets their tails.
  reporters: ['default', '<rootDir>/scripts/lib/test-log-reporter.mjs'],
  setupFilesAfterEnv: ['<rootDir>/shared/testing/src/jest-log-file.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
