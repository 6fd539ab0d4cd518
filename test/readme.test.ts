import * as fs from 'fs';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { rows } = require('../scripts/config-reference.js');

const root = path.join(__dirname, '..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
/** README.md and the hand-written docs (docs/api/ is typedoc's output, checked by test/api-docs.test.ts). */
const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

test('docs/config-reference.md equals the table generated from the schema (defaults cannot drift)', () => {
  const block = /<!-- config-reference:start[^>]*-->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(read('docs/config-reference.md'));
  expect(block).not.toBeNull();
  expect(block![1]).toBe(rows());
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) fence = !fence;
    const h = !fence && /^#{1,6} (.*)$/.exec(line);
    if (!h) continue;
    const slug = h[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

test('every relative link and image of the README and docs/ resolves, anchors included', () => {
  const broken: string[] = [];
  for (const page of pages) {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file ? path.normalize(path.join(path.dirname(page), file)) : page;
      if (!fs.existsSync(path.join(root, resolved))) broken.push(`${page}: ${target} (no ${resolved})`);
      else if (anchor && !anchors(read(resolved)).has(anchor)) broken.push(`${page}: ${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  expect(broken).toEqual([]);
});

test('the README stays a front page (under 200 lines) that links every doc; each doc stays under 500 lines', () => {
  const readme = read('README.md');
  expect(readme.split('\n').length).toBeLessThan(200);
  expect(pages.filter((p) => p !== 'README.md' && !readme.includes(`](${p})`))).toEqual([]);
  expect(readme).toContain('](docs/api/README.md)');
  expect(pages.filter((p) => read(p).split('\n').length >= 500)).toEqual([]);
});

test('the README keeps the two commands a newcomer runs', () => {
  const readme = read('README.md');
  expect(readme).toContain('npm ci && npx cdk8s synth --check-upgrade=false   # install, then synthesize the default bootstrap into dist/\n');
  expect(readme).toContain('npm ci && npm test                                # install, build, run the unit tests\n');
});
