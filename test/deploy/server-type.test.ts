// up, replace and build-image decide from the API whether the server type can be ordered in the
// location: the fake serves the 2026 line-up (cx22, cx32 and the cpx_1 types retired in Europe
// since 2026-01-01, the virtual clock's start), and a test announces or sells out a type on it.
import { describe, expect, it } from "vitest";
import { up } from "../../src/deploy/up.js";
import { planReplace } from "../../src/deploy/replace.js";
import { buildImage } from "../../src/deploy/build-image.js";
import { fakeUserData, testEnv, type TestEnv } from "./env.js";
import { liveStack, stackSpec, withFloatingIp } from "./stack-fixture.js";

const OPTS = { freeze: true, rollbackWindowMs: 3600_000 };

async function upWith(over: Parameters<typeof stackSpec>[0], setup?: (t: TestEnv) => void) {
  const t = testEnv();
  await withFloatingIp(t);
  setup?.(t);
  t.state.log = [];
  const res = await up(t.env, stackSpec(over));
  const created = t.state.log.filter((r) => r.method === "POST").length;
  return { t, res, message: res.ok ? "" : res.error.message, created };
}

function announce(t: TestEnv, type: string, location: string, unavailableAfter: string): void {
  const at = t.state.serverTypes.find((s) => s.name === type)!.locations.find((l) => l.name === location)!;
  at.deprecation = { announced: "2025-12-01T00:00:00+00:00", unavailable_after: unavailableAfter };
}

describe("the server type check", () => {
  it("up refuses a type retired in the location and names its successor from the API, creating nothing", async () => {
    const { res, message, created } = await upWith({ serverType: "cx22" });
    expect(res.ok).toBe(false);
    expect(message).toContain("server type cx22 can no longer be ordered in nbg1");
    expect(message).toContain("unavailable since 2026-01-01");
    expect(message).toContain("e.g. cx23");
    expect(created).toBe(0);
  });

  it("picks a successor at least as big: cpx21 (3 cores) gets cpx32, not the 2-core cpx22", async () => {
    const { message } = await upWith({ serverType: "cpx21" });
    expect(message).toContain("e.g. cpx32");
  });

  it("replace refuses a retired type in its plan, before it touches the old server", async () => {
    const { t } = await liveStack();
    await expect(planReplace(t.env, stackSpec({ serverType: "cx32" }), OPTS)).rejects.toThrow(
      /server type cx32 can no longer be ordered in nbg1.*e\.g\. cx33/,
    );
    expect(t.ssh.log).toEqual([]);
    expect(t.state.log.every((r) => r.method === "GET")).toBe(true);
  });

  it("build-image refuses a retired type naming the successor", async () => {
    const t = testEnv();
    const res = await buildImage(t.env, {
      name: "selfmx",
      stack: "selfmx",
      serverType: "cx22",
      location: "fsn1",
      baseImage: "ubuntu-24.04",
      hash: "h1",
      sshUser: "deploy",
      sshPort: 22,
      render: async (hk) => fakeUserData(hk),
    });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.message).toMatch(/cx22 can no longer be ordered in fsn1.*e\.g\. cx23/);
    expect(t.state.log.every((r) => r.method === "GET")).toBe(true);
  });

  it("warns about an announced deprecation with its date and a successor, and goes on", async () => {
    const { t, res } = await upWith({}, (t) => announce(t, "cx23", "nbg1", "2026-06-01T00:00:00+00:00"));
    expect(res.ok).toBe(true);
    const warnings = t.events.filter((e) => e.type === "warning").map((e) => ("message" in e ? e.message : ""));
    expect(warnings).toEqual([
      expect.stringMatching(/cx23 is deprecated in nbg1: .* until 2026-06-01 only .* e\.g\. cx33$/),
    ]);
  });

  it("refuses once the announced date has passed (the clock, not a list, decides)", async () => {
    const { message } = await upWith({}, (t) => announce(t, "cx23", "nbg1", "2025-12-31T00:00:00+00:00"));
    expect(message).toMatch(/cx23 can no longer be ordered in nbg1.*e\.g\. cx33/);
  });

  it("names where a type is offered when the location does not offer it", async () => {
    const { message, created } = await upWith({ serverType: "cpx22", location: "ash" });
    expect(message).toContain("server type cpx22 is not offered in ash; it is offered in fsn1, nbg1, hel1");
    expect(created).toBe(0);
  });

  it("names the types the location offers when the type does not exist", async () => {
    const { message } = await upWith({ serverType: "cx11" });
    expect(message).toMatch(/server type cx11 does not exist .*; nbg1 offers cx23, cx33, .*cpx22/);
    expect(message).not.toMatch(/offers.*\bcx22\b/);
  });

  it("refuses a type sold out in the location, naming where it can be had now", async () => {
    const { message } = await upWith({}, (t) => {
      t.state.serverTypes.find((s) => s.name === "cx23")!.locations.find((l) => l.name === "nbg1")!.available = false;
    });
    expect(message).toContain("server type cx23 is temporarily unavailable in nbg1");
    expect(message).toContain("available now in fsn1, hel1");
  });
});
