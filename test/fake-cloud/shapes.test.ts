// The fake's responses validated against the response schemas of the vendored OpenAPI spec
// (ajv, with OpenAPI's `nullable`): every field the real API promises is there, with its type.
import { describe, expect, it } from "vitest";
import { FakeState, handle } from "../../src/fake-cloud/index.js";
import { VirtualClock } from "../../src/clock.js";
import { ajv, responseValidator as validator } from "./spec-ajv.js";

describe("fake responses match the spec's response schemas", () => {
  it("for every endpoint firstboot and the hcloud CLI use", async () => {
    const state = new FakeState({ clock: new VirtualClock(), durations: { create_server: 5000 } });
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await handle(state, method, `/v1${path}`, body === undefined ? "" : JSON.stringify(body), "Bearer t");
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
      return { status: r.status, body: r.body as Record<string, Record<string, unknown> & { id: number }> };
    };
    const checks: [string, string, string, unknown?][] = [];
    const key = await call("POST", "/ssh_keys", {
      name: "k",
      public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9aGVHhk7h3m0bGZr4Xo6pZ0WmI2N0k3dTq0cUu5v1A x",
    });
    const fw = await call("POST", "/firewalls", {
      name: "fw",
      rules: [{ direction: "in", protocol: "tcp", port: "22", source_ips: ["0.0.0.0/0"] }],
    });
    const srv = await call("POST", "/servers", {
      name: "s",
      server_type: "cx23",
      image: "debian-12",
      location: "nbg1",
      ssh_keys: ["k"],
      firewalls: [{ firewall: fw.body.firewall!.id }],
    });
    const sid = srv.body.server!.id;
    const fip = await call("POST", "/floating_ips", { type: "ipv4", home_location: "nbg1", name: "ip" });
    state.clock.sleep(10_000);
    const img = await call("POST", `/servers/${sid}/actions/create_image`, { type: "snapshot", labels: { a: "b" } });
    const actionId = (img.body.action as unknown as { id: number }).id;
    const responses: [string, string, { status: number; body: unknown }][] = [
      ["/ssh_keys", "post", key],
      ["/firewalls", "post", fw],
      ["/servers", "post", srv],
      ["/floating_ips", "post", fip],
      ["/servers/{id}/actions/create_image", "post", img],
    ];
    for (const [template, path] of [
      ["/servers", "/servers"],
      ["/servers/{id}", `/servers/${sid}`],
      ["/images", "/images?type=snapshot&label_selector=a%3Db"],
      ["/images/{id}", `/images/${img.body.image!.id}`],
      ["/ssh_keys", "/ssh_keys"],
      ["/ssh_keys/{id}", `/ssh_keys/${key.body.ssh_key!.id}`],
      ["/floating_ips", "/floating_ips"],
      ["/floating_ips/{id}", `/floating_ips/${fip.body.floating_ip!.id}`],
      ["/firewalls", "/firewalls"],
      ["/firewalls/{id}", `/firewalls/${fw.body.firewall!.id}`],
      ["/server_types", "/server_types"],
      ["/locations", "/locations"],
      ["/actions", `/actions?id=${actionId}`],
      ["/actions/{id}", `/actions/${actionId}`],
    ] as const)
      responses.push([template, "get", await call("GET", path)]);
    for (const [template, path, action] of [
      ["/servers/{id}/actions/poweroff", `/servers/${sid}/actions/poweroff`, undefined],
      [
        "/floating_ips/{id}/actions/assign",
        `/floating_ips/${fip.body.floating_ip!.id}/actions/assign`,
        { server: sid },
      ],
      ["/servers/{id}", `/servers/${sid}`, "DELETE"],
    ] as const) {
      state.clock.sleep(60_000);
      responses.push([
        template,
        action === "DELETE" ? "delete" : "post",
        await call(action === "DELETE" ? "DELETE" : "POST", path, action === "DELETE" ? undefined : (action ?? {})),
      ]);
    }
    for (const [template, method, r] of responses) {
      const v = validator(template, method, r.status);
      const ok = v(r.body);
      expect(ok, `${method.toUpperCase()} ${template} ${r.status}: ${ajv.errorsText(v.errors)}`).toBe(true);
      checks.push([template, method, "ok"]);
    }
    expect(checks.length).toBe(22);
  });

  it("answers the retired datacenters endpoints with 410 in the API's error shape", async () => {
    const state = new FakeState({ clock: new VirtualClock() });
    for (const path of ["/datacenters", "/datacenters/1"]) {
      const r = await handle(state, "GET", `/v1${path}`, "", "Bearer t");
      expect(r.status).toBe(410);
      expect(r.body).toMatchObject({ error: { code: "gone", message: expect.stringContaining("locations") } });
    }
  });

  it("lists server types per location with their deprecations, in the spec's shape", async () => {
    const state = new FakeState({ clock: new VirtualClock() });
    const r = await handle(state, "GET", "/v1/server_types?name=cx22", "", "Bearer t");
    const v = validator("/server_types", "get", 200);
    expect(v(r.body), ajv.errorsText(v.errors)).toBe(true);
    const [cx22] = (r.body as { server_types: { locations: { name: string; deprecation: unknown }[] }[] }).server_types;
    expect(cx22!.locations.map((l) => [l.name, l.deprecation])).toEqual(
      ["fsn1", "nbg1", "hel1"].map((l) => [
        l,
        { announced: expect.any(String), unavailable_after: "2026-01-01T00:00:00+00:00" },
      ]),
    );
  });
});
