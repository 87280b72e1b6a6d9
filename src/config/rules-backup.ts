// Cross-field rules of the `backup` section and the `restore` key: what a restore on a new
// server needs, and settings that would do nothing.
import type { BackupConfig, RestoreConfig } from "./schema-backup.js";

export interface BackupProblem {
  /** Path inside the config, e.g. ["backup", "target"]. */
  path: (string | number)[];
  message: string;
}

/** Cross-field problems the config rules report with positions. */
export function backupProblems(backup: BackupConfig | undefined, restore: RestoreConfig): BackupProblem[] {
  const out: BackupProblem[] = [];
  if (restore !== "none" && !backup)
    out.push({ path: ["restore"], message: "restore needs a backup section to restore from" });
  if (restore !== "none" && backup && backup.restore_identity === undefined) {
    out.push({
      path: ["backup", "restore_identity"],
      message: "restore needs backup.restore_identity: the server must decrypt the archive",
    });
  }
  if (restore !== "none" && backup && !backup.target) {
    out.push({
      path: ["backup", "target"],
      message: "restore on a new server needs backup.target: local backups stay on the old server",
    });
  }
  backup?.stop.forEach((s, i) => {
    if (backup.volumes.length + backup.dirs.length === 0)
      out.push({ path: ["backup", "stop", i], message: `stopping ${s} only helps while volumes or dirs are archived` });
  });
  return out;
}
