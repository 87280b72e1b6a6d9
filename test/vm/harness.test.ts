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
    expect(script).toContain("rm -rf /var/lib/firstboot /opt/selfmx");
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
    expect(parseCloudInitStatus('{"status": "error", "errors": ["x failed"]}')).toMatchObject({ status: "error", errors: ["x failed"] });
    expect(parseCloudInitStatus("garbage").status).toBe("unknown");
  });
});
