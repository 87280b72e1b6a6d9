// The address a stack answers on behind its Floating IP. Hetzner names an IPv6 Floating IP by its
// /64 network, which is neither an SSH host nor a URL host: the server configures one address
// inside it (the config's, ::1 by default), and URLs need it in brackets.
import { isIPv6 } from "node:net";
import { floatingAddress } from "../config/schema-docker.js";
import type * as r from "../hcloud/resources.js";

/** The address to reach the stack at through its Floating IP (config form: a.b.c.d, a::/64 or a::5/64). */
export function fipAddress(configIp: string): string {
  const cidr = floatingAddress(configIp)?.cidr ?? configIp;
  return cidr.split("/")[0]!;
}

/** A host for a URL: IPv6 literals go in brackets (RFC 3986). */
export function urlHost(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}

/** The eight 16-bit groups of an IPv6 address. */
function groups(v6: string): number[] {
  const [head = "", tail] = v6.split("::");
  const part = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = tail === undefined ? [] : part(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** Whether the config's address is the API's Floating IP: equal for IPv4, inside the /64 for IPv6. */
export function sameFloatingIp(configIp: string, api: Pick<r.FloatingIp, "ip" | "type">): boolean {
  const mine = fipAddress(configIp);
  const theirs = api.ip.split("/")[0]!;
  if (api.type === "ipv4") return !isIPv6(mine) && mine === theirs;
  if (!isIPv6(mine) || !isIPv6(theirs)) return false;
  const a = groups(mine);
  const b = groups(theirs);
  return a.slice(0, 4).every((g, i) => g === b[i]);
}
