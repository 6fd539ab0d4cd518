// The unit tier's temp folder: cdk8s' Testing.app() and other libraries make folders under os.tmpdir() and never
// remove them (a run left 1,354 cdk8s.outdir.* folders in /tmp). Jest's workers start after globalSetup and inherit
// its TMPDIR, so everything they make lands in one folder, removed when the run ends, whatever its outcome.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports.setup = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-unit-'));
  process.env.CLUSTER_BOOTSTRAP_UNIT_TMPDIR = dir;
  process.env.TMPDIR = dir;
};

module.exports.teardown = async () => {
  const dir = process.env.CLUSTER_BOOTSTRAP_UNIT_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
