// What the `backup` section and the `restore` key put on the server: the backup/restore scripts,
// their settings, the rclone target, systemd units and the steps that enable them.
import { posix } from "node:path";
import { lineFault } from "../config/line-safe.js";
import type { BackupConfig, RestoreConfig } from "../config/schema-backup.js";
import type { BootStep, Part, RenderContext, ServerFile } from "./part.js";
import { compactScript, plainFile, snippet } from "./template.js";
import { internal } from "../catalogue.js";
import {
  BACKUP_BIN,
  BACKUP_CONF,
  BACKUP_IDENTITY,
  BACKUP_RECIPIENTS,
  BACKUP_SERVICE,
  BACKUP_TIMER,
  ETC_DIR,
  RESTORE_BIN,
  unitPath,
} from "../server-contract.js";

/** "03:00" -> "*-*-* 03:00:00"; anything else is taken as an OnCalendar expression. */
export function onCalendar(schedule: string): string {
  return /^\d{1,2}:\d{2}$/.test(schedule) ? `*-*-* ${schedule}:00` : schedule;
}

/** Host directory of a `dirs`/`sqlite.dir` entry: relative paths are inside the stack dir. */
export function hostDir(dir: string, stackDir: string): string {
  return posix.resolve(stackDir, dir).replace(/\/+$/, "");
}

/** The rclone remote path of this stack's backups, e.g. target:backups/selfmx. */
export function remotePath(backup: BackupConfig, name: string): string {
  const t = backup.target;
  if (!t) return "";
  return "sftp" in t ? `target:${t.sftp.path}/${name}` : `target:${t.s3.bucket}/${t.s3.path}/${name}`;
}

/** One line, no control characters: rclone.conf and the shell settings are line based (the
 * config's line rule refused anything else, secrets included). */
function oneLine(value: string, what: string): string {
  if (lineFault(value)) throw new Error(internal.multiLine(what));
  return value;
}

function confText(b: BackupConfig, ctx: RenderContext): string {
  return snippet("backup/backup.conf.hbs", {
    name: ctx.name,
    stackDir: ctx.stackDir,
    remote: remotePath(b, ctx.name),
    upload: !ctx.backupReadOnly,
    notify: b.notify === undefined ? "" : oneLine(ctx.reveal(b.notify), "notify"),
    daily: b.retention.daily,
    weekly: b.retention.weekly,
    monthly: b.retention.monthly,
    sqlite: b.sqlite.map((s) =>
      "volume" in s ? `v:${s.volume}:${s.path}` : `d:${hostDir(s.dir, ctx.stackDir)}:${s.path}`,
    ),
    postgres: b.postgres.map((p) => `${p.service}:${p.database}:${p.user}`),
    volumes: b.volumes,
    dirs: b.dirs.map((d) => hostDir(d, ctx.stackDir)),
    stop: b.stop,
  });
}

/** rclone.conf plus the SSH key and known_hosts files it points to, all under `dir` (also used
 * on the workstation with a temp dir). */
export function rcloneFiles(
  target: NonNullable<BackupConfig["target"]>,
  reveal: RenderContext["reveal"],
  dir: string,
): ServerFile[] {
  const conf = (data: object): ServerFile => ({
    path: `${dir}/rclone.conf`,
    mode: "0600",
    content: snippet("backup/rclone.conf.hbs", { sftp: false, s3: false, ...data }),
  });
  if ("s3" in target) {
    const accessKeyId = oneLine(reveal(target.s3.access_key_id), "access_key_id");
    const secretAccessKey = oneLine(reveal(target.s3.secret_access_key), "secret_access_key");
    return [conf({ s3: target.s3, accessKeyId, secretAccessKey })];
  }
  const t = target.sftp;
  const keyFile = `${dir}/backup-ssh-key`;
  const knownHostsFile = `${dir}/backup-known-hosts`;
  const files = [
    conf({ sftp: t, keyFile, knownHostsFile }),
    { path: keyFile, mode: "0600", content: reveal(t.key).trim() + "\n" },
  ];
  if (t.host_key) {
    const host = t.port === 22 ? t.host : `[${t.host}]:${t.port}`;
    files.push({ path: knownHostsFile, mode: "0644", content: `${host} ${oneLine(t.host_key, "host_key")}\n` });
  }
  return files;
}

function targetFiles(b: BackupConfig, ctx: RenderContext): ServerFile[] {
  return b.target ? rcloneFiles(b.target, ctx.reveal, ETC_DIR) : [];
}

function unitFiles(b: BackupConfig, ctx: RenderContext): ServerFile[] {
  const unit = (file: string, which: object): ServerFile => ({
    path: unitPath(file),
    mode: "0644",
    content: snippet("backup/units.hbs", {
      name: ctx.name,
      calendar: onCalendar(b.schedule),
      service: false,
      timer: false,
      ...which,
    }),
  });
  return [unit(BACKUP_SERVICE, { service: true }), unit(BACKUP_TIMER, { timer: true })];
}

export function backupPackages(b: BackupConfig): string[] {
  // Same names on Debian 12/13 and Ubuntu 22.04/24.04 (age and rclone are in Ubuntu's universe,
  // enabled on Hetzner's images); tar, flock and sha256sum are always present, openssl nearly so.
  return [
    "age",
    "zstd",
    "curl",
    "openssl",
    ...(b.sqlite.length > 0 ? ["sqlite3"] : []),
    ...(b.target ? ["rclone"] : []),
  ];
}

/** The server side of backups; `restore` adds the `restore` step the stack step runs before its first start. */
export function backupParts(backup: BackupConfig, restore: RestoreConfig, ctx: RenderContext): Part[] {
  const units = unitFiles(backup, ctx);
  const files: ServerFile[] = [
    // One script for backup and restore: they share most code, and one file gzips smaller.
    {
      path: BACKUP_BIN,
      mode: "0755",
      content: compactScript(["backup/backup.sh", "backup/restore.sh", "backup/main.sh"].map(plainFile).join("")),
    },
    {
      path: RESTORE_BIN,
      mode: "0755",
      content: compactScript(plainFile("backup/restore-cmd.sh")),
    },
    { path: BACKUP_CONF, mode: "0600", content: confText(backup, ctx) },
    { path: BACKUP_RECIPIENTS, mode: "0644", content: backup.encrypt_to.join("\n") + "\n" },
    ...targetFiles(backup, ctx),
    ...units,
  ];
  if (backup.restore_identity !== undefined) {
    const id = ctx.reveal(backup.restore_identity).trim();
    files.push({ path: BACKUP_IDENTITY, mode: "0600", content: id + "\n" });
  }
  const steps: BootStep[] = [
    {
      name: "backup_timer",
      script: `systemctl daemon-reload\nsystemctl enable --now ${BACKUP_TIMER}\n`,
      unchanged: { files: units.map((f) => f.path), check: `live ${BACKUP_TIMER}` },
    },
  ];
  if (restore !== "none") {
    steps.unshift({ name: "restore", script: `${RESTORE_BIN} --first-boot ${restore}\n` });
  }
  return [{ section: "backup", packages: backupPackages(backup), files, steps }];
}
