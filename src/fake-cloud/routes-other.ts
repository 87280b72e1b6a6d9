// Everything in the fake besides servers: actions, images/snapshots, SSH keys, Floating IPs,
// firewalls, server types, locations, and the 410 that replaced datacenters.
import { createHash } from "node:crypto";
import type { components } from "../hcloud/generated/schema.js";
import { ApiError, checkLabels, filter, find, labelsOf, paginate, type Ctx, type Handler } from "./reply.js";
import { machine } from "./routes-servers.js";

type S = components["schemas"];

function datacentersGone(): never {
  throw new ApiError(410, "gone", "the datacenters endpoints were removed on 2026-10-01; use locations");
}

function sortBy<T extends { id: number; created?: string; name?: string | null }>(ctx: Ctx, items: T[]): T[] {
  const sort = ctx.query.get("sort");
  if (!sort) return items;
  const [field, dir] = sort.split(":") as [keyof T, string | undefined];
  const sign = dir === "desc" ? -1 : 1;
  return [...items].sort((a, b) =>
    String(a[field] ?? "") < String(b[field] ?? "")
      ? -sign
      : String(a[field] ?? "") > String(b[field] ?? "")
        ? sign
        : sign * (a.id - b.id),
  );
}

/** MD5 fingerprint of the key blob, as the API and `ssh-keygen -E md5 -l` show it. */
export function fingerprint(publicKey: string): string | undefined {
  const m = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-\S+)\s+([A-Za-z0-9+/=]+)(\s|$)/.exec(publicKey.trim());
  if (!m) return undefined;
  const blob = Buffer.from(m[2]!, "base64");
  if (blob.length < 16) return undefined;
  return createHash("md5").update(blob).digest("hex").match(/../g)!.join(":");
}

function createSshKey({ state, body: b }: Ctx): { status: number; body: unknown } {
  checkLabels(b);
  const fp = fingerprint(String(b.public_key));
  if (!fp)
    throw new ApiError(400, "invalid_input", "invalid input in field 'public_key'", {
      fields: [{ name: "public_key", messages: ["invalid public key"] }],
    });
  const dup = [...state.sshKeys.values()].find((k) => k.name === b.name || k.fingerprint === fp);
  if (dup)
    throw new ApiError(409, "uniqueness_error", "SSH key with the same fingerprint or name already exists", {
      fields: [{ name: dup.name === b.name ? "name" : "public_key" }],
    });
  const key: S["ssh_key"] = {
    id: state.id(),
    name: String(b.name),
    public_key: String(b.public_key).trim(),
    fingerprint: fp,
    labels: labelsOf(b),
    created: state.iso(),
  };
  state.sshKeys.set(key.id, key);
  return { status: 201, body: { ssh_key: key } };
}

function createFloatingIp({ state, body: b }: Ctx): { status: number; body: unknown } {
  checkLabels(b);
  if (!b.home_location && !b.server)
    throw new ApiError(400, "invalid_input", "one of home_location or server is required");
  const server = b.server ? find(state.servers, "server", String(b.server)) : undefined;
  const home = state.locations.find((l) => l.name === (server?.location.name ?? b.home_location));
  if (!home) throw new ApiError(400, "invalid_input", `location '${String(b.home_location)}' not found`);
  const name = typeof b.name === "string" ? b.name : `floating-ip-${state.id()}`;
  if ([...state.floatingIps.values()].some((f) => f.name === name))
    throw new ApiError(409, "uniqueness_error", "name is already used");
  const ip: S["floating_ip"] = {
    id: state.id(),
    name,
    description: (b.description as string | null) ?? null,
    ip: b.type === "ipv6" ? "2001:db8:ff::/64" : (state.opts.backend?.allocateFloatingIp() ?? state.ip("198.51.100")),
    type: b.type === "ipv6" ? "ipv6" : "ipv4",
    server: null,
    dns_ptr: [],
    home_location: structuredClone(home),
    blocked: false,
    protection: { delete: false },
    labels: labelsOf(b),
    created: state.iso(),
  };
  state.floatingIps.set(ip.id, ip);
  const res = [{ id: ip.id, type: "floating_ip" }, ...(server ? [{ id: server.id, type: "server" }] : [])];
  const work = server ? state.opts.backend?.routeFloatingIp(ip.ip, machine(server)) : undefined;
  const action = state.startAction("create_floating_ip", res, {
    work,
    effect: () => void (server && (ip.server = server.id)),
  });
  return { status: 201, body: { floating_ip: ip, action } };
}

function assign({ state, params, body }: Ctx): { status: number; body: unknown } {
  const ip = find(state.floatingIps, "floating_ip", params.id);
  const server = find(state.servers, "server", String(body.server));
  if (server.location.network_zone !== ip.home_location.network_zone)
    throw new ApiError(422, "floating_ip_assigned", "server is in another network zone");
  const work = state.opts.backend?.routeFloatingIp(ip.ip, machine(server));
  const action = state.startAction(
    "assign_floating_ip",
    [
      { id: ip.id, type: "floating_ip" },
      { id: server.id, type: "server" },
    ],
    { work, effect: () => void (ip.server = server.id) },
  );
  return { status: 201, body: { action } };
}

function unassign({ state, params }: Ctx): { status: number; body: unknown } {
  const ip = find(state.floatingIps, "floating_ip", params.id);
  const work = state.opts.backend?.routeFloatingIp(ip.ip, undefined);
  const action = state.startAction("unassign_floating_ip", [{ id: ip.id, type: "floating_ip" }], {
    work,
    effect: () => void (ip.server = null),
  });
  return { status: 201, body: { action } };
}

function createFirewall({ state, body: b }: Ctx): { status: number; body: unknown } {
  checkLabels(b);
  if ([...state.firewalls.values()].some((f) => f.name === b.name))
    throw new ApiError(409, "uniqueness_error", "name is already used");
  const rules = ((b.rules as S["rule"][]) ?? []).map((r) => ({
    description: r.description ?? null,
    direction: r.direction,
    protocol: r.protocol,
    port: r.port ?? null,
    source_ips: r.source_ips ?? [],
    destination_ips: r.destination_ips ?? [],
  }));
  const fw: S["firewall"] = {
    id: state.id(),
    name: String(b.name),
    labels: labelsOf(b),
    rules,
    applied_to: [],
    created: state.iso(),
  };
  state.firewalls.set(fw.id, fw);
  const actions = ((b.apply_to as { server?: { id: number } }[]) ?? []).map((a) =>
    applyOne(ctxState(state), fw, a.server?.id),
  );
  return { status: 201, body: { firewall: fw, actions } };
}

const ctxState = (s: Ctx["state"]): Ctx["state"] => s;

function applyOne(state: Ctx["state"], fw: S["firewall"], serverId: number | undefined): S["action"] {
  const server = find(state.servers, "server", String(serverId));
  fw.applied_to.push({ type: "server", server: { id: server.id } });
  return state.startAction("apply_firewall", [
    { id: fw.id, type: "firewall" },
    { id: server.id, type: "server" },
  ]);
}

function applyFirewall(remove: boolean): Handler {
  return ({ state, params, body }) => {
    const fw = find(state.firewalls, "firewall", params.id);
    const targets = ((body.apply_to ?? body.remove_from) as { server?: { id: number } }[]) ?? [];
    const actions = targets.map((t) => {
      if (!remove) return applyOne(state, fw, t.server?.id);
      fw.applied_to = fw.applied_to.filter((a) => a.server?.id !== t.server?.id);
      return state.startAction("remove_firewall", [{ id: fw.id, type: "firewall" }]);
    });
    return { status: 201, body: { actions } };
  };
}

function deleteResource(kind: "ssh_key" | "floating_ip" | "firewall" | "image"): Handler {
  return ({ state, params }) => {
    const map = {
      ssh_key: state.sshKeys,
      floating_ip: state.floatingIps,
      firewall: state.firewalls,
      image: state.images,
    }[kind] as Map<number, { id: number }>;
    const item = find(map, kind, params.id) as { type?: string; applied_to?: unknown[] };
    if (kind === "image" && item.type === "system")
      throw new ApiError(403, "forbidden", "system images cannot be deleted");
    if (kind === "firewall" && item.applied_to?.length)
      throw new ApiError(422, "resource_in_use", "firewall is still applied to resources");
    map.delete(Number(params.id));
    const backend = state.opts.backend;
    if (backend && kind === "image") void backend.deleteImage(Number(params.id)).catch(() => undefined);
    if (backend && kind === "floating_ip")
      void backend.routeFloatingIp((item as unknown as S["floating_ip"]).ip, undefined).catch(() => undefined);
    return { status: 204, body: null };
  };
}

function update<T extends { labels?: Record<string, string>; name?: string | null; description?: string | null }>(
  map: (c: Ctx) => Map<number, T>,
  kind: string,
  key: string,
): Handler {
  return (ctx) => {
    const item = find(map(ctx), kind, ctx.params.id);
    checkLabels(ctx.body);
    if (ctx.body.labels) item.labels = labelsOf(ctx.body);
    if (typeof ctx.body.name === "string") item.name = ctx.body.name;
    if (typeof ctx.body.description === "string") item.description = ctx.body.description;
    return { body: { [key]: item } };
  };
}

export const otherRoutes: Record<string, Handler> = {
  "GET /actions": ({ state, query }) => ({
    body: { actions: query.getAll("id").map((id) => find(state.actions, "action", id).action) },
  }),
  "GET /actions/{id}": ({ state, params }) => ({ body: { action: find(state.actions, "action", params.id).action } }),
  "GET /images": (ctx) => {
    const types = ctx.query.getAll("type");
    const arch = ctx.query.get("architecture");
    const status = ctx.query.getAll("status");
    const items = filter(ctx, ctx.state.images.values()).filter(
      (i) =>
        (types.length === 0 || types.includes(i.type)) &&
        (!arch || i.architecture === arch) &&
        (status.length === 0 || status.includes(i.status)),
    );
    return paginate(ctx, "images", sortBy(ctx, items));
  },
  "GET /images/{id}": ({ state, params }) => ({ body: { image: find(state.images, "image", params.id) } }),
  "PUT /images/{id}": update((c) => c.state.images, "image", "image"),
  "DELETE /images/{id}": deleteResource("image"),
  "GET /ssh_keys": (ctx) => {
    const fp = ctx.query.get("fingerprint");
    return paginate(
      ctx,
      "ssh_keys",
      filter(ctx, ctx.state.sshKeys.values()).filter((k) => !fp || k.fingerprint === fp),
    );
  },
  "POST /ssh_keys": createSshKey,
  "GET /ssh_keys/{id}": ({ state, params }) => ({ body: { ssh_key: find(state.sshKeys, "ssh_key", params.id) } }),
  "PUT /ssh_keys/{id}": update((c) => c.state.sshKeys, "ssh_key", "ssh_key"),
  "DELETE /ssh_keys/{id}": deleteResource("ssh_key"),
  "GET /floating_ips": (ctx) => paginate(ctx, "floating_ips", filter(ctx, ctx.state.floatingIps.values())),
  "POST /floating_ips": createFloatingIp,
  "GET /floating_ips/{id}": ({ state, params }) => ({
    body: { floating_ip: find(state.floatingIps, "floating_ip", params.id) },
  }),
  "PUT /floating_ips/{id}": update((c) => c.state.floatingIps, "floating_ip", "floating_ip"),
  "DELETE /floating_ips/{id}": deleteResource("floating_ip"),
  "POST /floating_ips/{id}/actions/assign": assign,
  "POST /floating_ips/{id}/actions/unassign": unassign,
  "GET /firewalls": (ctx) => paginate(ctx, "firewalls", filter(ctx, ctx.state.firewalls.values())),
  "POST /firewalls": createFirewall,
  "GET /firewalls/{id}": ({ state, params }) => ({ body: { firewall: find(state.firewalls, "firewall", params.id) } }),
  "PUT /firewalls/{id}": update((c) => c.state.firewalls, "firewall", "firewall"),
  "DELETE /firewalls/{id}": deleteResource("firewall"),
  "POST /firewalls/{id}/actions/apply_to_resources": applyFirewall(false),
  "POST /firewalls/{id}/actions/remove_from_resources": applyFirewall(true),
  "GET /server_types": (ctx) => paginate(ctx, "server_types", filter(ctx, ctx.state.serverTypes)),
  "GET /server_types/{id}": ({ state, params }) => ({
    body: { server_type: find(new Map(state.serverTypes.map((t) => [t.id, t])), "server_type", params.id) },
  }),
  "GET /locations": (ctx) => paginate(ctx, "locations", filter(ctx, ctx.state.locations)),
  "GET /locations/{id}": ({ state, params }) => ({
    body: { location: find(new Map(state.locations.map((t) => [t.id, t])), "location", params.id) },
  }),
  // Hetzner retired the datacenters endpoints after 2026-10-01 (HTTP 410); the error code is not
  // published, "gone" stands in for it. The vendored February 2026 spec still describes them.
  "GET /datacenters": datacentersGone,
  "GET /datacenters/{id}": datacentersGone,
};
