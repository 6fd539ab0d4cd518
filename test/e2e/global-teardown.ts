// Stops the e2e cluster, whatever the tests' outcome.
import * as fs from 'fs';
import { stopCluster, type ClusterState } from './harness/cluster';

export default async function globalTeardown(): Promise<void> {
  const file = process.env.E2E_STATE_FILE;
  if (!file || !fs.existsSync(file)) return;
  stopCluster(JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState);
  fs.rmSync(file, { force: true });
}
