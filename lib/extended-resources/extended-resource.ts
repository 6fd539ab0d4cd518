import { Quantity } from '../resources/quantity';
import { extendedResourceNameProblem } from '../resources/resource-names';
import { ArgumentError } from '../argument-error';

/**
 * Advertising a node-level extended resource (e.g. 4 dongles) is a JSON Patch on the node's `status`
 * subresource: `PATCH /api/v1/nodes/<node>/status` with `Content-Type: application/json-patch+json`.
 */

/** One JSON Patch operation (RFC 6902) on a node. */
export interface AddOperation {
  readonly op: 'add';
  readonly path: string;
  readonly value: string;
}
export interface RemoveOperation {
  readonly op: 'remove';
  readonly path: string;
}
export type NodeStatusPatchOperation = AddOperation | RemoveOperation;

/** A bad argument: which one, what it was, and what to do. */
export class ExtendedResourceError extends ArgumentError {
  override readonly name = 'ExtendedResourceError';
}

/** Escapes a JSON Pointer segment (RFC 6901): `~` becomes `~0`, `/` becomes `~1` (`example.com~1dongle`). */
export function escapeJsonPointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Throws unless `name` is an extended resource name the API server accepts (`example.com/dongle`). */
export function checkExtendedResourceName(name: string): void {
  const problem = extendedResourceNameProblem(name);
  if (problem) throw new ExtendedResourceError('resource', name, `not an extended resource name: it ${problem}`, 'name it <your domain>/<resource>, e.g. "example.com/dongle"');
}

/** Throws unless `quantity` is a whole, non-negative quantity (`4`, `800Gi`); returns it in canonical form. */
export function checkExtendedResourceQuantity(quantity: string): string {
  const q = Quantity.tryParse(quantity);
  if (!q) throw new ExtendedResourceError('quantity', quantity, 'not a quantity', 'write a whole number such as "4", or bytes such as "800Gi"');
  if (q.isNegative() || !q.isInteger()) {
    throw new ExtendedResourceError('quantity', quantity, 'extended resources are advertised in whole units', 'use a non-negative integer such as "4" (not "4.5" or "500m")');
  }
  return q.toCanonical();
}

export interface AdvertiseOptions {
  /**
   * Also set `status.allocatable`. The kubelet copies capacity into allocatable on its next status update,
   * so on a real node capacity is enough; nodes without a kubelet (KWOK, simulators) need both.
   * @default false
   */
  readonly allocatable?: boolean;
}

/** The JSON Patch that advertises `quantity` of `resource` on a node: `add` to `/status/capacity/<name>`. */
export function advertiseExtendedResourcePatch(resource: string, quantity: string | number, options: AdvertiseOptions = {}): AddOperation[] {
  checkExtendedResourceName(resource);
  const value = checkExtendedResourceQuantity(String(quantity));
  const key = escapeJsonPointer(resource);
  return [
    { op: 'add', path: `/status/capacity/${key}`, value },
    ...(options.allocatable ? [{ op: 'add' as const, path: `/status/allocatable/${key}`, value }] : []),
  ];
}

/**
 * The JSON Patch that stops advertising `resource`: `remove` of `/status/capacity/<name>` (and of
 * allocatable with `allocatable`). A `remove` of a missing key fails the whole request, so only include
 * what the node has; `removeExtendedResourcePatchFor` decides that from the node's status.
 */
export function removeExtendedResourcePatch(resource: string, options: AdvertiseOptions = {}): NodeStatusPatchOperation[] {
  checkExtendedResourceName(resource);
  const key = escapeJsonPointer(resource);
  return [{ op: 'remove', path: `/status/capacity/${key}` }, ...(options.allocatable ? [{ op: 'remove' as const, path: `/status/allocatable/${key}` }] : [])];
}

/** Remove operations for whichever of capacity and allocatable of `status` list `resource` (empty: nothing to do). */
export function removeExtendedResourcePatchFor(resource: string, status: { readonly capacity?: object; readonly allocatable?: object } | undefined): NodeStatusPatchOperation[] {
  checkExtendedResourceName(resource);
  const key = escapeJsonPointer(resource);
  return (['capacity', 'allocatable'] as const).filter((f) => status?.[f] && resource in status[f]!).map((f) => ({ op: 'remove' as const, path: `/status/${f}/${key}` }));
}
