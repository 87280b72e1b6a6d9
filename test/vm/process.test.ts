// Stopping by PID returns only once the process is gone (CI once raced a dying qemu), never
// touches a process whose command line is not ours, and names what it could not end.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pidAlive, startTimeOf, stillOurs, stopAll, stopPid } from "../../src/vm/process.js";
import { qmp } from "../../src/vm/qmp.js";

const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.kill("SIGKILL")));

/** A node process that ignores SIGTERM (like a qemu busy flushing), named by `marker`; resolves once its handler is in place. */
async function stubborn(marker: string, ignoreTerm = true): Promise<number> {
  const code = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ""} setInterval(() => {}, 1000); console.log("ready");`;
  const c = spawn(process.execPath, ["-e", code, marker], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(c);
  await new Promise((r) => c.stdout!.once("data", r));
  return c.pid!;
}

describe("stopPid", () => {
  it("asks first, and the process that exits on SIGTERM is gone when the call returns", async () => {
    const pid = await stubborn("fb-polite", false);
    expect(await stopPid(pid, { marker: "fb-polite", graceMs: 5000 })).toBe(true);
    expect(pidAlive(pid)).toBe(false);
  });

  it("SIGKILLs after the grace period one that ignores the request, and waits for its exit", async () => {
    const pid = await stubborn("fb-stubborn");
    const t0 = Date.now();
    expect(await stopPid(pid, { marker: "fb-stubborn", graceMs: 300 })).toBe(true);
    // Timers may fire a millisecond early by Date.now(): allow for it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(pidAlive(pid)).toBe(false);
  });

  it("runs a function as the polite request (QMP quit)", async () => {
    const pid = await stubborn("fb-asked", false);
    let asked = 0;
    const ask = async () => (asked++, process.kill(pid, "SIGTERM"));
    expect(await stopPid(pid, { marker: "fb-asked", ask, graceMs: 5000 })).toBe(true);
    expect(asked).toBe(1);
  });

  it("names a process by PID and start time: its own start time while it lives, none once it is gone", async () => {
    const pid = await stubborn("fb-start-time", false);
    const started = startTimeOf(pid);
    expect(started).toMatch(/^\d+$/);
    expect(startTimeOf(pid)).toBe(started);
    expect(await stopPid(pid, { marker: "fb-start-time" })).toBe(true);
    expect(startTimeOf(pid) === started && pidAlive(pid)).toBe(false);
  });

  it("leaves alone a PID whose command line is not ours (the kernel reused it)", async () => {
    const pid = await stubborn("fb-bystander");
    expect(stillOurs(pid, "some-other-pidfile")).toBe(false);
    expect(await stopPid(pid, { marker: "some-other-pidfile", ask: "SIGKILL" })).toBe(true);
    expect(pidAlive(pid)).toBe(true);
  });

  it("stopAll ends every process at once", async () => {
    const a = await stubborn("fb-all-a");
    const b = await stubborn("fb-all-b", false);
    await stopAll([
      { pid: a, what: "a", marker: "fb-all-a", graceMs: 200 },
      { pid: b, what: "b", marker: "fb-all-b" },
    ]);
    expect([pidAlive(a), pidAlive(b)]).toEqual([false, false]);
  });
});

describe("qmp", () => {
  it("negotiates capabilities, sends the command, and is true after both answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fb-qmp-"));
    const sock = join(dir, "qmp.sock");
    const got: string[] = [];
    const server = createServer((c) => {
      c.write('{"QMP": {"version": {}}}\n');
      c.on("data", (d) => {
        for (const line of d.toString().split("\n").filter(Boolean)) {
          got.push(JSON.parse(line).execute);
          c.write('{"return": {}}\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      expect(await qmp(sock, "quit")).toBe(true);
      expect(got).toEqual(["qmp_capabilities", "quit"]);
      expect(await qmp(join(dir, "none.sock"), "quit")).toBe(false);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
