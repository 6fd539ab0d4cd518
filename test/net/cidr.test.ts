import { AddressSyntaxError, Cidr, IpAddress, parseCidrList } from '../../lib/net/cidr';

describe('Cidr', () => {
  test('derives the nth address and size of IPv4 and IPv6 ranges', () => {
    const v4 = Cidr.parse('10.96.0.0/12');
    expect(v4.nth(1).toString()).toBe('10.96.0.1');
    expect(v4.nth(10).toString()).toBe('10.96.0.10');
    expect(v4.size).toBe(1048576n);
    const v6 = Cidr.parse('fd00:10:96::/112');
    expect(v6.nth(10).toString()).toBe('fd00:10:96::a');
    expect(v6.family).toBe(6);
  });

  test('rejects host bits with the corrected range as hint', () => {
    expect(() => Cidr.parse('10.244.1.0/16')).toThrow(AddressSyntaxError);
    try {
      Cidr.parse('10.244.1.0/16');
    } catch (e) {
      expect((e as AddressSyntaxError).hint).toBe('did you mean 10.244.0.0/16?');
    }
  });

  test.each(['10.300.0.0/16', '10.0.0.0/33', '10.0.0.0', 'banana', ''])('rejects malformed CIDR %p', (text) => {
    expect(() => Cidr.parse(text)).toThrow(AddressSyntaxError);
  });

  test('contains and overlaps respect range bounds and families', () => {
    const svc = Cidr.parse('10.96.0.0/12');
    expect(svc.contains(IpAddress.parse('10.111.255.255'))).toBe(true);
    expect(svc.contains(IpAddress.parse('10.112.0.0'))).toBe(false);
    expect(svc.contains(IpAddress.parse('::1'))).toBe(false);
    expect(svc.overlaps(Cidr.parse('10.100.0.0/16'))).toBe(true);
    expect(Cidr.parse('10.100.0.0/16').overlaps(svc)).toBe(true);
    expect(svc.overlaps(Cidr.parse('10.244.0.0/16'))).toBe(false);
  });

  test('nth outside the range is an error', () => {
    expect(() => Cidr.parse('10.0.0.0/30').nth(4)).toThrow(/no address at offset 4/);
  });
});

describe('parseCidrList', () => {
  test('accepts one CIDR or a dual-stack pair', () => {
    expect(parseCidrList('10.244.0.0/16').map(String)).toEqual(['10.244.0.0/16']);
    expect(parseCidrList('10.244.0.0/16, fd00:10:244::/56').map((c) => c.family)).toEqual([4, 6]);
  });
  test('rejects two ranges of one family and more than two ranges', () => {
    expect(() => parseCidrList('10.244.0.0/16,10.245.0.0/16')).toThrow(/two IPv4 ranges/);
    expect(() => parseCidrList('10.1.0.0/16,fd00::/64,10.2.0.0/16')).toThrow(/lists 3 ranges/);
  });
});

describe('IpAddress', () => {
  test('refuses a CIDR where a single address is expected', () => {
    expect(() => IpAddress.parse('10.96.0.10/32')).toThrow(/is a CIDR/);
  });
  test('knows link-local ranges', () => {
    expect(IpAddress.parse('169.254.20.10').isLinkLocal()).toBe(true);
    expect(IpAddress.parse('10.0.0.1').isLinkLocal()).toBe(false);
    expect(IpAddress.parse('fe80::a').isLinkLocal()).toBe(true);
  });
  test('knows loopback, also IPv4-mapped', () => {
    expect(['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1'].map((a) => IpAddress.parse(a).isLoopback())).toEqual([true, true, true, true]);
    expect(['10.0.0.1', 'fd00::1', '::ffff:10.0.0.1'].map((a) => IpAddress.parse(a).isLoopback())).toEqual([false, false, false]);
  });
  test('an IPv4-mapped IPv6 address unmaps to its IPv4 address; others stay', () => {
    expect(IpAddress.parse('::ffff:10.96.0.10').unmapped().equals(IpAddress.parse('10.96.0.10'))).toBe(true);
    expect(IpAddress.parse('::ffff:a60:a').unmapped().toString()).toBe('10.96.0.10');
    expect(IpAddress.parse('fd00::a').unmapped().toString()).toBe('fd00::a');
  });
});
