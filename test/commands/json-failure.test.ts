// Every --json verb, run as the built CLI, ends with one JSON object on stdout when it fails:
// bad input (exit 2: a missing or bad config, no token, a bad flag) and a failure (exit 1,
// against the fake Hetzner API over real HTTP). Its `error` is what stderr says.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import { BIN, cliEnv, fb, openTmp, requireBuild } from "../helpers/cli.js";
import { ROOT } from "../helpers/render.js";

const SELFMX = join(ROOT, "examples", "selfmx", "firstboot.yaml");
const CONFIG_VERBS = ["size", "status", "recover", "up", "replace", "rollback"];

let api: FakeApi;
let home: string;
beforeAll(async () => {
  requireBuild();
  api = await startFakeApi({ durations: {} });
  home = openTmp();
});
afterAll(async () => api?.close());

const withToken = () => cliEnv(home, { HCLOUD_ENDPOINT: api.endpoint, HCLOUD_TOKEN: "json-token" });

interface Final {
  type: string;
  ok: boolean;
  exit: number;
  error: string;
  diagnostics?: { key: string; message: string; file: string; line?: number; col?: number; help?: string }[];
}

/** Runs the verb; its exit code must be `code` and the last stdout line the failure object. */
async function failing(args: string[], code: number, env = withToken(), cwd = home): Promise<Final> {
  const r = await fb({ args, env, cwd });
  expect(r.exitCode, r.stderr).toBe(code);
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Final;
  expect(last).toMatchObject({ type: "done", ok: false, exit: code });
  expect(r.stderr.endsWith(last.error + "\n"), r.stderr).toBe(true);
  expect(last.error).not.toContain("\u001b[");
  return last;
}

describe("--json on failure", () => {
  it.each(CONFIG_VERBS)("%s: a missing config is exit 2 with its diagnostic", async (verb) => {
    const f = await failing([verb, "-c", "nowhere.yaml", "--json"], 2);
    expect(f.error).toContain("cannot read nowhere.yaml");
    expect(f.diagnostics).toEqual([
      expect.objectContaining({ key: "", file: "nowhere.yaml", help: expect.any(String) }),
    ]);
  });

  it.each(["size", "up"])("%s: a bad config gives every problem with its position and help", async (verb) => {
    const dir = openTmp();
    writeFileSync(join(dir, "firstboot.yaml"), "version: 1\nname: x\nbogus: 1\n");
    const f = await failing([verb, "--json"], 2, withToken(), dir);
    const bogus = f.diagnostics!.find((d) => d.key === "bogus");
    expect(bogus).toMatchObject({ message: "unknown key `bogus`", file: "firstboot.yaml", line: 3, col: 1 });
    expect(bogus!.help).toContain("remove it");
    expect(f.diagnostics!.length).toBeGreaterThan(1);
  });

  it.each([["gc"], ["images", "list"], ["build-image", join(ROOT, "images", "selfmx.yaml")], ["status", SELFMX]])(
    "%s: no token is exit 2",
    async (...args) => {
      const f = await failing([...args, "--json"], 2, cliEnv(home));
      expect(f.error).toContain("no Hetzner API token");
      expect(f.diagnostics).toBeUndefined();
    },
  );

  it("a bad flag value and an unknown option are exit 2", async () => {
    expect((await failing(["replace", SELFMX, "--rollback-window", "soon", "--json"], 2)).error).toContain(
      "--rollback-window must look like",
    );
    expect((await failing(["gc", "--json", "--bogus"], 2)).error).toContain("Unknown option `--bogus`");
    expect((await failing(["images", "nonsense", "--json"], 2)).error).toContain("images: the action is");
  });

  it("up: a failed run is exit 1 and its final object is the one done event", async () => {
    await fetch(`${api.endpoint}/servers`, {
      method: "POST",
      headers: { Authorization: "Bearer x", "Content-Type": "application/json" },
      body: JSON.stringify({
        name: "selfmx-old",
        server_type: "cx23",
        image: "ubuntu-24.04",
        location: "nbg1",
        labels: { "firstboot/stack": "selfmx", "firstboot/role": "live" },
      }),
    });
    const r = await fb({ args: ["up", SELFMX, "--json"], env: withToken(), cwd: home });
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.filter((e) => e.type === "done")).toHaveLength(1);
    const f = await failing(["up", SELFMX, "--json"], 1);
    expect(f.error).toContain("already_exists: stack selfmx already has server selfmx-old");
  });

  it("Ctrl-C: an interrupted run is exit 130 and ends with the done object", async () => {
    const slow = await startFakeApi({ durations: { create_server: 60_000, delete_server: 300 } });
    try {
      const env = cliEnv(home, { HCLOUD_ENDPOINT: slow.endpoint, HCLOUD_TOKEN: "t" });
      const child = spawn(process.execPath, [BIN, "build-image", join(ROOT, "images", "selfmx.yaml"), "--json"], {
        env,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      for (let i = 0; i < 300 && slow.state.servers.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as Final;
      expect(last).toMatchObject({ type: "done", ok: false, exit: 130 });
      expect(last.error).toContain("interrupted");
      expect(stderr.endsWith(last.error + "\n")).toBe(true);
    } finally {
      await slow.close();
    }
  }, 60_000);

  it("success objects say ok: true", async () => {
    const r = await fb({ args: ["size", SELFMX, "--json"], env: withToken(), cwd: home });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, limit: 32768 });
  });

  it("without --json, stdout stays empty on failure", async () => {
    const r = await fb({ args: ["size", "-c", "nowhere.yaml"], env: withToken(), cwd: home });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
  });
});
