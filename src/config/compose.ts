// What firstboot needs to know about the user's compose file: its services, the ports they
// publish on public interfaces, and the ${VARS} it interpolates. Read at render time.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Source } from "./source.js";

export interface PublishedPort {
  service: string;
  /** e.g. "443/udp" or "8000:8010/tcp" */
  port: string;
  /** Character offset of the port entry in the compose file. */
  offset: number;
  length: number;
}

export interface ComposeFacts {
  services: string[];
  published: PublishedPort[];
  variables: { name: string; offset: number; length: number; hasDefault: boolean }[];
}

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

function range(n: Node | null | undefined): { offset: number; length: number } {
  const r = n?.range;
  return r ? { offset: r[0], length: Math.max(1, r[1] - r[0]) } : { offset: 0, length: 1 };
}

function longSyntax(item: Node): string | undefined {
  if (!isMap(item)) return undefined;
  const get = (k: string) => {
    const v = item.get(k);
    return v === undefined || v === null ? undefined : String(v);
  };
  const published = get("published");
  const ip = get("host_ip");
  if (!published || (ip && LOCAL_HOSTS.has(ip))) return undefined;
  return `${published.replace("-", ":")}/${get("protocol") ?? "tcp"}`;
}

function portsOf(service: string, ports: unknown): PublishedPort[] {
  if (!isSeq(ports)) return [];
  const out: PublishedPort[] = [];
  for (const item of ports.items as Node[]) {
    const port = isScalar(item) ? publicPort(String(item.value)) : longSyntax(item);
    if (port) out.push({ service, port, ...range(item) });
  }
  return out;
}

const VAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

function variables(text: string): ComposeFacts["variables"] {
  const out: ComposeFacts["variables"] = [];
  // "$$" is compose's escape for a literal "$": blank it so it never counts as a reference.
  const blanked = text.replace(/\$\$/g, "  ");
  for (const m of blanked.matchAll(VAR)) {
    const name = m[1] ?? m[3] ?? "";
    const mod = m[2] ?? "";
    out.push({ name, offset: m.index ?? 0, length: m[0].length, hasDefault: /^:?[-+]/.test(mod) });
  }
  return out;
}

export function composeFacts(src: Source): ComposeFacts | string {
  const root = src.doc.contents;
  if (!isMap(root)) return "the top level must be a map with `services:`";
  const services = root.get("services", true);
  if (!isMap(services)) return "there is no `services:` map";
  const names: string[] = [];
  const published: PublishedPort[] = [];
  for (const pair of services.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : "";
    names.push(name);
    if (isMap(pair.value)) published.push(...portsOf(name, pair.value.get("ports", true)));
  }
  return { services: names, published, variables: variables(src.text) };
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
