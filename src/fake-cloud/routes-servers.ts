// Servers and their actions in the fake: create (with next_actions), list/get/update/delete,
// poweroff, poweron, shutdown, reboot and create_image.
import type { components } from "../hcloud/generated/schema.js";
import { ApiError, checkLabels, filter, find, labelsOf, paginate, type Ctx, type Handler } from "./reply.js";
import type { FakeState, Server } from "./state.js";
import type { BackendServer } from "./backend.js";
import type { ServerType } from "./catalog.js";
import { balancersOf } from "./lb-model.js";
import { attachAtCreate } from "./routes-networks.js";

type S = components["schemas"];
const USER_DATA_LIMIT = 32_768;

/** What a backend needs to know about a server. */
export function machine(s: Server): BackendServer {
  return { id: s.id, name: s.name, ip: s.public_net.ipv4?.ip ?? "" };
}

/** A server as the API shows it: Floating IPs and firewalls are derived from their own records. */
export function view(state: FakeState, s: Server): Server {
  const out = structuredClone(s);
  out.public_net.floating_ips = [...state.floatingIps.values()].filter((f) => f.server === s.id).map((f) => f.id);
  out.public_net.firewalls = [...state.firewalls.values()]
    .filter((fw) => fw.applied_to.some((a) => a.server?.id === s.id))
    .map((fw) => ({ id: fw.id, status: "applied" as const }));
  out.load_balancers = balancersOf(state, s);
  return out;
}

function byIdOrName<T extends { id: number; name?: string | null }>(
  items: Iterable<T>,
  ref: unknown,
  field: string,
  extra: (t: T) => boolean = () => true,
): T {
  const list = [...items].filter(extra);
  const hit = list.find((t) => t.id === Number(ref) || t.name === ref);
  if (!hit)
    throw new ApiError(400, "invalid_input", `${field} '${String(ref)}' not found`, {
      fields: [{ name: field, messages: ["not found"] }],
    });
  return hit;
}

function validateCreate(state: FakeState, b: Record<string, unknown>): void {
  if (typeof b.name !== "string" || !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,61}[a-zA-Z0-9])?$/.test(b.name)) {
    throw new ApiError(400, "invalid_input", "invalid input in field 'name'", {
      fields: [{ name: "name", messages: ["must be a valid hostname"] }],
    });
  }
  if ([...state.servers.values()].some((s) => s.name === b.name))
    throw new ApiError(409, "uniqueness_error", "server name is already used", { fields: [{ name: "name" }] });
  if (typeof b.user_data === "string" && Buffer.byteLength(b.user_data) > USER_DATA_LIMIT) {
    throw new ApiError(400, "invalid_input", "invalid input in field 'user_data'", {
      fields: [{ name: "user_data", messages: [`must be at most ${USER_DATA_LIMIT} bytes`] }],
    });
  }
  // Removed from the request with the 2026-07 datacenter phase-out; a client still sending it is out of date.
  if (b.datacenter !== undefined)
    throw new ApiError(400, "invalid_input", "invalid input in field 'datacenter'", {
      fields: [{ name: "datacenter", messages: ["datacenters were removed: use location"] }],
    });
  checkLabels(b);
}

interface Placement {
  type: ServerType;
  location: S["location"];
  image: S["image"];
}

function placement(state: FakeState, b: Record<string, unknown>): Placement {
  const type = byIdOrName(state.serverTypes, b.server_type, "server_type");
  const location = byIdOrName(state.locations, b.location ?? "fsn1", "location");
  // A type past its unavailable_after in a location is answered like one never offered there.
  const at = type.locations.find((l) => l.name === location.name);
  if (!at || (at.deprecation && Date.parse(at.deprecation.unavailable_after) <= state.clock.now()))
    throw new ApiError(400, "invalid_input", "unsupported location for server type", {
      fields: [{ name: "server_type", messages: ["unsupported location for server type"] }],
    });
  if (!at.available) throw new ApiError(412, "resource_unavailable", "error during placement");
  const image = byIdOrName(
    state.images.values(),
    b.image,
    "image",
    (i) => i.architecture === type.architecture && i.status === "available",
  );
  return { type, location, image };
}

function newServer(state: FakeState, b: Record<string, unknown>, id: number, ipv4: string, at: Placement): Server {
  return {
    id,
    name: b.name as string,
    status: "initializing",
    created: state.iso(),
    labels: labelsOf(b),
    server_type: structuredClone(at.type),
    location: structuredClone(at.location),
    image: structuredClone(at.image),
    iso: null,
    rescue_enabled: false,
    locked: false,
    backup_window: null,
    outgoing_traffic: 0,
    ingoing_traffic: 0,
    included_traffic: 21990232555520,
    primary_disk_size: at.type.disk,
    protection: { delete: false, rebuild: false },
    private_net: [],
    load_balancers: [],
    volumes: [],
    placement_group: null,
    public_net: {
      ipv4: { id: state.id(), ip: ipv4, blocked: false, dns_ptr: `static.${id}.example.com` },
      ipv6: { id: state.id(), ip: `2001:db8:${id.toString(16)}::/64`, blocked: false, dns_ptr: [] },
      floating_ips: [],
      firewalls: [],
    },
  };
}

/** create_server, then start_server unless start_after_create is false. */
function createActions(state: FakeState, server: Server, image: S["image"], keys: S["ssh_key"][], start: boolean) {
  const id = server.id;
  const res = [{ id, type: "server" }];
  // With a backend both actions last until the machine is booted (or failed to).
  const boot = { userData: state.userData.get(id)!, sshKeys: keys.map((k) => k.public_key), start };
  const work = state.opts.backend?.create(
    machine(server),
    image,
    boot,
    () => void (state.servers.has(id) && (server.status = "off")),
  );
  const action = state.startAction("create_server", res, {
    work,
    effect: () => void (server.status === "initializing" && (server.status = start ? "starting" : "off")),
  });
  const next = start
    ? [
        state.startAction("start_server", res, {
          work,
          afterMs: state.duration("create_server"),
          effect: () => void (server.status = "running"),
        }),
      ]
    : [];
  return { action, next };
}

async function createServer(ctx: Ctx): Promise<{ status: number; body: unknown }> {
  const { state, body: b } = ctx;
  validateCreate(state, b);
  const at = placement(state, b);
  const keys = ((b.ssh_keys as unknown[]) ?? []).map((k) => byIdOrName(state.sshKeys.values(), k, "ssh_keys"));
  const firewalls = ((b.firewalls as { firewall: number }[]) ?? []).map((f) =>
    find(state.firewalls, "firewall", String(f.firewall)),
  );
  const id = state.id();
  const backend = state.opts.backend;
  const ipv4 = backend ? await backend.allocateServerIp() : state.ip("192.0.2");
  const server = newServer(state, b, id, ipv4, at);
  attachAtCreate(state, server, (b.networks as number[] | undefined) ?? []);
  state.servers.set(id, server);
  state.userData.set(id, typeof b.user_data === "string" ? b.user_data : "");
  for (const fw of firewalls) fw.applied_to.push({ type: "server", server: { id } });
  const { action, next } = createActions(state, server, at.image, keys, b.start_after_create !== false);
  return {
    status: 201,
    body: {
      server: view(state, server),
      action,
      next_actions: next,
      root_password: keys.length ? null : "fake-root-password",
    },
  };
}

type Power = "poweron" | "poweroff" | "shutdown" | "reboot";

/** The machine's part of a power action; after a shutdown the backend reports "off" when the OS has stopped. */
function powerWork(state: FakeState, server: Server, how: Power): Promise<void> | undefined {
  const b = state.opts.backend;
  if (!b) return undefined;
  if (how === "shutdown") return b.shutdown(server.id);
  return how === "poweron" ? b.powerOn(server.id) : how === "poweroff" ? b.powerOff(server.id) : b.reboot(server.id);
}

function powerAction(command: string, to: Server["status"], how: Power): Handler {
  return ({ state, params }) => {
    const server = find(state.servers, "server", params.id);
    if (state.busy("server", server.id)) throw new ApiError(423, "locked", "server is locked by a running action");
    const work = powerWork(state, server, how);
    // Like Hetzner: the shutdown action only presses the button; a real machine reports "off" itself.
    const settle =
      work && how === "shutdown" ? undefined : () => void (state.servers.has(server.id) && (server.status = to));
    const action = state.startAction(command, [{ id: server.id, type: "server" }], { work, effect: settle });
    return { status: 201, body: { action } };
  };
}

function createImage({ state, params, body: b }: Ctx): { status: number; body: unknown } {
  const server = find(state.servers, "server", params.id);
  if (state.busy("server", server.id)) throw new ApiError(423, "locked", "server is locked by a running action");
  checkLabels(b);
  const image: S["image"] = {
    id: state.id(),
    type: b.type === "backup" ? "backup" : "snapshot",
    status: "creating",
    name: null,
    description: typeof b.description === "string" ? b.description : `${server.name}-${state.iso()}`,
    architecture: server.server_type.architecture,
    os_flavor: server.image?.os_flavor ?? "unknown",
    os_version: server.image?.os_version ?? null,
    created: state.iso(),
    created_from: { id: server.id, name: server.name },
    bound_to: null,
    deleted: null,
    deprecated: null,
    disk_size: server.primary_disk_size,
    image_size: null,
    labels: labelsOf(b),
    protection: { delete: false },
    rapid_deploy: false,
  };
  state.images.set(image.id, image);
  const action = state.startAction(
    "create_image",
    [
      { id: server.id, type: "server" },
      { id: image.id, type: "image" },
    ],
    {
      work: state.opts.backend?.createImage(server.id, image.id),
      effect: () => void ((image.status = "available"), (image.image_size = 1.2)),
      onFail: () => void state.images.delete(image.id),
    },
  );
  return { status: 201, body: { image: structuredClone(image), action } };
}

function deleteServer({ state, params }: Ctx): { body: unknown } {
  const server = find(state.servers, "server", params.id);
  server.status = "deleting";
  const backend = state.opts.backend;
  const action = state.startAction("delete_server", [{ id: server.id, type: "server" }], {
    work: backend?.deleteServer(server.id),
    effect: () => {
      state.servers.delete(server.id);
      for (const f of state.floatingIps.values()) {
        if (f.server !== server.id) continue;
        f.server = null;
        void backend?.routeFloatingIp(f.ip, undefined);
      }
      for (const fw of state.firewalls.values())
        fw.applied_to = fw.applied_to.filter((a) => a.server?.id !== server.id);
      // Like Hetzner: a deleted server stops being a Load Balancer target (label selectors just stop matching).
      for (const lb of state.loadBalancers.values())
        lb.targets = lb.targets.filter((t) => t.type !== "server" || t.server?.id !== server.id);
    },
  });
  return { body: { action } };
}

export const serverRoutes: Record<string, Handler> = {
  "GET /servers": (ctx) => {
    const status = ctx.query.getAll("status");
    const items = filter(ctx, ctx.state.servers.values()).filter(
      (s) => status.length === 0 || status.includes(s.status),
    );
    return paginate(
      ctx,
      "servers",
      items.map((s) => view(ctx.state, s)),
    );
  },
  "POST /servers": createServer,
  "GET /servers/{id}": ({ state, params }) => ({
    body: { server: view(state, find(state.servers, "server", params.id)) },
  }),
  "PUT /servers/{id}": ({ state, params, body }) => {
    const s = find(state.servers, "server", params.id);
    if (typeof body.name === "string") s.name = body.name;
    if (body.labels) s.labels = labelsOf(body);
    return { body: { server: view(state, s) } };
  },
  "DELETE /servers/{id}": deleteServer,
  "POST /servers/{id}/actions/poweroff": powerAction("stop_server", "off", "poweroff"),
  "POST /servers/{id}/actions/poweron": powerAction("start_server", "running", "poweron"),
  "POST /servers/{id}/actions/shutdown": powerAction("shutdown_server", "off", "shutdown"),
  "POST /servers/{id}/actions/reboot": powerAction("reboot_server", "running", "reboot"),
  "POST /servers/{id}/actions/create_image": createImage,
};
