// The real hcloud CLI (Debian hcloud-cli) drives the fake: if our fake accepts and answers what
// the official client sends and expects, its shapes are the API's, not just our own guesses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/exec.js";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import { hcloudCli, type HcloudCli } from "./hcloud-cli.js";

let api: FakeApi;
let cli: HcloudCli;
let home: string;
const hcloudRun = (...args: string[]) => cli.run(...args);
const hcloud = (...args: string[]) => cli.ok(...args);

beforeAll(async () => {
  api = await startFakeApi({ durations: { create_server: 200, start_server: 100, create_image: 300 } });
  cli = await hcloudCli(api, "fb-hcloud-");
  home = cli.home;
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
      "cx23",
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
      location: { name: string };
    };
    expect(described.labels).toEqual({ "firstboot/temporary": "true" });
    expect(described.server_type.name).toBe("cx23");
    expect(described.location.name).toBe("nbg1");
    // The 2026 API has no datacenter on servers: this CLI (1.30, older than the change) still
    // describes the server, with an empty Datacenter block, as it does against the real API.
    expect(await hcloud("server", "describe", "s1")).toMatch(/^Name:\s+s1\nStatus:\s+running$/m);
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

  it("lists and describes server types with their per-location deprecations", async () => {
    const list = await hcloud("server-type", "list", "-o", "noheader", "-o", "columns=name,cores,memory,disk");
    expect(list).toMatch(/^cx23\s+2\s+4\.0 GB\s+40 GB$/m);
    expect(list).toMatch(/^cpx22\s+2\s+4\.0 GB\s+80 GB$/m);
    const cx23 = JSON.parse(await hcloud("server-type", "describe", "cx23", "-o", "json")) as {
      name: string;
      architecture: string;
      locations: { name: string; deprecation: unknown }[];
    };
    expect(cx23.name).toBe("cx23");
    expect(cx23.architecture).toBe("x86");
    expect(cx23.locations.map((l) => [l.name, l.deprecation])).toEqual([
      ["fsn1", null],
      ["nbg1", null],
      ["hel1", null],
    ]);
    const cx22 = JSON.parse(await hcloud("server-type", "describe", "cx22", "-o", "json")) as {
      locations: { name: string; deprecation: { unavailable_after: string } | null }[];
    };
    expect(cx22.locations.every((l) => l.deprecation?.unavailable_after === "2026-01-01T00:00:00+00:00")).toBe(true);
  });

  it("gets the API's refusal for a retired server type and a 410 for datacenters", async () => {
    const retired = await hcloudRun(
      "server",
      "create",
      "--name",
      "old",
      "--type",
      "cx22",
      "--image",
      "debian-12",
      "--location",
      "nbg1",
    );
    expect(retired.exitCode).not.toBe(0);
    expect(retired.stderr).toContain("unsupported location for server type");
    const dcs = await hcloudRun("datacenter", "list");
    expect(dcs.exitCode).not.toBe(0);
    expect(dcs.stderr).toMatch(/datacenters endpoints were removed.*\(gone\)/);
    // Only these two refusals were meant; the last test checks nothing else was refused.
    const meant = (r: { method: string; path: string; status?: number }) =>
      (r.status === 400 && r.method === "POST" && r.path === "/servers") ||
      (r.status === 410 && r.path === "/datacenters");
    expect(api.state.log.filter(meant).length).toBe(2);
    api.state.log = api.state.log.filter((r) => !meant(r));
  });

  it("assigns a Floating IP", async () => {
    await hcloud("floating-ip", "create", "--type", "ipv4", "--home-location", "nbg1", "--name", "ip1");
    await hcloud("floating-ip", "assign", "ip1", "s1");
    const ip = JSON.parse(await hcloud("floating-ip", "describe", "ip1", "-o", "json")) as { server: number };
    expect(ip.server).toBe([...api.state.servers.values()][0]!.id);
    expect(await hcloud("server", "describe", "s1")).toContain([...api.state.floatingIps.values()][0]!.ip);
  });

  it("runs the by-hand commands firstboot recover and gc print (labels, IPv6 Floating IP, shutdown, firewall)", async () => {
    await hcloud("server", "add-label", "--overwrite", "s1", "firstboot/role=standby");
    await hcloud("server", "add-label", "s1", "firstboot/frozen=r1");
    await hcloud("server", "remove-label", "s1", "firstboot/frozen");
    const labels = (JSON.parse(await hcloud("server", "describe", "s1", "-o", "json")) as { labels: object }).labels;
    expect(labels).toMatchObject({ "firstboot/role": "standby" });
    expect(labels).not.toHaveProperty("firstboot/frozen");
    await hcloud("floating-ip", "create", "--type", "ipv6", "--home-location", "nbg1", "--name", "ip6");
    await hcloud("floating-ip", "assign", "ip6", "s1");
    const v6 = JSON.parse(await hcloud("floating-ip", "describe", "ip6", "-o", "json")) as { ip: string; type: string };
    expect(v6).toMatchObject({ type: "ipv6", ip: expect.stringMatching(/::\/64$/) });
    expect(await hcloud("floating-ip", "list", "-o", "noheader", "-o", "columns=name")).toMatch(/ip1\s+ip6/);
    await hcloud("floating-ip", "delete", "ip6");
    await hcloud("server", "shutdown", "s1");
    await hcloud("firewall", "create", "--name", "firstboot-x", "--label", "firstboot/temporary=true");
    expect(await hcloud("firewall", "list", "-o", "noheader", "-l", "firstboot/temporary=true")).toMatch(/firstboot-x/);
    await hcloud("firewall", "delete", "firstboot-x");
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
