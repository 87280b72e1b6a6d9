// The real hcloud CLI (Debian hcloud-cli) drives the fake's Networks and Load Balancers: what the
// official client sends must be accepted, and what it prints must show what was created.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import { hcloudCli, type HcloudCli } from "./hcloud-cli.js";

let api: FakeApi;
let cli: HcloudCli;
const hcloud = (...args: string[]) => cli.ok(...args);

const json = async <T>(...args: string[]) => JSON.parse(await hcloud(...args, "-o", "json")) as T;

beforeAll(async () => {
  api = await startFakeApi({
    durations: { create_server: 100, start_server: 100, attach_to_network: 200, add_target: 100, add_service: 100 },
  });
  cli = await hcloudCli(api, "fb-hcloud-net-");
});
afterAll(async () => api?.close());

describe("hcloud CLI against the fake's Networks", () => {
  it("creates a network, adds a subnet, lists and describes it", async () => {
    await hcloud("network", "create", "--name", "fleet", "--ip-range", "10.0.0.0/16", "--label", "firstboot/stack=web");
    await hcloud(
      "network",
      "add-subnet",
      "fleet",
      "--type",
      "cloud",
      "--network-zone",
      "eu-central",
      "--ip-range",
      "10.0.1.0/24",
    );
    expect(await hcloud("network", "list", "-o", "noheader", "-o", "columns=name,ip_range,servers")).toMatch(
      /^fleet\s+10\.0\.0\.0\/16\s+0 servers?$/m,
    );
    const described = await hcloud("network", "describe", "fleet");
    expect(described).toMatch(/IP Range:\s+10\.0\.0\.0\/16/);
    expect(described).toMatch(/IP Range:\s+10\.0\.1\.0\/24/);
    expect(described).toMatch(/Gateway:\s+10\.0\.0\.1/);
    expect(described).toMatch(/Network Zone:\s+eu-central/);
  });

  it("attaches servers and detaches one", async () => {
    for (const name of ["web-1", "web-2"])
      await hcloud(
        "server",
        "create",
        "--name",
        name,
        "--type",
        "cx23",
        "--image",
        "debian-12",
        "--location",
        "nbg1",
        "--label",
        "role=web",
      );
    await hcloud("server", "attach-to-network", "web-1", "--network", "fleet");
    await hcloud("server", "attach-to-network", "web-2", "--network", "fleet", "--ip", "10.0.1.20");
    const web1 = await json<{ private_net: { ip: string; network: number }[] }>("server", "describe", "web-1");
    expect(web1.private_net.map((p) => p.ip)).toEqual(["10.0.1.1"]);
    expect(await hcloud("server", "describe", "web-2")).toMatch(/Private Net:[\s\S]*IP:\s+10\.0\.1\.20/);
    expect(await hcloud("network", "list", "-o", "noheader", "-o", "columns=name,servers")).toMatch(
      /fleet\s+2 servers/,
    );
    await hcloud("server", "detach-from-network", "web-2", "--network", "fleet");
    const net = await json<{ servers: number[] }>("network", "describe", "fleet");
    expect(net.servers).toEqual([[...api.state.servers.values()][0]!.id]);
    await hcloud("server", "attach-to-network", "web-2", "--network", "fleet");
  });
});

describe("hcloud CLI against the fake's Load Balancers", () => {
  it("lists the Load Balancer types", async () => {
    const list = await hcloud(
      "load-balancer-type",
      "list",
      "-o",
      "noheader",
      "-o",
      "columns=name,max_services,max_targets",
    );
    expect(list).toMatch(/^lb11\s+5\s+25$/m);
    expect(list).toMatch(/^lb21\s+15\s+75$/m);
    expect(list).toMatch(/^lb31\s+30\s+150$/m);
  });

  it("creates a Load Balancer in the network and targets servers by label over private IPs", async () => {
    await hcloud(
      "load-balancer",
      "create",
      "--name",
      "lb",
      "--type",
      "lb11",
      "--location",
      "nbg1",
      "--label",
      "firstboot/stack=web",
    );
    await hcloud("load-balancer", "attach-to-network", "lb", "--network", "fleet");
    await hcloud("load-balancer", "add-target", "lb", "--label-selector", "role=web", "--use-private-ip");
    await hcloud(
      "load-balancer",
      "add-service",
      "lb",
      "--protocol",
      "tcp",
      "--listen-port",
      "80",
      "--destination-port",
      "8080",
    );
    expect(await hcloud("load-balancer", "list", "-o", "noheader", "-o", "columns=name,type,location")).toMatch(
      /^lb\s+lb11\s+nbg1$/m,
    );
    const lb = await json<{
      private_net: { ip: string }[];
      services: { listen_port: number; destination_port: number; health_check: { protocol: string; port: number } }[];
      targets: {
        type: string;
        use_private_ip: boolean;
        targets: { server: { id: number }; health_status: { status: string }[] }[];
      }[];
    }>("load-balancer", "describe", "lb");
    expect(lb.private_net[0]!.ip).toMatch(/^10\.0\.1\.\d+$/);
    expect(lb.services).toMatchObject([
      { listen_port: 80, destination_port: 8080, health_check: { protocol: "tcp", port: 8080 } },
    ]);
    expect(lb.targets[0]).toMatchObject({ type: "label_selector", use_private_ip: true });
    expect(lb.targets[0]!.targets.map((t) => t.health_status[0]!.status)).toEqual(["healthy", "healthy"]);
    const text = await hcloud("load-balancer", "describe", "lb");
    expect(text).toMatch(/Label Selector:\s+role=web/);
    expect(text).toMatch(/Listen Port:\s+80/);
  });

  it("changes algorithm, type, public interface, targets and services, and the network's routes and range", async () => {
    await hcloud(
      "server",
      "create",
      "--name",
      "web-3",
      "--type",
      "cx23",
      "--image",
      "debian-12",
      "--location",
      "nbg1",
      "--network",
      "fleet",
      "--label",
      "role=web",
    );
    const web3 = await json<{ private_net: { ip: string }[] }>("server", "describe", "web-3");
    expect(web3.private_net[0]!.ip).toMatch(/^10\.0\.1\.\d+$/);
    await hcloud("load-balancer", "change-algorithm", "lb", "--algorithm-type", "least_connections");
    await hcloud("load-balancer", "change-type", "lb", "lb21");
    await hcloud("load-balancer", "add-target", "lb", "--server", "web-3", "--use-private-ip");
    await hcloud(
      "load-balancer",
      "add-service",
      "lb",
      "--protocol",
      "tcp",
      "--listen-port",
      "5000",
      "--destination-port",
      "5000",
    );
    await hcloud("load-balancer", "disable-public-interface", "lb");
    let lb = await json<{
      algorithm: { type: string };
      load_balancer_type: { name: string };
      public_net: { enabled: boolean };
      targets: unknown[];
      services: unknown[];
    }>("load-balancer", "describe", "lb");
    expect(lb).toMatchObject({
      algorithm: { type: "least_connections" },
      load_balancer_type: { name: "lb21" },
      public_net: { enabled: false },
    });
    expect([lb.targets.length, lb.services.length]).toEqual([2, 2]);
    await hcloud("load-balancer", "enable-public-interface", "lb");
    await hcloud("load-balancer", "remove-target", "lb", "--server", "web-3");
    await hcloud("load-balancer", "delete-service", "lb", "--listen-port", "5000");
    lb = await json("load-balancer", "describe", "lb");
    expect([lb.targets.length, lb.services.length, lb.public_net.enabled]).toEqual([1, 1, true]);
    await hcloud("network", "add-route", "fleet", "--destination", "10.100.1.0/24", "--gateway", "10.0.1.1");
    await hcloud("network", "change-ip-range", "fleet", "--ip-range", "10.0.0.0/15");
    await hcloud(
      "network",
      "add-subnet",
      "fleet",
      "--type",
      "cloud",
      "--network-zone",
      "eu-central",
      "--ip-range",
      "10.0.9.0/24",
    );
    await hcloud("network", "remove-subnet", "fleet", "--ip-range", "10.0.9.0/24");
    await hcloud("network", "remove-route", "fleet", "--destination", "10.100.1.0/24", "--gateway", "10.0.1.1");
    await hcloud("network", "enable-protection", "fleet", "delete");
    const net = await json<{
      ip_range: string;
      subnets: unknown[];
      routes: unknown[];
      protection: { delete: boolean };
    }>("network", "describe", "fleet");
    expect(net).toMatchObject({
      ip_range: "10.0.0.0/15",
      subnets: [{ ip_range: "10.0.1.0/24" }],
      routes: [],
      protection: { delete: true },
    });
    await hcloud("network", "disable-protection", "fleet", "delete");
    await hcloud("server", "delete", "web-3");
  });

  it("updates the service's health check, then deletes the Load Balancer and the network", async () => {
    await hcloud(
      "load-balancer",
      "update-service",
      "lb",
      "--listen-port",
      "80",
      "--protocol",
      "http",
      "--destination-port",
      "8080",
      "--health-check-protocol",
      "http",
      "--health-check-http-path",
      "/up",
      "--health-check-interval",
      "5s",
    );
    const lb = await json<{
      services: { protocol: string; health_check: { interval: number; http?: { path: string } } }[];
    }>("load-balancer", "describe", "lb");
    expect(lb.services[0]).toMatchObject({ protocol: "http", health_check: { interval: 5, http: { path: "/up" } } });
    await hcloud("load-balancer", "delete", "lb");
    await hcloud("network", "delete", "fleet");
    expect(await hcloud("load-balancer", "list", "-o", "noheader")).toBe("");
    expect(await hcloud("network", "list", "-o", "noheader")).toBe("");
    const web1 = await json<{ private_net: unknown[] }>("server", "describe", "web-1");
    expect(web1.private_net).toEqual([]);
  });

  it("saw no request it rejected", () => {
    expect(api.state.log.filter((r) => (r.status ?? 0) >= 400)).toEqual([]);
  });
});
