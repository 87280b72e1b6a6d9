// Load Balancers in the fake: types, CRUD, targets (server, label selector, IP; over the private
// Network with use_private_ip), services with health checks, Network attachment, algorithm, type
// and public interface actions. Responses come from lbView (health per target and service).
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
import { LOAD_BALANCER_TYPES } from "./catalog.js";
import { allocateIp } from "./routes-networks.js";
import {
  addService,
  checkedTarget,
  findTarget,
  lbView,
  newService,
  updatedService,
  type LoadBalancer,
} from "./lb-model.js";
import type { FakeState } from "./state.js";

type S = components["schemas"];

function named<T extends { id: number; name: string }>(items: T[], ref: unknown, field: string): T {
  const hit = items.find((t) => t.id === Number(ref) || t.name === ref);
  if (!hit) throw invalidField(field, `${field} '${String(ref)}' not found`);
  return hit;
}

function attach(state: FakeState, lb: LoadBalancer, b: Record<string, unknown>): void {
  const n = find(state.networks, "network", String(b.network));
  if (lb.private_net.length)
    throw new ApiError(422, "load_balancer_already_attached", "the Load Balancer is already attached to a network");
  lb.private_net.push({ network: n.id, ip: allocateIp(state, n, lb.location.network_zone, b.ip) });
}

function newLoadBalancer(state: FakeState, b: Record<string, unknown>): LoadBalancer {
  const zone = b.network_zone as string | undefined;
  if (b.location === undefined && zone === undefined)
    throw invalidField("location", "location or network_zone is required");
  const location = named(
    state.locations,
    b.location ?? state.locations.find((l) => l.network_zone === zone)?.name,
    "location",
  );
  return {
    id: state.id(),
    name: String(b.name),
    labels: labelsOf(b),
    created: state.iso(),
    algorithm: { type: (b.algorithm as S["load_balancer_algorithm"] | undefined)?.type ?? "round_robin" },
    load_balancer_type: structuredClone(named(LOAD_BALANCER_TYPES, b.load_balancer_type, "load_balancer_type")),
    location: structuredClone(location),
    public_net: {
      enabled: b.public_interface !== false,
      ipv4: { ip: state.ip("203.0.113"), dns_ptr: null },
      ipv6: { ip: `2001:db8:1b::${state.id().toString(16)}`, dns_ptr: null },
    },
    private_net: [],
    protection: { delete: false },
    services: [],
    targets: [],
    included_traffic: 21990232555520,
    ingoing_traffic: null,
    outgoing_traffic: null,
  };
}

function createLoadBalancer({ state, body: b }: Ctx): { status: number; body: unknown } {
  checkLabels(b);
  if ([...state.loadBalancers.values()].some((l) => l.name === b.name))
    throw new ApiError(409, "uniqueness_error", "load balancer name is already used", { fields: [{ name: "name" }] });
  const lb = newLoadBalancer(state, b);
  if (b.network !== undefined) attach(state, lb, b);
  for (const s of (b.services as Record<string, unknown>[] | undefined) ?? []) addService(lb, newService(s));
  for (const t of (b.targets as Record<string, unknown>[] | undefined) ?? [])
    lb.targets.push(checkedTarget(state, lb, t));
  state.loadBalancers.set(lb.id, lb);
  const action = state.startAction("create_load_balancer", [{ id: lb.id, type: "load_balancer" }]);
  return { status: 201, body: { load_balancer: lbView(state, lb), action } };
}

/** An action on one Load Balancer: checked (and reserved) now, `apply` returns what happens at its end. */
function lbAction(command: string, apply: (lb: LoadBalancer, ctx: Ctx) => (() => void) | void): Handler {
  return (ctx) => {
    const lb = find(ctx.state.loadBalancers, "load_balancer", ctx.params.id);
    if (ctx.state.busy("load_balancer", lb.id))
      throw new ApiError(423, "locked", "load balancer is locked by a running action");
    const effect = apply(lb, ctx) ?? undefined;
    const action = ctx.state.startAction(command, [{ id: lb.id, type: "load_balancer" }], { effect });
    return { status: 201, body: { action } };
  };
}

function service(lb: LoadBalancer, port: unknown): S["load_balancer_service"] {
  const s = lb.services.find((x) => x.listen_port === port);
  if (!s) throw invalidField("listen_port", `no service listens on port ${String(port)}`);
  return s;
}

function changeType(lb: LoadBalancer, { body }: Ctx): () => void {
  const type = named(LOAD_BALANCER_TYPES, body.load_balancer_type, "load_balancer_type");
  if (lb.services.length > type.max_services || lb.targets.length > type.max_targets)
    throw new ApiError(422, "invalid_load_balancer_type", "the Load Balancer type does not fit the Load Balancer");
  return () => void (lb.load_balancer_type = structuredClone(type));
}

function disablePublic(lb: LoadBalancer): () => void {
  if (!lb.private_net.length)
    throw new ApiError(422, "load_balancer_not_attached_to_network", "the Load Balancer is not attached to a network");
  if (lb.targets.some((t) => !t.use_private_ip))
    throw new ApiError(422, "targets_without_use_private_ip", "the Load Balancer has targets that use their public IP");
  return () => void (lb.public_net.enabled = false);
}

function detach(lb: LoadBalancer, { body }: Ctx): () => void {
  if (!lb.private_net.some((p) => p.network === body.network))
    throw new ApiError(422, "load_balancer_not_attached", "the Load Balancer is not attached to this network");
  if (!lb.public_net.enabled)
    throw new ApiError(422, "load_balancer_public_interface_disabled", "enable the public interface before detaching");
  return () => void (lb.private_net = lb.private_net.filter((p) => p.network !== body.network));
}

function deleteLoadBalancer({ state, params }: Ctx): { status: number; body: unknown } {
  const lb = find(state.loadBalancers, "load_balancer", params.id);
  if (lb.protection.delete) throw new ApiError(403, "protected", "load balancer is protected against deletion");
  state.loadBalancers.delete(lb.id);
  return { status: 204, body: null };
}

const typeMap = () => new Map(LOAD_BALANCER_TYPES.map((t) => [t.id, t]));

export const loadBalancerRoutes: Record<string, Handler> = {
  "GET /load_balancer_types": (ctx) => paginate(ctx, "load_balancer_types", filter(ctx, LOAD_BALANCER_TYPES)),
  "GET /load_balancer_types/{id}": ({ params }) => ({
    body: { load_balancer_type: find(typeMap(), "load_balancer_type", params.id) },
  }),
  "GET /load_balancers": (ctx) =>
    paginate(
      ctx,
      "load_balancers",
      filter(ctx, ctx.state.loadBalancers.values()).map((lb) => lbView(ctx.state, lb)),
    ),
  "POST /load_balancers": createLoadBalancer,
  "GET /load_balancers/{id}": ({ state, params }) => ({
    body: { load_balancer: lbView(state, find(state.loadBalancers, "load_balancer", params.id)) },
  }),
  "PUT /load_balancers/{id}": ({ state, params, body }) => {
    const lb = find(state.loadBalancers, "load_balancer", params.id);
    checkLabels(body);
    if (typeof body.name === "string") lb.name = body.name;
    if (body.labels) lb.labels = labelsOf(body);
    return { body: { load_balancer: lbView(state, lb) } };
  },
  "DELETE /load_balancers/{id}": deleteLoadBalancer,
  "POST /load_balancers/{id}/actions/add_target": lbAction("add_target", (lb, { state, body }) => {
    lb.targets.push(checkedTarget(state, lb, body));
  }),
  "POST /load_balancers/{id}/actions/remove_target": lbAction("remove_target", (lb, { body }) => {
    const t = findTarget(lb, body);
    if (!t) throw invalidField("type", "no such target");
    return () => void (lb.targets = lb.targets.filter((x) => x !== t));
  }),
  "POST /load_balancers/{id}/actions/add_service": lbAction("add_service", (lb, { body }) => {
    addService(lb, newService(body));
  }),
  "POST /load_balancers/{id}/actions/update_service": lbAction("update_service", (lb, { body }) => {
    const next = updatedService(service(lb, body.listen_port), body);
    return () => void (lb.services = lb.services.map((s) => (s.listen_port === next.listen_port ? next : s)));
  }),
  "POST /load_balancers/{id}/actions/delete_service": lbAction("delete_service", (lb, { body }) => {
    const old = service(lb, body.listen_port);
    return () => void (lb.services = lb.services.filter((s) => s !== old));
  }),
  "POST /load_balancers/{id}/actions/attach_to_network": lbAction("attach_to_network", (lb, { state, body }) => {
    attach(state, lb, body);
  }),
  "POST /load_balancers/{id}/actions/detach_from_network": lbAction("detach_from_network", detach),
  "POST /load_balancers/{id}/actions/change_algorithm": lbAction("change_algorithm", (lb, { body }) => {
    return () => void (lb.algorithm = { type: body.type as S["load_balancer_algorithm"]["type"] });
  }),
  "POST /load_balancers/{id}/actions/change_type": lbAction("change_load_balancer_type", changeType),
  "POST /load_balancers/{id}/actions/enable_public_interface": lbAction("enable_public_interface", (lb) => {
    return () => void (lb.public_net.enabled = true);
  }),
  "POST /load_balancers/{id}/actions/disable_public_interface": lbAction("disable_public_interface", disablePublic),
  "POST /load_balancers/{id}/actions/change_protection": lbAction("change_protection", (lb, { body }) => {
    return () => void (typeof body.delete === "boolean" && (lb.protection.delete = body.delete));
  }),
};
