// Pure pieces of `firstboot preview`: which base image a config needs, which ports to forward,
// how the throwaway key gets into the user-data, and how the boot report reads.
import { byCodePoint } from "../compare.js";
import { parse, stringify } from "yaml";
import type { StepStatus } from "../boot-status.js";
import { preview } from "../catalogue.js";

/** Debian releases build-base can make, by Hetzner image name. */
export const RELEASES: Record<string, string> = { "debian-13": "trixie", "debian-12": "bookworm" };

export function releaseFor(image: string): string | undefined {
  return RELEASES[image];
}

export interface GuestPort {
  proto: "tcp" | "udp";
  port: number;
}

/** Compose's published ports ("443/udp", "8000:8010/tcp") as single guest ports; ranges capped. */
export function guestPorts(published: readonly string[], maxPerRange = 8): GuestPort[] {
  const seen = new Map<string, GuestPort>();
  for (const p of published) {
    const [range = "", proto = "tcp"] = p.split("/");
    const [lo = 0, hi = lo] = range.split(":").map(Number);
    if (proto !== "tcp" && proto !== "udp") continue;
    for (let port = lo; port <= Math.min(hi, lo + maxPerRange - 1); port++) {
      if (port > 0 && port !== 22) seen.set(`${port}/${proto}`, { proto, port });
    }
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || byCodePoint(a.proto, b.proto));
}

/**
 * Add the preview's public key to the admin user's authorized keys. The document is parsed and
 * serialised as data (never edited as text), and must already define that user.
 */
export function addAdminKey(document: string, user: string, publicKey: string): string {
  const doc = parse(document) as { users?: ({ name?: string; ssh_authorized_keys?: string[] } | string)[] };
  const entry = doc.users?.find((u) => typeof u === "object" && u.name === user);
  if (!entry || typeof entry !== "object") throw new Error(preview.noUser(user));
  entry.ssh_authorized_keys = [...(entry.ssh_authorized_keys ?? []), publicKey.trim()];
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}

export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "skipped": a golden disk already held the step's result (the runner's fingerprint matched). */
const STEP_LABEL: Record<string, string> = { ok: "ok     ", skipped: "skipped" };

export function stepTable(steps: readonly StepStatus[]): string {
  const w = Math.max(4, ...steps.map((s) => s.name.length));
  return steps
    .map((s) => `  ${STEP_LABEL[s.status] ?? "FAILED "} ${s.name.padEnd(w)} ${secs(s.ms).padStart(8)}`)
    .join("\n");
}

/** Steps the runner reported on the serial console: "firstboot: step NAME: ok after N ms". */
export function serialSteps(serial: string): StepStatus[] {
  const out: StepStatus[] = [];
  for (const m of serial.matchAll(/firstboot: step ([a-z][a-z0-9_]*): (ok|skipped|failed) after (\d+) ms/g)) {
    out.push({ name: m[1] ?? "", status: m[2] ?? "", ms: Number(m[3]) });
  }
  return out;
}
