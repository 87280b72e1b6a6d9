// A stack spec and a project with a live stack server (made by `up`), for the up/replace tests.
import { expect } from "vitest";
import type { StackSpec } from "../../src/deploy/stack.js";
import { up } from "../../src/deploy/up.js";
import { fakeUserData, testEnv, type TestEnv } from "./env.js";

export const stackSpec = (over: Partial<StackSpec> = {}): StackSpec => ({
  name: "selfmx",
  serverType: "cx23",
  location: "nbg1",
  baseImage: "ubuntu-24.04",
  sshUser: "deploy",
  sshPort: 22,
  floatingIp: { name: "selfmx-ip", ip: "198.51.100.10" },
  httpCheck: true,
  dataDirs: ["/opt/selfmx/uploads"],
  backups: true,
  health: { url: "http://127.0.0.1:5000/health", timeoutMs: 180_000 },
  render: async (hk, o) => fakeUserData(hk, o.holdStack ? ["# HOLD_STACK"] : []),
  ...over,
});

export async function withFloatingIp(t: TestEnv, type: "ipv4" | "ipv6" = "ipv4"): Promise<number> {
  const res = await t.env.hc.call(
    "create fip",
    t.env.hc.api.POST("/floating_ips", { body: { type, home_location: "nbg1", name: "selfmx-ip" } }),
  );
  return res.floating_ip!.id;
}

/** A project where `up` already made the live server; the log and counters start fresh after it. */
export async function liveStack(
  spec = stackSpec(),
  fipType: "ipv4" | "ipv6" = "ipv4",
): Promise<{ t: TestEnv; fipId: number; oldId: number }> {
  const t = testEnv();
  const fipId = await withFloatingIp(t, fipType);
  t.env.runId = "up1";
  const res = await up(t.env, spec);
  expect(res.ok).toBe(true);
  t.env.runId = "rep1";
  t.state.log = [];
  t.ssh.log.length = 0;
  t.events.length = 0;
  return { t, fipId, oldId: res.server!.id };
}
