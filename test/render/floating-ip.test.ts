// floating_ip: address forms, the unit (systemd-analyze verify), and the script run for real
// against a dummy "public" interface in a throwaway network namespace.
import { describe, expect, it, vi } from "vitest";
import { floatingAddress, floatingIpSchema } from "../../src/config/schema-docker.js";
import { floatingIpParts } from "../../src/render/floating-ip.js";
import { FLOATING_IP_SCRIPT, FLOATING_IP_UNIT, unitPath } from "../../src/server-contract.js";
import { ctxFor, fileOf, need, shellcheckScript, shellcheckStep, tempDir, tool, verifyUnit } from "./real-tools.js";

// Real tools (ufw, fail2ban, sshd, gpg, namespaces) take seconds when the machine is busy.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const render = (ip: string) => floatingIpParts(floatingIpSchema.parse({ name: "web-ip", ip }), ctxFor("debian-13"));

describe("floating IP config", () => {
  it("takes IPv4 (/32) and Hetzner's IPv6 /64, using ::1 of the network", () => {
    expect(floatingAddress("203.0.113.10")).toEqual({ family: 4, cidr: "203.0.113.10/32" });
    expect(floatingAddress("203.0.113.10/32")).toEqual({ family: 4, cidr: "203.0.113.10/32" });
    expect(floatingAddress("2001:db8:1:2::/64")).toEqual({ family: 6, cidr: "2001:db8:1:2::1/64" });
    expect(floatingAddress("2001:db8:1:2::5")).toEqual({ family: 6, cidr: "2001:db8:1:2::5/64" });
    for (const bad of ["203.0.113.0/24", "2001:db8::/48", "web-ip", "1.2.3.4/32/1"]) {
      expect(floatingIpSchema.safeParse({ name: "web-ip", ip: bad }).success, bad).toBe(false);
    }
  });

  it("installs rsync, which `firstboot replace` copies the stack's data with", () => {
    expect(render("203.0.113.10")[0]?.packages).toEqual(["rsync"]);
  });

  it("absent: no part", () => {
    expect(floatingIpParts(undefined, ctxFor("debian-13"))).toEqual([]);
  });
});

describe("floating IP unit and script", () => {
  it("unit passes systemd-analyze verify; script and step pass shellcheck", async () => {
    const parts = render("203.0.113.10");
    const script = fileOf(parts, FLOATING_IP_SCRIPT)!.content;
    const unit = fileOf(parts, unitPath(FLOATING_IP_UNIT))!.content;
    expect(unit).toContain(`ExecStart=/bin/sh ${FLOATING_IP_SCRIPT} add 203.0.113.10/32`);
    expect(unit).toMatch(/^After=network-online\.target systemd-networkd\.service networking\.service$/m);
    expect(unit).toMatch(/^PartOf=systemd-networkd\.service networking\.service$/m);
    const v = await verifyUnit("firstboot-floating-ip.service", unit, { [FLOATING_IP_SCRIPT]: script });
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stderr).toBe("");
    expect((await shellcheckScript(script)).exitCode).toBe(0);
    const step = await shellcheckStep(parts[0]!.steps![0]!.script);
    expect(step.exitCode, step.stdout).toBe(0);
  });

  it("adds the addresses to whichever interface has the default route, idempotently, and removes them", async () => {
    const script = fileOf(render("203.0.113.10"), FLOATING_IP_SCRIPT)!.content;
    const t = tempDir("fip");
    try {
      const s = t.write("floating-ip.sh", script);
      const setup = [
        // veth, not dummy: the dummy module may not be loadable where tests run.
        "ip link add pub7 type veth peer name other7 && ip link set pub7 up && ip link set other7 up",
        "ip addr add 192.0.2.10/24 dev pub7 && ip route add default via 192.0.2.1 dev pub7",
        "ip -6 addr add 2001:db8:ffff::10/64 dev pub7 nodad && ip -6 route add default via 2001:db8:ffff::1 dev pub7",
      ].join(" && ");
      const run = `sh ${s} add 203.0.113.10/32 && sh ${s} add 203.0.113.10/32 && sh ${s} add 2001:db8:1:2::1/64 && ip -o addr show && echo === && sh ${s} del 203.0.113.10/32 && sh ${s} del 2001:db8:1:2::1/64 && ip -o addr show`;
      await need("ip");
      const r = await tool(["unshare", "--net", "bash", "-c", `set -e; ${setup}; ${run}`]);
      expect(r.exitCode, r.stderr).toBe(0);
      const [added, removed] = r.stdout.split("===");
      expect(added!.match(/pub7\s+inet 203\.0\.113\.10\/32/g)).toHaveLength(1);
      expect(added).toMatch(/pub7\s+inet6 2001:db8:1:2::1\/64/);
      expect(added).not.toMatch(/other7\s+inet /);
      expect(removed).not.toContain("203.0.113.10");
      expect(removed).not.toContain("2001:db8:1:2::1/");
    } finally {
      t.cleanup();
    }
  });
});
