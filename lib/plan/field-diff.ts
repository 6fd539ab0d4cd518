/**
 * Field-level differences of two JSON values: the changed leaf paths, written as `spec.template.spec.containers[0].image`.
 * An array or object present on one side only is one path (not one per leaf).
 */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...changedPaths(a[i], b[i], `${prefix}[${i}]`));
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const out: string[] = [];
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      out.push(...changedPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
    }
    return out;
  }
  return [prefix || '<root>'];
}

/** Whether `path` is `field` or lies under it (`spec.selector` covers `spec.selector.matchLabels.app`). */
export function isUnder(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}

/** The value at a dotted path (no array indexes), or undefined. */
export function valueAt(object: unknown, dotted: string): unknown {
  let v: any = object;
  for (const key of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[key];
  }
  return v;
}
