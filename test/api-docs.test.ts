import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The API reference (docs/api/, `npm run docs:api`) is typedoc's markdown of the TSDoc of the package's entry points
// (typedoc.json). A fresh generation must succeed without a single warning (typedoc.json treats warnings as errors:
// a broken {@link}, a type the public API uses but does not export, an unknown TSDoc tag) and equal what is committed.

const root = path.join(__dirname, '..');
const committed = path.join(root, 'docs', 'api');

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

test('docs/api equals a fresh typedoc generation, which reports no warning', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out], { cwd: root, encoding: 'utf8' });
    const log = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect(log.split('\n').filter((l) => /\[(warning|error)\]/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    const fresh = files(out);
    const old = files(committed);
    const differ = [...new Set([...fresh.keys(), ...old.keys()])].filter((f) => fresh.get(f) !== old.get(f)).sort();
    // on failure: `npm run docs:api` and commit docs/api/
    expect(differ).toEqual([]);
    expect(fresh.size).toBeGreaterThan(100);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 300_000);
