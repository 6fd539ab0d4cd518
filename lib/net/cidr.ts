import { Address4, Address6 } from 'ip-address';

export type IpFamily = 4 | 6;

/** Thrown by the address helpers; the config validator turns it into a `ConfigError` with the field path. */
export class AddressSyntaxError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'AddressSyntaxError';
  }
}

function parseAddress(text: string): Address4 | Address6 {
  if (Address4.isValid(text)) return new Address4(text);
  if (Address6.isValid(text)) return new Address6(text);
  throw new AddressSyntaxError(`"${text}" is not an IPv4 or IPv6 address or CIDR`, 'write an address like 10.96.0.10 or a CIDR like 10.96.0.0/12');
}

/** An IP address (no prefix), normalized. */
export class IpAddress {
  /** The address, or undefined when `text` is not one (e.g. a host name). */
  static tryParse(text: string): IpAddress | undefined {
    try {
      return IpAddress.parse(text);
    } catch (e) {
      if (e instanceof AddressSyntaxError) return undefined;
      throw e;
    }
  }

  static parse(text: string): IpAddress {
    if (text.includes('/')) {
      throw new AddressSyntaxError(`"${text}" is a CIDR, not a single address`, 'drop the /prefix');
    }
    return new IpAddress(parseAddress(text));
  }

  readonly family: IpFamily;
  private constructor(private readonly address: Address4 | Address6) {
    this.family = address instanceof Address4 ? 4 : 6;
  }

  get value(): bigint {
    return this.address.bigInt();
  }

  /** Canonical text: dotted quad for IPv4, RFC 5952 form for IPv6. */
  toString(): string {
    return this.address.correctForm();
  }

  equals(other: IpAddress): boolean {
    return this.family === other.family && this.value === other.value;
  }

  /** The single-address range of this address (`/32` or `/128`), as NetworkPolicy ipBlocks name hosts. */
  toHostCidr(): string {
    return `${this}/${this.family === 4 ? 32 : 128}`;
  }

  /** 127.0.0.0/8 or ::1 (an IPv4-mapped loopback such as ::ffff:127.0.0.1 counts too). */
  isLoopback(): boolean {
    const a = this.unmapped().address;
    return a instanceof Address4 ? a.isInSubnet(new Address4('127.0.0.0/8')) : a.isLoopback();
  }

  /** The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for; otherwise this address. */
  unmapped(): IpAddress {
    return this.address instanceof Address6 && this.address.isMapped4() ? new IpAddress(this.address.to4()) : this;
  }

  isLinkLocal(): boolean {
    return this.address instanceof Address4
      ? this.address.isInSubnet(new Address4('169.254.0.0/16'))
      : this.address.isInSubnet(new Address6('fe80::/10'));
  }
}

/** A network range such as 10.96.0.0/12. Host bits must be zero. */
export class Cidr {
  static parse(text: string): Cidr {
    if (!text.includes('/')) {
      throw new AddressSyntaxError(`"${text}" has no /prefix length`, 'write a CIDR like 10.244.0.0/16');
    }
    const parsed = parseAddress(text);
    const network = parsed.startAddress();
    const host = parseAddress(parsed.addressMinusSuffix ?? text.split('/')[0]);
    if (host.bigInt() !== network.bigInt()) {
      const fixed = `${network.correctForm()}/${parsed.subnetMask}`;
      throw new AddressSyntaxError(`"${text}" has host bits set`, `did you mean ${fixed}?`);
    }
    return new Cidr(parsed);
  }

  readonly family: IpFamily;
  readonly prefixLength: number;
  private constructor(private readonly range: Address4 | Address6) {
    this.family = range instanceof Address4 ? 4 : 6;
    this.prefixLength = range.subnetMask;
  }

  /** Number of addresses in the range. */
  get size(): bigint {
    return this.range.endAddress().bigInt() - this.range.startAddress().bigInt() + 1n;
  }

  get networkAddress(): IpAddress {
    return IpAddress.parse(this.range.startAddress().correctForm());
  }

  /** The address `offset` places after the network address (offset 1 = the first usable address). */
  nth(offset: number): IpAddress {
    if (BigInt(offset) >= this.size || offset < 0) {
      throw new AddressSyntaxError(`${this} has no address at offset ${offset}`, 'use a larger range');
    }
    const value = this.range.startAddress().bigInt() + BigInt(offset);
    const address = this.family === 4 ? Address4.fromBigInt(value) : Address6.fromBigInt(value);
    return IpAddress.parse(address.correctForm());
  }

  contains(address: IpAddress): boolean {
    if (address.family !== this.family) return false;
    return address.value >= this.range.startAddress().bigInt() && address.value <= this.range.endAddress().bigInt();
  }

  overlaps(other: Cidr): boolean {
    return other.family === this.family && (this.contains(other.networkAddress) || other.contains(this.networkAddress));
  }

  toString(): string {
    return `${this.range.startAddress().correctForm()}/${this.prefixLength}`;
  }
}

/**
 * Parses kubeadm's list form: one CIDR, or two (one per IP family) separated by a comma.
 */
export function parseCidrList(text: string): Cidr[] {
  const parts = text.split(',').map((p) => p.trim());
  const cidrs = parts.map((p) => Cidr.parse(p));
  if (cidrs.length > 2) {
    throw new AddressSyntaxError(`"${text}" lists ${cidrs.length} ranges`, 'give one CIDR, or two for dual-stack (one IPv4, one IPv6)');
  }
  if (cidrs.length === 2 && cidrs[0].family === cidrs[1].family) {
    throw new AddressSyntaxError(`"${text}" lists two IPv${cidrs[0].family} ranges`, 'dual-stack takes one IPv4 and one IPv6 CIDR');
  }
  return cidrs;
}
