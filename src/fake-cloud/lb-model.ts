// The Load Balancer records of the fake: services with the API's defaults, the checks on targets
// (private IPs need a shared Network), and the view the API answers with, where each target
// carries its health per service and a label selector lists the servers it currently selects.
import type { components } from "../hcloud/generated/schema.js";
import { ApiError, invalidField } from "./reply.js";
import { parseSelector } from "./labels.js";
import type { FakeState, HealthStatus, Server } from "./state.js";

type S = components["schemas"];
export type LoadBalancer = S["load_balancer"];
type Service = S["load_balancer_service"];
type HealthCheck = Service["health_check"];
type Target = S["load_balancer_target"];

const HTTP_DEFAULTS = {
  cookie_name: "HCLBSTICKY",
  cookie_lifetime: 300,
  certificates: [] as number[],
  redirect_http: false,
  sticky_sessions: false,
};
const DEFAULT_PORTS = { http: [80, 80], https: [443, 80], tcp: [undefined, undefined] } as const;

function defaultCheck(protocol: Service["protocol"], port: number): HealthCheck {
  const http = { domain: null, path: "/", response: "", status_codes: ["2??", "3??"], tls: false };
  return {
    protocol: protocol === "tcp" ? "tcp" : "http",
    port,
    interval: 15,
    timeout: 10,
    retries: 3,
    ...(protocol === "tcp" ? {} : { http }),
  };
}

function mergeCheck(base: HealthCheck, patch: Partial<HealthCheck> | undefined): HealthCheck {
  if (!patch) return base;
  const out = { ...base, ...patch } as HealthCheck;
  if (out.protocol === "http") out.http = { ...defaultCheck("http", out.port).http!, ...base.http, ...patch.http };
  else delete out.http;
  return out;
}

/** A new service from a request, with the defaults the API fills in. */
export function newService(b: Record<string, unknown>): Service {
  const protocol = b.protocol as Service["protocol"];
  if (!(protocol in DEFAULT_PORTS)) throw invalidField("protocol", "must be one of tcp, http, https");
  const [listen, dest] = DEFAULT_PORTS[protocol];
  const listen_port = (b.listen_port as number | undefined) ?? listen;
  const destination_port = (b.destination_port as number | undefined) ?? dest;
  if (listen_port === undefined || destination_port === undefined)
    throw invalidField("listen_port", "tcp services need listen_port and destination_port");
  return {
    protocol,
    listen_port,
    destination_port,
    proxyprotocol: b.proxyprotocol === true,
    health_check: mergeCheck(defaultCheck(protocol, destination_port), b.health_check as Partial<HealthCheck>),
    ...(protocol === "tcp" ? {} : { http: { ...HTTP_DEFAULTS, ...(b.http as object | undefined) } }),
  };
}

/** update_service: every given field replaces the old one; the health check is merged field by field. */
export function updatedService(old: Service, b: Record<string, unknown>): Service {
  const protocol = (b.protocol as Service["protocol"] | undefined) ?? old.protocol;
  const out: Service = {
    ...old,
    protocol,
    destination_port: (b.destination_port as number | undefined) ?? old.destination_port,
    proxyprotocol: typeof b.proxyprotocol === "boolean" ? b.proxyprotocol : old.proxyprotocol,
    health_check: mergeCheck(old.health_check, b.health_check as Partial<HealthCheck>),
  };
  if (protocol === "tcp") delete out.http;
  else out.http = { ...HTTP_DEFAULTS, ...old.http, ...(b.http as object | undefined) };
  return out;
}

export function addService(lb: LoadBalancer, service: Service): void {
  if (lb.services.some((s) => s.listen_port === service.listen_port))
    throw new ApiError(422, "source_port_already_used", `listen port ${service.listen_port} is already used`);
  if (lb.services.length >= lb.load_balancer_type.max_services)
    throw new ApiError(422, "resource_limit_exceeded", "the Load Balancer type allows no more services");
  lb.services.push(service);
}

const sameTarget = (a: Target, b: Record<string, unknown>) =>
  a.type === b.type &&
  (a.type === "server"
    ? a.server?.id === (b.server as { id?: number } | undefined)?.id
    : a.type === "ip"
      ? a.ip?.ip === (b.ip as { ip?: string } | undefined)?.ip
      : a.label_selector?.selector === (b.label_selector as { selector?: string } | undefined)?.selector);

export function findTarget(lb: LoadBalancer, b: Record<string, unknown>): Target | undefined {
  return lb.targets.find((t) => sameTarget(t, b));
}

function checkPrivate(state: FakeState, lb: LoadBalancer, t: Target): void {
  const network = lb.private_net[0]?.network;
  if (network === undefined)
    throw new ApiError(422, "load_balancer_not_attached_to_network", "the Load Balancer is not attached to a network");
  const server = t.server ? state.servers.get(t.server.id) : undefined;
  if (server && !server.private_net.some((p) => p.network === network))
    throw new ApiError(
      422,
      "server_not_attached_to_network",
      "the server is not attached to the Load Balancer's network",
    );
}

/** The checks the API makes before it accepts a target (spec: add_target's operation errors). */
export function checkedTarget(state: FakeState, lb: LoadBalancer, b: Record<string, unknown>): Target {
  const t: Target = { type: b.type as Target["type"], use_private_ip: b.use_private_ip === true };
  if (findTarget(lb, b)) throw new ApiError(422, "target_already_defined", "the target is already defined");
  if (lb.targets.length >= lb.load_balancer_type.max_targets)
    throw new ApiError(422, "resource_limit_exceeded", "the Load Balancer type allows no more targets");
  if (t.type === "server") {
    const id = (b.server as { id?: number } | undefined)?.id;
    if (id === undefined || !state.servers.has(id))
      throw new ApiError(404, "not_found", `server with ID '${id}' not found`);
    t.server = { id };
  } else if (t.type === "label_selector") {
    const selector = (b.label_selector as { selector?: string } | undefined)?.selector ?? "";
    if (!parseSelector(selector)) throw new ApiError(400, "invalid_input", `invalid label_selector: ${selector}`);
    t.label_selector = { selector };
  } else {
    const ip = (b.ip as { ip?: string } | undefined)?.ip ?? "";
    const cloud = [...state.servers.values()].some((s) => s.public_net.ipv4?.ip === ip);
    if (cloud) throw new ApiError(422, "cloud_resource_ip_not_allowed", "the IP belongs to a Hetzner Cloud resource");
    t.ip = { ip };
  }
  if (t.use_private_ip) checkPrivate(state, lb, t);
  else if (!lb.public_net.enabled)
    throw new ApiError(
      422,
      "load_balancer_public_interface_disabled",
      "the Load Balancer's public interface is disabled",
    );
  return t;
}

function healthOf(state: FakeState, lb: LoadBalancer, server: Server, usePrivate: boolean, port: number): HealthStatus {
  const network = lb.private_net[0]?.network;
  if (usePrivate && !server.private_net.some((p) => p.network === network)) return "unhealthy";
  return state.health(lb, server, port);
}

function health(state: FakeState, lb: LoadBalancer, server: Server | undefined, usePrivate: boolean) {
  return lb.services.map((s) => ({
    listen_port: s.listen_port,
    status: server ? healthOf(state, lb, server, usePrivate, s.listen_port) : ("unknown" as const),
  }));
}

/** The servers a label selector target currently selects. */
export function selected(state: FakeState, selector: string): Server[] {
  const pred = parseSelector(selector) ?? (() => false);
  return [...state.servers.values()].filter((s) => pred(s.labels));
}

export function lbView(state: FakeState, lb: LoadBalancer): LoadBalancer {
  const out = structuredClone(lb);
  out.targets = out.targets.map((t) => {
    const usePrivate = t.use_private_ip === true;
    if (t.type === "server")
      return { ...t, health_status: health(state, lb, state.servers.get(t.server!.id), usePrivate) };
    if (t.type === "ip") return { ...t, health_status: health(state, lb, undefined, false) };
    const targets = selected(state, t.label_selector!.selector).map((s) => ({
      type: "server",
      server: { id: s.id },
      use_private_ip: usePrivate,
      health_status: health(state, lb, s, usePrivate),
    }));
    return { ...t, targets };
  });
  return out;
}

/** The Load Balancers whose targets include the server, directly or by label (a server's `load_balancers`). */
export function balancersOf(state: FakeState, server: Server): number[] {
  return [...state.loadBalancers.values()]
    .filter((lb) =>
      lb.targets.some((t) =>
        t.type === "server"
          ? t.server?.id === server.id
          : t.type === "label_selector" && selected(state, t.label_selector!.selector).includes(server),
      ),
    )
    .map((lb) => lb.id);
}
