import { advertiseExtendedResourcePatch, checkExtendedResourceName, ExtendedResourceError, type NodeStatusPatchOperation } from '../extended-resources/extended-resource';

export const EXTENDED_RESOURCE_USAGE = `usage:
  extended-resource advertise <node> <resource> <quantity> [--allocatable] [--kubeconfig <file>] [--dry-run]
  extended-resource remove <node> <resource> [--kubeconfig <file>] [--dry-run]

Advertises (or stops advertising) a node-level extended resource such as example.com/dongle by a JSON Patch
of the node's status subresource. --allocatable also sets status.allocatable (a kubelet does that itself;
nodes without one, such as KWOK's, need it). --dry-run prints the patch instead of sending it. The cluster
is the one of --kubeconfig, else $KUBECONFIG, else ~/.kube/config.`;

export type ExtendedResourceCommand =
  | { readonly action: 'advertise'; readonly node: string; readonly resource: string; readonly patch: NodeStatusPatchOperation[]; readonly kubeconfig?: string; readonly dryRun: boolean }
  | { readonly action: 'remove'; readonly node: string; readonly resource: string; readonly kubeconfig?: string; readonly dryRun: boolean }
  | { readonly action: 'help' };

/** Parses the command line (without `node` and the script); throws `ExtendedResourceError` on bad input. */
export function parseExtendedResourceArgs(argv: readonly string[]): ExtendedResourceCommand {
  const positional: string[] = [];
  let kubeconfig: string | undefined;
  let allocatable = false;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return { action: 'help' };
    else if (a === '--allocatable') allocatable = true;
    else if (a === '--dry-run') dryRun = true;
    else if (a === '--kubeconfig') {
      kubeconfig = argv[++i];
      if (!kubeconfig) throw new ExtendedResourceError('--kubeconfig', undefined, 'needs a file', 'write --kubeconfig <file>');
    } else if (a.startsWith('--kubeconfig=')) kubeconfig = a.slice('--kubeconfig='.length);
    else if (a.startsWith('-')) throw new ExtendedResourceError('option', a, 'unknown option', 'use --allocatable, --kubeconfig <file> or --dry-run');
    else positional.push(a);
  }
  const [action, node, resource, quantity, ...extra] = positional;
  const wanted = action === 'advertise' ? 4 : action === 'remove' ? 3 : 0;
  if (!wanted) throw new ExtendedResourceError('command', action, 'unknown command', 'use "advertise" or "remove"');
  if (positional.length !== wanted || extra.length) {
    throw new ExtendedResourceError('arguments', positional.slice(1), `${action} takes ${wanted - 1} arguments`, action === 'advertise' ? 'advertise <node> <resource> <quantity>' : 'remove <node> <resource>');
  }
  const common = { node, resource, dryRun, ...(kubeconfig ? { kubeconfig } : {}) };
  if (action === 'advertise') return { action, ...common, patch: advertiseExtendedResourcePatch(resource, quantity, { allocatable }) };
  if (allocatable) throw new ExtendedResourceError('--allocatable', true, 'remove always removes from both capacity and allocatable', 'drop --allocatable');
  checkExtendedResourceName(resource);
  return { action: 'remove', ...common };
}
