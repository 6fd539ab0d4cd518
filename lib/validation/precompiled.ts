import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import type { ValidateFunction } from 'ajv';

/** Ajv's standalone validators of one schema release, made at build time by scripts/precompile-validators.js. */
export interface PrecompiledValidators {
  /** `apiVersion/Kind` to the export holding its validator. */
  readonly kinds: Record<string, string>;
  readonly kubernetesVersion: string;
  readonly [exportName: string]: unknown;
}

// the compiled library in build/lib/validation, or the synth bundle in build/
const DIRS = [path.join(__dirname, 'generated'), path.join(__dirname, 'lib', 'validation', 'generated')];

/**
 * The build's compiled validators of `family` (`kubernetes`, `node-config`) for the schema bundle of `kubernetesVersion`,
 * or undefined (sources under ts-jest, or a module left by a build of other schemas): the caller compiles instead.
 */
export function loadPrecompiled(family: string, release: string, kubernetesVersion: string): PrecompiledValidators | undefined {
  for (const dir of DIRS) {
    const file = path.join(dir, `${family}-${release}.js`);
    if (!fs.existsSync(file)) continue;
    const module = loadWithCodeCache(file) as PrecompiledValidators;
    return module.kubernetesVersion === kubernetesVersion ? module : undefined;
  }
  return undefined;
}

/** A CommonJS wrapper of our own (jest replaces the `module` built-in); the build's cache was made on the same text. */
export function wrapModule(code: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
}

/**
 * Runs a generated module (it requires nothing) through V8's code cache `<file>.v8cache`, made by the build: parsing
 * and compiling 3 MB of validators costs ~40 ms per synth, loading them from the cache ~11 ms. A missing or
 * rejected cache (another Node/V8) only costs that time.
 */
export function loadWithCodeCache(file: string): unknown {
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(`${file}.v8cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(wrapModule(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {} as Record<string, unknown> };
  script.runInThisContext().call(module.exports, module.exports, undefined, module, file, path.dirname(file));
  return module.exports;
}

/** The precompiled validator of `kind`, if there is one. */
export function precompiledValidator(validators: PrecompiledValidators | undefined, kind: string): ValidateFunction | undefined {
  const name = validators?.kinds[kind];
  return name ? (validators![name] as ValidateFunction) : undefined;
}

/** Ajv with the options the precompiled validators were made with; loaded only when something must be compiled. */
export function newAjv(): import('ajv').default {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  return new Ajv({ allErrors: true, strict: false, validateFormats: false });
}
