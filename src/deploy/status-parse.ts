// Reading what the status probe (status-probe.ts) brought back from a server. Every piece is
// parsed on its own and defensively: a missing file, a cut-off answer or a compose version with
// another output shape makes that piece undefined ("unknown"), never an exception.
import { parseStatus, type BootStatus } from "../boot-status.js";
import { parseConfigHashFile, type ConfigHashes } from "../render/config-hash.js";

export interface ServiceState {
  service: string;
  container: string;
  /** running, exited, restarting, created, paused, dead */
  state: string;
  /** healthy, unhealthy, starting; "" without a health check */
  health: string;
}

/** firstboot-backup's record of its last run (BACKUP_LAST). */
export interface BackupLast {
  result: string;
  archive?: string;
  bytes?: number;
  /** The rclone remote path; "" when the backups stay on the server. */
  target: string;
  uploaded: boolean;
  /** Unix seconds. */
  finished?: number;
}

/** The probe's answer as sent: each piece raw text, null where the server had none. */
export interface ProbeAnswer {
  now?: number;
  boot?: string | null;
  services?: string | null;
  servicesExit?: number;
  backupConfigured?: boolean;
  backup?: string | null;
  config?: string | null;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The probe's one JSON object; undefined when the answer is not one (cut off, an error text). */
export function parseProbeAnswer(stdout: string): ProbeAnswer | undefined {
  const j = obj(tryJson(stdout.trim()));
  if (!j) return undefined;
  const text = (v: unknown) => (typeof v === "string" ? v : v === null ? null : undefined);
  return {
    now: num(j.now),
    boot: text(j.boot),
    services: text(j.services),
    servicesExit: num(j.servicesExit),
    backupConfigured: typeof j.backupConfigured === "boolean" ? j.backupConfigured : undefined,
    backup: text(j.backup),
    config: text(j.config),
  };
}

/**
 * `docker compose ps --all --format json`: one object per line since Compose 2.21, one array
 * before; entries without a service or state are dropped. Undefined when nothing parses.
 */
export function parseComposePs(text: string): ServiceState[] | undefined {
  const t = text.trim();
  if (t === "") return [];
  const whole = tryJson(t);
  const items = Array.isArray(whole) ? whole : t.split("\n").map((l) => tryJson(l.trim()));
  const out = items.flatMap((i) => {
    const o = obj(i);
    const service = str(o?.Service);
    const state = str(o?.State);
    if (!service || !state) return [];
    return [{ service, container: str(o?.Name) ?? service, state, health: str(o?.Health) ?? "" }];
  });
  return out.length === 0 ? undefined : out.sort((a, b) => a.container.localeCompare(b.container));
}

export function parseBackupLast(text: string): BackupLast | undefined {
  const j = obj(tryJson(text.trim()));
  const result = str(j?.result);
  if (!j || !result) return undefined;
  return {
    result,
    archive: str(j.archive),
    bytes: num(j.bytes),
    target: str(j.target) ?? "",
    uploaded: j.uploaded === true,
    finished: num(j.finished),
  };
}

export function parseBoot(text: string | null | undefined): BootStatus | undefined {
  return typeof text === "string" ? parseStatus(text) : undefined;
}

export function parseHashes(text: string | null | undefined): Partial<ConfigHashes> {
  return typeof text === "string" ? parseConfigHashFile(text) : {};
}
