import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Each test file gets its own module instance (jest's registry), so this hook removes that file's folders.
const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A fresh folder under the OS temp dir, removed after the test file's last test (also when one fails). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
