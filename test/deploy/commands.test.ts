// The Hetzner commands as the CLI runs them (src/cli.ts main), over real HTTP to the fake API:
// token/endpoint from the environment, exit codes, gc, images, --json, and up refusing early.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fb } from "./cli-main.js";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi({ durations: {} });
  const home = mkdtempSync(join(tmpdir(), "fb-cmd-"));
  Object.assign(process.env, {
    HCLOUD_ENDPOINT: api.endpoint,
    HCLOUD_TOKEN: "cmd-token",
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    FIRSTBOOT_IDENTITY: join(process.cwd(), "examples/demo-identity.txt"),
  });
});
afterAll(async () => api?.close());

const post = (path: string, body: unknown) =>
  fetch(`${api.endpoint}${path}`, {
    method: "POST",
    headers: { Authorization: "Bearer x", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe("hcloud commands", () => {
  it("exit 2 without a token", async () => {
    const token = process.env.HCLOUD_TOKEN;
    delete process.env.HCLOUD_TOKEN;
    const r = await fb("gc", "--dry-run");
    process.env.HCLOUD_TOKEN = token;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no Hetzner API token");
  });

  it("gc lists, then deletes, leftovers labelled temporary", async () => {
    await post("/servers", {
      name: "firstboot-build-zz",
      server_type: "cx23",
      image: "debian-12",
      location: "nbg1",
      labels: { "firstboot/temporary": "true", "firstboot/run": "zz" },
    });
    const dry = await fb("gc", "--dry-run", "--min-age", "0");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would delete server firstboot-build-zz \(id \d+\): temporary, run zz\n$/);
    expect(api.state.servers.size).toBe(1);
    const real = await fb("gc", "--min-age", "0", "--json");
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ kind: "server", name: "firstboot-build-zz", deleted: true });
    expect(api.state.servers.size).toBe(0);
    expect((await fb("gc", "--min-age", "soon")).code).toBe(2);
  });

  it("images list and prune", async () => {
    const s = (await (
      await post("/servers", { name: "b", server_type: "cx23", image: "debian-12", location: "nbg1" })
    ).json()) as { server: { id: number } };
    for (const hash of ["a1", "a2"])
      await post(`/servers/${s.server.id}/actions/create_image`, {
        type: "snapshot",
        description: `img ${hash}`,
        labels: { "firstboot/image": "selfmx", "firstboot/hash": hash, "firstboot/version": "0.1.0" },
      });
    const list = await fb("images", "list");
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")[0]).toMatch(/^ID\s+IMAGE\s+ARCH\s+CREATED\s+HASH\s+VERSION\s+STATUS$/);
    expect(list.stdout).toContain("selfmx");
    const pruned = await fb("images", "prune", "--keep", "1", "--json");
    expect(pruned.code).toBe(0);
    expect((JSON.parse(pruned.stdout) as unknown[]).length).toBe(1);
    expect([...api.state.images.values()].filter((i) => i.type === "snapshot")).toHaveLength(1);
    expect((await fb("images", "nonsense")).code).toBe(2);
  });

  it("up refuses before creating anything when the stack has a server (--json events)", async () => {
    await post("/servers", {
      name: "selfmx-old",
      server_type: "cx23",
      image: "ubuntu-24.04",
      location: "nbg1",
      labels: { "firstboot/stack": "selfmx", "firstboot/role": "live" },
    });
    const before = api.state.servers.size;
    const r = await fb("up", "examples/selfmx/firstboot.yaml", "--json");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "could not check the project: already_exists: stack selfmx already has server selfmx-old",
    );
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; status?: string });
    expect(events[0]).toMatchObject({ type: "step", status: "start" });
    expect(events.at(-1)).toMatchObject({ type: "done", ok: false });
    expect(api.state.servers.size).toBe(before);
  });

  it("replace --dry-run refuses without a Floating IP in the config", async () => {
    const r = await fb("replace", "examples/selfmx/firstboot.yaml", "--dry-run");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("replace needs server.floating_ip");
  });
});
