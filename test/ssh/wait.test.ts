// The one SSH wait, with a scripted remote and the virtual clock: the deploy defaults (back-off,
// host key mismatch, abort) and the preview's overrides (liveness check, steady pause, message).
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/clock.js";
import { waitForSsh, type Remote } from "../../src/ssh/index.js";

function remote(answers: { exitCode: number; stderr?: string }[]): Remote & { tries: number } {
  const r = {
    tries: 0,
    exec: async () => {
      const a = answers[r.tries++] ?? answers[answers.length - 1]!;
      return { exitCode: a.exitCode, stdout: "", stderr: a.stderr ?? "" };
    },
  };
  return r;
}

describe("waitForSsh", () => {
  it("backs off from 2 s to 10 s and says how long it waited", async () => {
    const clock = new VirtualClock();
    const r = remote([{ exitCode: 255 }, { exitCode: 255 }, { exitCode: 255 }, { exitCode: 0 }]);
    expect(await waitForSsh(r, { clock })).toBe(2000 + 3000 + 4500);
    expect(r.tries).toBe(4);
  });

  it("stops when someone else's host key answers", async () => {
    const r = remote([{ exitCode: 255, stderr: "Host key verification failed." }]);
    await expect(waitForSsh(r, { clock: new VirtualClock() })).rejects.toThrow(
      /host key is not the one firstboot generated/,
    );
    expect(r.tries).toBe(4);
  });

  it("times out with ssh's last complaint, or the caller's message", async () => {
    const r = remote([{ exitCode: 255, stderr: "Connection refused" }]);
    await expect(waitForSsh(r, { clock: new VirtualClock(), timeoutMs: 60_000 })).rejects.toThrow(
      "SSH did not come up within 1 minutes: Connection refused",
    );
    const e = (last: string) => new Error(`no SSH: ${last}`);
    await expect(
      waitForSsh(r, { clock: new VirtualClock(), timeoutMs: 60_000, pauseMs: () => 3000, timeoutError: e }),
    ).rejects.toThrow("no SSH: Connection refused");
  });

  it("asks the caller whether to go on before every try, and pauses as told", async () => {
    const clock = new VirtualClock();
    const r = remote([{ exitCode: 255 }]);
    let checks = 0;
    const alive = async () => {
      if (++checks === 3) throw new Error("the VM died");
    };
    await expect(waitForSsh(r, { clock, alive, pauseMs: () => 3000 })).rejects.toThrow("the VM died");
    expect(r.tries).toBe(2);
    expect(clock.now() - new VirtualClock().now()).toBe(6000);
  });

  it("stops when aborted", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(
      waitForSsh(remote([{ exitCode: 0 }]), { clock: new VirtualClock(), signal: abort.signal }),
    ).rejects.toThrow();
  });
});
