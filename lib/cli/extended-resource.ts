#!/usr/bin/env node
// `extended-resource advertise|remove ...`: applies the extended-resource JSON Patch to a node's status
// subresource through the Kubernetes API (@kubernetes/client-node). Kept out of lib/index.ts: the client
// library is only loaded by this command.
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { ExtendedResourceError, removeExtendedResourcePatchFor, type NodeStatusPatchOperation } from '../extended-resources/extended-resource';
import { EXTENDED_RESOURCE_USAGE, parseExtendedResourceArgs } from './extended-resource-args';

function apiFor(kubeconfig: string | undefined): CoreV1Api {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  return kc.makeApiClient(CoreV1Api);
}

async function patchStatus(api: CoreV1Api, node: string, patch: NodeStatusPatchOperation[]): Promise<V1Node> {
  return api.patchNodeStatus({ name: node, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
}

function show(node: V1Node, resource: string): string {
  const s = node.status ?? {};
  return `node ${node.metadata?.name}: capacity ${resource}=${s.capacity?.[resource] ?? '(none)'}, allocatable ${resource}=${s.allocatable?.[resource] ?? '(none)'}`;
}

/** What the API server said, without the request (which may carry credentials). */
function apiErrorText(e: unknown): string {
  const err = e as { code?: number; body?: unknown; message?: string };
  let detail = err.message ?? String(e);
  if (typeof err.body === 'string') {
    try {
      detail = (JSON.parse(err.body) as { message?: string }).message ?? err.body;
    } catch {
      detail = err.body;
    }
  }
  return typeof err.code === 'number' ? `API server answered ${err.code}: ${detail}` : detail;
}

export async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseExtendedResourceArgs(argv);
  } catch (e) {
    if (!(e instanceof ExtendedResourceError)) throw e;
    process.stderr.write(`error: ${e.message}\n\n${EXTENDED_RESOURCE_USAGE}\n`);
    return 2;
  }
  if (command.action === 'help') {
    process.stdout.write(`${EXTENDED_RESOURCE_USAGE}\n`);
    return 0;
  }
  if (command.action === 'advertise' && command.dryRun) {
    process.stdout.write(`PATCH /api/v1/nodes/${command.node}/status (application/json-patch+json)\n${JSON.stringify(command.patch, null, 2)}\n`);
    return 0;
  }
  try {
    const api = apiFor(command.kubeconfig);
    if (command.action === 'advertise') {
      process.stdout.write(`${show(await patchStatus(api, command.node, command.patch), command.resource)}\n`);
      return 0;
    }
    const current = await api.readNodeStatus({ name: command.node });
    const patch = removeExtendedResourcePatchFor(command.resource, current.status);
    if (command.dryRun) {
      process.stdout.write(`PATCH /api/v1/nodes/${command.node}/status (application/json-patch+json)\n${JSON.stringify(patch, null, 2)}\n`);
      return 0;
    }
    if (!patch.length) {
      process.stdout.write(`node ${command.node} does not advertise ${command.resource}: nothing to remove\n`);
      return 0;
    }
    process.stdout.write(`${show(await patchStatus(api, command.node, patch), command.resource)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${command.action} ${command.resource} on node ${command.node} failed: ${apiErrorText(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
