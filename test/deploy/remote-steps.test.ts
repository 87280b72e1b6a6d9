// The commands sent to servers, and waitForCloudInit across a first boot that restarts sshd: a
// cut connection (ssh exit 255) is waited out with a new one; cloud-init's own failure is not retried.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/clock.js";
import { run } from "../../src/exec.js";
import { archiveFromBackupOutput, cleanForSnapshotCommand, waitForCloudInit } from "../../src/deploy/remote-steps.js";
import type { Remote } from "../../src/ssh/index.js";

function remote(exits: number[]): Remote & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    exec: async (command) => {
      calls.push(command);
      const exitCode = command.startsWith("cloud-init status") ? (exits.shift() ?? 0) : 0;
      return {
        exitCode,
        stdout: exitCode === 1 ? "status: error" : "",
        stderr: exitCode === 255 ? "Connection closed by remote host" : "",
      };
    },
  };
}

describe("waitForCloudInit", () => {
  it("reconnects when sshd restarts under it", async () => {
    const r = remote([255, 255, 0]);
    await waitForCloudInit(r, 60_000, new VirtualClock());
    expect(r.calls.filter((c) => c.startsWith("cloud-init status"))).toHaveLength(3);
  });

  it("gives up when SSH stays away, and does not retry cloud-init's own failure", async () => {
    await expect(waitForCloudInit(remote(Array(20).fill(255)), 60 * 60_000, new VirtualClock())).rejects.toThrow(
      /lost SSH while waiting for cloud-init/,
    );
    const r = remote([1]);
    await expect(waitForCloudInit(r, 60_000, new VirtualClock())).rejects.toThrow(/cloud-init failed \(exit 1\)/);
    expect(r.calls.filter((c) => c.startsWith("cloud-init status"))).toHaveLength(1);
  });
});

describe("remote commands (pure)", () => {
  it("the snapshot clean command is valid sh (shellcheck) and removes the login key, host keys and machine id", async () => {
    const cmd = cleanForSnapshotCommand("deploy", "firstboot-build-run1");
    expect(cmd).toBe(
      'sudo -n sh -c \'cloud-init clean --logs --seed && rm -f /etc/ssh/ssh_host_* && truncate -s 0 /etc/machine-id && for f in /home/deploy/.ssh/authorized_keys /root/.ssh/authorized_keys; do [ -f "$f" ] && sed -i "/ firstboot-build-run1$/d" "$f"; done; true\'',
    );
    const r = await run(["shellcheck", "-s", "sh", "-"], { input: `#!/bin/sh\n${cmd}\n`, allowFailure: true });
    expect(r.stdout + r.stderr).toBe("");
    const inner = cmd.slice("sudo -n sh -c '".length, -1);
    const r2 = await run(["shellcheck", "-s", "sh", "-"], { input: `#!/bin/sh\n${inner}\n`, allowFailure: true });
    expect(r2.stdout).toBe("");
  });

  it("finds the archive name firstboot-backup printed", () => {
    expect(archiveFromBackupOutput("sqlite ok\nuploaded selfmx-20260101T030000Z.tar.zst.age (12 MB)\n")).toBe(
      "selfmx-20260101T030000Z.tar.zst.age",
    );
    expect(archiveFromBackupOutput("nothing")).toBeUndefined();
    // Names since backup generations: the server's generation id after the time.
    expect(archiveFromBackupOutput("backup selfmx-20260101T030000Z-0a1b2c3d done\n")).toBe(
      "selfmx-20260101T030000Z-0a1b2c3d",
    );
    // What snippets/backup/backup.sh logs (to stderr) when a backup finished.
    expect(archiveFromBackupOutput("\nfirstboot-backup: backup selfmx-20260101T030000Z done\n")).toBe(
      "selfmx-20260101T030000Z",
    );
  });
});
