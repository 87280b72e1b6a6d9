#!/bin/bash
# bench/backup.sh: a 1 GiB data set (a 256 MiB SQLite database + 768 MiB of files, half random,
# half base64 text) backed up by the real rendered firstboot-backup (VACUUM INTO, tar, sha256 of
# every member, zstd -T0, age) against a plain `tar -cf` of the same data. Prints wall time, the
# peak RSS of the largest process and the peak summed RSS of the whole run, as a Markdown table.
# Usage: bench/backup.sh [work dir on a disk with 4 GiB free] (default: a new dir in /var/tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
for t in sqlite3 zstd age age-keygen tar node /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/backup.sh: $t is missing (apt-get install sqlite3 zstd age time nodejs)" >&2; exit 1; }
done
W=${1:-$(mktemp -d /var/tmp/fb-bench-XXXXXX)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
DIST=node_modules/.cache/fb-bench-dist
mkdir -p "$W"/{bin,etc,shim,backups,plain} "$W/vol/selfmx_data/_data" "$W/vol/selfmx_files/_data" "$W/opt/selfmx" node_modules/.cache
# The renderer compiled as is (tsc emits even when unrelated files have type errors).
npx tsc -p tsconfig.json --outDir "$DIST" >/dev/null 2>&1 || true
ln -sfn "$PWD/snippets" node_modules/.cache/snippets
age-keygen -o "$W/etc/backup-identity.txt" 2>/dev/null
RCPT=$(age-keygen -y "$W/etc/backup-identity.txt")
node --input-type=module - "$PWD/$DIST" "$W" "$RCPT" <<'JS'
import { writeFileSync } from "node:fs";
const [dist, w, rcpt] = process.argv.slice(2);
const { backupSchema } = await import(`${dist}/config/schema-backup.js`);
const { backupParts } = await import(`${dist}/render/backup.js`);
const cfg = backupSchema.parse({ sqlite: [{ volume: "data", path: "app.db" }], volumes: ["files"], encrypt_to: [rcpt] });
const ctx = { name: "selfmx", stackDir: `${w}/opt/selfmx`, image: { name: "debian-12", family: "debian", codename: "bookworm", cloudInit: 22, arch: "amd64" }, reveal: (v) => v };
for (const f of backupParts(cfg, "none", ctx)[0].files) {
  const m = /^\/usr\/local\/sbin\/(.*)$/.exec(f.path) ?? /^\/etc\/firstboot\/(.*)$/.exec(f.path);
  if (m) writeFileSync(`${w}/${f.path.startsWith("/usr") ? "bin" : "etc"}/${m[1]}`, f.content, { mode: parseInt(f.mode, 8) });
}
JS
printf 'BACKUP_DIR=%s/backups\nETC=%s/etc\nLOCK=%s/lock\n' "$W" "$W" "$W" >>"$W/etc/backup.conf"
# A docker stand-in that answers `docker volume inspect -f ... NAME` ($5) with the bench's dir.
# shellcheck disable=SC2016
printf '#!/bin/sh\necho "%s/vol/$5/_data"\n' "$W" >"$W/shim/docker"; chmod +x "$W/shim/docker"
echo "services: {}" >"$W/opt/selfmx/compose.yaml"

echo "generating 1 GiB ..." >&2
sqlite3 "$W/vol/selfmx_data/_data/app.db" "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<248000) INSERT INTO t(body) SELECT hex(randomblob(512)) FROM n;" >/dev/null
for i in $(seq 12); do
  head -c 32M /dev/urandom >"$W/vol/selfmx_files/_data/blob$i.bin"
  head -c 24M /dev/urandom | base64 -w 76 >"$W/vol/selfmx_files/_data/text$i.txt"
done
DATA=$(du -sb "$W/vol" | cut -f1)
cat "$W"/vol/*/_data/* >/dev/null # both runs read from the page cache

# measure NAME CMD...: wall seconds, max RSS of one process (KiB), peak summed RSS of the session (KiB)
measure() {
  local name=$1; shift
  setsid /usr/bin/time -f "%e %M %U %S" -o "$W/time.$name" "$@" >/dev/null 2>"$W/err.$name" & local pid=$! peak=0 s
  while kill -0 "$pid" 2>/dev/null; do
    s=$(ps -o rss= --sid "$pid" 2>/dev/null | awk '{t+=$1} END {print t+0}'); [ "$s" -gt "$peak" ] && peak=$s; sleep 0.1
  done
  wait "$pid" || { cat "$W/err.$name" >&2; exit 1; }
  read -r secs maxrss usr sys <"$W/time.$name"; echo "$name $secs $maxrss $peak $(awk -v u="$usr" -v s="$sys" 'BEGIN {print u + s}')"
}
P=$(measure plain tar -C / -cf "$W/plain/plain.tar" "${W#/}/vol")
B=$(measure backup env PATH="$W/shim:$PATH" FIRSTBOOT_BACKUP_CONF="$W/etc/backup.conf" "$W/bin/firstboot-backup" run)
A=$(ls "$W"/backups/*.tar.zst.age)
read -r _ ps pm pp pc <<<"$P"; read -r _ bs bm bp bc <<<"$B"
cat <<MD
| run (data: $((DATA / 1048576)) MiB, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)) | wall time | ratio | CPU (user+sys) | largest process RSS | summed RSS peak | output |
|---|---|---|---|---|---|---|
| plain \`tar -cf\` | ${ps} s | 1.00x | ${pc} s | $((pm / 1024)) MiB | $((pp / 1024)) MiB | $(($(stat -c %s "$W/plain/plain.tar") / 1048576)) MiB |
| firstboot-backup (VACUUM INTO + tar + sha256 + zstd -1 -T0 + age) | ${bs} s | $(awk -v a="$bs" -v b="$ps" 'BEGIN {printf "%.2f", a / b}')x | ${bc} s | $((bm / 1024)) MiB | $((bp / 1024)) MiB | $(($(stat -c %s "$A") / 1048576)) MiB |
MD
