// hardening: defaults on, each switch removes its piece, sshd accepts the drop-in (sshd -t/-T),
// apt parses the unattended-upgrades files (apt-config), every step passes shellcheck.
import { existsSync, mkdirSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { dockerSchema, floatingIpSchema } from "../../src/config/schema-docker.js";
import { hardeningSchema, type HardeningInput } from "../../src/config/schema-hardening.js";
import { hardeningParts, SSH_SOCKET_DROPIN, SSHD_DROPIN } from "../../src/render/hardening.js";
import { snippetNames, SNIPPETS_DIR } from "../../src/render/template.js";
import { readFileSync } from "node:fs";
import { allScripts, ctxFor, fileOf, shellcheckStep, tempDir, tool } from "./real-tools.js";

// Real tools (ufw, fail2ban, sshd, gpg, namespaces) take seconds when the machine is busy.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const render = (input: HardeningInput, image = "ubuntu-24.04") =>
  hardeningParts(hardeningSchema.parse(input), ctxFor(image));
const sections = (input: HardeningInput) => render(input).map((p) => p.section);

describe("hardening defaults and switches", () => {
  it("turns every block on by default", () => {
    const h = hardeningSchema.parse({});
    expect(h.ssh && h.firewall && h.fail2ban && h.updates).toBeTruthy();
    expect(sections({})).toEqual(["ssh", "firewall", "fail2ban", "updates"]);
    expect(h.firewall && [h.firewall.containers, h.firewall.block_metadata]).toEqual([true, true]);
  });

  for (const key of ["ssh", "firewall", "fail2ban", "updates"] as const) {
    it(`${key}: false removes its part, files and step`, () => {
      const parts = render({ [key]: false });
      expect(parts.map((p) => p.section)).not.toContain(key);
      expect(allScripts(parts).map((s) => s.name)).not.toContain(key);
      const on = render({}).find((p) => p.section === key)!;
      const paths = parts.flatMap((p) => p.files ?? []).map((f) => f.path);
      for (const f of on.files ?? []) expect(paths).not.toContain(f.path);
    });
  }

  it("describes every key (the JSON Schema editors see)", () => {
    const undescribed: string[] = [];
    const seen: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
        seen.push(`${path}.${k}`);
        if (!(v as { description?: string }).description) undescribed.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
      for (const key of ["anyOf", "oneOf", "allOf"]) for (const alt of (n[key] as unknown[]) ?? []) walk(alt, path);
      if (n.items) walk(n.items, `${path}[]`);
    };
    walk(z.toJSONSchema(hardeningSchema, { io: "input" }), "hardening");
    walk(z.toJSONSchema(dockerSchema, { io: "input" }), "docker");
    walk(z.toJSONSchema(floatingIpSchema, { io: "input" }), "floating_ip");
    expect(seen).toEqual(
      expect.arrayContaining([
        "hardening.ssh.port",
        "hardening.fail2ban.jails[].failregex",
        "docker.log.max_file",
        "floating_ip.ip",
      ]),
    );
    expect(undescribed).toEqual([]);
  });

  it("rejects unknown keys and bad values", () => {
    expect(
      hardeningSchema.safeParse({
        fail2ban: { jails: [{ name: "x", log: "/x", failregex: ["a <HOST>\nenabled = false"] }] },
      }).success,
    ).toBe(false);
    expect(hardeningSchema.safeParse({ ssh: { password: true } }).success).toBe(false);
    expect(hardeningSchema.safeParse({ ssh: { port: 70000 } }).success).toBe(false);
    expect(hardeningSchema.safeParse({ updates: { reboot_at: "25:00" } }).success).toBe(false);
  });
});

async function sshdCheck(dropins: Record<string, string>) {
  const t = tempDir("sshd");
  try {
    await tool(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", `${t.dir}/hostkey`]);
    for (const [name, text] of Object.entries(dropins)) t.write(`sshd_config.d/${name}`, text);
    const main = t.write(
      "sshd_config",
      `Include ${t.dir}/sshd_config.d/*.conf\nHostKey ${t.dir}/hostkey\nKbdInteractiveAuthentication yes\n`,
    );
    // sshd refuses to run, even with -t, without its privilege separation directory.
    if (!existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
    const test = await tool(["/usr/sbin/sshd", "-t", "-f", main]);
    const dump = await tool(["/usr/sbin/sshd", "-T", "-f", main, "-C", "user=deploy,host=client,addr=203.0.113.1"]);
    const lines = dump.stdout.split("\n");
    const eff = Object.fromEntries(lines.map((l) => [l.split(" ")[0], l.slice(l.indexOf(" ") + 1)]));
    return { test, eff, lines };
  } finally {
    t.cleanup();
  }
}

describe("ssh drop-in (real sshd -t and -T)", () => {
  it("is valid and wins over cloud-init's later drop-in", async () => {
    const dropin = fileOf(render({}), SSHD_DROPIN)!.content;
    const { test, eff } = await sshdCheck({
      "01-firstboot.conf": dropin,
      "50-cloud-init.conf": "PasswordAuthentication yes\n",
    });
    expect(test.exitCode, test.stderr).toBe(0);
    expect(eff).toMatchObject({
      port: "22",
      passwordauthentication: "no",
      kbdinteractiveauthentication: "no",
      permitrootlogin: "no",
    });
    expect(eff).toMatchObject({
      authenticationmethods: "publickey",
      maxauthtries: "5",
      permitemptypasswords: "no",
      x11forwarding: "no",
    });
  });

  it("sets a custom port and AllowUsers", async () => {
    const dropin = fileOf(render({ ssh: { port: 2222, allow_users: ["deploy", "ops"] } }), SSHD_DROPIN)!.content;
    const { test, eff, lines } = await sshdCheck({ "01-firstboot.conf": dropin });
    expect(test.exitCode, test.stderr).toBe(0);
    expect(eff).toMatchObject({ port: "2222" });
    expect(lines.filter((l) => l.startsWith("allowusers "))).toEqual(["allowusers deploy", "allowusers ops"]);
    expect(dropin).toContain("AllowUsers deploy ops");
  });

  it("a broken drop-in is caught by the same check", async () => {
    const { test } = await sshdCheck({ "01-firstboot.conf": "PasswordAuthentication maybe\n" });
    expect(test.exitCode).not.toBe(0);
  });

  it("moves ssh.socket to a custom port on Ubuntu only, IPv4 and IPv6", () => {
    const socket = fileOf(render({ ssh: { port: 2222 } }, "ubuntu-24.04"), SSH_SOCKET_DROPIN);
    expect(socket?.content).toMatch(
      /^ListenStream=\nListenStream=0\.0\.0\.0:2222\nListenStream=\[::\]:2222\nBindIPv6Only=ipv6-only$/m,
    );
    expect(fileOf(render({ ssh: { port: 2222 } }, "debian-12"), SSH_SOCKET_DROPIN)).toBeUndefined();
    expect(fileOf(render({}, "ubuntu-24.04"), SSH_SOCKET_DROPIN)).toBeUndefined();
  });
});

describe("ssh.socket drop-in (real systemd-analyze verify, on this machine's ssh.socket)", () => {
  async function verifySocket(dropin: string) {
    const t = tempDir("sock");
    try {
      for (const u of ["ssh.socket", "ssh.service"])
        t.write(u, readFileSync(`/lib/systemd/system/${u}`, "utf8"), 0o644);
      t.write("ssh.socket.d/firstboot-port.conf", dropin, 0o644);
      // SYSTEMD_UNIT_PATH makes verify load the drop-in directory next to the unit.
      return await tool(["systemd-analyze", "verify", `${t.dir}/ssh.socket`], {
        env: { SYSTEMD_UNIT_PATH: `${t.dir}:` },
      });
    } finally {
      t.cleanup();
    }
  }

  it("is loaded and clean; a misspelt key in the same place is reported", async () => {
    const ok = await verifySocket(fileOf(render({ ssh: { port: 2222 } }, "ubuntu-24.04"), SSH_SOCKET_DROPIN)!.content);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toBe("");
    expect((await verifySocket("[Socket]\nListenStreem=2222\n")).stderr).toContain("Unknown key 'ListenStreem'");
  });
});

describe("unattended-upgrades (real apt-config)", () => {
  async function aptDump(input: HardeningInput) {
    const files = render(input).find((p) => p.section === "updates")!.files!;
    expect(files.map((f) => f.path)).toEqual([
      "/etc/apt/apt.conf.d/20auto-upgrades",
      "/etc/apt/apt.conf.d/52firstboot-unattended-upgrades",
    ]);
    const t = tempDir("apt");
    try {
      files.forEach((f) => t.write(`parts/${f.path.split("/").pop()}`, f.content));
      // APT_CONFIG is read before the parts directory; -o options would come too late.
      const main = t.write("apt.conf", `Dir::Etc::parts "${t.dir}/parts";\n`);
      const r = await tool(["apt-config", "dump"], { env: { APT_CONFIG: main } });
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout;
    } finally {
      t.cleanup();
    }
  }

  it("turns on daily unattended upgrades without reboots by default", async () => {
    const out = await aptDump({});
    expect(out).toContain('APT::Periodic::Unattended-Upgrade "1";');
    expect(out).toContain('Unattended-Upgrade::Automatic-Reboot "false";');
    expect(out).not.toContain("Automatic-Reboot-Time");
  });

  it("reboots at the configured time", async () => {
    const out = await aptDump({ updates: { reboot_at: "04:30" } });
    expect(out).toContain('Unattended-Upgrade::Automatic-Reboot "true";');
    expect(out).toContain('Unattended-Upgrade::Automatic-Reboot-Time "04:30";');
  });
});

describe("generated shell and snippet hygiene", () => {
  it("every hardening step passes shellcheck on every image", async () => {
    const full: HardeningInput = {
      ssh: { port: 2222 },
      fail2ban: { jails: [{ name: "app", log: "/opt/x/app.log", failregex: ["fail <HOST>"] }] },
    };
    for (const image of ["ubuntu-24.04", "debian-12"]) {
      for (const s of allScripts(render(full, image))) {
        const r = await shellcheckStep(s.script);
        expect(r.exitCode, `${s.name} on ${image}: ${r.stdout}${r.stderr}`).toBe(0);
      }
    }
  });

  it("every template starts with a comment saying what it installs where; every plain file is listed in snippets/README.md", () => {
    const names = snippetNames();
    expect(names.length).toBeGreaterThan(25);
    const readme = readFileSync(`${SNIPPETS_DIR}/README.md`, "utf8");
    for (const n of names.filter((x) => x !== "README.md")) {
      const first = readFileSync(`${SNIPPETS_DIR}/${n}`, "utf8").split("\n")[0];
      // A Handlebars comment documents a template without costing user-data bytes.
      if (n.endsWith(".hbs"))
        expect(first, n).toMatch(
          /^(\{\{!(--)? (step [a-z0-9_]+|\/\S+(?: \(0[0-7]{3}\))?): \S.*\}\}|#!\/bin\/bash|# [a-z_]+ (step|unit): .*)$/,
        );
      else expect(readme, n).toMatch(new RegExp(`^- \`${n.replace(/\./g, "\\.")}\`: \\S`, "m"));
    }
  });
});
