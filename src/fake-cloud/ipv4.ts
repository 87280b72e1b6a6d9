// IPv4 arithmetic for the fake's private Networks: CIDR parsing, containment and overlap, the
// next free /24 for a subnet added without a range, the next free host for an attached server.

export interface Cidr {
  base: number;
  bits: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** "10.0.0.0/16" -> its base and prefix length; undefined unless it is a network address in CIDR form. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  const base = m ? ipToInt(m[1]!) : undefined;
  const bits = Number(m?.[2]);
  if (base === undefined || bits > 32 || base % 2 ** (32 - bits) !== 0) return undefined;
  return { base, bits };
}

export const size = (c: Cidr): number => 2 ** (32 - c.bits);
export const cidrText = (c: Cidr): string => `${intToIp(c.base)}/${c.bits}`;
export const containsIp = (c: Cidr, ip: number): boolean => ip >= c.base && ip < c.base + size(c);
export const within = (inner: Cidr, outer: Cidr): boolean =>
  containsIp(outer, inner.base) && inner.base + size(inner) <= outer.base + size(outer);
export const overlaps = (a: Cidr, b: Cidr): boolean => a.base < b.base + size(b) && b.base < a.base + size(a);

/** The first /24 (or the whole range, if smaller) of `outer` that overlaps none of `taken`. */
export function nextFreeBlock(outer: Cidr, taken: Cidr[]): Cidr | undefined {
  const bits = Math.max(outer.bits, 24);
  for (let base = outer.base; base < outer.base + size(outer); base += 2 ** (32 - bits)) {
    const block = { base, bits };
    if (!taken.some((t) => overlaps(t, block))) return block;
  }
  return undefined;
}

/** The lowest host of `subnet` that is neither its network/broadcast address nor in `used`. */
export function nextFreeHost(subnet: Cidr, used: Set<string>): string | undefined {
  for (let n = subnet.base + 1; n < subnet.base + size(subnet) - 1; n++) if (!used.has(intToIp(n))) return intToIp(n);
  return undefined;
}
