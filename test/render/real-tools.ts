// Helpers that run the real tools (shellcheck, systemd-analyze, sshd, iptables, fail2ban, apt)
// on generated text. A missing tool fails the test and says which package to install.
import { writeFileSync, rmSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { hasProgram, run, type RunResult } from "../../src/exec.js";
import { tmp } from "../helpers/render.js";
import type { ImageInfo } from "../../src/config/images.js";
import type { Part, RenderContext } from "../../src/render/part.js";

const PACKAGE_OF: Record<string, string> = {
  shellcheck: "shellcheck",
  "systemd-analyze": "systemd",
  "/usr/sbin/sshd": "openssh-server",
  "ssh-keygen": "openssh-client",
  "iptables-restore": "iptables",
  "ip6tables-restore": "iptables",
  "fail2ban-regex": "fail2ban",
  "fail2ban-client": "fail2ban",
  "apt-config": "apt",
  "apt-get": "apt",
  ufw: "ufw",
  gpg: "gpg",
  unshare: "util-linux",
  ip: "iproute2",
  python3: "python3",
  openssl: "openssl",
  curl: "curl",
};

export async function need(tool: string): Promise<void> {
  if (!(await hasProgram(tool)))
    throw new Error(`${tool} is not installed: apt-get install ${PACKAGE_OF[tool] ?? tool}`);
}

/** Run a real tool; missing tools fail loudly. Never throws on a non-zero exit. */
export async function tool(
  argv: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  await need(argv[0]!);
  return run(argv, {
    allowFailure: true,
    input: opts.input,
    env: opts.env ? { ...process.env, ...opts.env } : undefined,
    timeoutMs: 60_000,
  });
}

export function tempDir(prefix: string): {
  dir: string;
  write(rel: string, content: string, mode?: number): string;
  cleanup(): void;
} {
  const dir = tmp(`fb-${prefix}-`);
  return {
    dir,
    write(rel, content, mode = 0o755) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content, { mode });
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** shellcheck a step body the way the runner runs it: a bash function under set -euo pipefail. */
export async function shellcheckStep(body: string): Promise<RunResult> {
  const wrapped = `#!/bin/bash\nset -euo pipefail\nstep() {\n${body}\n}\nstep\n`;
  return tool(["shellcheck", "-s", "bash", "-"], { input: wrapped });
}

export async function shellcheckScript(text: string): Promise<RunResult> {
  return tool(["shellcheck", "-s", "sh", "-"], { input: text });
}

/** systemd-analyze verify on the generated unit text; ExecStart/ExecStop paths point at copies. */
export async function verifyUnit(name: string, text: string, execs: Record<string, string> = {}): Promise<RunResult> {
  const t = tempDir("unit");
  try {
    let unit = text;
    for (const [path, content] of Object.entries(execs))
      unit = unit.split(path).join(t.write(`bin/${path.split("/").pop()}`, content));
    return await tool(["systemd-analyze", "verify", t.write(name, unit, 0o644)]);
  } finally {
    t.cleanup();
  }
}

export const IMAGES: Record<string, ImageInfo> = {
  "ubuntu-24.04": { name: "ubuntu-24.04", family: "ubuntu", codename: "noble", cloudInit: 24, arch: "amd64" },
  "ubuntu-22.04": { name: "ubuntu-22.04", family: "ubuntu", codename: "jammy", cloudInit: 24, arch: "amd64" },
  "debian-12": { name: "debian-12", family: "debian", codename: "bookworm", cloudInit: 22, arch: "amd64" },
  "debian-13": { name: "debian-13", family: "debian", codename: "trixie", cloudInit: 25, arch: "arm64" },
};

/** adminUser null: the admin block is off. */
export function ctxFor(image: keyof typeof IMAGES | string, adminUser: string | null = "deploy"): RenderContext {
  return {
    name: "demo",
    stackDir: "/opt/demo",
    image: IMAGES[image]!,
    reveal: (v) => (typeof v === "string" ? v : `<${v.secret}>`),
    adminUser: adminUser ?? undefined,
  };
}

export const fileOf = (parts: Part[], path: string) => parts.flatMap((p) => p.files ?? []).find((f) => f.path === path);
export const allScripts = (parts: Part[]) => parts.flatMap((p) => p.steps ?? []);
