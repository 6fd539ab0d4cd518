// The real-cluster tier (`npm run test:e2e`): needs the tools from `bash test/e2e/setup-tools.sh`.
// Two projects. `shared-cluster`: the files that use the one cluster global setup starts, one after another.
// `own-control-plane`: the files that start their own control plane (or none) and never touch the shared one.
// `npm run test:e2e` runs both in one process; .ci/run (scripts/test-e2e.sh) runs the two projects side by side,
// each file of a project still one after another.
const OWN_CONTROL_PLANE = [
  'encryption-kms',
  'encryption-rotation',
  'harness-failures',
  'helm',
  'konnectivity',
  'network-policy-cyclonus',
  'pulumi-day2',
  'node-config',
  'pki-vs-kubeadm',
].map((name) => `<rootDir>/test/e2e/${name}.e2e.test.ts`);

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};

module.exports = {
  testTimeout: 180000,
  maxWorkers: 1,
  projects: [
    { ...common, displayName: 'own-control-plane', testMatch: OWN_CONTROL_PLANE },
    {
      ...common,
      displayName: 'shared-cluster',
      testMatch: ['**/*.e2e.test.ts'],
      testPathIgnorePatterns: OWN_CONTROL_PLANE.map((f) => f.replace('<rootDir>/', '/').replace(/\./g, '\\.') + '$'),
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    },
  ],
};
