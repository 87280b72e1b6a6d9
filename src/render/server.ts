// Base server setup: hostname, time zone, locale, swap, admin user, SSH login policy (cloud-init
// modules), the journald cap, and the packages step every other section feeds.
import type { Config } from "../config/schema.js";
import type { BootStep, Part, RenderContext, ServerFile } from "./part.js";
import { plainFile, snippet } from "./template.js";

/** Top-level cloud-config keys for the base server (cloud-init's own modules do this work). */
export function baseCloudConfig(cfg: Config, ctx: RenderContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    hostname: cfg.server.hostname ?? cfg.name,
    // Without it sudo cannot resolve the new hostname (kvm-notes).
    manage_etc_hosts: true,
    timezone: cfg.server.timezone,
    locale: cfg.server.locale,
    users: [
      {
        name: cfg.admin.user,
        gecos: "firstboot admin",
        shell: "/bin/bash",
        groups: ["adm", "sudo"],
        // Passwords are locked, so sudo cannot ask for one.
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        lock_passwd: true,
        ssh_authorized_keys: cfg.server.ssh_keys,
      },
    ],
    disable_root: true,
    ssh_pwauth: false,
    // RSA host key generation costs seconds; ed25519 and ecdsa serve every current client.
    ssh_genkeytypes: ["ed25519", "ecdsa"],
  };
  if (cfg.server.swap) out.swap = { filename: "/swapfile", size: cfg.server.swap, maxsize: cfg.server.swap };
  void ctx;
  return out;
}

export function serverPart(cfg: Config): Part {
  const journald: ServerFile = {
    path: "/etc/systemd/journald.conf.d/firstboot.conf",
    content: `# firstboot: caps the journal's disk use\n[Journal]\nSystemMaxUse=${cfg.server.journald_max_use}\n`,
    mode: "0644",
  };
  return {
    section: "server",
    packages: ["curl", "ca-certificates", ...cfg.server.packages],
    files: [journald],
    steps: [{ name: "server", script: plainFile("server/server.sh") }],
    lockdown: true,
  };
}

/**
 * With package_upgrade, a disk whose last firstboot upgrade is under UPGRADE_FRESH_MINUTES old
 * (a golden disk or snapshot baked today) skips apt update and upgrade: unattended-upgrades keeps
 * it current from there, and the first boot saves 30-90 s under emulation.
 */
export const UPGRADE_FRESH_MINUTES = 360;

/**
 * Installs `packages` (with `upgrade`, after upgrading everything). The distribution archive's
 * step ("packages") first looks what is missing, so a disk that has them all needs no network;
 * a later step for a new apt source (docker_packages) must update anyway and skips the look.
 */
export function packagesStep(
  packages: readonly string[],
  upgrade: boolean,
  o: { name?: string; lookFirst?: boolean } = {},
): BootStep {
  const name = o.name ?? "packages";
  const unique = [...new Set(packages)].sort();
  // The fingerprint holds the package list, so a matching one means all of them were installed.
  const check = upgrade ? `[ -n "$(find "$APPLIED/${name}" -mmin -${UPGRADE_FRESH_MINUTES})" ]` : "true";
  return {
    name,
    script: snippet("server/packages.sh.hbs", { packages: unique, upgrade, lookFirst: o.lookFirst ?? !upgrade }),
    unchanged: { files: [], check },
  };
}
