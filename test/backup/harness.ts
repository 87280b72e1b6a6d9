// A throwaway "server" in a temp dir: the rendered backup/restore scripts and settings, a docker
// shim (volumes are dirs, compose exec/run of PostgreSQL tools runs the local binaries), a
// systemctl shim, a real age key pair. Real tools everywhere else.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { backupSchema, type BackupInput } from "../../src/config/schema-backup.js";
import { backupParts } from "../../src/render/backup.js";
import type { RenderContext } from "../../src/render/part.js";

export const PGBIN = "/usr/lib/postgresql/15/bin";

/** Fail loudly (never skip) when a real tool the tests rely on is missing. */
export function requireTools(...tools: [cmd: string, pkg: string][]): void {
  for (const [cmd, pkg] of tools) {
    const r = spawnSync("sh", ["-c", `command -v "$1"`, "sh", cmd]);
    if (r.status !== 0) throw new Error(`${cmd} is missing: apt-get install ${pkg}`);
  }
}

export const ctxFor = (name: string, stackDir: string, secrets: Record<string, string> = {}): RenderContext => ({
  name,
  stackDir,
  image: { name: "debian-12", family: "debian", codename: "bookworm", cloudInit: 22, arch: "amd64" },
  reveal: (v) => (typeof v === "string" ? v : (secrets[v.secret] ?? `[missing ${v.secret}]`)),
});

const DOCKER_SHIM = `#!/bin/bash
# Test stand-in for docker: volumes are $SHIM/volumes/<name>/_data, compose tools run locally.
set -euo pipefail
echo "$*" >>"$SHIM/docker.log"
if [ "$1" = volume ]; then
  d="$SHIM/volumes/\${*: -1}/_data"; [ -d "$d" ] || { echo "Error: no such volume: \${*: -1}" >&2; exit 1; }; echo "$d"; exit 0
fi
[ "$1" = compose ] && [ "$2" = -p ] || exit 99
p=$3; cmd=$4; shift 4
run_() { echo "$1" >>"$SHIM/running"; sort -u -o "$SHIM/running" "$SHIM/running"; }
case $cmd in
  exec) [ "$1" = -T ] && shift; shift; t=$1; shift; exec "$PGBIN/$t" "$@" ;;
  run) while [ "$1" != --entrypoint ]; do shift; done; t=$2; shift 3; exec "$PGBIN/$t" "$@" ;;
  ps) if [ "$1" = --services ]; then cat "$SHIM/running"; else
        while read -r s; do if [ -e "$SHIM/unhealthy" ]; then echo "running unhealthy"; else echo "running healthy"; fi; done <"$SHIM/running"; fi ;;
  stop) if [ $# -eq 0 ]; then : >"$SHIM/running"; else for s; do sed -i "/^$s\\$/d" "$SHIM/running"; done; fi ;;
  start) for s; do run_ "$s"; done ;;
  up) run_ "\${*: -1}" ;;
  create) for v in $SHIM_VOLUMES; do mkdir -p "$SHIM/volumes/\${p}_$v/_data"; done ;;
  *) exit 98 ;;
esac
`;

const SYSTEMCTL_SHIM = `#!/bin/bash
set -euo pipefail
echo "$*" >>"$SHIM/systemctl.log"
case "$1 $2" in
  "stop firstboot-stack.service") : >"$SHIM/running" ;;
  "start firstboot-stack.service") printf '%s\\n' $SHIM_SERVICES >"$SHIM/running" ;;
  *) exit 97 ;;
esac
`;

export interface Server {
  root: string;
  /** Environment for running the scripts (PATH with shims, FIRSTBOOT_BACKUP_CONF). */
  env: NodeJS.ProcessEnv;
  backupDir: string;
  stackDir: string;
  volume(name: string): string;
  identity: string;
  recipient: string;
  /** Run firstboot-backup / firstboot-restore; returns status and output (never throws). */
  run(script: "backup" | "restore", args?: string[]): { status: number; out: string };
}

export interface ServerOptions {
  /** Reuse an identity (a second server restoring the first one's backups). */
  identity?: string;
  name?: string;
  backup: Omit<BackupInput, "encrypt_to">;
  secrets?: Record<string, string>;
  /** Extra lines appended to backup.conf (e.g. REMOTE=...). */
  conf?: string[];
  services?: string[];
  pgEnv?: Record<string, string>;
  /** Render as a preview does without --with-backup-target (the target only read). */
  readOnly?: boolean;
}

export function makeServer(o: ServerOptions): Server {
  requireTools(
    ["sqlite3", "sqlite3"],
    ["zstd", "zstd"],
    ["age", "age"],
    ["age-keygen", "age"],
    ["flock", "util-linux"],
  );
  const root = mkdtempSync(join(tmpdir(), "fb-backup-"));
  chmodSync(root, 0o755);
  const name = o.name ?? "selfmx";
  const d = (...p: string[]) => {
    const path = join(root, ...p);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const [bin, etc, shim, stackDir, backupDir] = [d("bin"), d("etc"), d("shim"), d("opt", name), join(root, "backups")];
  const identity = o.identity ?? execFileSync("age-keygen", { stdio: ["ignore", "pipe", "ignore"] }).toString();
  const recipient = execFileSync("age-keygen", ["-y"], { input: identity }).toString().trim();
  const backup = backupSchema.parse({ ...o.backup, encrypt_to: [recipient] });
  const [part] = backupParts(backup, "none", {
    ...ctxFor(name, stackDir, o.secrets),
    ...(o.readOnly ? { backupReadOnly: true } : {}),
  });
  for (const f of part?.files ?? []) {
    const target = f.path.startsWith("/usr/local/sbin/")
      ? join(bin, f.path.slice(16))
      : f.path.startsWith("/etc/firstboot/")
        ? join(etc, f.path.slice(15))
        : join(etc, f.path.replace(/\//g, "_"));
    // rclone.conf names its key files by their server paths: point them at this fake /etc.
    writeFileSync(target, f.content.replaceAll("/etc/firstboot/", `${etc}/`), { mode: parseInt(f.mode, 8) });
  }
  writeFileSync(join(etc, "backup-identity.txt"), identity, { mode: 0o600 });
  const overrides = [
    `BACKUP_DIR=${backupDir}`,
    `ETC=${etc}`,
    `LOCK=${root}/backup.lock`,
    `HEALTH_CMD=${shim}/health`,
    `GEN_FILE=${root}/state/backup-generation`,
    `LAST_FILE=${root}/state/backup-last.json`,
    ...(o.conf ?? []),
  ];
  writeFileSync(join(etc, "backup.conf"), readFileSync(join(etc, "backup.conf"), "utf8") + overrides.join("\n") + "\n");
  writeFileSync(join(shim, "docker"), DOCKER_SHIM, { mode: 0o755 });
  writeFileSync(join(shim, "systemctl"), SYSTEMCTL_SHIM, { mode: 0o755 });
  writeFileSync(join(shim, "health"), `#!/bin/sh\n! [ -e "${shim}/unhealthy" ]\n`, { mode: 0o755 });
  const services = o.services ?? ["app"];
  writeFileSync(join(shim, "running"), services.map((s) => s + "\n").join(""));
  writeFileSync(join(stackDir, "compose.yaml"), "services:\n  app:\n    image: example/app:1.0\n");
  writeFileSync(join(stackDir, ".env"), "API_KEY=hunter2\n", { mode: 0o600 });
  const env = {
    ...process.env,
    PATH: `${shim}:${process.env.PATH}`,
    SHIM: shim,
    SHIM_SERVICES: services.join(" "),
    SHIM_VOLUMES: backup.volumes.concat(backup.sqlite.flatMap((s) => ("volume" in s ? [s.volume] : []))).join(" "),
    PGBIN,
    FIRSTBOOT_BACKUP_CONF: join(etc, "backup.conf"),
    ...o.pgEnv,
  };
  return {
    root,
    env,
    backupDir,
    stackDir,
    identity,
    recipient,
    volume: (v) => d("shim", "volumes", `${name}_${v}`, "_data"),
    run(script, args = []) {
      const r = spawnSync(join(bin, `firstboot-${script}`), args, { env, encoding: "utf8", timeout: 120_000 });
      return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
    },
  };
}

/** Newest complete backup's base name in the server's backup dir. */
export function newestBackup(s: Server): string {
  const out = execFileSync("sh", ["-c", `ls "$1" | sed -n 's/\\.manifest$//p' | sort | tail -n1`, "sh", s.backupDir])
    .toString()
    .trim();
  if (!out) throw new Error(`no backup in ${s.backupDir}`);
  return out;
}

/** Re-seal a backup like an attacker or bit rot with the right key could: decrypt, change the
 * files, encrypt again and write a manifest that matches (its member list encrypted to the
 * backup's recipient, format 2). Only the content checks can catch it. `keepMembers` keeps the
 * old encrypted member list and fixes only the archive line: the member comparison catches that. */
export function reseal(
  s: Server,
  base: string,
  mutate: (dir: string) => void,
  o: { keepMembers?: boolean } = {},
): void {
  const w = mkdtempSync(join(s.root, "reseal-"));
  const archive = join(s.backupDir, `${base}.tar.zst.age`);
  execFileSync("bash", [
    "-c",
    'age -d -i "$1" "$2" | zstd -dq | tar -x -C "$3"',
    "x",
    join(s.root, "etc", "backup-identity.txt"),
    archive,
    w,
  ]);
  mutate(w);
  execFileSync("bash", ["-c", 'tar -C "$1" -cf - . | zstd -q | age -r "$2" >"$3"', "x", w, s.recipient, archive]);
  const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
  const files = execFileSync("find", [w, "-type", "f"]).toString().trim().split("\n");
  const members = files.map((f) => `member ${sha(f)} ${relative(w, f)}`).sort();
  const manifest = join(s.backupDir, `${base}.manifest`);
  // <name>-<ts>-<generation> (or <name>-<ts> from before generations): the head line has name and time.
  const [, name, ts] = /^(.+)-(\d{8}T\d{6}Z)(?:-[0-9a-f]{8})?$/.exec(base) ?? [];
  const head = [
    `firstboot-backup 2 ${name} ${ts}`,
    `archive ${sha(archive)} ${statSync(archive).size} ${base}.tar.zst.age`,
  ];
  const sealed = o.keepMembers
    ? readFileSync(manifest, "utf8").split("\n").slice(2).join("\n")
    : execFileSync("age", ["-a", "-r", s.recipient], { input: members.join("\n") + "\n" }).toString();
  writeFileSync(manifest, [...head, sealed].join("\n"));
}

/** The member lines of a backup's manifest, decrypted with the server's identity. */
export function openManifest(s: Server, base: string): string {
  const manifest = readFileSync(join(s.backupDir, `${base}.manifest`), "utf8");
  const block = manifest.slice(manifest.indexOf("-----BEGIN AGE ENCRYPTED FILE-----"));
  return execFileSync("age", ["-d", "-i", join(s.root, "etc", "backup-identity.txt")], { input: block }).toString();
}

export const sqlite = (db: string, sql: string): string => execFileSync("sqlite3", [db, sql]).toString().trim();
