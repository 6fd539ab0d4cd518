import type { OutputFile } from '../component';
import type { ClusterConfig } from '../config/cluster-config';
import type { ClusterWiring } from '../contributions';
import { cfsslCaConfig, cfsslCsr } from './cfssl';
import { opensslCsrConf, opensslScript } from './openssl';
import { pkiPlan } from './plan';

/** Folder of the plan files under the output folder (`dist/pki/...`). */
export const PKI_PLAN_DIR = 'pki';

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/**
 * The certificate plan as files, in the seed's two tool forms: `openssl/<cert>.csr.conf` plus
 * `openssl/generate.sh`, and `cfssl/ca-config.json` plus `cfssl/<cert>-csr.json`. No key material.
 */
export function pkiPlanFiles(config: ClusterConfig, wiring: ClusterWiring): OutputFile[] {
  const plan = pkiPlan(config, wiring);
  return [
    ...plan.certificates.map((c) => ({ path: `${PKI_PLAN_DIR}/openssl/${c.baseName}.csr.conf`, content: opensslCsrConf(plan, c) })),
    { path: `${PKI_PLAN_DIR}/openssl/generate.sh`, content: opensslScript(plan) },
    { path: `${PKI_PLAN_DIR}/cfssl/ca-config.json`, content: json(cfsslCaConfig(plan)) },
    ...plan.certificates.map((c) => ({ path: `${PKI_PLAN_DIR}/cfssl/${c.baseName}-csr.json`, content: json(cfsslCsr(plan, c)) })),
  ];
}
