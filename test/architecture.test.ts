import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './support/temp-dir';

const lib = path.join(__dirname, '..', 'lib');
// the composition root and the package entry may name components; nothing below them may
const MAY_IMPORT_COMPONENTS = new Set(['cluster-bootstrap.ts', 'index.ts']);

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Imports of files outside lib/components that resolve into lib/components. */
export function upwardImports(root: string): string[] {
  const components = path.join(root, 'components') + path.sep;
  const found: string[] = [];
  for (const file of tsFiles(root)) {
    const rel = path.relative(root, file);
    if (file.startsWith(components) || MAY_IMPORT_COMPONENTS.has(rel)) continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if ((target + path.sep).startsWith(components)) found.push(`lib/${rel} imports ${m[1]}`);
    }
  }
  return found;
}

describe('one-way house', () => {
  test('no file under lib/ outside lib/components, cluster-bootstrap.ts and index.ts imports a component', () => {
    expect(upwardImports(lib)).toEqual([]);
  });

  test('the check finds such an import', () => {
    const dir = tempDir('cb-arch-');
    try {
      fs.mkdirSync(path.join(dir, 'components', 'x'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'node-config'));
      fs.writeFileSync(path.join(dir, 'components', 'x', 'index.ts'), 'export const X = 1;\n');
      fs.writeFileSync(path.join(dir, 'node-config', 'bad.ts'), "import { X } from '../components/x';\nexport const Y = X;\n");
      fs.writeFileSync(path.join(dir, 'index.ts'), "export * from './components/x';\n");
      expect(upwardImports(dir)).toEqual(['lib/node-config/bad.ts imports ../components/x']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
