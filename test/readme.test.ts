import * as fs from 'fs';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { rows } = require('../scripts/config-reference.js');

test('README config reference equals the table generated from the schema (defaults cannot drift)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const block = /<!-- config-reference:start[^>]*-->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme);
  expect(block).not.toBeNull();
  expect(block![1]).toBe(rows());
});
