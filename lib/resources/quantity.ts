/**
 * Kubernetes resource quantities (`resource.Quantity`): `512Mi`, `1.5Gi`, `250m`, `1e3`, `4`.
 *
 * Values are kept as exact fractions of BigInts, so comparisons never suffer float rounding
 * (`1Gi` > `1073741823`, `0.1` = `100m`). `toCanonical()` writes a quantity the way the API server
 * prints it (`1.5Gi` becomes `1536Mi`), which is what its admission errors show.
 */

/** A string that does not parse as a quantity: the text and what is wrong with it. */
export class QuantitySyntaxError extends Error {
  constructor(
    readonly text: string,
    readonly hint: string,
  ) {
    super(`"${text}" is not a Kubernetes quantity`);
    this.name = 'QuantitySyntaxError';
  }
}

type Format = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
// <sign>? (<digits> | <digits>. | <digits>.<digits> | .<digits>) <suffix>
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
const HINT = 'write a number with an optional suffix: 512Mi, 1Gi (powers of 1024), 250m, 2k, 1G (powers of 1000) or 1e3';

function pow(base: bigint, exp: number): bigint {
  return base ** BigInt(exp);
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

export class Quantity {
  /** Parses `text`; throws `QuantitySyntaxError` naming what is accepted. */
  static parse(text: string): Quantity {
    const m = QUANTITY.exec(text.trim() === text ? text : '');
    if (!m) throw new QuantitySyntaxError(text, HINT);
    const [, sign, number, suffix = ''] = m;
    const [whole, fraction = ''] = number.split('.');
    let num = BigInt(`${whole || '0'}${fraction}`) * (sign === '-' ? -1n : 1n);
    let den = pow(10n, fraction.length);
    let format: Format;
    if (suffix in BINARY_SUFFIXES) {
      format = 'BinarySI';
      num *= pow(2n, BINARY_SUFFIXES[suffix]);
    } else {
      const exp = suffix in DECIMAL_SUFFIXES ? DECIMAL_SUFFIXES[suffix] : Number(suffix.slice(1));
      format = suffix.startsWith('e') || suffix.startsWith('E') ? 'DecimalExponent' : 'DecimalSI';
      if (Math.abs(exp) > 1000) throw new QuantitySyntaxError(text, 'the exponent is out of range');
      if (exp >= 0) num *= pow(10n, exp);
      else den *= pow(10n, -exp);
    }
    return new Quantity(text, num, den, format);
  }

  /** `Quantity.parse`, or undefined when `text` is not a quantity. */
  static tryParse(text: string): Quantity | undefined {
    try {
      return Quantity.parse(text);
    } catch (e) {
      if (e instanceof QuantitySyntaxError) return undefined;
      throw e;
    }
  }

  private constructor(
    /** The text as written. */
    readonly text: string,
    private readonly num: bigint,
    private readonly den: bigint,
    private readonly format: Format,
  ) {
    const g = gcd(num, den);
    if (g > 1n) {
      this.num = num / g;
      this.den = den / g;
    }
  }

  /** -1, 0 or 1 as this is smaller than, equal to or larger than `other`. */
  compare(other: Quantity): -1 | 0 | 1 {
    const left = this.num * other.den;
    const right = other.num * this.den;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  isNegative(): boolean {
    return this.num < 0n;
  }

  /** Whole number (`4`, `800Gi`, `2000m`), as extended resources and object counts require. */
  isInteger(): boolean {
    return this.den === 1n;
  }

  /** The value in thousandths, rounded up as the API server rounds (`0.0001` is `1m`). */
  milliValue(): bigint {
    const scaled = this.num * 1000n;
    const q = scaled / this.den;
    return scaled % this.den > 0n ? q + 1n : q;
  }

  /** Approximate numeric value, for ratios only; compare with `compare`. */
  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }

  /**
   * The API server's canonical form: the largest suffix of the written format that keeps the value whole
   * (`1.5Gi` is `1536Mi`, `1000m` is `1`, `0.5` is `500m`). Binary values that are not whole bytes fall back
   * to decimal suffixes; anything finer than a thousandth rounds up to `m`, as the server stores it.
   */
  toCanonical(): string {
    const milli = this.milliValue();
    const sign = milli < 0n ? '-' : '';
    const abs = milli < 0n ? -milli : milli;
    if (abs === 0n) return '0';
    if (this.format === 'BinarySI' && abs % 1000n === 0n) {
      let value = abs / 1000n;
      let i = 0;
      const binary = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
      while (i < binary.length - 1 && value >= 1024n && value % 1024n === 0n) {
        value /= 1024n;
        i++;
      }
      // the server keeps small binary values in decimal form (`100` rather than a Ki fraction)
      return `${sign}${value}${binary[i]}`;
    }
    let value = abs;
    let exp = -3;
    while (exp < 18 && value % 1000n === 0n) {
      value /= 1000n;
      exp += 3;
    }
    if (this.format === 'DecimalExponent') return `${sign}${value}${exp === 0 ? '' : `e${exp}`}`;
    const decimal: Record<number, string> = { [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
    return `${sign}${value}${decimal[exp]}`;
  }

  toString(): string {
    return this.text;
  }
}
