import { parseExtendedResourceArgs } from '../../lib/cli/extended-resource-args';
import {
  advertiseExtendedResourcePatch,
  escapeJsonPointer,
  ExtendedResourceError,
  removeExtendedResourcePatch,
  removeExtendedResourcePatchFor,
} from '../../lib/extended-resources/extended-resource';
import { isExtendedResourceName } from '../../lib/resources/resource-names';

describe('extended resource patches (seed 14)', () => {
  test('advertising 4 dongles is the documented patch', () => {
    expect(advertiseExtendedResourcePatch('example.com/dongle', 4)).toEqual([{ op: 'add', path: '/status/capacity/example.com~1dongle', value: '4' }]);
  });

  test('the remove patch', () => {
    expect(removeExtendedResourcePatch('example.com/dongle')).toEqual([{ op: 'remove', path: '/status/capacity/example.com~1dongle' }]);
    expect(removeExtendedResourcePatch('example.com/dongle', { allocatable: true })).toEqual([
      { op: 'remove', path: '/status/capacity/example.com~1dongle' },
      { op: 'remove', path: '/status/allocatable/example.com~1dongle' },
    ]);
  });

  test('allocatable too, for nodes without a kubelet', () => {
    expect(advertiseExtendedResourcePatch('example.com/dongle', '4', { allocatable: true }).map((o) => o.path)).toEqual([
      '/status/capacity/example.com~1dongle',
      '/status/allocatable/example.com~1dongle',
    ]);
  });

  test('byte-sized chunks: 800Gi of special storage is a whole number', () => {
    expect(advertiseExtendedResourcePatch('example.com/special-storage', '800Gi')[0].value).toBe('800Gi');
    expect(advertiseExtendedResourcePatch('example.com/special-storage', '8')[0].value).toBe('8');
    expect(advertiseExtendedResourcePatch('example.com/x', '2000m')[0].value).toBe('2');
  });

  test.each(['4.5', '500m', '-1', 'four', ''])('quantity %j is refused: integers only', (q) => {
    expect(() => advertiseExtendedResourcePatch('example.com/dongle', q)).toThrow(ExtendedResourceError);
    expect(() => advertiseExtendedResourcePatch('example.com/dongle', q)).toThrow(/quantity/);
  });

  test.each([
    ['dongle', /has no domain/],
    ['kubernetes.io/dongle', /kubernetes.io domain/],
    ['node.kubernetes.io/dongle', /kubernetes.io domain/],
    ['requests.example.com/dongle', /requests\./],
    ['Example.com/dongle', /not a qualified name/],
    ['example.com/' + 'd'.repeat(64), /not a qualified name/],
    ['example.com/dongle/extra', /not a qualified name/],
    ['cpu', /has no domain/],
  ])('name %s is refused', (name, why) => {
    expect(() => advertiseExtendedResourcePatch(name, 1)).toThrow(why);
    expect(isExtendedResourceName(name)).toBe(false);
  });

  test.each(['example.com/dongle', 'vendor.io/gpu', 'a.b.c/Some_Thing.v2', 'nvidia.com/gpu', 'kubernetes.io.example.com/x'])('name %s is accepted', (name) => {
    expect(isExtendedResourceName(name)).toBe(true);
  });

  test('JSON Pointer escaping: ~ before /', () => {
    expect(escapeJsonPointer('a~b/c')).toBe('a~0b~1c');
  });

  test('the remove patch for a node lists only what it has', () => {
    expect(removeExtendedResourcePatchFor('example.com/dongle', { capacity: { 'example.com/dongle': '4' }, allocatable: {} })).toEqual([{ op: 'remove', path: '/status/capacity/example.com~1dongle' }]);
    expect(removeExtendedResourcePatchFor('example.com/dongle', { capacity: { cpu: '2' } })).toEqual([]);
    expect(removeExtendedResourcePatchFor('example.com/dongle', undefined)).toEqual([]);
  });
});

describe('the extended-resource command line', () => {
  test('advertise', () => {
    expect(parseExtendedResourceArgs(['advertise', 'node-1', 'example.com/dongle', '4', '--allocatable', '--kubeconfig', '/k'])).toEqual({
      action: 'advertise',
      node: 'node-1',
      resource: 'example.com/dongle',
      kubeconfig: '/k',
      dryRun: false,
      patch: advertiseExtendedResourcePatch('example.com/dongle', 4, { allocatable: true }),
    });
  });

  test('remove and help', () => {
    expect(parseExtendedResourceArgs(['remove', 'n', 'example.com/dongle', '--dry-run'])).toEqual({ action: 'remove', node: 'n', resource: 'example.com/dongle', dryRun: true });
    expect(parseExtendedResourceArgs(['--help'])).toEqual({ action: 'help' });
  });

  test.each([[['advertise', 'n', 'example.com/d']], [['grow', 'n']], [['remove', 'n', 'example.com/d', '--bogus']], [['remove', 'n', 'dongle']], [[]]])('%j is refused', (argv) => {
    expect(() => parseExtendedResourceArgs(argv)).toThrow(ExtendedResourceError);
  });
});
