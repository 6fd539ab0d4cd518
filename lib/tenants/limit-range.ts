import type { ConfigIssue } from '../config/errors';
import type { ResourceQuantities, TenantLimitRangeConfig } from '../config/types';
import { Quantity } from '../resources/quantity';
import { isExtendedResourceName, isStandardContainerResourceName } from '../resources/resource-names';

/**
 * LimitRange logic as the API server applies it: the defaulting of a stored LimitRange, its validation
 * (what `kubectl apply` would refuse), and the LimitRanger admission of a container (defaults and min/max).
 * Messages follow the API server's wording so a static error reads like the one the cluster would give.
 */

export type LimitType = 'Container' | 'Pod' | 'PersistentVolumeClaim';

/** One entry of `spec.limits`, as plain JSON. */
export interface LimitRangeItemJson {
  readonly type: LimitType;
  readonly default?: ResourceQuantities;
  readonly defaultRequest?: ResourceQuantities;
  readonly min?: ResourceQuantities;
  readonly max?: ResourceQuantities;
  readonly maxLimitRequestRatio?: ResourceQuantities;
}

type Section = keyof TenantLimitRangeConfig;
type Field = 'default' | 'defaultRequest' | 'min' | 'max' | 'maxLimitRequestRatio';

const SECTIONS: readonly [Section, LimitType][] = [
  ['container', 'Container'],
  ['pod', 'Pod'],
  ['persistentVolumeClaim', 'PersistentVolumeClaim'],
];
const FIELDS: readonly Field[] = ['default', 'defaultRequest', 'min', 'max', 'maxLimitRequestRatio'];
const FIELDS_BY_TYPE: Record<LimitType, readonly Field[]> = {
  Container: FIELDS,
  Pod: ['min', 'max', 'maxLimitRequestRatio'],
  PersistentVolumeClaim: ['min', 'max'],
};
// cpu, memory and ephemeral storage may be overcommitted; for the rest a default limit must equal the default request
const OVERCOMMITTABLE = new Set(['cpu', 'memory', 'ephemeral-storage']);

const isEmpty = (list: ResourceQuantities | undefined) => !list || Object.keys(list).length === 0;

/** The `spec.limits` entries of a tenant's limits, in API form; empty sections are left out. */
export function limitRangeItems(limits: TenantLimitRangeConfig): LimitRangeItemJson[] {
  const items: LimitRangeItemJson[] = [];
  for (const [section, type] of SECTIONS) {
    const s = limits[section] as Partial<Record<Field, ResourceQuantities>> | undefined;
    if (!s || FIELDS.every((f) => isEmpty(s[f]))) continue;
    const item: Record<string, unknown> = { type };
    for (const f of FIELDS_BY_TYPE[type]) if (!isEmpty(s[f])) item[f] = { ...s[f] };
    items.push(item as unknown as LimitRangeItemJson);
  }
  return items;
}

/**
 * The items as the API server stores them: values in canonical form and, for Container items, the
 * defaulting applied (`kubectl get limitrange -o yaml` shows these; the docs' min 500Mi / max 1Gi example
 * comes back with default and defaultRequest 1Gi). `limits` must be valid (`checkLimitRange`).
 */
export function storedLimitRangeItems(limits: TenantLimitRangeConfig): LimitRangeItemJson[] {
  return limitRangeItems(limits).map((item) => {
    const out: Record<string, unknown> = { type: item.type };
    const canonical = (list: ResourceQuantities) => Object.fromEntries(Object.entries(list).map(([k, v]) => [k, Quantity.parse(v).toCanonical()]));
    for (const f of FIELDS) if (item[f]) out[f] = canonical(item[f]!);
    if (item.type === 'Container') {
      const d = defaulted(parseItem(item));
      for (const f of ['default', 'defaultRequest'] as const) {
        const values = d[f]!;
        if (values.size) out[f] = Object.fromEntries([...values].map(([k, v]) => [k, v.quantity.toCanonical()]));
      }
    }
    return out as unknown as LimitRangeItemJson;
  });
}

function parseItem(item: Partial<Record<Field, ResourceQuantities>>): Parsed {
  const parsed: Parsed = {};
  for (const f of FIELDS) {
    if (item[f]) parsed[f] = new Map(Object.entries(item[f]!).map(([k, v]) => [k, { quantity: Quantity.parse(v), field: f }]));
  }
  return parsed;
}

/** A parsed value and where it came from: the field written, or the field the API server defaulted it from. */
interface Value {
  readonly quantity: Quantity;
  readonly field: Field;
  readonly defaultedFrom?: Field;
}
type Parsed = Partial<Record<Field, Map<string, Value>>>;

function resourceNameProblem(type: LimitType, name: string): string | undefined {
  if (type === 'PersistentVolumeClaim') return name === 'storage' ? undefined : 'a volume claim limit only knows "storage"';
  if (isStandardContainerResourceName(name) || isExtendedResourceName(name)) return undefined;
  return 'not a container resource: cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource <domain>/<name>';
}

/**
 * The API server's defaulting of a Container item (it stores the LimitRange this way): a missing default
 * limit is the max, a missing default request is the default limit, else the min.
 */
function defaulted(parsed: Parsed): Parsed {
  const def = new Map(parsed.default);
  const req = new Map(parsed.defaultRequest);
  for (const [k, v] of parsed.max ?? []) if (!def.has(k)) def.set(k, { ...v, field: 'default', defaultedFrom: 'max' });
  for (const [k, v] of def) if (!req.has(k)) req.set(k, { ...v, field: 'defaultRequest', defaultedFrom: v.defaultedFrom ?? 'default' });
  for (const [k, v] of parsed.min ?? []) if (!req.has(k)) req.set(k, { ...v, field: 'defaultRequest', defaultedFrom: 'min' });
  return { ...parsed, default: def, defaultRequest: req };
}

const LABEL: Record<Field, string> = { min: 'min', max: 'max', default: 'default', defaultRequest: 'default request', maxLimitRequestRatio: 'max limit/request ratio' };

/**
 * Checks a tenant's limits as the API server validates a LimitRange (after its defaulting): quantities and
 * resource names, min <= defaultRequest <= default <= max, min <= max, a ratio of at least 1 and at most
 * max/min, and default = defaultRequest for resources that cannot be overcommitted. `path` is the config
 * path of the limits (e.g. `tenants.0.limitRange`); each issue names the field that is wrong.
 */
export function checkLimitRange(limits: TenantLimitRangeConfig, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [section, type] of SECTIONS) {
    const s = limits[section] as Partial<Record<Field, ResourceQuantities>> | undefined;
    if (!s) continue;
    const parsed: Parsed = {};
    for (const field of FIELDS) {
      const list = s[field];
      if (!list) continue;
      if (!FIELDS_BY_TYPE[type].includes(field)) {
        issues.push({ path: `${path}.${section}.${field}`, value: list, message: `may not be set for type ${type}`, hint: `use ${FIELDS_BY_TYPE[type].join(', ')}` });
        continue;
      }
      const values = new Map<string, Value>();
      for (const [name, text] of Object.entries(list)) {
        const at = `${path}.${section}.${field}.${name}`;
        const nameProblem = resourceNameProblem(type, name);
        if (nameProblem) {
          issues.push({ path: at, value: text, message: `unknown resource "${name}"`, hint: nameProblem });
          continue;
        }
        const quantity = typeof text === 'string' ? Quantity.tryParse(text) : undefined;
        if (!quantity) {
          issues.push({ path: at, value: text, message: 'not a quantity', hint: 'write e.g. "512Mi", "1Gi", "250m" or "2"' });
        } else if (quantity.isNegative()) {
          issues.push({ path: at, value: text, message: 'must be greater than or equal to 0', hint: 'use a positive quantity' });
        } else if (isExtendedResourceName(name) && !quantity.isInteger()) {
          issues.push({ path: at, value: text, message: 'must be an integer', hint: 'extended resources are counted in whole units' });
        } else {
          values.set(name, { quantity, field });
        }
      }
      parsed[field] = values;
    }
    if (type === 'PersistentVolumeClaim' && !parsed.min?.has('storage') && !parsed.max?.has('storage')) {
      issues.push({ path: `${path}.${section}`, value: s, message: 'either a minimum or a maximum storage value is required', hint: 'set min.storage or max.storage, or remove the section' });
    }
    issues.push(...checkOrder(type === 'Container' ? defaulted(parsed) : parsed, `${path}.${section}`));
  }
  return issues;
}

function checkOrder(p: Parsed, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const keys = new Set(FIELDS.flatMap((f) => [...(p[f]?.keys() ?? [])]));
  const describe = (v: Value) => (v.defaultedFrom ? `${v.field} (defaulted from ${v.defaultedFrom})` : v.field);
  const where = (v: Value, k: string) => `${path}.${v.defaultedFrom ?? v.field}.${k}`;
  for (const k of keys) {
    // each pair must be ordered low <= high; the API server names the first field of each pair
    const pairs: [Field, Field, Field][] = [
      ['min', 'max', 'min'],
      ['min', 'defaultRequest', 'defaultRequest'],
      ['defaultRequest', 'max', 'defaultRequest'],
      ['defaultRequest', 'default', 'defaultRequest'],
      ['min', 'default', 'default'],
      ['default', 'max', 'default'],
    ];
    for (const [lowField, highField, blamed] of pairs) {
      const low = p[lowField]?.get(k);
      const high = p[highField]?.get(k);
      // a check on a defaulted value repeats a check on the value it was defaulted from
      if (!low || !high || low.defaultedFrom || high.defaultedFrom) continue;
      if (low.quantity.compare(high.quantity) > 0) {
        const culprit = blamed === lowField ? low : high;
        const other = culprit === low ? high : low;
        issues.push({
          path: where(culprit, k),
          value: culprit.quantity.text,
          message: `${LABEL[lowField]} value ${low.quantity.toCanonical()} is greater than ${lowField === 'defaultRequest' && highField === 'default' ? 'default limit' : LABEL[highField]} value ${high.quantity.toCanonical()}`,
          hint: `${k}: keep min <= defaultRequest <= default <= max; ${culprit === low ? 'lower' : 'raise'} ${culprit.field}.${k} or ${culprit === low ? 'raise' : 'lower'} ${other.field}.${k}`,
        });
      }
    }
    const ratio = p.maxLimitRequestRatio?.get(k);
    const min = p.min?.get(k);
    const max = p.max?.get(k);
    if (ratio && ratio.quantity.compare(Quantity.parse('1')) < 0) {
      issues.push({ path: where(ratio, k), value: ratio.quantity.text, message: `ratio ${ratio.quantity.toCanonical()} is less than 1`, hint: 'a limit is never below its request: use 1 or more' });
    } else if (ratio && min && max && min.quantity.milliValue() > 0n && ratio.quantity.toNumber() > max.quantity.toNumber() / min.quantity.toNumber()) {
      issues.push({
        path: where(ratio, k),
        value: ratio.quantity.text,
        message: `ratio ${ratio.quantity.toCanonical()} is greater than max/min = ${(max.quantity.toNumber() / min.quantity.toNumber()).toFixed(6)}`,
        hint: `no container between min ${min.quantity.text} and max ${max.quantity.text} can reach it; lower the ratio or widen min/max`,
      });
    }
    const def = p.default?.get(k);
    const req = p.defaultRequest?.get(k);
    if (!OVERCOMMITTABLE.has(k) && def && req && def.quantity.compare(req.quantity) !== 0) {
      const culprit = req.defaultedFrom ? def : req;
      issues.push({
        path: where(culprit, k),
        value: culprit.quantity.text,
        message: `default value ${def.quantity.toCanonical()} must equal defaultRequest value ${req.quantity.toCanonical()} in ${k} (${describe(def)} vs ${describe(req)})`,
        hint: `${k} cannot be overcommitted: give default and defaultRequest the same value`,
      });
    }
  }
  return issues;
}

/** A container's resources as written in a pod spec. */
export interface ContainerResources {
  readonly requests?: ResourceQuantities;
  readonly limits?: ResourceQuantities;
}

/** What LimitRanger admission does to one container: its resources afterwards, and why it would be refused. */
export interface ContainerAdmission {
  /** Requests and limits after the API's pod defaulting and LimitRanger's defaults, in canonical form. */
  readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
  /** The API server's messages for each violated constraint; empty when the container is admitted. */
  readonly violations: readonly string[];
}

function parseList(list: ResourceQuantities | undefined): Map<string, Quantity> {
  return new Map(Object.entries(list ?? {}).map(([k, v]) => [k, Quantity.parse(v)]));
}

/**
 * Predicts LimitRanger admission of a container in a namespace with `limits` (already valid): the pod
 * defaulting (a missing request equals the limit), then the defaults of the Container item, then its min,
 * max and ratio constraints with the API server's messages. Pod and volume claim items are not simulated.
 */
export function admitContainer(limits: TenantLimitRangeConfig, container: ContainerResources): ContainerAdmission {
  const limit = parseList(container.limits);
  const request = parseList(container.requests);
  for (const [k, v] of limit) if (!request.has(k)) request.set(k, v);
  const item = limits.container ?? {};
  const d = defaulted(parseItem(item));
  for (const [k, v] of d.default ?? []) if (!limit.has(k)) limit.set(k, v.quantity);
  for (const [k, v] of d.defaultRequest ?? []) if (!request.has(k)) request.set(k, v.quantity);

  const violations: string[] = [];
  for (const [k, min] of parseList(item.min)) {
    const req = request.get(k);
    const lim = limit.get(k);
    if (!req) violations.push(`minimum ${k} usage per Container is ${min.toCanonical()}.  No request is specified`);
    else if (req.milliValue() < min.milliValue()) violations.push(`minimum ${k} usage per Container is ${min.toCanonical()}, but request is ${req.toCanonical()}`);
    else if (lim && lim.milliValue() < min.milliValue()) violations.push(`minimum ${k} usage per Container is ${min.toCanonical()}, but limit is ${lim.toCanonical()}`);
  }
  for (const [k, max] of parseList(item.max)) {
    const req = request.get(k);
    const lim = limit.get(k);
    if (!lim) violations.push(`maximum ${k} usage per Container is ${max.toCanonical()}.  No limit is specified`);
    else if (lim.milliValue() > max.milliValue()) violations.push(`maximum ${k} usage per Container is ${max.toCanonical()}, but limit is ${lim.toCanonical()}`);
    else if (req && req.milliValue() > max.milliValue()) violations.push(`maximum ${k} usage per Container is ${max.toCanonical()}, but request is ${req.toCanonical()}`);
  }
  for (const [k, ratio] of parseList(item.maxLimitRequestRatio)) {
    const req = request.get(k);
    const lim = limit.get(k);
    if (!req || req.milliValue() === 0n) violations.push(`${k} max limit to request ratio per Container is ${ratio.toCanonical()}, but no request is specified or request is 0`);
    else if (!lim || lim.milliValue() === 0n) violations.push(`${k} max limit to request ratio per Container is ${ratio.toCanonical()}, but no limit is specified or limit is 0`);
    else {
      const observed = Number(lim.milliValue()) / Number(req.milliValue());
      if (observed * 1000 > Number(ratio.milliValue())) violations.push(`${k} max limit to request ratio per Container is ${ratio.toCanonical()}, but provided ratio is ${observed.toFixed(6)}`);
    }
  }
  const canonical = (m: Map<string, Quantity>) => Object.fromEntries([...m].map(([k, q]) => [k, q.toCanonical()]));
  return { resources: { requests: canonical(request), limits: canonical(limit) }, violations };
}
