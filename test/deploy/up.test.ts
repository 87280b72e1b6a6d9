import { describe, expect, it } from "vitest";
import { up } from "../../src/deploy/up.js";
import * as rs from "../../src/deploy/remote-steps.js";
import { buildImage } from "../../src/deploy/build-image.js";
import { fakeUserData, temporaries, testEnv } from "./env.js";
import { requests } from "./helpers.js";
import { stackSpec, withFloatingIp } from "./stack-fixture.js";

const rep = (s: string, n: number): string[] => Array<string>(n).fill(s);

describe("up against the fake API", () => {
  it("makes exactly this request sequence: server from the base image, Floating IP, labels", async () => {
    const t = testEnv();
    const fipId = await withFloatingIp(t);
    t.state.log = [];
    const res = await up(t.env, stackSpec());
    expect(res.ok).toBe(true);
    expect(requests(t.state)).toEqual([
      "GET /servers",
      "GET /server_types",
      "GET /images",
      "GET /floating_ips",
      "POST /servers",
      ...rep("GET /actions", 5),
      "GET /servers/{id}",
      // The commit (live) before the Floating IP: a server that took writes is never undone.
      "PUT /servers/{id}",
      "GET /floating_ips",
      "POST /floating_ips/{id}/actions/assign",
      ...rep("GET /actions", 2),
    ]);
    const [server] = [...t.state.servers.values()];
    expect(server).toMatchObject({
      name: "selfmx-run1",
      labels: { "firstboot/stack": "selfmx", "firstboot/role": "live" },
      image: { name: "ubuntu-24.04" },
    });
    expect(t.state.floatingIps.get(fipId)?.server).toBe(server!.id);
    expect(t.ssh.log.map((e) => e.command)).toEqual([
      "true",
      "cloud-init status --wait --long",
      "sudo -n cat /var/lib/firstboot/status.json",
      rs.BACKUP_PROMOTE,
    ]);
    expect(res.from).toBe("base image ubuntu-24.04");
  });

  it("boots from the newest matching snapshot and creates the Cloud Firewall when asked", async () => {
    const t = testEnv();
    await withFloatingIp(t);
    const built = await buildImage(t.env, {
      name: "selfmx",
      stack: "selfmx",
      serverType: "cx23",
      location: "nbg1",
      baseImage: "ubuntu-24.04",
      hash: "h1",
      sshUser: "deploy",
      sshPort: 22,
      render: async (hk) => fakeUserData(hk),
    });
    const res = await up(
      t.env,
      stackSpec({
        cloudFirewall: [{ direction: "in", protocol: "tcp", port: "443", source_ips: ["0.0.0.0/0", "::/0"] }],
      }),
    );
    expect(res.ok).toBe(true);
    const server = res.server!;
    expect(server.image?.id).toBe(built.image!.id);
    const [fw] = [...t.state.firewalls.values()];
    expect(fw).toMatchObject({ name: "firstboot-selfmx", applied_to: [{ server: { id: server.id } }] });
  });

  it("refuses to take a Floating IP that another server holds", async () => {
    const t = testEnv();
    const fipId = await withFloatingIp(t);
    const other = await t.env.hc.call(
      "x",
      t.env.hc.api.POST("/servers", {
        body: {
          name: "someone-else",
          server_type: "cx23",
          image: "debian-12",
          location: "nbg1",
          start_after_create: true,
        },
      }),
    );
    await t.env.hc.call(
      "x",
      t.env.hc.api.POST("/floating_ips/{id}/actions/assign", {
        params: { path: { id: fipId } },
        body: { server: other.server.id },
      }),
    );
    await t.env.hc.clock.sleep(60_000);
    const res = await up(t.env, stackSpec());
    expect(res.ok).toBe(false);
    if (!res.ok)
      expect(res.error.message).toContain(
        `could not check the project: in_use: Floating IP selfmx-ip is assigned to server ${other.server.id}`,
      );
    expect(t.state.servers.size).toBe(1);
  });

  it("refuses when the stack already has a server", async () => {
    const t = testEnv();
    await withFloatingIp(t);
    expect((await up(t.env, stackSpec())).ok).toBe(true);
    t.env.runId = "run2";
    const again = await up(t.env, stackSpec());
    expect(again.ok).toBe(false);
    if (!again.ok)
      expect(again.error.message).toMatch(
        /^could not check the project: already_exists: stack selfmx already has server selfmx-run1/,
      );
    expect(t.state.servers.size).toBe(1);
  });

  it("a first boot that reports a failed step names it; the server is deleted", async () => {
    const t = testEnv();
    await withFloatingIp(t);
    const remote = t.ssh.connect.bind(t.ssh);
    t.ssh.connect = (target) => {
      const r = remote(target);
      return {
        exec: async (cmd, o) =>
          cmd.includes("status.json")
            ? {
                exitCode: 0,
                stdout:
                  '{"name":"selfmx","result":"failed","steps":[{"name":"docker","status":"ok","ms":1},{"name":"stack","status":"failed","ms":2}]}\n',
                stderr: "",
              }
            : r.exec(cmd, o),
      };
    };
    const res = await up(t.env, stackSpec());
    expect(res.ok).toBe(false);
    if (!res.ok)
      expect(res.error.message).toBe("first boot failed at stack; see /var/log/cloud-init-output.log on the server");
    expect(t.state.servers.size).toBe(0);
  });

  it("a failed first boot deletes the server and leaves nothing temporary", async () => {
    const t = testEnv();
    await withFloatingIp(t);
    t.ssh.fail.push({ match: "status.json", exitCode: 1, times: Infinity });
    const res = await up(t.env, { ...stackSpec(), health: { timeoutMs: 1000 } });
    expect(res.ok).toBe(false);
    expect(t.state.servers.size).toBe(0);
    expect(temporaries(t.state)).toEqual([]);
  });
});
