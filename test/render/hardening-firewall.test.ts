// firewall: the ufw step runs for real with ufw inside throwaway network+mount namespaces; the
// DOCKER-USER rules pass iptables-restore/ip6tables-restore --test and are applied for real
// (twice, next to a fail2ban jump; and where Docker never ran, as on a first boot, where the
// firewall step comes before Docker's install) in a throwaway network namespace.
import { cpSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { hardeningSchema, type HardeningInput } from "../../src/config/schema-hardening.js";
import { dockerUserRules, hardeningParts, METADATA_IP } from "../../src/render/hardening.js";
import { DOCKER_USER_SCRIPT, DOCKER_USER_UNIT, unitPath } from "../../src/server-contract.js";
import { ctxFor, fileOf, need, shellcheckScript, tempDir, tool, verifyUnit } from "./real-tools.js";

// Real tools (ufw, fail2ban, sshd, gpg, namespaces) take seconds when the machine is busy.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const ALLOW = ["80/tcp", "443/tcp", "443/udp", "7882/udp", "50000:60000/udp"];
const parse = (input: HardeningInput) => hardeningSchema.parse(input);
const render = (input: HardeningInput) => hardeningParts(parse(input), ctxFor("debian-13"));
const both = { containers: true, blockMetadata: true };

/** Run a shell snippet as root in fresh network (and optionally mount) namespaces. */
const inNetns = (script: string, mount = false) =>
  tool(["unshare", "--net", ...(mount ? ["--mount"] : []), "bash", "-c", script]);

describe("allow list", () => {
  it("accepts what ufw accepts and rejects what ufw rejects (real ufw --dry-run)", async () => {
    for (const spec of ["22/tcp", "443/udp", "50000:60000/udp", "65535/tcp"]) {
      expect(parse({ firewall: { allow: [spec] } }).firewall).toBeTruthy();
      const r = await tool(["ufw", "--dry-run", "allow", spec]);
      expect(r.exitCode, `${spec}: ${r.stderr}`).toBe(0);
    }
    for (const spec of ["70000/tcp", "0/tcp", "60000:50000/udp", "22/icmp"]) {
      expect(hardeningSchema.safeParse({ firewall: { allow: [spec] } }).success, spec).toBe(false);
      expect((await tool(["ufw", "--dry-run", "allow", spec])).exitCode, spec).not.toBe(0);
    }
  });
});

describe("ufw step (real ufw in a throwaway namespace)", () => {
  it("denies inbound by default and opens exactly the allow list, IPv4 and IPv6", async () => {
    const parts = render({ firewall: { allow: ALLOW, containers: false, block_metadata: false } });
    const step = parts.find((p) => p.section === "firewall")!.steps![0]!.script;
    const t = tempDir("ufw");
    try {
      cpSync("/etc/ufw", `${t.dir}/ufw`, { recursive: true });
      cpSync("/etc/default", `${t.dir}/default`, { recursive: true });
      t.write(
        "default/ufw",
        'IPV6=no\nDEFAULT_INPUT_POLICY="ACCEPT"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\nDEFAULT_FORWARD_POLICY="DROP"\nDEFAULT_APPLICATION_POLICY="SKIP"\nMANAGE_BUILTINS=no\nIPT_SYSCTL=/etc/ufw/sysctl.conf\nIPT_MODULES=""\n',
      );
      const step_ = t.write("step.sh", `set -euo pipefail\n${step}`);
      // A rule left by a snapshot's earlier config must not survive the step.
      const stale = "ufw allow 9999/tcp >/dev/null && ufw --force enable >/dev/null";
      const r = await inNetns(
        `mount --bind ${t.dir}/ufw /etc/ufw && mount --bind ${t.dir}/default /etc/default && ${stale} && bash ${step_} >/dev/null && iptables -S && ip6tables -S`,
        true,
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain("-P INPUT DROP");
      for (const [chain, v] of [
        ["ufw-user-input", 4],
        ["ufw6-user-input", 6],
      ] as const) {
        const rules = r.stdout.split("\n").filter((l) => l.startsWith(`-A ${chain} `));
        expect(rules, `IPv${v}`).toEqual([
          `-A ${chain} -p tcp -m tcp --dport 22 -j ACCEPT`,
          `-A ${chain} -p tcp -m tcp --dport 80 -j ACCEPT`,
          `-A ${chain} -p tcp -m tcp --dport 443 -j ACCEPT`,
          `-A ${chain} -p udp -m udp --dport 443 -j ACCEPT`,
          `-A ${chain} -p udp -m udp --dport 7882 -j ACCEPT`,
          `-A ${chain} -p udp -m multiport --dports 50000:60000 -j ACCEPT`,
        ]);
      }
    } finally {
      t.cleanup();
    }
  });
});

describe("DOCKER-USER rules", () => {
  it("pass iptables-restore --test and ip6tables-restore --test", async () => {
    for (const [cmd, v] of [
      ["iptables-restore", 4],
      ["ip6tables-restore", 6],
    ] as const) {
      const r = await tool([cmd, "--test", "--noflush"], { input: dockerUserRules(["22/tcp", ...ALLOW], v, both) });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(0);
    }
    // --test really parses the rules (it does not check port ranges: the schema does that).
    const broken = dockerUserRules(["22/tcp"], 4, both).replace("--ctstate DNAT", "--ctstate BOGUS");
    expect((await tool(["iptables-restore", "--test", "--noflush"], { input: broken })).exitCode).not.toBe(0);
  });

  it("IPv6 is IPv4 minus the metadata line, as the script derives it", () => {
    const v4 = dockerUserRules(ALLOW, 4, both);
    expect(dockerUserRules(ALLOW, 6, both)).toBe(
      v4
        .split("\n")
        .filter((l) => !l.includes(METADATA_IP))
        .join("\n"),
    );
    const shipped = dockerUserRules(["22/tcp", ...ALLOW], 4, both);
    expect(fileOf(render({ firewall: { allow: ALLOW } }), DOCKER_USER_SCRIPT)!.content).toContain(
      `cat <<'RULES'\n${shipped}RULES\n`,
    );
  });

  it("block the metadata service for containers on IPv4 only, and only when asked", () => {
    expect(dockerUserRules(ALLOW, 4, both)).toMatch(/^-A FB-DOCKER -d 169\.254\.169\.254\/32 -j REJECT/m);
    expect(dockerUserRules(ALLOW, 6, both)).not.toContain("169.254");
    expect(dockerUserRules(ALLOW, 4, { containers: true, blockMetadata: false })).not.toContain("169.254");
    expect(dockerUserRules(ALLOW, 4, { containers: false, blockMetadata: true })).not.toContain("ctorigdstport");
  });

  it("are applied for real, idempotently, without flushing other DOCKER-USER rules (e.g. fail2ban's)", async () => {
    const parts = render({ firewall: { allow: ALLOW } });
    const script = tempDir("du");
    try {
      const path = script.write("docker-user.sh", fileOf(parts, DOCKER_USER_SCRIPT)!.content);
      const pre =
        "for t in iptables ip6tables; do $t -N DOCKER-USER; $t -N f2b-app; $t -A DOCKER-USER -j f2b-app; done";
      const r = await inNetns(`set -e; ${pre}; sh ${path}; sh ${path}; iptables -S; echo ===; ip6tables -S`);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const out of r.stdout.split("===")) {
        const lines = out.split("\n");
        const count = (l: string) => lines.filter((x) => x === l).length;
        expect(count("-A DOCKER-USER -j FB-DOCKER")).toBe(1);
        expect(count("-A DOCKER-USER -j f2b-app")).toBe(1);
        expect(count("-A FORWARD -j DOCKER-USER")).toBe(1);
        expect(count("-A FB-DOCKER -p udp -m conntrack --ctorigdstport 50000:60000 --ctdir ORIGINAL -j RETURN")).toBe(
          1,
        );
        expect(count("-A FB-DOCKER -m conntrack --ctstate DNAT -j FB-DROP")).toBe(1);
        expect(count("-A FB-DROP -j DROP")).toBe(1);
      }
      expect(r.stdout.split("===")[0]).toContain(
        "-A FB-DOCKER -d 169.254.169.254/32 -j REJECT --reject-with icmp-admin-prohibited",
      );
    } finally {
      script.cleanup();
    }
  });

  it("are applied for real where Docker never ran: the script creates DOCKER-USER and the FORWARD jump itself", async () => {
    const parts = render({ firewall: { allow: ALLOW } });
    const script = tempDir("du0");
    try {
      const path = script.write("docker-user.sh", fileOf(parts, DOCKER_USER_SCRIPT)!.content);
      const r = await inNetns(`set -e; sh ${path}; iptables -S; echo ===; ip6tables -S`);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const out of r.stdout.split("===")) {
        const lines = out.trim().split("\n");
        expect(lines).toContain("-N DOCKER-USER");
        expect(lines.filter((l) => l.startsWith("-A FORWARD"))).toEqual(["-A FORWARD -j DOCKER-USER"]);
        expect(lines.filter((l) => l.startsWith("-A DOCKER-USER"))).toEqual(["-A DOCKER-USER -j FB-DOCKER"]);
        expect(lines).toContain("-A FB-DROP -j DROP");
      }
    } finally {
      script.cleanup();
    }
  });

  it("script passes shellcheck and its unit passes systemd-analyze verify", async () => {
    const parts = render({ firewall: { allow: ALLOW } });
    const script = fileOf(parts, DOCKER_USER_SCRIPT)!.content;
    const sc = await shellcheckScript(script);
    expect(sc.exitCode, sc.stdout).toBe(0);
    const unit = fileOf(parts, unitPath(DOCKER_USER_UNIT))!.content;
    // Before Docker: a server whose Docker install fails later still has its containers' firewall.
    expect(unit).toMatch(/^Before=docker\.service$/m);
    expect(unit).not.toMatch(/^After=/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target docker\.service$/m);
    const v = await verifyUnit("firstboot-docker-user.service", unit, { [DOCKER_USER_SCRIPT]: script });
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stderr).toBe("");
  });

  it("containers: false and block_metadata: false remove the DOCKER-USER script, unit and step lines", () => {
    const parts = render({ firewall: { containers: false, block_metadata: false } });
    expect(fileOf(parts, DOCKER_USER_SCRIPT)).toBeUndefined();
    expect(fileOf(parts, unitPath(DOCKER_USER_UNIT))).toBeUndefined();
    expect(parts.find((p) => p.section === "firewall")!.steps![0]!.script).not.toContain("firstboot-docker-user");
  });
});

describe("DOCKER-USER rules against real packets (network namespaces, DNAT like Docker's)", () => {
  it("let allow-listed published ports through, drop the others, stop containers reaching the metadata service", async () => {
    const script = fileOf(render({ firewall: { allow: ["8443/tcp"] } }), DOCKER_USER_SCRIPT)!.content;
    const t = tempDir("pkt");
    try {
      const path = t.write("docker-user.sh", script);
      const scaffold = new URL("../fixtures/netns/docker-published.sh", import.meta.url).pathname;
      for (const bin of ["ip", "python3", "iptables", "ip6tables"]) await need(bin);
      const r = await tool(["unshare", "--net", "--mount", "bash", scaffold, path]);
      expect(r.exitCode, r.stderr).toBe(0);
      const seen = Object.fromEntries(
        r.stdout
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.lastIndexOf(" ")), l.slice(l.lastIndexOf(" ") + 1)]),
      );
      expect(seen).toEqual({
        // Without the rules every published port and the metadata service answer: the test bites.
        "before allowed": "open",
        "before unlisted": "open",
        "before allowed6": "open",
        "before unlisted6": "open",
        "before metadata": "open",
        "before outbound": "open",
        "after allowed": "open",
        "after unlisted": "timeout",
        "after allowed6": "open",
        "after unlisted6": "timeout",
        "after metadata": "unreachable",
        "after outbound": "open",
        "dropped-packets": expect.stringMatching(/^[1-9][0-9]*$/),
      });
    } finally {
      t.cleanup();
    }
  }, 60_000);
});
