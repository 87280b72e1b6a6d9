// The loader: defaults, every problem at once with positions, cross-field rules, secrets
// precedence, per-image rules.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../src/config/diagnostics.js";
import { loadConfig } from "../../src/config/load.js";
import { portAllowed, publicPort, variables } from "../../src/config/compose.js";
import { envFile } from "../../src/render/envfile.js";
import { testEnv, tmp, writeTree } from "../helpers/render.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";
const COMPOSE = "services:\n  app:\n    image: nginx:1.27\n    ports: ['80:80']\n";

function minimal(extra = ""): string {
  return `version: 1\nname: demo\nserver:\n  type: cx23\n  location: nbg1\n  image: debian-13\n  ssh_keys: ['${KEY}']\nhardening:\n  firewall:\n    allow: [80/tcp]\nstack:\n  compose: ./compose.yaml\n${extra}`;
}

async function load(
  config: string,
  files: Record<string, string> = { "compose.yaml": COMPOSE },
  env: Record<string, string> = {},
) {
  const dir = writeTree(tmp(), { "firstboot.yaml": config, ...files });
  return loadConfig(join(dir, "firstboot.yaml"), { env: testEnv(env) });
}

describe("loadConfig", () => {
  it("fills safe defaults: hardening on, Docker official, admin deploy, health 5m", async () => {
    const r = await load(minimal());
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    const c = r.loaded.config;
    expect(c.admin.user).toBe("deploy");
    expect(c.hardening.ssh && c.hardening.firewall && c.hardening.fail2ban && c.hardening.updates).toBeTruthy();
    expect(c.docker && c.docker.source).toBe("official");
    expect(c.stack.health.timeout).toBe("5m");
    expect(c.server.timezone).toBe("UTC");
    expect(r.loaded.included.compose).toBe(COMPOSE);
  });

  it("reports every problem at once, each with its own path and position", async () => {
    const r = await load(minimal().replace("nbg1", "mars").replace("cx23", "CX 22") + "bogus: 1\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => `${d.path}@${d.line}:${d.col}`)).toEqual([
      "server.type@4:9",
      "server.location@5:13",
      "bogus@13:1",
    ]);
    const text = formatDiagnostics(r.diagnostics);
    expect(text).toContain("error[bogus]: unknown key `bogus`\n  --> ");
    expect(text).toContain(
      "  = help: remove it, or use one of: $schema, version, name, server, admin, hardening, docker, stack, backup, restore, secrets",
    );
  });

  it("points compose problems into the compose file: ports the firewall does not open, undefined ${VARS}", async () => {
    const compose =
      "services:\n  app:\n    image: nginx:${TAG}\n    ports:\n      - '8080:80'\n      - '127.0.0.1:5432:5432'\n";
    const r = await load(minimal(), { "compose.yaml": compose });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatDiagnostics(r.diagnostics);
    expect(text).toContain("error[stack.env.TAG]: the compose file uses ${TAG} but stack.env does not define it");
    expect(text).toContain("compose.yaml:3:18");
    expect(text).toContain("service `app` publishes 8080/tcp but the firewall does not allow it");
    expect(text).not.toContain("5432");
  });

  it("takes secrets from FIRSTBOOT_SECRET_* without needing an identity", async () => {
    const r = await load(minimal("  env:\n    TOKEN: { secret: api_token }\n"), undefined, {
      FIRSTBOOT_SECRET_API_TOKEN: "t0k$n",
      FIRSTBOOT_IDENTITY: "/nonexistent",
    });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(r.loaded.secrets).toEqual({ api_token: "t0k$n" });
  });

  it("knows per-image facts: Debian 12 has no compose v2 in its archive", async () => {
    const r = await load(minimal("docker:\n  source: distro\n").replace("debian-13", "debian-12"));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(formatDiagnostics(r.diagnostics)).toContain("error[docker.source]: Debian 12 has no compose v2 package");
    const ok = await load(minimal("docker:\n  source: distro\n"));
    expect(ok.ok).toBe(true);
  });
});

describe("compose facts", () => {
  it.each([
    ["80:80", "80/tcp"],
    ["443:443/udp", "443/udp"],
    ["0.0.0.0:8080:80", "8080/tcp"],
    ["127.0.0.1:5432:5432", undefined],
    ["[::1]:6379:6379", undefined],
    ["9000", undefined],
    ["7882-7890:7882-7890/udp", "7882:7890/udp"],
  ])("publicPort(%s) = %s", (spec, want) => expect(publicPort(spec)).toBe(want));

  it("finds ${VARS}, with or without a default, and skips $$ escapes", () => {
    expect(variables("command: echo $$HOME ${X:-d} $Y ${Z:?err}").map((v) => [v.name, v.hasDefault])).toEqual([
      ["X", true],
      ["Y", false],
      ["Z", false],
    ]);
  });

  it("reads long-syntax ports, public or bound to loopback", async () => {
    const dir = writeTree(tmp(), {
      "firstboot.yaml": minimal().replace("[80/tcp]", "[8081/udp]"),
      "compose.yaml":
        "services:\n  a:\n    image: nginx\n    ports:\n      - { target: 80, published: 8081, protocol: udp }\n      - { target: 80, published: 8082, host_ip: 127.0.0.1 }\n",
    });
    const r = await loadConfig(join(dir, "firstboot.yaml"), { env: testEnv() });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(r.loaded.published).toEqual(["8081/udp"]);
  });

  it("matches ports against allow lists with ranges and protocols", () => {
    expect(portAllowed("443/udp", ["443/tcp"])).toBe(false);
    expect(portAllowed("7885/udp", ["7882:7890/udp"])).toBe(true);
    expect(portAllowed("7882:7883/udp", ["7882:7890/udp"])).toBe(true);
  });
});

describe("env file", () => {
  it("single-quotes literally and double-quotes with escapes only when a ' is inside or a \\ ends the value", () => {
    expect(
      envFile([
        ["A", 'p@$$w0rd `x` "q"'],
        ["B", "it's $HOME \\ \""],
      ]),
    ).toBe('A=\'p@$$w0rd `x` "q"\'\nB="it\'s \\$HOME \\\\ \\""\n');
  });
});
