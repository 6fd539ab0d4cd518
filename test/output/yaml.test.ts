// The YAML writer of every synthesized file: whatever it writes must read back as the same data under
// YAML 1.2 and under YAML 1.1, which the Go readers of kubectl, the API server and the kubelet implement.
import fc from 'fast-check';
import { parse, parseAllDocuments } from 'yaml';
import { toYaml } from '../../lib/output/yaml';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

// strings that YAML 1.1 or 1.2 would read as something else, or that need quoting or escaping
const TRICKY = ['0_', '07_', '1_0.5', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'null', '~', '', '1.0', '0o14', '012', '0x1F', '1_000', '1e3', '.inf', '-.INF', '.NaN', '12:30', '190:20:30', '2001-12-14', '-', '- x', '-conf', '--ip-masq', 'a: b', '#c', ' lead', 'trail ', 'multi\nline', 'tab\tx', "it's", 'say "hi"', '@at', '`bt', '*star', '&anchor', '!tag', '%pct', '{x}', '[y]', '|', '>', '<<', '=', ':x', 'x:', '10.96.0.10', '0.0.0.0/0', '1.35.4', 'é', '\u0000'];

// The `yaml` package's YAML 1.1 reader takes digit-less forms such as `e0`, `.` or `-._` for floats (NaN);
// Go's yaml.v2, the reader that matters, keeps them strings, so they are left out here.
const notBareExponent = (s: string) => !/^[-+]?\.?[eE][-+]?[0-9]+$/.test(s) && !/^[-+]?[._]+$/.test(s);
const scalar = fc.oneof(fc.constantFrom(...TRICKY), fc.string().filter(notBareExponent), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null));
const key = fc.oneof(fc.constantFrom(...TRICKY.filter((k) => k !== '<<')), fc.string({ minLength: 1 }).filter(notBareExponent));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
})).node;

describe('toYaml', () => {
  test('reads back as the same data under YAML 1.2 and YAML 1.1', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
        const text = toYaml(doc);
        expect(parse(text)).toEqual(doc);
        expect(parse(text, { version: '1.1' })).toEqual(doc);
      }),
      { numRuns: RUNS },
    );
  });

  test('one document per object, in order', () => {
    const docs = [{ kind: 'A', n: 1 }, { kind: 'B', list: ['yes', 'no'] }, { kind: 'C', empty: {} }];
    expect(parseAllDocuments(toYaml(...docs)).map((d) => d.toJS({ version: '1.1' } as never))).toEqual(docs);
  });

  test('strings a YAML 1.1 reader would take for booleans or numbers are quoted', () => {
    expect(toYaml({ a: 'yes', b: 'on', c: '0o14', d: 'plain' })).toBe('a: "yes"\nb: "on"\nc: "0o14"\nd: plain\n');
  });

  test('numbers written with underscores, which YAML 1.1 reads as numbers, stay strings', () => {
    for (const s of ['0_', '1_000', '0_7', '1_0.5', '+1_0', '01_']) {
      expect(parse(toYaml({ [s]: s }), { version: '1.1' })).toEqual({ [s]: s });
    }
  });

  test('block style without line folding, and no anchors for repeated objects', () => {
    const shared = { memory: '512Mi' };
    const text = toYaml({ args: ['--x=' + 'y'.repeat(300)], limits: shared, requests: shared });
    expect(text).not.toMatch(/[&*]\w/);
    expect(text.split('\n')[1]).toBe(`  - "--x=${'y'.repeat(300)}"`);
  });
});
