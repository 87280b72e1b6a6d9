import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY } from "../../src/hcloud/retry.js";
import { HcloudError } from "../../src/hcloud/errors.js";
import { parseCliToml, resolveCredentials } from "../../src/hcloud/token.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeProject, requests } from "../deploy/helpers.js";

describe("retries", () => {
  it("backs off exponentially with jitter, capped", () => {
    expect([1, 2, 3].map((a) => backoffMs(a, DEFAULT_RETRY, 0))).toEqual([500, 1000, 2000]);
    expect(backoffMs(1, DEFAULT_RETRY, 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffMs(20, DEFAULT_RETRY, 1)).toBe(30_000);
  });

  it("retries 502/504 and locked, then succeeds", async () => {
    const { state, hc } = fakeProject();
    state.faults.push(
      { on: "GET /locations", status: 502 },
      { on: "GET /locations", status: 504 },
      { on: "GET /locations", status: 423, code: "locked" },
    );
    const locs = await hc.call("list locations", hc.api.GET("/locations"));
    expect(locs.locations.length).toBeGreaterThan(0);
    expect(requests(state)).toEqual(Array(4).fill("GET /locations"));
  });

  it("never retries forever and names the step", async () => {
    const { state, hc } = fakeProject();
    state.faults.push({ on: "GET /locations", status: 409, code: "conflict", message: "busy", times: Infinity });
    await expect(hc.call("list locations", hc.api.GET("/locations"))).rejects.toThrow(
      "could not list locations: conflict: busy",
    );
    expect(state.log.length).toBe(DEFAULT_RETRY.maxAttempts);
  });

  it("does not retry client errors", async () => {
    const { state, hc } = fakeProject();
    const err = await hc
      .call("get server", hc.api.GET("/servers/{id}", { params: { path: { id: 77 } } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HcloudError);
    expect(String(err)).toContain("could not get server: not_found: server with ID '77' not found");
    expect(state.log.length).toBe(1);
  });

  it("waits for RateLimit-Reset on 429 and warns when the budget runs low", async () => {
    const { state, hc, clock, warnings } = fakeProject({ rateLimit: 3 });
    const t0 = clock.now();
    for (let i = 0; i < 5; i++) await hc.call("list locations", hc.api.GET("/locations"));
    expect(state.log.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(warnings[0]).toMatch(/rate limit running low: \d of 3/);
  });
});

describe("injected slowness", () => {
  it("delays the answer in real time, then answers normally", async () => {
    const { state, hc } = fakeProject();
    state.faults.push({ on: "GET /locations", delayMs: 150 });
    const t0 = Date.now();
    await hc.call("list locations", hc.api.GET("/locations"));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(state.log).toHaveLength(1);
  });
});

describe("pagination and actions", () => {
  it("follows next_page", async () => {
    const { state, hc } = fakeProject();
    for (let i = 0; i < 120; i++)
      state.sshKeys.set(i + 1, {
        id: i + 1,
        name: `k${i}`,
        public_key: "x",
        fingerprint: String(i),
        labels: {},
        created: state.iso(),
      });
    const keys = await hc.listAll(
      "list SSH keys",
      (page) => hc.api.GET("/ssh_keys", { params: { query: { page, per_page: 50 } } }),
      "ssh_keys",
    );
    expect(keys).toHaveLength(120);
    expect(state.log.map((r) => r.query)).toEqual([
      "?page=1&per_page=50",
      "?page=2&per_page=50",
      "?page=3&per_page=50",
    ]);
  });

  it("polls running actions in one batched request with backoff, and reports failures", async () => {
    const { state, hc, clock } = fakeProject({ durations: { stop_server: 5_000, create_image: 30_000 } });
    const created = await hc.call(
      "create server",
      hc.api.POST("/servers", {
        body: { name: "a", server_type: "cx23", image: "debian-12", location: "nbg1", start_after_create: true },
      }),
    );
    const id = created.server.id;
    await hc.waitForActions("create server", [created.action, ...created.next_actions]);
    const off = await hc.call("power off", hc.api.POST("/servers/{id}/actions/poweroff", { params: { path: { id } } }));
    const before = state.log.length;
    const t0 = clock.now();
    await hc.waitForActions("power off", [off.action]);
    expect(clock.now() - t0).toBe(7_000); // polls at 1 s, 3 s, 7 s
    expect(state.log.slice(before).map((r) => r.query)).toEqual([
      `?id=${off.action.id}`,
      `?id=${off.action.id}`,
      `?id=${off.action.id}`,
    ]);
    state.faults.push({ on: "action:create_image", code: "image_failed", message: "disk error" });
    const img = await hc.call(
      "create image",
      hc.api.POST("/servers/{id}/actions/create_image", { params: { path: { id } }, body: { type: "snapshot" } }),
    );
    await expect(hc.waitForActions("create the snapshot", [img.action])).rejects.toThrow(
      "could not create the snapshot: image_failed: disk error",
    );
  });
});

describe("credentials", () => {
  const toml = `active_context = "prod"\n\n[[contexts]]\n  name = "dev"\n  token = "devtoken"\n\n[[contexts]]\n  name = "prod"\n  token = "prodtoken"\n`;
  it("parses the hcloud CLI config", () => {
    expect(parseCliToml(toml)).toEqual({
      activeContext: "prod",
      contexts: [
        { name: "dev", token: "devtoken" },
        { name: "prod", token: "prodtoken" },
      ],
    });
  });
  it("prefers HCLOUD_TOKEN, then the active context; HCLOUD_ENDPOINT overrides", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fb-tok-"));
    writeFileSync(join(dir, "cli.toml"), toml);
    expect(await resolveCredentials({ HCLOUD_CONFIG: join(dir, "cli.toml") })).toMatchObject({
      token: "prodtoken",
      endpoint: "https://api.hetzner.cloud/v1",
    });
    expect(
      await resolveCredentials({
        HCLOUD_CONFIG: join(dir, "cli.toml"),
        HCLOUD_CONTEXT: "dev",
        HCLOUD_ENDPOINT: "http://x/v1",
      }),
    ).toMatchObject({ token: "devtoken", endpoint: "http://x/v1" });
    expect(await resolveCredentials({ HCLOUD_TOKEN: "env", HCLOUD_CONFIG: join(dir, "cli.toml") })).toMatchObject({
      token: "env",
      source: "HCLOUD_TOKEN",
    });
    expect(await resolveCredentials({ HCLOUD_CONFIG: join(dir, "missing.toml") })).toBeUndefined();
  });
});

describe("fake API validates requests against the OpenAPI spec", () => {
  it("rejects unknown paths, missing required fields and wrong types with the real error shape", async () => {
    const { hc } = fakeProject();
    const r1 = await fetchJson(hc, "POST", "/servers", { name: "x" });
    expect(r1).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_input", details: { fields: [{ name: "image" }, { name: "server_type" }] } } },
    });
    const r2 = await fetchJson(hc, "POST", "/ssh_keys", { name: 5, public_key: "ssh-ed25519 AAAA" });
    expect(r2.body).toMatchObject({
      error: { code: "invalid_input", details: { fields: [{ name: "name", messages: ["must be of type string"] }] } },
    });
    expect((await fetchJson(hc, "GET", "/nonsense")).status).toBe(404);
    expect((await fetchJson(hc, "PATCH", "/servers")).status).toBe(404);
  });
});

async function fetchJson(
  hc: ReturnType<typeof fakeProject>["hc"],
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const { response, error } = await (
    hc.api as unknown as {
      request: (m: string, p: string, o: unknown) => Promise<{ response: Response; error?: unknown }>;
    }
  ).request(method.toLowerCase(), path, { body });
  return { status: response.status, body: error };
}
