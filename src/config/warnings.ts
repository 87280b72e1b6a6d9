// Soft rules: a config that works but probably not as meant. Warnings never stop a render; they
// are printed (`warning[path]`) by validate and render, in the same format as errors.
import { isMap, isScalar } from "yaml";
import { warnings as msg } from "../catalogue.js";
import { composeFacts } from "./compose.js";
import type { Diagnostic } from "./diagnostics.js";
import { Problems } from "./rules.js";
import type { Config } from "./schema.js";
import type { Source } from "./source.js";

const HHMM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

function minutes(hhmm: string): number | undefined {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Named volumes declared at the compose file's top level. */
export function composeVolumes(compose: Source): string[] {
  const root = compose.doc.contents;
  const vols = isMap(root) ? root.get("volumes", true) : undefined;
  return isMap(vols) ? vols.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "")).filter(Boolean) : [];
}

export function softRules(src: Source, cfg: Config, compose: Source): Diagnostic[] {
  const found = new Problems(src);
  const warn = found.add.bind(found);
  const reboot = cfg.hardening.updates ? cfg.hardening.updates.reboot_at : undefined;
  const backupAt = cfg.backup ? minutes(cfg.backup.schedule) : undefined;
  if (reboot && backupAt !== undefined) {
    const r = minutes(reboot)!;
    const gap = Math.min(Math.abs(r - backupAt), 1440 - Math.abs(r - backupAt));
    if (gap < 60) warn(["hardening", "updates", "reboot_at"], msg.rebootNearBackup(reboot, cfg.backup!.schedule));
  }
  const facts = composeFacts(compose);
  if (!cfg.hardening.firewall && typeof facts !== "string" && facts.published.length > 0) {
    warn(["hardening"], msg.noFirewall(facts.published.map((p) => p.port)));
  }
  const volumes = composeVolumes(compose);
  if (!cfg.backup && volumes.length > 0) warn(["stack", "compose"], msg.noBackup(volumes));
  return found.list.map((d) => ({ ...d, severity: "warning" as const }));
}
