import * as fs from 'fs';
import * as path from 'path';
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(file) as PrecompiledValidators;
    return module.kubernetesVersion === kubernetesVersion ? module : undefined;
  }
  return undefined;
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
