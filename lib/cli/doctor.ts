#!/usr/bin/env node
// `cluster-doctor`: when `kubectl logs` (exec, port-forward) fails, checks the path from the control plane to
// the nodes (API server, Konnectivity agents and server, a real pod-log request per node, APIServices, webhook
// Services) and, with --config or --dist, that the synthesized Konnectivity flags agree. Read-only.
// Exit: 0 healthy, 1 problems found, 2 could not check (or wrong usage).
import * as path from 'path';
import { parseArgs } from 'util';
import { ConfigError } from '../config/errors';
import { loadClusterConfig } from '../config/load';
import { KubeconfigError, kubeconfigPath, type DoctorClient } from '../doctor/api-client';
import { DEFAULT_KONNECTIVITY_FACTS } from '../doctor/check-context';
import { EXIT, exitCode } from '../doctor/findings';
import { documentsFromConfig, documentsFromDist } from '../doctor/konnectivity-documents';
import { renderJson, renderText } from '../doctor/render';
import { runDoctor } from '../doctor/run';
import { factsFromDocuments, type KonnectivityDocuments } from '../doctor/static-consistency';

export const DOCTOR_USAGE = `usage: cluster-doctor [--kubeconfig <file>] [--config <cluster.yaml> | --dist <dir>] [--json] [--timeout <seconds>]

Checks, in order, never stopping at the first failure: the API server answers; the Konnectivity agents are
Ready on every node they belong on; the Konnectivity server is Ready (and its /healthz, on a control-plane
node); on every node, the API server reads one line of one pod's log through the kubelet; APIServices are
Available; admission webhook Services have ready endpoints; with --config or --dist, the server and agent
flags agree (audience, agent port, socket, mode, agent identity).

  --kubeconfig <file>   default $KUBECONFIG, else ~/.kube/config
  --config <file>       the cluster config: synthesized in memory, then compared
  --dist <dir>          the folder synth wrote (dist/), compared as it is
  --json                the findings as JSON
  --timeout <seconds>   bound of each request (default 5); pod logs: at most 3 requests per node

Needs only the cluster-doctor ClusterRole and Role (dist/cluster-doctor-rbac.k8s.yaml).
Exit 0 healthy, 1 problems found, 2 could not check (API unreachable, unauthorized, forbidden) or wrong usage.`;

export interface DoctorIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Replaces the kubeconfig client (tests). */
  readonly client?: DoctorClient;
}

class UsageError extends Error {}

function staticDocuments(io: DoctorIo, config: string | undefined, dist: string | undefined): KonnectivityDocuments | null | undefined {
  if (config && dist) throw new UsageError('give --config or --dist, not both');
  if (dist) return documentsFromDist(path.resolve(io.cwd, dist)) ?? null;
  if (config) {
    const file = path.resolve(io.cwd, config);
    return documentsFromConfig(loadClusterConfig({ kind: 'file', path: file }), file) ?? null;
  }
  return undefined;
}

export async function runDoctorCli(argv: readonly string[], io: DoctorIo): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { kubeconfig: { type: 'string' }, config: { type: 'string' }, dist: { type: 'string' }, json: { type: 'boolean', default: false }, timeout: { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    });
    if (values.help) {
      io.out(DOCTOR_USAGE);
      return 0;
    }
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) throw new UsageError(`--timeout takes seconds from 0 to 300, got "${values.timeout}"`);
    const documents = staticDocuments(io, values.config, values.dist);
    // loaded here: @kubernetes/client-node is an ES module, needed only to talk to a real cluster
    const client = io.client ?? (require('../doctor/kubeconfig-client') as typeof import('../doctor/kubeconfig-client')).clientFromKubeconfig(path.resolve(io.cwd, kubeconfigPath(values.kubeconfig, io.env)));
    const konnectivity = documents === undefined ? DEFAULT_KONNECTIVITY_FACTS : factsFromDocuments(documents ?? undefined, DEFAULT_KONNECTIVITY_FACTS);
    const report = await runDoctor({ client, timeoutMs: seconds * 1000, konnectivity, documents });
    io.out(values.json ? renderJson(report) : renderText(report));
    return exitCode(report.findings);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(e as Error).message}\n${DOCTOR_USAGE}`);
      return EXIT.couldNotCheck;
    }
    if (e instanceof KubeconfigError || e instanceof ConfigError || typeof (e as NodeJS.ErrnoException).syscall === 'string') {
      io.err(`error: ${(e as Error).message}`);
      return EXIT.couldNotCheck;
    }
    throw e;
  }
}

if (require.main === module) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  const io: DoctorIo = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n'), cwd: process.cwd(), env: process.env };
  runDoctorCli(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = EXIT.couldNotCheck;
    },
  );
}
