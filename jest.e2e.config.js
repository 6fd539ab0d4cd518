// The real-cluster tier (`npm run test:e2e`): needs the tools from `bash test/e2e/setup-tools.sh`.
// One cluster for all files, so the files run one after another.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
  testTimeout: 180000,
  maxWorkers: 1,
};
