// Private Networks in the fake: CRUD, subnets, routes, IP range and protection actions, and the
// server actions that attach to and detach from a Network (next free IP of a subnet in the
// server's network zone, alias IPs). Attachments live on the server (private_net) and on the
// Load Balancer; a Network's `servers` and `load_balancers` are derived from them.
import type { components } from "../hcloud/generated/schema.js";
import {
  ApiError,
  checkLabels,
  filter,
  find,
  invalidField,
  labelsOf,
  paginate,
  type Ctx,
  type Handler,
} from "./reply.js";
import {
  cidrText,
  intToIp,
  ipToInt,
  nextFreeBlock,
  nextFreeHost,
  overlaps,
  parseCidr,
  within,
  type Cidr,
} from "./ipv4.js";
import type { FakeState, Server } from "./state.js";

type S = components["schemas"];
type Network = S["network"];
type Subnet = S["subnet_with_gateway"];

function cidrField(name: string, value: unknown): Cidr {
  const c = typeof value === "string" ? parseCidr(value) : undefined;
  if (!c) throw invalidField(name, "must be an IPv4 network in CIDR notation");
  return c;
}

export function networkView(state: FakeState, n: Network): Network {
  const out = structuredClone(n);
  out.servers = [...state.servers.values()]
    .filter((s) => s.private_net.some((p) => p.network === n.id))
    .map((s) => s.id);
  out.load_balancers = [...state.loadBalancers.values()]
    .filter((lb) => lb.private_net.some((p) => p.network === n.id))
    .map((lb) => lb.id);
  return out;
}

/** Every private IP in use in the Network: gateway, servers and their alias IPs, Load Balancers. */
export function usedIps(state: FakeState, n: Network): Set<string> {
  const used = new Set(n.subnets.map((s) => s.gateway));
  for (const s of state.servers.values())
    for (const p of s.private_net)
      if (p.network === n.id) [p.ip!, ...(p.alias_ips ?? [])].forEach((ip) => used.add(ip));
  for (const lb of state.loadBalancers.values())
    for (const p of lb.private_net) if (p.network === n.id && p.ip) used.add(p.ip);
  return used;
}

/** An explicit IP must be inside one of the zone's subnets and free; otherwise the next free host. */
export function allocateIp(state: FakeState, n: Network, zone: string, wanted: unknown): string {
  const subnets = n.subnets.filter((s) => s.network_zone === zone && s.type !== "vswitch" && s.ip_range);
  const used = usedIps(state, n);
  if (typeof wanted === "string") {
    const ip = ipToInt(wanted);
    const inside = ip !== undefined && subnets.some((s) => within({ base: ip, bits: 32 }, parseCidr(s.ip_range!)!));
    if (!inside || used.has(wanted))
      throw new ApiError(422, "ip_not_available", "the provided Network IP is not available");
    return wanted;
  }
  for (const s of subnets) {
    const ip = nextFreeHost(parseCidr(s.ip_range!)!, used);
    if (ip) return ip;
  }
  throw new ApiError(422, "no_subnet_available", "no subnet or IP is available within the network");
}

/** Hetzner's gateway is the first address of the Network's range, whatever the subnet. */
function newSubnet(n: Network, b: Record<string, unknown>): Subnet {
  const range = cidrField("ip_range", n.ip_range);
  const taken = n.subnets.map((s) => parseCidr(s.ip_range!)!);
  const block = b.ip_range === undefined ? nextFreeBlock(range, taken) : cidrField("ip_range", b.ip_range);
  if (!block || !within(block, range)) throw invalidField("ip_range", "subnet must be inside the network's IP range");
  if (taken.some((t) => overlaps(t, block))) throw new ApiError(422, "conflict", "subnet overlaps an existing subnet");
  const vswitch = b.type === "vswitch" ? { vswitch_id: Number(b.vswitch_id) } : {};
  const gateway = intToIp(range.base + 1);
  return {
    type: b.type as Subnet["type"],
    ip_range: cidrText(block),
    network_zone: String(b.network_zone),
    gateway,
    ...vswitch,
  };
}

/** RFC 1918: the only ranges the API accepts for a Network. */
const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => parseCidr(c)!);

function createNetwork({ state, body: b }: Ctx): { status: number; body: unknown } {
  checkLabels(b);
  if ([...state.networks.values()].some((n) => n.name === b.name))
    throw new ApiError(409, "uniqueness_error", "network name is already used", { fields: [{ name: "name" }] });
  const range = cidrField("ip_range", b.ip_range);
  if (range.bits > 24 || !PRIVATE.some((p) => within(range, p)))
    throw invalidField("ip_range", "must be a private range (RFC 1918) of at least /24");
  const n: Network = {
    id: state.id(),
    name: String(b.name),
    ip_range: cidrText(range),
    subnets: [],
    routes: [],
    servers: [],
    load_balancers: [],
    protection: { delete: false },
    labels: labelsOf(b),
    created: state.iso(),
    expose_routes_to_vswitch: b.expose_routes_to_vswitch === true,
  };
  for (const s of (b.subnets as Record<string, unknown>[] | undefined) ?? []) n.subnets.push(newSubnet(n, s));
  for (const r of (b.routes as S["route"][] | undefined) ?? []) n.routes.push(checkedRoute(n, r));
  state.networks.set(n.id, n);
  return { status: 201, body: { network: networkView(state, n) } };
}

function checkedRoute(n: Network, r: { destination?: unknown; gateway?: unknown }): S["route"] {
  const dest = cidrField("destination", r.destination);
  const gw = typeof r.gateway === "string" ? ipToInt(r.gateway) : undefined;
  if (gw === undefined || !within({ base: gw, bits: 32 }, parseCidr(n.ip_range)!))
    throw invalidField("gateway", "must be an IP inside the network's IP range");
  return { destination: cidrText(dest), gateway: String(r.gateway) };
}

/** A network action: checked now, applied when the action succeeds (like the API, it locks the Network). */
function networkAction(command: string, apply: (n: Network, ctx: Ctx) => () => void): Handler {
  return (ctx) => {
    const { state, params } = ctx;
    const n = find(state.networks, "network", params.id);
    if (state.busy("network", n.id)) throw new ApiError(423, "locked", "network is locked by a running action");
    const effect = apply(n, ctx);
    const action = state.startAction(command, [{ id: n.id, type: "network" }], { effect });
    return { status: 201, body: { action } };
  };
}

const sameRoute = (a: S["route"], b: Record<string, unknown>) =>
  a.destination === b.destination && a.gateway === b.gateway;

function changeIpRange(n: Network, { body }: Ctx): () => void {
  const next = cidrField("ip_range", body.ip_range);
  if (!within(parseCidr(n.ip_range)!, next)) throw invalidField("ip_range", "the IP range can only be extended");
  return () => void (n.ip_range = cidrText(next));
}

function deleteNetwork({ state, params }: Ctx): { status: number; body: unknown } {
  const n = find(state.networks, "network", params.id);
  if (n.protection.delete) throw new ApiError(403, "protected", "network is protected against deletion");
  // The API detaches attached resources itself (spec: "Attached resources will be detached automatically").
  for (const s of state.servers.values()) s.private_net = s.private_net.filter((p) => p.network !== n.id);
  for (const lb of state.loadBalancers.values()) lb.private_net = lb.private_net.filter((p) => p.network !== n.id);
  state.networks.delete(n.id);
  return { status: 204, body: null };
}

/** A MAC in Hetzner's locally administered range, stable per server and Network. */
const mac = (server: number, network: number) =>
  [
    "86",
    "00",
    "00",
    ...[server % 256, Math.floor(server / 256) % 256, network % 256].map((x) => x.toString(16).padStart(2, "0")),
  ].join(":");

/** create_server's `networks`: each gets the next free IP of a subnet in the server's zone. */
export function attachAtCreate(state: FakeState, server: Server, networks: number[]): void {
  for (const id of networks) {
    const n = find(state.networks, "network", String(id));
    const ip = allocateIp(state, n, server.location.network_zone, undefined);
    server.private_net.push({ network: n.id, ip, alias_ips: [], mac_address: mac(server.id, n.id) });
  }
}

function attachServer({ state, params, body }: Ctx): { status: number; body: unknown } {
  const server = find(state.servers, "server", params.id);
  const n = find(state.networks, "network", String(body.network));
  if (state.busy("server", server.id)) throw new ApiError(423, "locked", "server is locked by a running action");
  if (server.private_net.some((p) => p.network === n.id))
    throw new ApiError(422, "server_already_attached", "the server is already attached to the network");
  const ip = allocateIp(state, n, server.location.network_zone, body.ip);
  const alias = ((body.alias_ips as string[] | undefined) ?? []).map((a) =>
    allocateIp(state, n, server.location.network_zone, a),
  );
  // Reserved at once, so that concurrent attaches never get the same address.
  server.private_net.push({ network: n.id, ip, alias_ips: alias, mac_address: mac(server.id, n.id) });
  const action = state.startAction(
    "attach_to_network",
    [
      { id: server.id, type: "server" },
      { id: n.id, type: "network" },
    ],
    { onFail: () => void (server.private_net = server.private_net.filter((p) => p.network !== n.id)) },
  );
  return { status: 201, body: { action } };
}

function detachServer({ state, params, body }: Ctx): { status: number; body: unknown } {
  const server = find(state.servers, "server", params.id);
  const n = find(state.networks, "network", String(body.network));
  if (state.busy("server", server.id)) throw new ApiError(423, "locked", "server is locked by a running action");
  if (!server.private_net.some((p) => p.network === n.id))
    throw new ApiError(422, "server_not_attached", "the server is not attached to the network");
  const action = state.startAction(
    "detach_from_network",
    [
      { id: server.id, type: "server" },
      { id: n.id, type: "network" },
    ],
    { effect: () => void (server.private_net = server.private_net.filter((p) => p.network !== n.id)) },
  );
  return { status: 201, body: { action } };
}

export const networkRoutes: Record<string, Handler> = {
  "GET /networks": (ctx) =>
    paginate(
      ctx,
      "networks",
      filter(ctx, ctx.state.networks.values()).map((n) => networkView(ctx.state, n)),
    ),
  "POST /networks": createNetwork,
  "GET /networks/{id}": ({ state, params }) => ({
    body: { network: networkView(state, find(state.networks, "network", params.id)) },
  }),
  "PUT /networks/{id}": ({ state, params, body }) => {
    const n = find(state.networks, "network", params.id);
    checkLabels(body);
    if (typeof body.name === "string") n.name = body.name;
    if (body.labels) n.labels = labelsOf(body);
    if (typeof body.expose_routes_to_vswitch === "boolean") n.expose_routes_to_vswitch = body.expose_routes_to_vswitch;
    return { body: { network: networkView(state, n) } };
  },
  "DELETE /networks/{id}": deleteNetwork,
  "POST /networks/{id}/actions/add_subnet": networkAction("add_subnet", (n, { body }) => {
    const subnet = newSubnet(n, body);
    n.subnets.push(subnet); // reserved at once: a second add_subnet must not get the same block
    return () => undefined;
  }),
  "POST /networks/{id}/actions/delete_subnet": networkAction("delete_subnet", (n, { state, body }) => {
    const subnet = n.subnets.find((s) => s.ip_range === body.ip_range);
    if (!subnet) throw invalidField("ip_range", "no such subnet");
    const range = parseCidr(subnet.ip_range!)!;
    if ([...usedIps(state, n)].some((ip) => ip !== subnet.gateway && within({ base: ipToInt(ip)!, bits: 32 }, range)))
      // The real answer (terraform-provider-hcloud retries on exactly this message and code).
      throw new ApiError(503, "service_error", "cannot remove subnet because servers are attached to it");
    return () => void (n.subnets = n.subnets.filter((s) => s !== subnet));
  }),
  "POST /networks/{id}/actions/add_route": networkAction("add_route", (n, { body }) => {
    const route = checkedRoute(n, body);
    if (n.routes.some((r) => r.destination === route.destination)) throw new ApiError(422, "conflict", "route exists");
    return () => void n.routes.push(route);
  }),
  "POST /networks/{id}/actions/delete_route": networkAction("delete_route", (n, { body }) => {
    if (!n.routes.some((r) => sameRoute(r, body))) throw invalidField("destination", "no such route");
    return () => void (n.routes = n.routes.filter((r) => !sameRoute(r, body)));
  }),
  "POST /networks/{id}/actions/change_ip_range": networkAction("change_ip_range", changeIpRange),
  "POST /networks/{id}/actions/change_protection": networkAction("change_protection", (n, { body }) => {
    return () => void (typeof body.delete === "boolean" && (n.protection.delete = body.delete));
  }),
  "POST /servers/{id}/actions/attach_to_network": attachServer,
  "POST /servers/{id}/actions/detach_from_network": detachServer,
};
