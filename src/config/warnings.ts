// Soft rules: a config that works but probably not as meant. Warnings never stop a render; they
// are printed (`warning[path]`) by validate and render, in the same format as errors.
import { warnings as msg } from "../catalogue.js";
import type { Diagnostic } from "./diagnostics.js";
import { Problems } from "./rules.js";
import type { Config } from "./schema.js";
import type { Source } from "./source.js";

const HHMM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

function minutes(hhmm: string): number | undefined {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** What the soft rules need of the compose model. */
export interface StackFacts {
  published: string[];
  volumes: string[];
}

export function softRules(src: Source, cfg: Config, compose: StackFacts): Diagnostic[] {
  const found = new Problems(src);
  const warn = found.add.bind(found);
  const reboot = cfg.hardening.updates ? cfg.hardening.updates.reboot_at : undefined;
  const backupAt = cfg.backup ? minutes(cfg.backup.schedule) : undefined;
  if (reboot && backupAt !== undefined) {
    const r = minutes(reboot)!;
    const gap = Math.min(Math.abs(r - backupAt), 1440 - Math.abs(r - backupAt));
    if (gap < 60) warn(["hardening", "updates", "reboot_at"], msg.rebootNearBackup(reboot, cfg.backup!.schedule));
  }
  if (!cfg.hardening.firewall && compose.published.length > 0) warn(["hardening"], msg.noFirewall(compose.published));
  if (!cfg.backup && compose.volumes.length > 0) warn(["stack", "compose"], msg.noBackup(compose.volumes));
  // Without a target the archives stay on the server's disk: they die with it.
  if (cfg.backup && !cfg.backup.target) warn(["backup"], msg.backupLocalOnly(), true);
  return found.list.map((d) => ({ ...d, severity: "warning" as const }));
}
