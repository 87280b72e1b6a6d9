import { describe, expect, it } from "vitest";
import { buildImage, type BuildSpec } from "../../src/deploy/build-image.js";
import { fakeUserData, temporaries, testEnv, type TestEnv } from "./env.js";
import { requests } from "./helpers.js";
import { repeatable } from "../../src/hcloud/retry.js";
import { CLOUD_INIT_WAIT, cleanForSnapshotCommand } from "../../src/deploy/remote-steps.js";

const spec = (over: Partial<BuildSpec> = {}): BuildSpec => ({
  name: "selfmx",
  stack: "selfmx",
  serverType: "cx23",
  location: "nbg1",
  baseImage: "ubuntu-24.04",
  arch: "x86",
  hash: "0123456789abcdef0123456789abcdef",
  sshUser: "deploy",
  sshPort: 22,
  render: async (hk, login) => fakeUserData(hk, [`# authorized for deploy: ${login}`]),
  ...over,
});

const rep = (s: string, n: number): string[] => Array<string>(n).fill(s);
const HAPPY = [
  "GET /locations",
  "GET /server_types",
  ...rep("GET /images", 2),
  "POST /ssh_keys",
  "POST /servers",
  ...rep("GET /actions", 5),
  "GET /servers/{id}",
  "POST /servers/{id}/actions/shutdown",
  ...rep("GET /actions", 4),
  "GET /servers/{id}",
  "POST /servers/{id}/actions/create_image",
  ...rep("GET /actions", 7),
  "PUT /images/{id}",
  "DELETE /servers/{id}",
  ...rep("GET /actions", 3),
  "DELETE /ssh_keys/{id}",
];

describe("build-image against the fake API", () => {
  it("makes exactly this request sequence and leaves only the labelled snapshot", async () => {
    const t = testEnv();
    const res = await buildImage(t.env, spec());
    expect(res.ok).toBe(true);
    expect(requests(t.state)).toEqual(HAPPY);
    expect(t.ssh.log).toEqual([
      { server: "firstboot-build-run1", command: "true" },
      { server: "firstboot-build-run1", command: CLOUD_INIT_WAIT },
      { server: "firstboot-build-run1", command: cleanForSnapshotCommand("deploy", "firstboot-build-run1") },
    ]);
    expect(temporaries(t.state)).toEqual([]);
    expect(t.state.servers.size).toBe(0);
    expect(t.state.sshKeys.size).toBe(0);
    const snaps = [...t.state.images.values()].filter((i) => i.type === "snapshot");
    expect(snaps.map((s) => s.labels)).toEqual([
      {
        "firstboot/image": "selfmx",
        "firstboot/hash": spec().hash,
        "firstboot/version": "0.1.0",
        "firstboot/stack": "selfmx",
        "firstboot/base": "ubuntu-24.04",
      },
    ]);
    expect(res.image?.id).toBe(snaps[0]!.id);
  });

  it("reuses a snapshot with the same content hash unless forced", async () => {
    const t = testEnv();
    await buildImage(t.env, spec());
    const before = t.state.log.length;
    const again = await buildImage(t.env, spec());
    expect(again).toMatchObject({ ok: true, reused: true });
    expect(requests(t.state, before)).toEqual(HAPPY.slice(0, 4));
    const forced = await buildImage(t.env, spec({ force: true }));
    expect(forced.ok && !forced.reused).toBe(true);
    expect([...t.state.images.values()].filter((i) => i.type === "snapshot")).toHaveLength(2);
  });

  it("refuses before creating anything when the type, arch, location or base image is wrong", async () => {
    for (const bad of [
      { serverType: "cx999" },
      { arch: "arm" as const },
      { location: "ash" },
      { baseImage: "nonsense-1" },
    ]) {
      const t = testEnv();
      const res = await buildImage(t.env, spec(bad));
      expect(res.ok).toBe(false);
      expect(t.state.log.every((r) => r.method === "GET")).toBe(true);
    }
  });

  it("shows the cloud-init log when cloud-init fails", async () => {
    const t = testEnv();
    t.ssh.fail.push({ match: "cloud-init status --wait", exitCode: 1 });
    const res = await buildImage(t.env, spec());
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.message).toContain("Cloud-init v. 22.4 finished");
    expect(temporaries(t.state)).toEqual([]);
  });
});

describe("build-image faults leave zero temporary resources", () => {
  const run = async (setup: (t: TestEnv) => void): Promise<{ t: TestEnv; ok: boolean }> => {
    const t = testEnv();
    setup(t);
    const res = await buildImage(t.env, spec());
    return { t, ok: res.ok };
  };

  it.each(HAPPY.map((r, i) => [i, r] as const))("API request %i (%s) fails with 500", async (i, req) => {
    const { t, ok } = await run((t) => (t.onRequest = (n) => (n === i ? 500 : undefined)));
    expect(temporaries(t.state)).toEqual([]);
    // A read, update, delete or power action is sent again; a create is not (it is adopted and cleaned up).
    const [method, path] = req.split(" ");
    expect(ok).toBe(repeatable(method!, path!.replace("{id}", "1")));
  });

  it.each(HAPPY.map((r, i) => [i, r] as const))("API request %i (%s) fails for good (422)", async (i) => {
    const { t, ok } = await run((t) => (t.onRequest = (n) => (n === i ? 422 : undefined)));
    // Once the snapshot is labelled, a failed delete leaves it as the result (with a warning).
    const finalDeletes = HAPPY.indexOf("DELETE /servers/{id}");
    expect(ok).toBe(i >= finalDeletes);
    if (i < finalDeletes) expect(temporaries(t.state)).toEqual([]);
    else expect(t.events.filter((e) => e.type === "warning")).toHaveLength(1);
  });

  it("a final cleanup that fails is a warning naming what to delete; the snapshot is the result", async () => {
    const { t, ok } = await run((t) =>
      t.state.faults.push(
        { on: "DELETE /servers/{id}", status: 500, times: Infinity },
        { on: "DELETE /ssh_keys/{id}", status: 422 },
      ),
    );
    expect(ok).toBe(true);
    const [server] = [...t.state.servers.values()];
    const [key] = [...t.state.sshKeys.values()];
    expect(temporaries(t.state)).toEqual([`server ${server!.name}`, `ssh_key ${key!.name}`]);
    const warnings = t.events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^could not delete build server ${server!.name} \\(id ${server!.id}\\): .*hcloud server delete ${server!.id}.*firstboot gc`,
        ),
      ),
      expect.stringMatching(new RegExp(`^could not delete SSH key .*hcloud ssh-key delete ${key!.id}.*firstboot gc`)),
    ]);
    const snaps = [...t.state.images.values()].filter((i) => i.type === "snapshot");
    expect(snaps.map((i) => i.labels["firstboot/temporary"])).toEqual([undefined]);
  });

  it.each(HAPPY.map((r, i) => [i, r] as const))("Ctrl-C at API request %i (%s)", async (i) => {
    const { t, ok } = await run((t) => (t.onRequest = (n) => void (n === i && t.abort.abort())));
    expect(temporaries(t.state)).toEqual([]);
    expect(t.state.servers.size + t.state.sshKeys.size).toBe(0);
    expect(ok).toBe(i >= HAPPY.length - 1);
  });

  it.each(["POST /ssh_keys", "POST /servers", "POST /servers/{id}/actions/create_image"])(
    "the response to %s is lost (created, then 504): not sent again, adopted and deleted",
    async (on) => {
      const { t, ok } = await run((t) => t.state.faults.push({ on, status: 504, afterApply: true }));
      expect(ok).toBe(false);
      expect(requests(t.state).filter((r) => r === on)).toHaveLength(1);
      expect(temporaries(t.state)).toEqual([]);
      expect(t.state.servers.size + t.state.sshKeys.size).toBe(0);
    },
  );

  it.each(["create_server", "start_server", "shutdown_server", "create_image", "delete_server"])(
    "action %s errors",
    async (command) => {
      const { t, ok } = await run((t) =>
        t.state.faults.push({ on: `action:${command}`, code: "action_failed", message: "boom" }),
      );
      // The build server's delete comes after the snapshot: its failure is a warning, not a failed build.
      expect(ok).toBe(command === "delete_server");
      expect(temporaries(t.state)).toEqual(command === "delete_server" ? ["server firstboot-build-run1"] : []);
    },
  );

  it.each(["true", "cloud-init status", "cloud-init clean"])("SSH command %s fails / is interrupted", async (match) => {
    const failed = await run((t) => t.ssh.fail.push({ match, exitCode: match === "true" ? 255 : 1, times: Infinity }));
    expect(failed.ok).toBe(false);
    expect(temporaries(failed.t.state)).toEqual([]);
    const interrupted = await run((t) => (t.ssh.onExec = (_s, c) => void (c.includes(match) && t.abort.abort())));
    expect(interrupted.ok).toBe(false);
    expect(temporaries(interrupted.t.state)).toEqual([]);
  });
});
