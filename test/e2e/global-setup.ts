// Starts the e2e cluster once for all e2e test files (or uses $E2E_KUBECONFIG's existing cluster).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startCluster, type ClusterState } from './harness/cluster';

export const STATE_FILE = path.join(os.tmpdir(), `cluster-bootstrap-e2e-${process.pid}.json`);

export default async function globalSetup(): Promise<void> {
  let state: ClusterState;
  if (process.env.E2E_KUBECONFIG) {
    state = { dir: '', kubeconfig: path.resolve(process.env.E2E_KUBECONFIG), pids: [], owned: false };
  } else {
    const started = Date.now();
    state = await startCluster(fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-cluster-')));
    process.stderr.write(`\ne2e cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${state.dir})\n`);
  }
  fs.writeFileSync(STATE_FILE, JSON.stringify(state));
  process.env.E2E_STATE_FILE = STATE_FILE;
}
