// fail2ban: generated filters checked with the real fail2ban-regex against sample log lines
// (matching and not), and the generated jail.d file loaded by the real fail2ban-client -t / -d
// on a copy of the system's fail2ban configuration, and a real fail2ban-server ban checked with packets.
import { cpSync, readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { hardeningSchema, type HardeningInput } from "../../src/config/schema-hardening.js";
import { F2B_DROPIN, filterFile, hardeningParts, JAIL_FILE } from "../../src/render/hardening.js";
import { DOCKER_USER_SCRIPT } from "../../src/server-contract.js";
import { ctxFor, fileOf, need, tempDir, tool, verifyUnit } from "./real-tools.js";

// Real tools (ufw, fail2ban, sshd, gpg, namespaces) take seconds when the machine is busy.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const FIXTURES = new URL("../fixtures/fail2ban/", import.meta.url).pathname;
const KI_LOG = `${FIXTURES}ki-mail-helper.log`;
const KI_JAIL = {
  name: "ki-login",
  log: KI_LOG,
  failregex: [
    String.raw`SECURITY\[LOGIN_FAILED\] .*ip=<HOST>$`,
    String.raw`SECURITY\[2FA_FAILED\] .*ip=<HOST>$`,
    String.raw`SECURITY\[LOCKOUT\] .*ip=<HOST>$`,
  ],
  ports: ["http", "https"],
  maxretry: 5,
  findtime: "10m",
  bantime: "1h",
};
const parse = (input: HardeningInput) => hardeningSchema.parse(input);
const render = (input: HardeningInput, image = "debian-12") => hardeningParts(parse(input), ctxFor(image));

/** fail2ban-regex's summary line: "Lines: 6 lines, 0 ignored, 3 matched, 3 missed". */
async function regexCounts(log: string, filter: string) {
  const r = await tool(["fail2ban-regex", "--print-all-matched", log, filter]);
  expect(r.exitCode, r.stderr).toBe(0);
  const m = /^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed/m.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  const matchedLines = /^\|- Matched line\(s\):\n([\s\S]*?)^`-/m.exec(r.stdout)?.[1] ?? "";
  return {
    lines: Number(m![1]),
    ignored: Number(m![2]),
    matched: Number(m![3]),
    missed: Number(m![4]),
    out: matchedLines,
  };
}

describe("custom jail filter (real fail2ban-regex)", () => {
  it("ki-mail-helper: matches the three SECURITY failures (IPv4 and IPv6), not the other lines", async () => {
    const jail = parse({ fail2ban: { jails: [KI_JAIL] } }).fail2ban;
    const t = tempDir("f2b");
    try {
      const filter = t.write(
        "firstboot-ki-login.conf",
        filterFile(jail ? jail.jails[0]! : (undefined as never)).content,
      );
      const c = await regexCounts(KI_LOG, filter);
      expect(c).toMatchObject({ lines: 6, matched: 3, missed: 3 });
      for (const ip of ["203.0.113.5", "2001:db8::77"]) expect(c.out).toContain(ip);
      expect(c.out).not.toContain("198.51.100.9");
    } finally {
      t.cleanup();
    }
  });

  it("keeps a literal % and honours ignoreregex", async () => {
    const jail = parse({
      fail2ban: {
        jails: [
          { name: "pct", log: "/x.log", failregex: ["quota 100% hit by <HOST>"], ignoreregex: ["by 192\\.0\\.2\\.1$"] },
        ],
      },
    });
    const t = tempDir("f2b");
    try {
      const log = t.write(
        "app.log",
        "2026-11-22 10:00:00 quota 100% hit by 203.0.113.9\n2026-11-22 10:00:01 quota 100% hit by 192.0.2.1\n2026-11-22 10:00:02 quota 10 hit by 203.0.113.9\n",
      );
      const filter = t.write(
        "f.conf",
        filterFile(jail.fail2ban ? jail.fail2ban.jails[0]! : (undefined as never)).content,
      );
      expect(await regexCounts(log, filter)).toMatchObject({ lines: 3, ignored: 1, matched: 1, missed: 1 });
    } finally {
      t.cleanup();
    }
  });

  it("rejects a failregex without <HOST> and jail names too long for iptables chains", () => {
    expect(hardeningSchema.safeParse({ fail2ban: { jails: [{ ...KI_JAIL, failregex: ["SECURITY"] }] } }).success).toBe(
      false,
    );
    expect(
      hardeningSchema.safeParse({ fail2ban: { jails: [{ ...KI_JAIL, name: "a-very-long-jail-name" }] } }).success,
    ).toBe(false);
    const dup = hardeningSchema.safeParse({ fail2ban: { jails: [KI_JAIL, KI_JAIL, { ...KI_JAIL, name: "sshd" }] } });
    expect(dup.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["fail2ban.jails.1.name", "jail_name_unique"],
      ["fail2ban.jails.2.name", "jail_name_unique"],
    ]);
  });
});

describe("sshd jail", () => {
  it("catches sshd and OpenSSH 9.8+'s sshd-session lines (real fail2ban-regex with the jail's filter line)", async () => {
    const jail = fileOf(render({}), JAIL_FILE)!.content;
    const filter = /^\[sshd\][^[]*?^filter = ([^\n]+)$/m.exec(jail)![1]!;
    const c = await regexCounts(`${FIXTURES}sshd.log`, filter);
    expect(c).toMatchObject({ lines: 4, matched: 2, ignored: 1, missed: 1 });
    expect(c.out).toContain("203.0.113.7");
    expect(c.out).toContain("203.0.113.8");
    // The stock filter alone misses OpenSSH 9.8+'s sshd-session (Debian 13): the override matters.
    expect((await regexCounts(`${FIXTURES}sshd.log`, "sshd")).matched).toBe(1);
    expect(c.out).not.toContain("198.51.100.2");
  });

  it("reads the journal on Debian, auth.log on Ubuntu, and watches the configured SSH port", () => {
    const deb = fileOf(render({ ssh: { port: 2222 } }, "debian-13"), JAIL_FILE)!.content;
    expect(deb).toMatch(/^backend = systemd$/m);
    expect(deb).toMatch(/^port = 2222$/m);
    expect(render({}, "debian-13").find((p) => p.section === "fail2ban")!.packages).toContain("python3-systemd");
    const ubu = fileOf(render({}, "ubuntu-24.04"), JAIL_FILE)!.content;
    expect(ubu).not.toContain("backend = systemd");
  });

  it("sshd: false with no jails removes fail2ban entirely", () => {
    expect(render({ fail2ban: { sshd: false } }).map((p) => p.section)).not.toContain("fail2ban");
    expect(fileOf(render({ fail2ban: { sshd: false, jails: [KI_JAIL] } }), JAIL_FILE)!.content).toMatch(
      /^\[sshd\]\nenabled = false\n$/m,
    );
  });
});

async function loadJails(input: HardeningInput, image: string) {
  const parts = render(input, image);
  const t = tempDir("f2bconf");
  cpSync("/etc/fail2ban", `${t.dir}/etc`, { recursive: true });
  // Ubuntu's sshd jail reads /var/log/auth.log, which this test machine need not have.
  t.write("etc/paths-overrides.local", `[DEFAULT]\nsyslog_authpriv = ${FIXTURES}sshd.log\n`, 0o644);
  for (const f of parts.flatMap((p) => p.files ?? []).filter((f) => f.path.startsWith("/etc/fail2ban/"))) {
    t.write(`etc/${f.path.slice("/etc/fail2ban/".length)}`, f.content, 0o644);
  }
  const test = await tool(["fail2ban-client", "-c", `${t.dir}/etc`, "-t"]);
  if (test.exitCode !== 0) console.error(test.stderr);
  const dump = await tool(["fail2ban-client", "-c", `${t.dir}/etc`, "-d"]);
  t.cleanup();
  return { parts, test, dump: dump.stdout };
}

describe("jail.d file (real fail2ban-client -t and -d)", () => {
  it("loads; bans go to INPUT (multiport) and, for containers, to DOCKER-USER (all ports and protocols)", async () => {
    const { parts, test, dump } = await loadJails({ fail2ban: { jails: [KI_JAIL] } }, "ubuntu-24.04");
    expect(test.exitCode, test.stdout + test.stderr).toBe(0);
    expect(dump).toContain(`['set', 'ki-login', 'addlogpath', '${KI_LOG}', 'head']`);
    expect(dump).toContain("['set', 'ki-login', 'maxretry', 5]");
    expect(dump).toContain("['set', 'ki-login', 'findtime', '10m']");
    expect(dump).toContain("['set', 'ki-login', 'bantime', '1h']");
    expect(dump).toMatch(
      /'ki-login', 'action', 'iptables-multiport', \[\['actionstart', "[^"]*-I INPUT -p \$proto -m multiport --dports http,https -j f2b-ki-login;/,
    );
    // protocol=all (-p all) also works with fail2ban 0.11 (Ubuntu 22.04), which has no protocol list.
    expect(dump).toMatch(
      /'ki-login', 'action', 'iptables-allports[^']*', \[\['actionstart', "[^"]*echo 'all'[^"]*-I DOCKER-USER -p \$proto -j f2b-ki-login-d;/,
    );
    expect(dump).toMatch(/'sshd', 'action', 'iptables-multiport', \[\['actionstart', "[^"]*--dports 22 /);
    const dropin = fileOf(parts, F2B_DROPIN)!.content;
    expect(dropin).toMatch(/^After=docker\.service firstboot-docker-user\.service$/m);
  });

  it("loads on Debian with the journal backend and the custom port", async () => {
    const { test, dump } = await loadJails({ ssh: { port: 2222 } }, "debian-13");
    expect(test.exitCode, test.stdout + test.stderr).toBe(0);
    expect(dump).toContain("['add', 'sshd', 'systemd']");
    expect(dump).toMatch(/'sshd', 'action', 'iptables-multiport', \[\['actionstart', "[^"]*--dports 2222 /);
  });

  it("sshd: false really turns off the sshd jail that Debian's defaults-debian.conf enables", async () => {
    const { test, dump } = await loadJails({ fail2ban: { sshd: false, jails: [KI_JAIL] } }, "debian-13");
    expect(test.exitCode, test.stdout + test.stderr).toBe(0);
    expect(dump).not.toContain("'add', 'sshd'");
    expect(dump).toContain("'add', 'ki-login'");
  });

  it("docker: false keeps bans on the host only, and no fail2ban drop-in", async () => {
    const { parts, test, dump } = await loadJails(
      { fail2ban: { jails: [{ ...KI_JAIL, docker: false }] } },
      "ubuntu-24.04",
    );
    expect(test.exitCode, test.stdout + test.stderr).toBe(0);
    expect(dump).not.toContain("DOCKER-USER");
    expect(fileOf(parts, F2B_DROPIN)).toBeUndefined();
  });

  it("the fail2ban.service drop-in passes systemd-analyze verify next to the real unit", async () => {
    const unit = readFileSync("/lib/systemd/system/fail2ban.service", "utf8");
    const dropin = fileOf(render({ fail2ban: { jails: [KI_JAIL] } }), F2B_DROPIN)!.content;
    const v = await verifyUnit("fail2ban.service", `${unit}\n${dropin}`);
    expect(v.exitCode, v.stderr).toBe(0);
  });
});

describe("a ban reaches published container ports (real fail2ban-server, network namespaces)", () => {
  it("bans 10.9.0.2 through DOCKER-USER although FB-DOCKER allows the port", async () => {
    const t = tempDir("f2bnet");
    try {
      const log = t.write("app.log", "", 0o644);
      const parts = render({
        firewall: { allow: ["8443/tcp"] },
        fail2ban: { sshd: false, jails: [{ ...KI_JAIL, log }] },
      });
      cpSync("/etc/fail2ban", `${t.dir}/etc`, { recursive: true });
      for (const f of parts.flatMap((p) => p.files ?? []).filter((f) => f.path.startsWith("/etc/fail2ban/")))
        t.write(`etc/${f.path.slice(14)}`, f.content, 0o644);
      // Test-only server settings: socket and pid in the namespace's private /run, no database.
      t.write(
        "etc/fail2ban.local",
        `[Definition]\nlogtarget = ${t.dir}/f2b.log\nsocket = /run/fail2ban/fail2ban.sock\npidfile = /run/fail2ban/fail2ban.pid\ndbfile = :memory:\n`,
        0o644,
      );
      const hook = t.write(
        "hook.sh",
        [
          "set -eu",
          "mkdir -p /run/fail2ban",
          `fail2ban-client -c ${t.dir}/etc -x start >/dev/null`,
          "cat /run/fail2ban/fail2ban.pid >>/run/kill-on-exit",
          `fail2ban-client -c ${t.dir}/etc set ki-login banip 10.9.0.2 >/dev/null`,
          "for _ in $(seq 50); do iptables -w -S f2b-ki-login-d 2>/dev/null | grep -q 10.9.0.2 && exit 0; sleep 0.2; done",
          "echo 'the ban never reached f2b-ki-login-d' >&2; exit 1",
        ].join("\n"),
      );
      const script = t.write("docker-user.sh", fileOf(parts, DOCKER_USER_SCRIPT)!.content);
      const scaffold = new URL("../fixtures/netns/docker-published.sh", import.meta.url).pathname;
      for (const bin of ["ip", "python3", "iptables", "ip6tables"]) await need(bin);
      const r = await tool(["unshare", "--net", "--mount", "bash", scaffold, script, hook]);
      expect(r.exitCode, r.stderr + readFileSync(`${t.dir}/f2b.log`, "utf8")).toBe(0);
      expect(r.stdout).toContain("after allowed open\n");
      expect(r.stdout).toMatch(/^hooked allowed (refused|unreachable|timeout)$/m);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});
