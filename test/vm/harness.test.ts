import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { goldenPrepScript } from "../../src/vm/harness.js";
import { parseCloudInitStatus } from "../../src/vm/guest.js";
import { freePort, pidAlive } from "../../src/vm/vm.js";

describe("golden disk preparation", () => {
  const script = goldenPrepScript("/opt/selfmx");
  it("empties the machine-id instead of deleting it, and cleans cloud-init with its logs", () => {
    expect(script).toContain("truncate -s 0 /etc/machine-id");
    expect(script).toContain("cloud-init clean --logs");
    expect(script).not.toContain("--machine-id");
  });
  it("keeps images but removes containers, volumes and the stack's state", () => {
    expect(script).toContain("docker volume prune -af");
    expect(script).toContain("find /var/lib/firstboot -mindepth 1 -maxdepth 1 ! -name applied -exec rm -rf {} +");
    expect(script).toContain("rm -rf /opt/selfmx /var/backups/firstboot");
    expect(script).not.toMatch(/docker (image|system) prune/);
  });
  it("passes shellcheck", async () => {
    const r = await run(["shellcheck", "-s", "sh", "-"], { input: `#!/bin/sh\n${script}\n`, allowFailure: true });
    expect(r.stdout + r.stderr, "apt-get install shellcheck").toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("process helpers", () => {
  it("pidAlive follows a real process until it is killed by its PID", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const pid = child.pid!;
    expect(pidAlive(pid)).toBe(true);
    process.kill(pid, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(pidAlive(pid)).toBe(false);
  });
  it("freePort gives a bindable loopback port", async () => {
    const p = await freePort();
    expect(p).toBeGreaterThan(1024);
  });
});

describe("cloud-init status", () => {
  it("reads status and errors, and tolerates non-JSON", () => {
    expect(parseCloudInitStatus('{"status": "error", "errors": ["x failed"]}')).toMatchObject({
      status: "error",
      errors: ["x failed"],
    });
    expect(parseCloudInitStatus("garbage").status).toBe("unknown");
  });
});

describe("VM watchdog", () => {
  it("kills only the process whose command line names this VM's pidfile, after the deadline", async () => {
    const { watchdogArgv } = await import("../../src/vm/vm.js");
    const { vmPaths } = await import("../../src/vm/cache.js");
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const p = vmPaths(await mkdtemp(join(tmpdir(), "fb-wd-")), "t");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(p.dir, { recursive: true });
    // A stand-in "qemu" whose command line names the pidfile, and a bystander that does not.
    const vm = spawn("sh", ["-c", "sleep 30", p.pidfile], { stdio: "ignore" });
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    await run(watchdogArgv(vm.pid!, p, 1));
    await run(watchdogArgv(other.pid!, { ...p, watchdogPidfile: `${p.watchdogPidfile}.2` }, 1));
    await new Promise((r) => vm.once("exit", r));
    expect(pidAlive(other.pid!)).toBe(true);
    other.kill("SIGKILL");
  });
});
