// Load Balancers: a fleet's replicas sit behind one, targeted by label selector over the stack's
// private Network (use_private_ip), so a server joins once the LB sees it healthy. The rolling
// replace waits on the per-service health the API reports for each selected server.
import type { Hcloud, Labels, Schemas } from "./client.js";
import { HcloudError } from "./errors.js";
import { createOrAdopt } from "./resources.js";
import { hcloud } from "../catalogue.js";

export type LoadBalancer = Schemas["load_balancer"];
export type Service = Schemas["load_balancer_service"];
export type ServiceUpdate = Schemas["update_load_balancer_service"];
export type Target = Schemas["load_balancer_add_target"];
export type Health = Schemas["load_balancer_target_health_status"]["status"];

export interface NewLoadBalancer {
  name: string;
  /** lb11, lb21, lb31 */
  type: string;
  location: string;
  /** Attached at creation: targets may then use private IPs from the start. */
  network?: number;
  services?: Service[];
  targets?: Target[];
  algorithm?: "round_robin" | "least_connections";
  labels: Labels;
}

const path = (id: number) => ({ params: { path: { id } } });

export async function loadBalancerByName(hc: Hcloud, name: string): Promise<LoadBalancer | undefined> {
  const step = "look up the Load Balancer";
  return (await hc.call(step, hc.api.GET("/load_balancers", { params: { query: { name } } }))).load_balancers[0];
}

export async function getLoadBalancer(hc: Hcloud, id: number): Promise<LoadBalancer> {
  return (await hc.call("read the Load Balancer", hc.api.GET("/load_balancers/{id}", path(id)))).load_balancer;
}

export async function listLoadBalancers(hc: Hcloud, labelSelector: string): Promise<LoadBalancer[]> {
  return hc.listAll(
    "list Load Balancers",
    (page) =>
      hc.api.GET("/load_balancers", { params: { query: { label_selector: labelSelector, page, per_page: 50 } } }),
    "load_balancers",
  );
}

/** Creates it and waits until it is ready; a lost answer is looked up by name and handed to `created`. */
export async function createLoadBalancer(
  hc: Hcloud,
  lb: NewLoadBalancer,
  created: (id: number) => void,
): Promise<LoadBalancer> {
  const step = "create the Load Balancer";
  const body = {
    name: lb.name,
    load_balancer_type: lb.type,
    location: lb.location,
    labels: lb.labels,
    ...(lb.network !== undefined ? { network: lb.network } : {}),
    ...(lb.services ? { services: lb.services } : {}),
    ...(lb.targets ? { targets: lb.targets } : {}),
    ...(lb.algorithm ? { algorithm: { type: lb.algorithm } } : {}),
  };
  const data = await createOrAdopt(
    () => hc.call(step, hc.api.POST("/load_balancers", { body })),
    () => loadBalancerByName(hc, lb.name),
    created,
  );
  if (!data.load_balancer) throw new HcloudError(step, "no_load_balancer", hcloud.noLoadBalancerReturned());
  created(data.load_balancer.id);
  await hc.waitForActions(step, [data.action]);
  return getLoadBalancer(hc, data.load_balancer.id);
}

export async function deleteLoadBalancer(hc: Hcloud, id: number): Promise<void> {
  await hc.call("delete the Load Balancer", hc.api.DELETE("/load_balancers/{id}", path(id)));
}

export async function addTarget(hc: Hcloud, id: number, target: Target): Promise<void> {
  const step = "add the Load Balancer target";
  const data = await hc.call(
    step,
    hc.api.POST("/load_balancers/{id}/actions/add_target", { ...path(id), body: target }),
  );
  await hc.waitForActions(step, [data.action]);
}

export async function removeTarget(hc: Hcloud, id: number, target: Target): Promise<void> {
  const step = "remove the Load Balancer target";
  const { use_private_ip: _, ...body } = target;
  const data = await hc.call(step, hc.api.POST("/load_balancers/{id}/actions/remove_target", { ...path(id), body }));
  await hc.waitForActions(step, [data.action]);
}

export async function addService(hc: Hcloud, id: number, service: Service): Promise<void> {
  const step = "add the Load Balancer service";
  const data = await hc.call(
    step,
    hc.api.POST("/load_balancers/{id}/actions/add_service", { ...path(id), body: service }),
  );
  await hc.waitForActions(step, [data.action]);
}

export async function updateService(hc: Hcloud, id: number, update: ServiceUpdate): Promise<void> {
  const step = "update the Load Balancer service";
  const data = await hc.call(
    step,
    hc.api.POST("/load_balancers/{id}/actions/update_service", { ...path(id), body: update }),
  );
  await hc.waitForActions(step, [data.action]);
}

export async function attachLoadBalancer(hc: Hcloud, id: number, network: number, ip?: string): Promise<void> {
  const step = "attach the Load Balancer to the Network";
  const body = { network, ...(ip ? { ip } : {}) };
  const data = await hc.call(
    step,
    hc.api.POST("/load_balancers/{id}/actions/attach_to_network", { ...path(id), body }),
  );
  await hc.waitForActions(step, [data.action]);
}

/**
 * What the LB reports for one server on each service (by listen port), whether it is a target of
 * its own or selected by a label selector; empty when the LB does not target it.
 */
export function serverHealth(lb: LoadBalancer, serverId: number): Map<number, Health> {
  const out = new Map<number, Health>();
  for (const t of lb.targets) {
    const hits = t.type === "server" ? [t] : (t.targets ?? []);
    for (const hit of hits.filter((h) => h.server?.id === serverId))
      for (const h of hit.health_status ?? []) out.set(h.listen_port ?? 0, h.status ?? "unknown");
  }
  return out;
}

/** Polls until every service reports the server healthy; false when the timeout passes first. */
export async function waitHealthy(hc: Hcloud, id: number, serverId: number, timeoutMs: number): Promise<boolean> {
  const deadline = hc.clock.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const health = serverHealth(await getLoadBalancer(hc, id), serverId);
    if (health.size > 0 && [...health.values()].every((s) => s === "healthy")) return true;
    if (hc.clock.now() >= deadline) return false;
    await hc.clock.sleep(Math.min(10_000, 1000 * 2 ** i), hc.signal);
  }
}
