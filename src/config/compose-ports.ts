// Published ports: which host port a compose port entry opens on a public address, and whether
// the firewall's allow list covers it.

const LOCAL_HOSTS = new Set(["127.0.0.1", "::1", "[::1]", "localhost"]);

/** Parse a short-syntax port ("[ip:]host:container[/proto]") into its public host port, if any. */
export function publicPort(spec: string): string | undefined {
  const [body = "", proto = "tcp"] = spec.split("/");
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(?:([0-9$][^:]*):)?([0-9]+(?:-[0-9]+)?)$/.exec(body);
  if (!m) return undefined;
  const [, a, b] = m;
  // "ip:host:container" or "host:container"; a lone container port gets an ephemeral host port.
  const host = b ?? a;
  const ip = b ? a : undefined;
  if (!host || (ip && LOCAL_HOSTS.has(ip)) || !/^[0-9]+(-[0-9]+)?$/.test(host)) return undefined;
  return `${host.replace("-", ":")}/${proto}`;
}

/** Whether "443/udp" (or a range) is covered by the firewall's allow list. */
export function portAllowed(port: string, allow: readonly string[]): boolean {
  const [p = "", proto = "tcp"] = port.split("/");
  const [lo = 0, hi = lo] = p.split(":").map(Number);
  return allow.some((a) => {
    const [ap = "", aproto] = a.split("/");
    if (aproto && aproto !== proto) return false;
    const [alo = 0, ahi = alo] = ap.split(":").map(Number);
    return alo <= lo && hi <= ahi;
  });
}
