#!/usr/bin/env node
// `cluster-pki` (npm run pki --): the cluster's certificates from the same cluster config as synth.
//   plan                                   print every certificate of the plan (no keys are made)
//   generate --out <dir> [--force]         make the CAs, certificates and sa key pair in kubeadm's layout
//   check-expiration <dir> [--warn-within <days>]   like `kubeadm certs check-expiration`; exit 1 if any needs renewal
// Config: --config <file>, else $CLUSTER_CONFIG, else ./cluster.yaml, else the embedded default.
import * as path from 'path';
import { parseArgs } from 'util';
import type { ClusterConfig } from '../config/cluster-config';
import { ConfigError } from '../config/errors';
import { findConfigSource, loadClusterConfig } from '../config/load';
import { checkExpiration, formatExpiryReport } from '../pki/expiry';
import { generatePki } from '../pki/generate';
import { clusterWiring } from '../cluster-bootstrap';
import { KUBEADM_PKI_DIR, pkiPlan, type PkiPlan } from '../pki/plan';
import { gitExposureWarning, PkiExistsError, preparePkiDir, writePki } from '../pki/write';

const USAGE = `usage: cluster-pki <command> [options]
  plan [--config <file>]                          list the certificates the cluster needs (CN, O, usages, SANs)
  generate --out <dir> [--force] [--config <file>]
                                                  make every key and certificate in kubeadm's layout
                                                  (keys 0600; refuses to overwrite unless --force)
  check-expiration <dir> [--warn-within <days>]   expiry of each certificate in <dir> (default ${KUBEADM_PKI_DIR});
                                                  exit 1 when one expired or expires within <days> (default 30)`;

/** Exit codes: 0 ok, 1 a finding (bad config, existing keys, certificates to renew), 2 wrong usage. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

function loadConfig(io: CliIo, configPath: string | undefined): ClusterConfig {
  const source = configPath ? { kind: 'file' as const, path: path.resolve(io.cwd, configPath) } : findConfigSource(io.cwd, io.env);
  return loadClusterConfig(source);
}

/** The plan of the built-in components' contributions (an app repo calls `pkiPlan(config, bootstrap.wiring)`). */
function planOf(config: ClusterConfig): PkiPlan {
  return pkiPlan(config, clusterWiring(config));
}

function describePlan(plan: PkiPlan): string {
  const lines = [`PKI of cluster ${plan.clusterName}: ${plan.keyAlgorithm} keys, kubeadm layout under ${KUBEADM_PKI_DIR}`];
  for (const c of plan.certificates) {
    const subject = [...c.organizations.map((o) => `O=${o}`), ...c.organizationalUnits.map((o) => `OU=${o}`), `CN=${c.commonName}`].join(', ');
    lines.push(`  ${c.baseName}.crt  ${c.isCa ? 'CA' : `signed by ${c.signer}`}, ${c.validityDays} days: ${c.purpose}`);
    lines.push(`      subject ${subject}`);
    lines.push(`      usages ${[...c.keyUsages, ...c.extendedKeyUsages].join(', ')}`);
    const sans = [...c.dnsNames.map((d) => `DNS:${d}`), ...c.ipAddresses.map((ip) => `IP:${ip}`)];
    if (sans.length) lines.push(`      SANs ${sans.join(', ')}`);
  }
  for (const k of plan.keyPairs) lines.push(`  ${k.baseName}.key / ${k.baseName}.pub: ${k.purpose}`);
  return lines.join('\n');
}

async function generate(io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, force: { type: 'boolean', default: false }, config: { type: 'string' } }, strict: true });
  if (!values.out) throw new UsageError('generate needs --out <dir>, e.g. --out ./pki (copy it to /etc/kubernetes/pki on the first control-plane node)');
  const config = loadConfig(io, values.config);
  const out = path.resolve(io.cwd, values.out);
  const plan = planOf(config);
  preparePkiDir(out, plan, { force: values.force });
  const warning = gitExposureWarning(out);
  if (warning) io.err(warning);
  const started = Date.now();
  const pki = await generatePki(plan);
  const files = writePki(out, pki, { force: values.force });
  const keys = files.filter((f) => f.secret).length;
  io.out(`wrote ${files.length - keys} certificates/public keys and ${keys} private keys (mode 0600) of cluster ${plan.clusterName} to ${out} in ${Date.now() - started} ms`);
  for (const f of files) io.out(`  ${f.path}${f.secret ? '  (private key)' : ''}`);
  return 0;
}

function checkExpirationCommand(io: CliIo, args: string[]): number {
  const { values, positionals } = parseArgs({ args, options: { 'warn-within': { type: 'string', default: '30' } }, allowPositionals: true, strict: true });
  const days = Number(values['warn-within']);
  if (!Number.isFinite(days) || days < 0) throw new UsageError(`--warn-within takes a number of days, got "${values['warn-within']}"`);
  if (positionals.length > 1) throw new UsageError('check-expiration takes one directory');
  const dir = path.resolve(io.cwd, positionals[0] ?? KUBEADM_PKI_DIR);
  const report = checkExpiration(dir, { warnWithinDays: days });
  if (!report.certificates.length && !report.unreadable.length) {
    io.err(`no certificates (*.crt, *.pem) under ${dir}`);
    return 1;
  }
  io.out(formatExpiryReport(report));
  const due = report.certificates.filter((c) => c.needsRenewal);
  if (due.length) io.err(`${due.length} certificate(s) expired or expire within ${days} days: ${due.map((c) => c.name).join(', ')}`);
  return due.length || report.unreadable.length ? 1 : 0;
}

/** Runs one command; returns the exit code. Never prints key material. */
export async function runPkiCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'plan': {
        const { values } = parseArgs({ args, options: { config: { type: 'string' } }, strict: true });
        io.out(describePlan(planOf(loadConfig(io, values.config))));
        return 0;
      }
      case 'generate':
        return await generate(io, args);
      case 'check-expiration':
        return checkExpirationCommand(io, args);
      case undefined:
      case 'help':
      case '--help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    if (e instanceof PkiExistsError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    if (typeof (e as NodeJS.ErrnoException).syscall === 'string') {
      // file system trouble (missing folder, no permission, a file where a folder should be): say which, no stack
      io.err(`error: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  // `cluster-pki plan | head`: a closed pipe ends the output, not the program with a stack trace
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  const io: CliIo = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n'), cwd: process.cwd(), env: process.env };
  runPkiCli(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
