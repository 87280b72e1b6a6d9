// The Network and Load Balancer client methods over HTTP against the fake API (real sockets,
// real clock, short action durations): what a fleet's `up` and rolling replace will call.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import { Hcloud } from "../../src/hcloud/client.js";
import { createServer } from "../../src/hcloud/resources.js";
import { attachServer, createNetwork, deleteNetwork, detachServer, getNetwork } from "../../src/hcloud/networks.js";
import {
  addService,
  addTarget,
  attachLoadBalancer,
  createLoadBalancer,
  deleteLoadBalancer,
  getLoadBalancer,
  removeTarget,
  serverHealth,
  updateService,
  waitHealthy,
  type Service,
} from "../../src/hcloud/load-balancers.js";

let api: FakeApi;
let hc: Hcloud;

beforeEach(async () => {
  api = await startFakeApi({
    durations: { create_server: 30, start_server: 30, attach_to_network: 40, create_load_balancer: 40, add_target: 20 },
  });
  hc = new Hcloud({ token: "t", endpoint: api.endpoint, poll: { baseMs: 10, factor: 1.5, capMs: 50 } });
});
afterEach(async () => api.close());

const web: Service = {
  protocol: "http",
  listen_port: 80,
  destination_port: 8080,
  proxyprotocol: false,
  health_check: {
    protocol: "http",
    port: 8080,
    interval: 5,
    timeout: 3,
    retries: 2,
    http: { domain: null, path: "/up", status_codes: ["2??"] },
  },
};

async function replica(name: string): Promise<number> {
  const body = {
    name,
    server_type: "cx23",
    image: "debian-12",
    location: "nbg1",
    labels: { "firstboot/stack": "web" },
    start_after_create: true,
  };
  return (await createServer(hc, body, () => undefined)).id;
}

describe("Networks through the client", () => {
  it("creates a Network with its subnet, attaches and detaches servers, deletes it", async () => {
    const created: number[] = [];
    const net = await createNetwork(
      hc,
      {
        name: "firstboot-web",
        ipRange: "10.0.0.0/16",
        subnet: { ipRange: "10.0.1.0/24", networkZone: "eu-central" },
        labels: { "firstboot/stack": "web" },
      },
      (id) => created.push(id),
    );
    expect(created).toEqual([net.id]);
    expect(net.subnets).toMatchObject([{ ip_range: "10.0.1.0/24", gateway: "10.0.0.1", type: "cloud" }]);
    const [a, b] = [await replica("web-1"), await replica("web-2")];
    expect(await attachServer(hc, a, net.id)).toBe("10.0.1.1");
    expect(await attachServer(hc, b, net.id, "10.0.1.50")).toBe("10.0.1.50");
    expect((await getNetwork(hc, net.id)).servers).toEqual([a, b]);
    await detachServer(hc, b, net.id);
    expect((await getNetwork(hc, net.id)).servers).toEqual([a]);
    await expect(attachServer(hc, a, net.id)).rejects.toThrow(
      "could not attach the server to the Network: server_already_attached",
    );
    await deleteNetwork(hc, net.id);
    await expect(getNetwork(hc, net.id)).rejects.toThrow("not_found");
  });

  it("hands a Network whose create answer was lost to `created`, for its cleanup", async () => {
    api.state.faults.push({ on: "POST /networks", status: 504, afterApply: true, times: Infinity });
    const created: number[] = [];
    const net = {
      name: "lost",
      ipRange: "10.0.0.0/16",
      subnet: { ipRange: "10.0.1.0/24", networkZone: "eu-central" },
      labels: {},
    };
    await expect(createNetwork(hc, net, (id) => created.push(id))).rejects.toThrow("could not create the Network");
    expect(created).toEqual([[...api.state.networks.keys()][0]]);
  });
});

describe("Load Balancers through the client", () => {
  it("targets replicas by label over private IPs and waits until the LB reports one healthy", async () => {
    const net = await createNetwork(
      hc,
      { name: "n", ipRange: "10.0.0.0/16", subnet: { ipRange: "10.0.1.0/24", networkZone: "eu-central" }, labels: {} },
      () => undefined,
    );
    const lb = await createLoadBalancer(
      hc,
      { name: "firstboot-web", type: "lb11", location: "nbg1", network: net.id, services: [web], labels: {} },
      () => undefined,
    );
    expect(lb.private_net).toEqual([{ network: net.id, ip: "10.0.1.1" }]);
    await addTarget(hc, lb.id, {
      type: "label_selector",
      label_selector: { selector: "firstboot/stack=web" },
      use_private_ip: true,
    });
    const a = await replica("web-1");
    // Selected but not yet in the Network: the LB cannot reach it over its private IP.
    expect(serverHealth(await getLoadBalancer(hc, lb.id), a)).toEqual(new Map([[80, "unhealthy"]]));
    expect(await waitHealthy(hc, lb.id, a, 0)).toBe(false);
    await attachServer(hc, a, net.id);
    expect(await waitHealthy(hc, lb.id, a, 5_000)).toBe(true);
    await updateService(hc, lb.id, {
      listen_port: 80,
      health_check: { http: { path: "/ready", status_codes: ["200"] } },
    });
    expect((await getLoadBalancer(hc, lb.id)).services[0]!.health_check.http).toMatchObject({ path: "/ready" });
    await addService(hc, lb.id, {
      ...web,
      protocol: "tcp",
      listen_port: 5432,
      destination_port: 5432,
      health_check: { protocol: "tcp", port: 5432, interval: 15, timeout: 10, retries: 3 },
    });
    api.state.health = (_lb, _s, port) => (port === 5432 ? "unhealthy" : "healthy");
    expect(serverHealth(await getLoadBalancer(hc, lb.id), a)).toEqual(
      new Map([
        [80, "healthy"],
        [5432, "unhealthy"],
      ]),
    );
    await removeTarget(hc, lb.id, {
      type: "label_selector",
      label_selector: { selector: "firstboot/stack=web" },
      use_private_ip: true,
    });
    expect(serverHealth(await getLoadBalancer(hc, lb.id), a).size).toBe(0);
    await deleteLoadBalancer(hc, lb.id);
    expect(api.state.loadBalancers.size).toBe(0);
  });

  it("attaches an existing Load Balancer, and names the step when a private target has no shared Network", async () => {
    const lb = await createLoadBalancer(
      hc,
      { name: "lb", type: "lb11", location: "nbg1", labels: {} },
      () => undefined,
    );
    const a = await replica("web-1");
    await expect(addTarget(hc, lb.id, { type: "server", server: { id: a }, use_private_ip: true })).rejects.toThrow(
      "could not add the Load Balancer target: load_balancer_not_attached_to_network",
    );
    const net = await createNetwork(
      hc,
      { name: "n", ipRange: "10.0.0.0/16", subnet: { ipRange: "10.0.1.0/24", networkZone: "eu-central" }, labels: {} },
      () => undefined,
    );
    await attachLoadBalancer(hc, lb.id, net.id, "10.0.1.200");
    await expect(addTarget(hc, lb.id, { type: "server", server: { id: a }, use_private_ip: true })).rejects.toThrow(
      "server_not_attached_to_network",
    );
    await attachServer(hc, a, net.id);
    await addTarget(hc, lb.id, { type: "server", server: { id: a }, use_private_ip: true });
    // No service yet: nothing reports the server healthy, so the wait does not pass on an empty answer.
    expect(await waitHealthy(hc, lb.id, a, 0)).toBe(false);
    await addService(hc, lb.id, web);
    expect(await waitHealthy(hc, lb.id, a, 1_000)).toBe(true);
    expect((await getLoadBalancer(hc, lb.id)).private_net).toEqual([{ network: net.id, ip: "10.0.1.200" }]);
  });
});
