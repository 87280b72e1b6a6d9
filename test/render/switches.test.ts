// Whole-document switch tests: with defaults every hardening piece is in the user-data; each
// `false` (or absent optional block) removes exactly its piece.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { filesOf, testEnv, tmp, writeTree } from "../helpers/render.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";
const BASE = `version: 1
name: demo
server: { type: cx23, location: nbg1, image: ubuntu-24.04, ssh_keys: ['${KEY}'] }
stack: { compose: ./compose.yaml, health: { url: "http://127.0.0.1:8080/" } }
`;

async function paths(extra: string): Promise<{ files: string[]; runner: string; doc: string }> {
  const dir = writeTree(tmp(), {
    "firstboot.yaml": BASE + extra,
    "compose.yaml": "services:\n  app:\n    image: nginx:1.27\n",
  });
  const r = await compile(join(dir, "firstboot.yaml"), { env: testEnv() });
  if (!r.ok) throw new Error(r.text);
  const files = filesOf(r.document);
  return {
    files: files.map((f) => f.path),
    runner: files.find((f) => f.path.endsWith("firstboot.sh"))!.content,
    doc: r.document,
  };
}

const PIECES = {
  ssh: "/etc/ssh/sshd_config.d/01-firstboot.conf",
  firewall: "/usr/local/lib/firstboot/docker-user.sh",
  fail2ban: "/etc/fail2ban/jail.d/firstboot.local",
  updates: "/etc/apt/apt.conf.d/52firstboot-unattended-upgrades",
};

describe("switches", () => {
  it("has every hardening piece, Docker and the stack with defaults", async () => {
    const { files, runner, doc } = await paths("");
    for (const p of Object.values(PIECES)) expect(files).toContain(p);
    expect(files).toEqual(
      expect.arrayContaining([
        "/etc/docker/daemon.json",
        "/opt/demo/compose.yaml",
        "/opt/demo/.env",
        "/etc/systemd/system/firstboot-stack.service",
      ]),
    );
    for (const step of [
      "step_ssh",
      "step_firewall",
      "step_fail2ban",
      "step_updates",
      "step_docker",
      "step_stack_start",
      "step_health",
    ])
      expect(runner).toContain(step);
    expect(doc).toContain("ssh_pwauth: false");
    expect(doc).not.toContain("swap:");
    expect(files.some((f) => f.includes("backup"))).toBe(false);
  });

  it.each(Object.entries(PIECES))("hardening.%s: false removes its files and step", async (key, path) => {
    const { files, runner } = await paths(`hardening: { ${key}: false }\n`);
    expect(files).not.toContain(path);
    expect(runner).not.toContain(`step_${key}()`);
    for (const [other, p] of Object.entries(PIECES)) if (other !== key) expect(files).toContain(p);
  });

  it("server.swap and stack.registry add their pieces only when set", async () => {
    const { doc, runner } = await paths("");
    expect(runner).not.toContain("docker login");
    const dir = writeTree(tmp(), {
      "firstboot.yaml": BASE.replace("ssh_keys:", "swap: 2G, ssh_keys:").replace(
        "health:",
        "registry: { server: ghcr.io, username: me, password: { secret: ghcr } }, health:",
      ),
      "compose.yaml": "services:\n  app:\n    image: ghcr.io/me/app:1.0.0\n",
    });
    const r = await compile(join(dir, "firstboot.yaml"), { env: testEnv({ FIRSTBOOT_SECRET_GHCR: "ghp_token123" }) });
    if (!r.ok) throw new Error(r.text);
    expect(r.document).toContain("swap:\n  filename: /swapfile\n  size: 2G");
    const files = filesOf(r.document);
    expect(files.find((f) => f.path.endsWith("firstboot.sh"))!.content).toContain(
      "docker login --username 'me' --password-stdin 'ghcr.io'",
    );
    expect(files.find((f) => f.path === "/root/.firstboot-registry-password")).toMatchObject({
      mode: "0600",
      content: "ghp_token123",
    });
    expect(doc).not.toContain("swap:");
  });
});
