// waitForCloudInit across a first boot that restarts sshd: a cut connection (ssh exit 255) is
// waited out with a new one; cloud-init's own failure is not retried.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/clock.js";
import { waitForCloudInit } from "../../src/deploy/remote-steps.js";
import type { Remote } from "../../src/deploy/ssh.js";

function remote(exits: number[]): Remote & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    exec: async (command) => {
      calls.push(command);
      const exitCode = command.startsWith("cloud-init status") ? (exits.shift() ?? 0) : 0;
      return { exitCode, stdout: exitCode === 1 ? "status: error" : "", stderr: exitCode === 255 ? "Connection closed by remote host" : "" };
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
    await expect(waitForCloudInit(remote(Array(20).fill(255)), 60 * 60_000, new VirtualClock())).rejects.toThrow(/lost SSH while waiting for cloud-init/);
    const r = remote([1]);
    await expect(waitForCloudInit(r, 60_000, new VirtualClock())).rejects.toThrow(/cloud-init failed \(exit 1\)/);
    expect(r.calls.filter((c) => c.startsWith("cloud-init status"))).toHaveLength(1);
  });
});
