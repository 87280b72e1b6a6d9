// The rendered backup Part: shellcheck on both scripts, systemd-analyze verify on
// the units, secrets only in 0600 files, and the size the part adds to user-data.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { backupSchema } from "../../src/config/schema-backup.js";
import { backupParts, onCalendar } from "../../src/render/backup.js";
import { ctxFor, requireTools } from "./harness.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";
const full = backupSchema.parse({
  schedule: "Mon..Fri *-*-* 02:30:00",
  sqlite: [
    { volume: "data", path: "selfmx.db" },
    { dir: "./state", path: "app.db" },
  ],
  postgres: [{ service: "db", database: "haven", user: "haven" }],
  volumes: ["caddy_data"],
  dirs: ["uploads", "/srv/blobs"],
  stop: ["app"],
  encrypt_to: [RECIPIENT],
  target: {
    sftp: {
      host: "u1.your-storagebox.de",
      user: "u1",
      key: { secret: "storagebox_key" },
      host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    },
  },
  notify: { secret: "hc_url" },
  restore_identity: { secret: "backup_identity" },
});
const secrets = {
  storagebox_key: SSH_KEY,
  hc_url: "https://hc-ping.com/SECRETUUID",
  backup_identity: "AGE-SECRET-KEY-1SECRETIDENTITY",
};
const [part] = backupParts(full, "latest", ctxFor("haven", "/opt/haven", secrets));
const file = (p: string) => {
  const f = part?.files?.find((x) => x.path === p);
  if (!f) throw new Error(`no file ${p}`);
  return f;
};

describe("backup part", () => {
  it("installs the tools, scripts, settings and units; restore runs before the timer", () => {
    expect(part?.packages).toEqual(["age", "zstd", "curl", "openssl", "sqlite3", "rclone"]);
    expect(part?.steps?.map((s) => s.name)).toEqual(["restore", "backup_timer"]);
    expect(part?.steps?.[0]?.script).toContain("firstboot-restore --first-boot latest");
    expect(file("/etc/firstboot/backup.conf").content).toContain(
      "SQLITE=('v:data:selfmx.db' 'd:/opt/haven/state:app.db')",
    );
    expect(file("/etc/firstboot/backup.conf").content).toContain("DIRS=('/opt/haven/uploads' '/srv/blobs')");
    expect(file("/etc/firstboot/backup-known-hosts").content).toMatch(/^\[u1\.your-storagebox\.de\]:23 ssh-ed25519 /);
  });
  it("keeps every secret in a 0600 file and nowhere else", () => {
    for (const f of part?.files ?? []) {
      const holds = Object.values(secrets).some((s) => f.content.includes(s.trim().split("\n")[1] ?? s));
      if (holds) expect([f.path, f.mode]).toEqual([f.path, "0600"]);
    }
    expect(file("/etc/firstboot/backup-ssh-key").content).toBe(SSH_KEY);
    expect(file("/etc/firstboot/rclone.conf").content).not.toContain("SECRET");
    expect(JSON.stringify(part?.steps)).not.toContain("SECRET");
  });
  it("scripts pass shellcheck", () => {
    requireTools(["shellcheck", "shellcheck"]);
    const dir = mkdtempSync(join(tmpdir(), "fb-sc-"));
    for (const p of [
      "/usr/local/sbin/firstboot-backup",
      "/usr/local/sbin/firstboot-restore",
      "/etc/firstboot/backup.conf",
    ]) {
      writeFileSync(join(dir, p.split("/").pop()!), file(p).content);
    }
    const r = spawnSync("shellcheck", ["-s", "bash", "firstboot-backup", "firstboot-restore"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
    // The settings are sourced by the scripts: every variable is "unused" from shellcheck's view.
    const conf = spawnSync("shellcheck", ["-s", "bash", "-e", "SC2034", "backup.conf"], { cwd: dir, encoding: "utf8" });
    expect(conf.stdout + conf.stderr).toBe("");
  });
  it("units pass systemd-analyze verify (ExecStart pointed at the rendered scripts)", () => {
    requireTools(["systemd-analyze", "systemd"]);
    const dir = mkdtempSync(join(tmpdir(), "fb-units-"));
    mkdirSync(join(dir, "sbin"));
    for (const s of ["firstboot-backup", "firstboot-restore"])
      writeFileSync(join(dir, "sbin", s), file(`/usr/local/sbin/${s}`).content, { mode: 0o755 });
    const units = ["firstboot-backup.service", "firstboot-backup.timer"];
    for (const u of units) {
      const text = file(`/etc/systemd/system/${u}`).content;
      expect(text).not.toMatch(/^\s*$\n^\s*$/m);
      writeFileSync(join(dir, u), text.replaceAll("/usr/local/sbin/", `${dir}/sbin/`));
    }
    const r = spawnSync("systemd-analyze", ["verify", ...units.map((u) => join(dir, u))], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(file("/etc/systemd/system/firstboot-backup.timer").content).toContain(
      "OnCalendar=Mon..Fri *-*-* 02:30:00\nPersistent=true",
    );
    expect(file("/etc/systemd/system/firstboot-backup.service").content).toContain(
      "ExecStopPost=/usr/local/sbin/firstboot-backup notify-result",
    );
  });
  it("schedules are valid systemd calendar expressions", () => {
    for (const s of ["03:00", "4:15", "daily", "Sun *-*-* 01:00:00"]) {
      const r = spawnSync("systemd-analyze", ["calendar", onCalendar(s)], { encoding: "utf8" });
      expect(r.status, `${s}: ${r.stderr}`).toBe(0);
    }
  });
  // 7.5 KiB until backup generations (live marker, per-generation prune and restore) added 1.2 KiB;
  // 9 KiB until member hashes from disk (the walk, the change and writable-map checks, the stream
  // path kept for files that change) added 0.7 KiB; the examples' user-data is about 2/3 of 32 KiB.
  it("adds at most 10 KiB to user-data when gzipped (the renderer's gzip+base64 form)", () => {
    const all = (part?.files ?? []).map((f) => f.content).join("");
    const b64 = Math.ceil(gzipSync(all, { level: 9 }).length / 3) * 4;
    console.log(`backup part: ${all.length} bytes plain, ${b64} bytes gzip+base64`);
    expect(b64).toBeLessThan(10240);
  });
});
