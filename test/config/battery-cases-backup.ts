// Battery cases: backup schedules (as systemd-analyze calendar judges them), sources and targets.
import { AGE, type Case, type Cfg } from "./battery-harness.js";

function backup(extra: Cfg, target: Cfg = { s3: S3 }): (c: Cfg) => void {
  return (c) => void (c.backup = { encrypt_to: [AGE], target, ...extra });
}
const S3 = {
  endpoint: "https://nbg1.your-objectstorage.com",
  bucket: "battery-backups",
  access_key_id: { secret: "s3_key" },
  secret_access_key: { secret: "s3_secret" },
};
const SFTP = { host: "u1.your-storagebox.de", user: "u1", key: { secret: "s3_secret" } };

const schedule = (value: string, ok: boolean): Case => ({
  name: `schedule ${JSON.stringify(value)}`,
  patch: backup({ schedule: value }),
  expect: ok ? "accepted" : { refused: "backup.schedule" },
});

export const backupCases: Case[] = [
  ...["25:00", "3am", "0300", "24:00", "03:60", "*-*-* 25:00", "", "03:00 UTC", "Mon..Foo 03:00", "daily; reboot"].map(
    (v) => schedule(v, false),
  ),
  ...["daily", "Mon *-*-* 03:00", "*-*-* 03:15:00", "03:00", "Mon,Fri 04:30", "weekly", "*-*-01 02:00"].map((v) =>
    schedule(v, true),
  ),
  {
    name: "retention negative",
    patch: backup({ retention: { daily: -1 } }),
    expect: { refused: "backup.retention.daily" },
  },
  {
    name: "retention fraction",
    patch: backup({ retention: { weekly: 1.5 } }),
    expect: { refused: "backup.retention.weekly" },
  },
  { name: "no encrypt_to", patch: (c) => void (c.backup = { target: { s3: S3 } }), expect: { refused: "backup" } },
  // Local-only backups are allowed with a warning.
  { name: "no target", patch: (c) => void (c.backup = { encrypt_to: [AGE] }), expect: "accepted" },
  { name: "volume source unknown", patch: backup({ volumes: ["nosuch"] }), expect: { refused: "backup.volumes" } },
  { name: "volume source known", patch: backup({ volumes: ["data"] }), expect: "accepted" },
  {
    name: "postgres service unknown",
    patch: backup({ postgres: [{ service: "nosuch", database: "app" }] }),
    expect: { refused: "backup.postgres" },
  },
  {
    name: "postgres database with ;",
    patch: backup({ postgres: [{ service: "db", database: "a;b" }] }),
    expect: { refused: "backup.postgres" },
  },
  {
    name: "postgres ok",
    patch: backup({ postgres: [{ service: "db", database: "app", user: "postgres" }] }),
    expect: "accepted",
  },
  {
    name: "sqlite volume unknown",
    patch: backup({ sqlite: [{ volume: "nosuch", path: "app.db" }] }),
    expect: { refused: "backup.sqlite" },
  },
  {
    name: "sqlite path with ..",
    patch: backup({ sqlite: [{ volume: "data", path: "../x.db" }] }),
    expect: { refused: "backup.sqlite" },
  },
  {
    name: "sqlite absolute path",
    patch: backup({ sqlite: [{ volume: "data", path: "/etc/x.db" }] }),
    expect: { refused: "backup.sqlite" },
  },
  {
    name: "sqlite dir with shell",
    patch: backup({ sqlite: [{ dir: "./d$(id)", path: "a.db" }] }),
    expect: { refused: "backup.sqlite" },
  },
  // targets
  {
    name: "s3 endpoint not a url",
    patch: backup({}, { s3: { ...S3, endpoint: "nbg1.example" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "s3 bucket uppercase",
    patch: backup({}, { s3: { ...S3, bucket: "Bucket" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "s3 region with newline",
    patch: backup({}, { s3: { ...S3, region: "nbg1\nx=y" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "s3 key id with newline",
    patch: backup({}, { s3: { ...S3, access_key_id: "AK\nIA" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "s3 path with ..",
    patch: backup({}, { s3: { ...S3, path: "../up" } }),
    expect: { refused: "backup.target" },
  },
  { name: "s3 and sftp both", patch: backup({}, { s3: S3, sftp: SFTP }), expect: { refused: "backup.target" } },
  {
    name: "sftp host with space",
    patch: backup({}, { sftp: { ...SFTP, host: "u1 host" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "sftp host with newline",
    patch: backup({}, { sftp: { ...SFTP, host: "h\nx" } }),
    expect: { refused: "backup.target" },
  },
  { name: "sftp port 0", patch: backup({}, { sftp: { ...SFTP, port: 0 } }), expect: { refused: "backup.target" } },
  {
    name: "sftp port 70000",
    patch: backup({}, { sftp: { ...SFTP, port: 70000 } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "sftp port string",
    patch: backup({}, { sftp: { ...SFTP, port: "23" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "sftp user with @",
    patch: backup({}, { sftp: { ...SFTP, user: "u@h" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "sftp host_key is a private key",
    patch: backup({}, { sftp: { ...SFTP, host_key: "-----BEGIN" } }),
    expect: { refused: "backup.target" },
  },
  {
    name: "sftp key secret undefined",
    patch: backup({}, { sftp: { ...SFTP, key: { secret: "nosuch" } } }),
    expect: { refused: "backup.target" },
  },
  { name: "sftp ok on port 22", patch: backup({}, { sftp: { ...SFTP, port: 22, path: "b/c" } }), expect: "accepted" },
];
