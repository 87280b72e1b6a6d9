// The `backup` section (what to back up, where, how long) and the top-level `restore` key.
// Names are compose names: volume `data` of stack `selfmx` is the Docker volume `selfmx_data`.
import * as z from "zod";
import { line } from "./line-safe.js";
import { lineValueSchema, valueSchema } from "./schema-value.js";
import { SSH_KEY, sshKeyBlobOk } from "./ssh-key.js";
import { calendarOk } from "./calendar.js";

const SCHEDULE_CHARS = /^[-*0-9a-zA-Z:,./~ ]+$/;

const COMPOSE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Paths end up in shell and tar --transform expressions: keep them to plain characters. */
const SAFE_PATH = /^[a-zA-Z0-9_@%+=,./-]+$/;
const AGE_X25519 = /^age1[02-9ac-hj-np-z]{58}$/;

const composeName = (what: string) => line().regex(COMPOSE_NAME, { message: "compose_name" }).describe(what);
const relPath = line()
  .regex(SAFE_PATH, { message: "safe_path" })
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), { message: "relative_path" });
const dirPath = line()
  .regex(SAFE_PATH, { message: "safe_path" })
  .refine((p) => !p.split("/").includes(".."), { message: "no_dotdot" })
  .describe("A host directory (bind mount): absolute, or relative to the stack directory.");

export const sqliteSourceSchema = z
  .union([
    z.strictObject({
      volume: composeName("Compose volume holding the database (e.g. `data` for Docker volume `<name>_data`)."),
      path: relPath.describe("Database file inside the volume, e.g. `selfmx.db`."),
    }),
    z.strictObject({
      dir: dirPath,
      path: relPath.describe("Database file inside the directory."),
    }),
  ])
  .describe("A SQLite database, copied with the online backup API (never a file copy).");

export const postgresSourceSchema = z
  .strictObject({
    service: composeName("Compose service running PostgreSQL; pg_dump runs inside it."),
    database: line()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
      .describe("Database to dump (custom format)."),
    user: line()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
      .default("postgres")
      .describe("Role pg_dump connects as."),
  })
  .describe("A PostgreSQL database dumped with pg_dump -Fc inside its container.");

const retentionSchema = z
  .strictObject({
    daily: z
      .number()
      .int()
      .min(0)
      .max(366)
      .default(7)
      .describe("Newest backup of each of the last N days with backups."),
    weekly: z
      .number()
      .int()
      .min(0)
      .max(520)
      .default(4)
      .describe("Newest backup of each of the last N ISO weeks with backups."),
    monthly: z
      .number()
      .int()
      .min(0)
      .max(240)
      .default(12)
      .describe("Newest backup of each of the last N months with backups."),
  })
  .describe("Grandfather-father-son retention, applied locally and on the target; the newest backup is always kept.");

const sftpTargetSchema = z
  .strictObject({
    host: line()
      .regex(/^[a-zA-Z0-9.-]+$/)
      .describe("SFTP host, e.g. u123456.your-storagebox.de."),
    port: z.number().int().min(1).max(65535).default(23).describe("SSH port (Hetzner Storage Box: 23)."),
    user: line()
      .regex(/^[a-zA-Z0-9._-]+$/)
      .describe("SSH user."),
    path: relPath.default("backups").describe("Directory on the host; backups go to <path>/<name>/."),
    key: valueSchema.describe("OpenSSH private key (use { secret: NAME })."),
    host_key: line()
      .regex(SSH_KEY)
      .refine(sshKeyBlobOk)
      .optional()
      .describe("The host's public key line (`ssh-ed25519 AAAA...`); when set, the host is verified."),
  })
  .describe("SFTP target, e.g. a Hetzner Storage Box.");

const s3TargetSchema = z
  .strictObject({
    endpoint: line().url().describe("S3 endpoint, e.g. https://fsn1.your-objectstorage.com."),
    region: line().default("us-east-1").describe("Region name the endpoint expects."),
    bucket: line()
      .regex(/^[a-z0-9][a-z0-9.-]{1,62}$/)
      .describe("Bucket name."),
    path: relPath.default("backups").describe("Key prefix; backups go to <path>/<name>/."),
    access_key_id: lineValueSchema.describe("Access key id."),
    secret_access_key: lineValueSchema.describe("Secret access key (use { secret: NAME })."),
  })
  .describe("S3-compatible target, e.g. Hetzner Object Storage.");

export const backupSchema = z
  .strictObject({
    schedule: line()
      .regex(SCHEDULE_CHARS)
      // One problem per value: the calendar check only speaks when the characters passed.
      .refine((v) => !SCHEDULE_CHARS.test(v) || calendarOk(v))
      .default("03:00")
      .describe(
        "A time of day (HH:MM, server time zone) or a systemd OnCalendar expression (weekdays, date, time; no time zone).",
      ),
    sqlite: z.array(sqliteSourceSchema).default([]).describe("SQLite databases to copy online."),
    postgres: z.array(postgresSourceSchema).default([]).describe("PostgreSQL databases to dump."),
    volumes: z
      .array(composeName("Compose volume name."))
      .default([])
      .describe("Compose volumes archived whole with tar."),
    dirs: z.array(dirPath).default([]).describe("Host directories archived whole with tar."),
    stop: z
      .array(composeName("Compose service name."))
      .default([])
      .describe("Services stopped while volumes and dirs are archived, started again even when the backup fails."),
    retention: retentionSchema.default({ daily: 7, weekly: 4, monthly: 12 }),
    encrypt_to: z
      .array(line().regex(AGE_X25519, { message: "age_recipient" }))
      .min(1)
      .describe("age X25519 public keys (age1...); the server can encrypt but not decrypt."),
    target: z
      .union([z.strictObject({ sftp: sftpTargetSchema }), z.strictObject({ s3: s3TargetSchema })])
      .optional()
      .describe("Off-server copy with rclone; without it backups stay on the server only."),
    notify: lineValueSchema.optional().describe("Healthchecks-style URL pinged on success, <url>/fail on failure."),
    restore_identity: valueSchema
      .optional()
      .describe("age identity (AGE-SECRET-KEY-1...) the server may use to decrypt; needed for `restore: latest`."),
  })
  .describe("Encrypted, rotated, off-server backups of the stack's data.");

export const restoreSchema = z
  .union([
    z.literal("none"),
    z.literal("latest"),
    line().regex(/^[a-z0-9][a-z0-9-]*-\d{8}T\d{6}Z(-[0-9a-f]{8})?(\.tar\.zst\.age)?$/),
  ])
  .default("none")
  .describe("Restore on first boot before the stack starts: none, latest, or an archive name.");

export type BackupConfig = z.infer<typeof backupSchema>;
export type BackupInput = z.input<typeof backupSchema>;
export type RestoreConfig = z.infer<typeof restoreSchema>;
export type SqliteSource = z.infer<typeof sqliteSourceSchema>;
