// Retries on 5xx and lost connections: repeatable requests (REPEATABLE) are sent again, a create
// whose answer was lost is not (its caller adopts it by name). Faults are injected into the
// in-process fake, and once over real HTTP so the network errors are the ones fetch really throws.
import { afterEach, describe, expect, it } from "vitest";
import { createServer as httpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { VirtualClock } from "../../src/clock.js";
import { Hcloud } from "../../src/hcloud/client.js";
import * as r from "../../src/hcloud/resources.js";
import { DEFAULT_RETRY, repeatable, retryLine, type RetryInfo } from "../../src/hcloud/retry.js";
import { fakeFetch } from "../../src/fake-cloud/index.js";
import { fakeProject, requests } from "../deploy/helpers.js";

const TOKEN = "s3cret-token-0123456789";
const reset = (): TypeError =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });

/** A project whose transport loses the connection for the first `n` requests matching `on`. */
function lossy(on: RegExp, n: number, afterApply = false) {
  const retries: RetryInfo[] = [];
  let left = n;
  const p = fakeProject({}, { token: TOKEN, onRetry: (i) => retries.push(i) });
  const base = fakeFetch(p.state);
  const fetch = async (req: Request): Promise<Response> => {
    const hit = on.test(`${req.method} ${new URL(req.url).pathname}`) && left-- > 0;
    if (hit && !afterApply) throw reset();
    const res = await base(req);
    if (hit) throw reset();
    return res;
  };
  const hc = new Hcloud({
    token: TOKEN,
    endpoint: "http://fake/v1",
    clock: p.clock,
    fetch,
    onRetry: (i) => retries.push(i),
  });
  return { ...p, hc, retries };
}

const SERVER = {
  name: "web-1",
  server_type: "cx23",
  image: "debian-12",
  location: "nbg1",
  user_data: "SECRET_USERDATA",
  start_after_create: true,
};

describe("5xx on repeatable requests", () => {
  it("retries 500 and 503 on an action poll and reports each retry without secrets", async () => {
    const retries: RetryInfo[] = [];
    const { state, hc } = fakeProject(
      { durations: { create_server: 5000, start_server: 5000 } },
      { token: TOKEN, onRetry: (i) => retries.push(i) },
    );
    const created = await hc.call("create", hc.api.POST("/servers", { body: SERVER }));
    state.faults.push({ on: "GET /actions", status: 503 }, { on: "GET /actions", status: 500 });
    await hc.waitForActions("start the server", [created.action, ...created.next_actions]);
    const lines = retries.map(retryLine);
    expect(lines[0]).toMatch(/^retrying GET \/actions after 503 \(attempt 2 of 5, in \d+\.\d s\)$/);
    expect(lines[1]).toMatch(/^retrying GET \/actions after 500 \(attempt 3 of 5, in \d+\.\d s\)$/);
    for (const l of lines) expect(l).not.toMatch(/s3cret|SECRET|\?id=/);
  });

  it("repeats power actions, Floating IP assignment, label updates and deletes", async () => {
    const { state, hc } = fakeProject();
    const { server } = await hc.call("create", hc.api.POST("/servers", { body: SERVER }));
    const ip = await hc.call(
      "fip",
      hc.api.POST("/floating_ips", { body: { type: "ipv4", home_location: "nbg1", name: "fip" } }),
    );
    for (const on of [
      "POST /servers/{id}/actions/poweroff",
      "POST /floating_ips/{id}/actions/assign",
      "PUT /servers/{id}",
      "DELETE /servers/{id}",
    ])
      state.faults.push({ on, status: 502, afterApply: true });
    await r.power(hc, server.id, "poweroff");
    await r.assignFloatingIp(hc, ip.floating_ip.id, server.id);
    await r.setLabels(hc, server.id, { a: "b" });
    expect(state.floatingIps.get(ip.floating_ip.id)?.server).toBe(server.id);
    // The first delete was applied; the repeat answers 404, which a cleanup counts as deleted.
    await r.gone(r.deleteServer(hc, server.id));
    expect(state.servers.size).toBe(0);
    expect(state.log.filter((l) => l.status === 502)).toHaveLength(4);
  });

  it("gives up after maxAttempts and names the step", async () => {
    const { state, hc } = fakeProject();
    state.faults.push({ on: "GET /locations", status: 503, times: Infinity });
    await expect(hc.call("list locations", hc.api.GET("/locations"))).rejects.toThrow("could not list locations");
    expect(state.log).toHaveLength(DEFAULT_RETRY.maxAttempts);
  });

  it("does not repeat a create after a 500 or 503: the caller adopts what it made", async () => {
    const { state, hc } = fakeProject();
    state.faults.push({ on: "POST /servers", status: 503, afterApply: true });
    const adopted: number[] = [];
    await expect(r.createServer(hc, SERVER, (s) => adopted.push(s.id))).rejects.toThrow("could not create the server");
    expect(requests(state).filter((x) => x === "POST /servers")).toHaveLength(1);
    expect(adopted).toEqual([...state.servers.keys()]);
    state.faults.push({ on: "POST /ssh_keys", status: 500 });
    await expect(r.createSshKey(hc, "k", "ssh-ed25519 AAAA", {}, () => undefined)).rejects.toThrow();
    expect(requests(state).filter((x) => x === "POST /ssh_keys")).toHaveLength(1);
  });

  it("the table: creates are not repeatable, reads, updates, deletes and idempotent actions are", () => {
    expect(repeatable("POST", "/servers")).toBe(false);
    expect(repeatable("POST", "/ssh_keys")).toBe(false);
    expect(repeatable("POST", "/firewalls")).toBe(false);
    expect(repeatable("POST", "/servers/7/actions/create_image")).toBe(false);
    expect(repeatable("POST", "/firewalls/7/actions/apply_to_resources")).toBe(false);
    expect(repeatable("POST", "/servers/7/actions/shutdown")).toBe(true);
    expect(repeatable("GET", "/actions")).toBe(true);
    expect(repeatable("DELETE", "/images/3")).toBe(true);
  });
});

describe("lost connections", () => {
  it("retries a GET whose connection was reset", async () => {
    const { state, hc, retries } = lossy(/^GET \/v1\/locations$/, 2);
    await hc.call("list locations", hc.api.GET("/locations"));
    expect(retries.map((i) => i.reason)).toEqual(["a lost connection (ECONNRESET)", "a lost connection (ECONNRESET)"]);
    expect(state.log).toHaveLength(1);
  });

  it("never repeats a create whose answer was lost; the server is adopted by name", async () => {
    const { state, hc, retries } = lossy(/^POST \/v1\/servers$/, 1, true);
    const adopted: number[] = [];
    await expect(r.createServer(hc, SERVER, (s) => adopted.push(s.id))).rejects.toThrow("fetch failed");
    expect(requests(state)).toEqual(["POST /servers", "GET /servers"]);
    expect(state.servers.size).toBe(1);
    expect(adopted).toEqual([...state.servers.keys()]);
    expect(retries).toEqual([]);
  });

  it("repeats a shutdown whose answer was lost", async () => {
    const { state, hc, retries } = lossy(/\/actions\/shutdown$/, 1, true);
    const { server } = await hc.call("create", hc.api.POST("/servers", { body: SERVER }));
    await r.power(hc, server.id, "shutdown");
    expect(requests(state).filter((x) => x.endsWith("/shutdown"))).toHaveLength(2);
    expect(retries.map(retryLine)).toEqual([
      expect.stringMatching(/^retrying POST \/servers\/\d+\/actions\/shutdown after a lost connection/),
    ]);
  });
});

describe("over real HTTP", () => {
  let srv: HttpServer | undefined;
  afterEach(() => new Promise<void>((done) => (srv ? srv.close(() => done()) : done())));

  it("a connection the server drops is retried; a refused one is retried, then the error surfaces", async () => {
    let n = 0;
    srv = httpServer((req, res) => {
      if (n++ === 0) return void req.socket.destroy();
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ locations: [] }));
    });
    await new Promise<void>((ok) => srv!.listen(0, "127.0.0.1", ok));
    const port = (srv.address() as AddressInfo).port;
    const retries: RetryInfo[] = [];
    const hc = new Hcloud({
      token: TOKEN,
      endpoint: `http://127.0.0.1:${port}/v1`,
      clock: new VirtualClock(),
      onRetry: (i) => retries.push(i),
    });
    await hc.call("list locations", hc.api.GET("/locations"));
    expect(n).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retryLine(retries[0]!)).toMatch(/^retrying GET \/locations after a lost connection \(.+\) \(attempt 2 of 5/);
    await new Promise<void>((done) => srv!.close(() => done()));
    srv = undefined;
    await expect(hc.call("list locations", hc.api.GET("/locations"))).rejects.toThrow("fetch failed");
    expect(retries.slice(1).map((i) => i.reason)).toEqual(Array(4).fill("a lost connection (ECONNREFUSED)"));
  });
});
