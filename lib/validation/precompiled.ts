import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import * as zlib from 'zlib';
import type Ajv from 'ajv';
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

/** A committed schema bundle (schema/<family>/<release>.json.gz): definitions, and the definition of each kind. */
export interface SchemaBundle {
  readonly kubernetesVersion: string;
  /** `apiVersion/Kind` to its definition's name. */
  readonly kinds: Record<string, string>;
  readonly definitions: Record<string, object>;
}

/** The `$id` each family's definitions are added under (the precompiled code was made with the same). */
const ROOT_IDS = { kubernetes: 'k8s', 'node-config': 'node-config' } as const;
const loadedBundles = new Map<string, KindValidators>();

/**
 * One validator per kind of a schema bundle: the build's precompiled one when there is one, else compiled by Ajv on
 * first use with the same options (Ajv is loaded only then).
 */
export class KindValidators {
  /** The bundle of `family` for `release` from `dir`, loaded once per process. */
  static load(family: keyof typeof ROOT_IDS, dir: string, release: string): KindValidators {
    const key = `${family}/${release}`;
    let loaded = loadedBundles.get(key);
    if (!loaded) {
      const bundle = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, `${release}.json.gz`))).toString('utf8')) as SchemaBundle;
      loaded = new KindValidators(ROOT_IDS[family], bundle, loadPrecompiled(family, release, bundle.kubernetesVersion));
      loadedBundles.set(key, loaded);
    }
    return loaded;
  }

  private ajv?: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(
    private readonly rootId: string,
    readonly bundle: SchemaBundle,
    private readonly precompiled?: PrecompiledValidators,
  ) {}

  /** Whether validators compiled at build time are in use. */
  get isPrecompiled(): boolean {
    return this.precompiled !== undefined;
  }

  /** The validator of `kind` (`apiVersion/Kind`), whose schema is the bundle's definition `definition`. */
  get(kind: string, definition: string): ValidateFunction {
    const name = this.precompiled?.kinds[kind];
    if (name) return this.precompiled![name] as ValidateFunction;
    let validate = this.compiled.get(kind);
    if (!validate) {
      if (!this.ajv) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const AjvClass = (require('ajv') as typeof import('ajv')).default;
        this.ajv = new AjvClass({ allErrors: true, strict: false, validateFormats: false });
        this.ajv.addSchema({ $id: this.rootId, definitions: this.bundle.definitions });
      }
      validate = this.ajv.compile({ $ref: `${this.rootId}#/definitions/${definition}` });
      this.compiled.set(kind, validate);
    }
    return validate;
  }
}
