// Private Networks: the fleet and the zero-downtime replace put their servers in one Network per
// stack (firstboot-<stack>) so that they reach each other and the Load Balancer over private IPs.
import type { Hcloud, Labels, Schemas } from "./client.js";
import { HcloudError } from "./errors.js";
import { createOrAdopt, getServer } from "./resources.js";
import { hcloud } from "../catalogue.js";

export type Network = Schemas["network"];
export type NetworkZone = string;

export interface NewNetwork {
  name: string;
  /** The Network's range, e.g. 10.0.0.0/16. */
  ipRange: string;
  /** The one subnet the servers get their IPs from, e.g. 10.0.1.0/24 in eu-central. */
  subnet: { ipRange: string; networkZone: NetworkZone };
  labels: Labels;
}

export async function networkByName(hc: Hcloud, name: string): Promise<Network | undefined> {
  const data = await hc.call("look up the Network", hc.api.GET("/networks", { params: { query: { name } } }));
  return data.networks[0];
}

export async function getNetwork(hc: Hcloud, id: number): Promise<Network> {
  const step = "read the Network";
  const data = await hc.call(step, hc.api.GET("/networks/{id}", { params: { path: { id } } }));
  if (!data.network) throw new HcloudError(step, "no_network", hcloud.noNetworkReturned());
  return data.network;
}

export async function listNetworks(hc: Hcloud, labelSelector: string): Promise<Network[]> {
  return hc.listAll(
    "list Networks",
    (page) => hc.api.GET("/networks", { params: { query: { label_selector: labelSelector, page, per_page: 50 } } }),
    "networks",
  );
}

/** Creates it with its subnet in one request; a lost answer is looked up by name and handed to `created`. */
export async function createNetwork(hc: Hcloud, n: NewNetwork, created: (id: number) => void): Promise<Network> {
  const step = "create the Network";
  const subnets = [{ type: "cloud" as const, ip_range: n.subnet.ipRange, network_zone: n.subnet.networkZone }];
  const data = await createOrAdopt(
    () =>
      hc.call(
        step,
        hc.api.POST("/networks", { body: { name: n.name, ip_range: n.ipRange, subnets, labels: n.labels } }),
      ),
    () => networkByName(hc, n.name),
    created,
  );
  if (!data.network) throw new HcloudError(step, "no_network", hcloud.noNetworkReturned());
  created(data.network.id);
  return data.network;
}

/** Detaches whatever is still attached (the API does that itself) and deletes it. */
export async function deleteNetwork(hc: Hcloud, id: number): Promise<void> {
  await hc.call("delete the Network", hc.api.DELETE("/networks/{id}", { params: { path: { id } } }));
}

/** Attaches the server and returns its private IP: `ip` when given, else the next free one of the subnet. */
export async function attachServer(hc: Hcloud, serverId: number, networkId: number, ip?: string): Promise<string> {
  const step = "attach the server to the Network";
  const data = await hc.call(
    step,
    hc.api.POST("/servers/{id}/actions/attach_to_network", {
      params: { path: { id: serverId } },
      body: { network: networkId, ...(ip ? { ip } : {}) },
    }),
  );
  await hc.waitForActions(step, [data.action]);
  const attached = (await getServer(hc, serverId)).private_net.find((p) => p.network === networkId)?.ip;
  if (!attached) throw new HcloudError(step, "not_attached", hcloud.notAttached(serverId, networkId));
  return attached;
}

export async function detachServer(hc: Hcloud, serverId: number, networkId: number): Promise<void> {
  const step = "detach the server from the Network";
  const data = await hc.call(
    step,
    hc.api.POST("/servers/{id}/actions/detach_from_network", {
      params: { path: { id: serverId } },
      body: { network: networkId },
    }),
  );
  await hc.waitForActions(step, [data.action]);
}
