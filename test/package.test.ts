import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The files `npm pack` would put in the package (scripts skipped: `npm test` has just built). */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path).sort();
}

describe('the npm package', () => {
  const files = packedFiles();

  test('holds the compiled library with its type declarations, the schemas and the README, and no tests or sources', () => {
    for (const f of ['build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/tenants/tenant-namespace.d.ts', 'schema/cluster-config.schema.json', 'README.md', 'package.json']) expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith('schema/kubernetes/') && f.endsWith('.json.gz')).length).toBeGreaterThan(0);
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|^lib\/|^stacks\/|^scripts\/|^examples\/|^build\/(test|stacks|scripts)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  test('every entry point is in it: main, types, exports and the commands', () => {
    const entries = [pkg.main, pkg.types, ...Object.values<any>(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))), ...Object.values<string>(pkg.bin)];
    for (const e of entries) expect(files).toContain(path.normalize(e));
    expect(Object.keys(pkg.bin).sort()).toEqual(['cluster-doctor', 'cluster-pki', 'cluster-plan', 'dockershim-lint', 'extended-resource']);
  });

  test('every relative require of the packaged code resolves inside the package', () => {
    const missing: string[] = [];
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      for (const [, target] of text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        const base = path.normalize(path.join(path.dirname(f), target));
        if (![`${base}.js`, base, path.join(base, 'index.js')].some((c) => files.includes(c))) missing.push(`${f} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('the commands are executable scripts', () => {
    for (const bin of Object.values<string>(pkg.bin)) expect(fs.readFileSync(path.join(root, bin), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
