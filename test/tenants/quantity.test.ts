import * as fc from 'fast-check';
import { Quantity, QuantitySyntaxError } from '../../lib/resources/quantity';

const q = (text: string) => Quantity.parse(text);

describe('Quantity', () => {
  test.each([
    ['512Mi', '1Gi', -1],
    ['1Gi', '1024Mi', 0],
    ['1Gi', '1073741823', 1],
    ['1G', '1Gi', -1],
    ['0.1', '100m', 0],
    ['1e3', '1k', 0],
    ['1E3', '999', 1],
    ['.5', '500m', 0],
    ['5.', '5', 0],
    ['1.5Gi', '1536Mi', 0],
    ['-1', '0', -1],
    ['+2', '2', 0],
    ['1u', '1000n', 0],
    ['1Ei', '1E', 1],
  ] as const)('%s compared with %s is %i', (a, b, expected) => {
    expect(q(a).compare(q(b))).toBe(expected);
    expect(q(b).compare(q(a))).toBe(expected === 0 ? 0 : -expected);
  });

  test.each([
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['512Mi', '512Mi'],
    ['1536Ki', '1536Ki'],
    ['100', '100'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1000', '1k'],
    ['2000000', '2M'],
    ['1e3', '1e3'],
    ['1.0001', '1001m'],
    ['0.5Ki', '512'],
    ['0', '0'],
    ['-1.5Gi', '-1536Mi'],
  ])('%s is written %s by the API server', (text, canonical) => {
    expect(q(text).toCanonical()).toBe(canonical);
  });

  test.each(['', ' 1', '1 ', '1 Gi', 'abc', '1.5.5', '1Gib', '--1', 'Mi', '1e', '1KI', '1ki', '0x10', '1e1001'])('%j is refused with a hint', (text) => {
    expect(() => q(text)).toThrow(QuantitySyntaxError);
    expect(() => q(text)).toThrow(/is not a Kubernetes quantity/);
    expect(Quantity.tryParse(text)).toBeUndefined();
  });

  test('integers, milli values and signs', () => {
    expect(q('800Gi').isInteger()).toBe(true);
    expect(q('2000m').isInteger()).toBe(true);
    expect(q('4.5').isInteger()).toBe(false);
    expect(q('500m').isInteger()).toBe(false);
    expect(q('0.0001').milliValue()).toBe(1n);
    expect(q('1.5').milliValue()).toBe(1500n);
    expect(q('-1').isNegative()).toBe(true);
    expect(q('1Ki').toString()).toBe('1Ki');
  });

  test('ordering matches the numbers, whatever the suffix', () => {
    const suffixes = [['Ki', 1024], ['Mi', 1024 ** 2], ['', 1], ['k', 1000], ['M', 1e6], ['m', 0.001]] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), fc.constantFrom(...suffixes), fc.integer({ min: 0, max: 100000 }), fc.constantFrom(...suffixes), (a, [sa, fa], b, [sb, fb]) => {
        const x = a * fa;
        const y = b * fb;
        const expected = Math.abs(x - y) < 1e-9 * Math.max(1, x, y) ? 0 : x < y ? -1 : 1;
        expect(q(`${a}${sa}`).compare(q(`${b}${sb}`))).toBe(expected);
        // canonical text is the same value
        expect(q(q(`${a}${sa}`).toCanonical()).compare(q(`${a}${sa}`))).toBe(0);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
