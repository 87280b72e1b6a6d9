// The real hcloud CLI (Debian hcloud-cli) drives the fake: if our fake accepts and answers what
// the official client sends and expects, its shapes are the API's, not just our own guesses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, hasProgram } from "../../src/exec.js";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";

let api: FakeApi;
let home: string;

async function hcloud(...args: string[]): Promise<string> {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    HCLOUD_CONFIG: join(home, "cli.toml"),
    HCLOUD_ENDPOINT: api.endpoint,
    HCLOUD_TOKEN: "conformance-token",
  };
  const r = await run(["hcloud", ...args], { env, timeoutMs: 30_000, allowFailure: true });
  if (r.exitCode !== 0) throw new Error(`hcloud ${args.join(" ")} failed (${r.exitCode}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

beforeAll(async () => {
  if (!(await hasProgram("hcloud"))) throw new Error("the hcloud CLI is missing: apt-get install hcloud-cli");
  api = await startFakeApi({ durations: { create_server: 200, start_server: 100, create_image: 300 } });
  home = mkdtempSync(join(tmpdir(), "fb-hcloud-"));
  writeFileSync(join(home, "cli.toml"), "");
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "conformance", "-f", join(home, "id")]);
});
afterAll(async () => api?.close());

describe("hcloud CLI against the fake API", () => {
  it("creates and deletes SSH keys", async () => {
    const pub = readFileSync(join(home, "id.pub"), "utf8").trim();
    await hcloud("ssh-key", "create", "--name", "k1", "--public-key", pub);
    expect([...api.state.sshKeys.values()].map((k) => k.name)).toEqual(["k1"]);
    const fp = (await run(["ssh-keygen", "-E", "md5", "-l", "-f", join(home, "id.pub")])).stdout
      .split(" ")[1]!
      .replace(/^MD5:/, "");
    expect(await hcloud("ssh-key", "list", "-o", "noheader", "-o", "columns=name,fingerprint")).toMatch(
      new RegExp(`k1\\s+${fp}`),
    );
  });

  it("creates, lists, describes, powers off, images and deletes a server", async () => {
    await hcloud(
      "server",
      "create",
      "--name",
      "s1",
      "--type",
      "cx22",
      "--image",
      "debian-12",
      "--location",
      "nbg1",
      "--ssh-key",
      "k1",
      "--label",
      "firstboot/temporary=true",
      "--user-data-from-file",
      join(home, "id.pub"),
    );
    const [server] = [...api.state.servers.values()];
    expect(server?.status).toBe("running");
    expect(api.state.userData.get(server!.id)).toContain("ssh-ed25519");
    expect(await hcloud("server", "list", "-o", "noheader", "-o", "columns=name,status")).toMatch(/s1\s+running/);
    const described = JSON.parse(await hcloud("server", "describe", "s1", "-o", "json")) as {
      labels: Record<string, string>;
      server_type: { name: string };
    };
    expect(described.labels).toEqual({ "firstboot/temporary": "true" });
    expect(described.server_type.name).toBe("cx22");
    await hcloud("server", "poweroff", "s1");
    expect(server?.status).toBe("off");
    await hcloud(
      "server",
      "create-image",
      "--type",
      "snapshot",
      "--description",
      "golden",
      "--label",
      "role=golden",
      "s1",
    );
    expect(
      await hcloud(
        "image",
        "list",
        "-t",
        "snapshot",
        "-l",
        "role=golden",
        "-o",
        "noheader",
        "-o",
        "columns=type,description,status",
      ),
    ).toMatch(/snapshot\s+golden\s+available/);
    expect((await hcloud("image", "list", "-t", "snapshot", "-l", "role=other", "-o", "noheader")).trim()).toBe("");
  });

  it("assigns a Floating IP", async () => {
    await hcloud("floating-ip", "create", "--type", "ipv4", "--home-location", "nbg1", "--name", "ip1");
    await hcloud("floating-ip", "assign", "ip1", "s1");
    const ip = JSON.parse(await hcloud("floating-ip", "describe", "ip1", "-o", "json")) as { server: number };
    expect(ip.server).toBe([...api.state.servers.values()][0]!.id);
    expect(await hcloud("server", "describe", "s1")).toContain([...api.state.floatingIps.values()][0]!.ip);
  });

  it("deletes the server and the key, and the fake saw no request it rejected", async () => {
    await hcloud("server", "delete", "s1");
    await hcloud("ssh-key", "delete", "k1");
    await new Promise((r) => setTimeout(r, 50));
    api.state.tick();
    expect(api.state.servers.size).toBe(0);
    expect(api.state.sshKeys.size).toBe(0);
    const rejected = api.state.log.filter((r) => (r.status ?? 0) >= 400);
    expect(rejected).toEqual([]);
  });
});
