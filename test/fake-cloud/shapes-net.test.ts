// Networks and Load Balancers in the fake: every request we send and every answer it gives
// validated against the vendored OpenAPI spec, then the behaviour the API documents (next free
// IP, automatic detach on delete, label selectors expanding to servers, per-service health).
import { describe, expect, it } from "vitest";
import type { components } from "../../src/hcloud/generated/schema.js";
import { FakeState, handle } from "../../src/fake-cloud/index.js";
import { VirtualClock } from "../../src/clock.js";
import { networkRoutes } from "../../src/fake-cloud/routes-networks.js";
import { loadBalancerRoutes } from "../../src/fake-cloud/routes-load-balancers.js";
import { requestValidator, responseValidator, ajv } from "./spec-ajv.js";

const TCP_CHECK = { protocol: "tcp", port: 8080, interval: 15, timeout: 10, retries: 3 };
const PORTS_CHECK = { listen_port: 80, destination_port: 80, proxyprotocol: false, health_check: TCP_CHECK };

type LoadBalancer = components["schemas"]["load_balancer"];
type Body = Record<string, unknown> & { action?: { id: number; status: string } };

function project() {
  const state = new FakeState({
    clock: new VirtualClock(),
    durations: { create_server: 1000, attach_to_network: 500 },
  });
  const seen: string[] = [];
  /** Sends a request (checked against the spec), checks the answer against the spec for its status. */
  const call = async (method: string, template: string, path: string, body?: unknown) => {
    if (body !== undefined) {
      const req = requestValidator(template, method.toLowerCase());
      expect(req(body), `request ${method} ${template}: ${ajv.errorsText(req.errors)}`).toBe(true);
    }
    const r = await handle(state, method, `/v1${path}`, body === undefined ? "" : JSON.stringify(body), "Bearer t");
    if (r.status !== 204) {
      const key = r.status < 400 ? r.status : r.status < 500 ? "4xx" : "5xx";
      const res = responseValidator(template, method.toLowerCase(), key as number);
      expect(res(r.body), `${method} ${template} ${r.status}: ${ajv.errorsText(res.errors)}`).toBe(true);
    }
    seen.push(`${method} ${template}`);
    return { status: r.status, body: r.body as Body };
  };
  const ok = async (method: string, template: string, path: string, body?: unknown) => {
    const r = await call(method, template, path, body);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    state.clock.sleep(60_000);
    return r.body;
  };
  return { state, call, ok, seen };
}

const SERVER = { server_type: "cx23", image: "debian-12", location: "nbg1" };

async function server(ok: ReturnType<typeof project>["ok"], name: string, labels: Record<string, string> = {}) {
  const b = await ok("POST", "/servers", "/servers", {
    name,
    server_type: "cx23",
    image: "debian-12",
    location: "nbg1",
    labels,
  });
  return (b.server as { id: number }).id;
}

describe("Networks in the fake", () => {
  it("create, subnets, routes, range, protection, attach and detach: shapes and effects", async () => {
    const { state, ok, call, seen } = project();
    const s1 = await server(ok, "s1");
    const s2 = await server(ok, "s2");
    const created = await ok("POST", "/networks", "/networks", {
      name: "net",
      ip_range: "10.0.0.0/16",
      labels: { stack: "a" },
      subnets: [{ type: "cloud", network_zone: "eu-central", ip_range: "10.0.1.0/24" }],
    });
    const id = (created.network as { id: number }).id;
    const act = (a: string, body: unknown) =>
      ok("POST", `/networks/{id}/actions/${a}`, `/networks/${id}/actions/${a}`, body);
    await act("add_subnet", { type: "server", network_zone: "eu-central" });
    await act("add_route", { destination: "10.100.1.0/24", gateway: "10.0.1.1" });
    await act("change_ip_range", { ip_range: "10.0.0.0/15" });
    const attach = (sid: number, body: unknown) =>
      ok("POST", "/servers/{id}/actions/attach_to_network", `/servers/${sid}/actions/attach_to_network`, body);
    await attach(s1, { network: id });
    await attach(s2, { network: id, ip: "10.0.1.77", alias_ips: ["10.0.1.78"] });
    const net = (await ok("GET", "/networks/{id}", `/networks/${id}`)).network as Record<string, unknown>;
    expect(net).toMatchObject({
      ip_range: "10.0.0.0/15",
      servers: [s1, s2],
      routes: [{ destination: "10.100.1.0/24", gateway: "10.0.1.1" }],
      subnets: [
        { type: "cloud", ip_range: "10.0.1.0/24", gateway: "10.0.0.1", network_zone: "eu-central" },
        { type: "server", ip_range: "10.0.0.0/24", gateway: "10.0.0.1", network_zone: "eu-central" },
      ],
    });
    const pn = async (sid: number) =>
      ((await ok("GET", "/servers/{id}", `/servers/${sid}`)).server as { private_net: unknown[] }).private_net;
    expect(await pn(s1)).toEqual([{ network: id, ip: "10.0.1.1", alias_ips: [], mac_address: expect.any(String) }]);
    expect(await pn(s2)).toMatchObject([{ ip: "10.0.1.77", alias_ips: ["10.0.1.78"] }]);
    const dup = await call(
      "POST",
      "/servers/{id}/actions/attach_to_network",
      `/servers/${s1}/actions/attach_to_network`,
      {
        network: id,
      },
    );
    expect([dup.status, (dup.body.error as { code: string }).code]).toEqual([422, "server_already_attached"]);
    await ok("POST", "/servers/{id}/actions/detach_from_network", `/servers/${s1}/actions/detach_from_network`, {
      network: id,
    });
    expect(await pn(s1)).toEqual([]);
    await ok("GET", "/networks", "/networks?label_selector=stack%3Da");
    await ok("PUT", "/networks/{id}", `/networks/${id}`, { name: "net2", labels: { stack: "b" } });
    const inUse = await call("POST", "/networks/{id}/actions/delete_subnet", `/networks/${id}/actions/delete_subnet`, {
      ip_range: "10.0.1.0/24",
    });
    expect(inUse.body.error).toMatchObject({
      code: "service_error",
      message: "cannot remove subnet because servers are attached to it",
    });
    await act("delete_subnet", { ip_range: "10.0.0.0/24" });
    expect(state.networks.get(id)!.subnets.map((x) => x.ip_range)).toEqual(["10.0.1.0/24"]);
    await act("delete_route", { destination: "10.100.1.0/24", gateway: "10.0.1.1" });
    await act("change_protection", { delete: true });
    const refused = await call("DELETE", "/networks/{id}", `/networks/${id}`);
    expect([refused.status, (refused.body.error as { code: string }).code]).toEqual([403, "protected"]);
    await act("change_protection", { delete: false });
    // The spec: "Attached resources will be detached automatically."
    await ok("DELETE", "/networks/{id}", `/networks/${id}`);
    expect(await pn(s2)).toEqual([]);
    expect(state.networks.size).toBe(0);
    expect([...new Set(seen.filter((r) => /network/.test(r)))].sort()).toEqual(Object.keys(networkRoutes).sort());
  });

  it("gives each server the next free IP, and refuses a taken one or a full subnet", async () => {
    const { ok, call } = project();
    const ids = [await server(ok, "a"), await server(ok, "b"), await server(ok, "c")];
    const net = await ok("POST", "/networks", "/networks", {
      name: "tiny",
      ip_range: "10.1.0.0/24",
      subnets: [{ type: "cloud", network_zone: "eu-central", ip_range: "10.1.0.0/30" }],
    });
    const nid = (net.network as { id: number }).id;
    const attach = (sid: number, body: object) =>
      call("POST", "/servers/{id}/actions/attach_to_network", `/servers/${sid}/actions/attach_to_network`, {
        network: nid,
        ...body,
      });
    expect((await attach(ids[0]!, {})).status).toBe(201);
    expect((await attach(ids[1]!, { ip: "10.1.0.2" })).body.error).toMatchObject({ code: "ip_not_available" });
    expect((await attach(ids[1]!, {})).body.error).toMatchObject({ code: "no_subnet_available" });
    const n = (await ok("GET", "/networks/{id}", `/networks/${nid}`)).network as { servers: number[] };
    expect(n.servers).toEqual([ids[0]]);
    const publicRange = await call("POST", "/networks", "/networks", { name: "pub", ip_range: "8.8.0.0/16" });
    expect(publicRange.body.error).toMatchObject({
      code: "invalid_input",
      details: { fields: [{ name: "ip_range" }] },
    });
    const overlap = await call("POST", "/networks/{id}/actions/add_subnet", `/networks/${nid}/actions/add_subnet`, {
      type: "cloud",
      network_zone: "eu-central",
      ip_range: "10.1.0.0/29",
    });
    expect([overlap.status, overlap.body.error]).toMatchObject([422, { code: "conflict" }]);
    // create_server's `networks` attaches at creation, from the same pool: this one is full.
    const full = await call("POST", "/servers", "/servers", { ...SERVER, name: "d", networks: [nid] });
    expect(full.body.error).toMatchObject({ code: "no_subnet_available" });
    const big = await ok("POST", "/networks", "/networks", {
      name: "big",
      ip_range: "10.2.0.0/16",
      subnets: [{ type: "cloud", network_zone: "eu-central" }],
    });
    const bid = (big.network as { id: number }).id;
    const e = await ok("POST", "/servers", "/servers", { ...SERVER, name: "e", networks: [bid] });
    expect((e.server as { private_net: unknown[] }).private_net).toMatchObject([{ network: bid, ip: "10.2.0.2" }]);
  });
});

describe("Load Balancers in the fake", () => {
  it("types, create in a Network, targets, services, algorithm, type, public interface: shapes and effects", async () => {
    const { state, ok, call, seen } = project();
    const [a, b] = [await server(ok, "web-1", { role: "web" }), await server(ok, "web-2", { role: "web" })];
    await ok("GET", "/load_balancer_types", "/load_balancer_types");
    await ok("GET", "/load_balancer_types/{id}", "/load_balancer_types/1");
    const net = await ok("POST", "/networks", "/networks", {
      name: "fleet",
      ip_range: "10.0.0.0/16",
      subnets: [{ type: "cloud", network_zone: "eu-central", ip_range: "10.0.0.0/24" }],
    });
    const nid = (net.network as { id: number }).id;
    await ok("POST", "/servers/{id}/actions/attach_to_network", `/servers/${a}/actions/attach_to_network`, {
      network: nid,
    });
    const created = await ok("POST", "/load_balancers", "/load_balancers", {
      name: "lb",
      load_balancer_type: "lb11",
      location: "nbg1",
      network: nid,
      labels: { stack: "web" },
      services: [
        { protocol: "tcp", listen_port: 80, destination_port: 8080, proxyprotocol: false, health_check: TCP_CHECK },
      ],
    });
    const id = (created.load_balancer as { id: number }).id;
    const act = (name: string, body?: unknown) =>
      ok("POST", `/load_balancers/{id}/actions/${name}`, `/load_balancers/${id}/actions/${name}`, body);
    await act("add_target", { type: "label_selector", label_selector: { selector: "role=web" }, use_private_ip: true });
    await act("add_target", { type: "ip", ip: { ip: "198.51.100.7" } });
    await act("add_service", {
      protocol: "http",
      listen_port: 443,
      destination_port: 80,
      proxyprotocol: false,
      health_check: {
        protocol: "http",
        port: 80,
        interval: 5,
        timeout: 3,
        retries: 2,
        http: { domain: null, path: "/up" },
      },
    });
    await act("update_service", {
      listen_port: 443,
      health_check: { http: { path: "/healthz", status_codes: ["200"] } },
    });
    await act("change_algorithm", { type: "least_connections" });
    await act("change_type", { load_balancer_type: "lb21" });
    const got = (await ok("GET", "/load_balancers/{id}", `/load_balancers/${id}`)).load_balancer as LoadBalancer;
    expect(got.private_net).toEqual([{ network: nid, ip: "10.0.0.3" }]);
    expect(got.algorithm).toEqual({ type: "least_connections" });
    expect(got.load_balancer_type.name).toBe("lb21");
    expect(got.services[1]!.health_check).toMatchObject({
      interval: 5,
      http: { path: "/healthz", status_codes: ["200"] },
    });
    // web-2 matches the selector but is not in the Network: the LB cannot reach it over private IPs.
    expect(got.targets[0]!.targets).toEqual([
      {
        type: "server",
        server: { id: a },
        use_private_ip: true,
        health_status: [
          { listen_port: 80, status: "healthy" },
          { listen_port: 443, status: "healthy" },
        ],
      },
      {
        type: "server",
        server: { id: b },
        use_private_ip: true,
        health_status: [
          { listen_port: 80, status: "unhealthy" },
          { listen_port: 443, status: "unhealthy" },
        ],
      },
    ]);
    expect(got.targets[1]!.health_status!.map((h) => h.status)).toEqual(["unknown", "unknown"]);
    state.health = (_lb, s, port) => (s.id === a && port === 443 ? "unhealthy" : "healthy");
    const oracle = (await ok("GET", "/load_balancers", "/load_balancers?label_selector=stack%3Dweb"))
      .load_balancers as LoadBalancer[];
    expect(oracle[0]!.targets[0]!.targets![0]!.health_status).toEqual([
      { listen_port: 80, status: "healthy" },
      { listen_port: 443, status: "unhealthy" },
    ]);
    expect(
      ((await ok("GET", "/servers/{id}", `/servers/${a}`)).server as { load_balancers: number[] }).load_balancers,
    ).toEqual([id]);
    const publicTargets = await call(
      "POST",
      "/load_balancers/{id}/actions/disable_public_interface",
      `/load_balancers/${id}/actions/disable_public_interface`,
    );
    expect(publicTargets.body.error).toMatchObject({ code: "targets_without_use_private_ip" });
    await act("remove_target", { type: "ip", ip: { ip: "198.51.100.7" } });
    await act("disable_public_interface");
    await act("enable_public_interface");
    await act("delete_service", { listen_port: 443 });
    await act("detach_from_network", { network: nid });
    await act("attach_to_network", { network: nid, ip: "10.0.0.9" });
    const again = (await ok("GET", "/load_balancers/{id}", `/load_balancers/${id}`)).load_balancer as {
      private_net: unknown;
    };
    expect(again.private_net).toEqual([{ network: nid, ip: "10.0.0.9" }]);
    await ok("PUT", "/load_balancers/{id}", `/load_balancers/${id}`, { name: "lb2", labels: {} });
    await ok("DELETE", "/load_balancers/{id}", `/load_balancers/${id}`);
    expect(state.loadBalancers.size).toBe(0);
    // Every Load Balancer route went through the spec checks above (protection is the network test's pattern).
    const lbSeen = new Set(seen.filter((r) => r.includes("/load_balancer")));
    expect([...lbSeen].sort()).toEqual(
      Object.keys(loadBalancerRoutes)
        .filter((r) => !r.endsWith("change_protection"))
        .sort(),
    );
  });

  it("refuses what the API refuses: private targets without a shared Network, a used port, a duplicate target", async () => {
    const { ok, call } = project();
    const s = await server(ok, "s");
    const lb = await ok("POST", "/load_balancers", "/load_balancers", {
      name: "lb",
      load_balancer_type: "lb11",
      network_zone: "eu-central",
    });
    const id = (lb.load_balancer as { id: number }).id;
    const act = (name: string, body: unknown) =>
      call("POST", `/load_balancers/{id}/actions/${name}`, `/load_balancers/${id}/actions/${name}`, body);
    const code = async (name: string, body: unknown) =>
      ((await act(name, body)).body.error as { code: string } | undefined)?.code;
    expect(await code("add_target", { type: "server", server: { id: s }, use_private_ip: true })).toBe(
      "load_balancer_not_attached_to_network",
    );
    expect(await code("add_target", { type: "server", server: { id: s } })).toBeUndefined();
    expect(await code("add_target", { type: "server", server: { id: s } })).toBe("target_already_defined");
    expect(await code("add_service", { protocol: "http", ...PORTS_CHECK })).toBeUndefined();
    expect(await code("add_service", { protocol: "https", ...PORTS_CHECK })).toBe("source_port_already_used");
    expect(await code("change_type", { load_balancer_type: "lb99" })).toBe("invalid_input");
  });
});
