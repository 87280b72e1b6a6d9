#!/bin/bash
# bench/backup.sh: backup and restore of a 1 GiB data set (a 324 MiB SQLite database in WAL mode +
# 24 files of 32 MiB, half random, half base64 text), measured in ONE run, interleaved, 3 rounds,
# medians: plain `tar -cf`, the floor `tar -c | zstd -1 -T0 | age -r R > f; sync f`, and the real
# firstboot-backup rendered by the built CLI (`firstboot render --files`: VACUUM INTO, quick_check,
# sha256 of every member and of the archive, fsync, rename); then the restore floor
# `age -d | zstd -d | tar -x` vs the real `firstboot-backup restore --first-boot` of that archive
# (archive and member checks, integrity_check, swap into place). Prints a Markdown table: wall,
# CPU (user+sys), the largest process's peak RSS, the summed RSS peak of the run, load average.
# Usage: bench/backup.sh [work dir on a disk with 4 GiB free] (default: a new dir in /var/tmp)
# ROUNDS=n changes the number of rounds; KEEP=1 keeps the work dir.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in sqlite3 zstd age age-keygen tar node npm /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/backup.sh: $t is missing (apt-get install sqlite3 zstd age time nodejs npm)" >&2; exit 1; }
done
ROUNDS=${ROUNDS:-3}
W=${1:-$(mktemp -d /var/tmp/fb-bench-XXXXXX)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
mkdir -p "$W"/{bin,etc,shim,cfg,out,runs} "$W/vol/selfmx_data/_data" "$W/vol/selfmx_files/_data" "$W/opt/selfmx"
npm run build >/dev/null
age-keygen -o "$W/etc/backup-identity.txt" 2>/dev/null
RCPT=$(age-keygen -y "$W/etc/backup-identity.txt")

# The server's files as the CLI renders them for a small config with this backup section.
echo 'services: {app: {image: "example/app:1", volumes: ["data:/data", "files:/files"]}}' >"$W/cfg/compose.yaml"
echo 'volumes: {data: {}, files: {}}' >>"$W/cfg/compose.yaml"
cat >"$W/cfg/firstboot.yaml" <<YAML
version: 1
name: selfmx
server:
  type: cx23
  location: nbg1
  image: debian-12
  ssh_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq bench]
stack:
  compose: ./compose.yaml
backup:
  sqlite: [{ volume: data, path: app.db }]
  volumes: [files]
  encrypt_to: [$RCPT]
YAML
node bin/firstboot.js render --files "$W/files" "$W/cfg/firstboot.yaml" 2>/dev/null
cp "$W/files/usr/local/sbin/firstboot-backup" "$W/bin/"
cp "$W/files/etc/firstboot/backup.conf" "$W/files/etc/firstboot/backup-recipients.txt" "$W/etc/"
printf '%s\n' "STACK_DIR=$W/opt/selfmx" "BACKUP_DIR=$W/backups" "ETC=$W/etc" "LOCK=$W/lock" "GEN_FILE=$W/gen" \
  "LAST_FILE=$W/last.json" "HEALTH_CMD=$W/none" >>"$W/etc/backup.conf"
# A docker stand-in: `docker volume inspect -f ... NAME` ($5) is a dir under $VOLS (the data set
# for backups, an empty dir for restores), compose calls do nothing.
# shellcheck disable=SC2016
printf '#!/bin/sh\n[ "$1" != volume ] || echo "$VOLS/$5/_data"\n' >"$W/shim/docker"
chmod +x "$W/shim/docker" "$W/bin/firstboot-backup"
cp "$W/cfg/compose.yaml" "$W/opt/selfmx/compose.yaml"

echo "generating 1 GiB ..." >&2
sqlite3 "$W/vol/selfmx_data/_data/app.db" "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<248000) INSERT INTO t(body) SELECT hex(randomblob(512)) FROM n;" >/dev/null
for i in $(seq 12); do
  head -c 32M /dev/urandom >"$W/vol/selfmx_files/_data/blob$i.bin"
  head -c 24M /dev/urandom | base64 -w 76 >"$W/vol/selfmx_files/_data/text$i.txt"
done
DATA=$(du -sb "$W/vol" | cut -f1)
cat "$W"/vol/*/_data/* >/dev/null # every run reads from the page cache
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# measure NAME CMD...: appends "wall cpu maxrss summed-rss-peak" (s, s, KiB, KiB) to runs/NAME.
measure() {
  local name=$1 pid peak=0 s secs maxrss usr sys; shift
  sync; setsid /usr/bin/time -f "%e %M %U %S" -o "$W/time" "$@" >/dev/null 2>"$W/err" & pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    # ps fails once the session is gone (between kill -0 and ps): no sample, not an error.
    s=$({ ps -o rss= --sid "$pid" 2>/dev/null || true; } | awk '{t+=$1} END {print t+0}')
    [ "$s" -le "$peak" ] || peak=$s; sleep 0.1
  done
  wait "$pid" || { echo "bench/backup.sh: $name failed:" >&2; cat "$W/err" >&2; exit 1; }
  read -r secs maxrss usr sys <"$W/time"
  echo "$secs $(awk -v u="$usr" -v s="$sys" 'BEGIN {print u + s}') $maxrss $peak" >>"$W/runs/$name"
}
B=(env PATH="$W/shim:$PATH" FIRSTBOOT_BACKUP_CONF="$W/etc/backup.conf" "$W/bin/firstboot-backup")
V=${W#/}/vol
for r in $(seq "$ROUNDS"); do
  echo "round $r of $ROUNDS ..." >&2
  rm -rf "$W/out"/* "$W/backups" "$W/rvol"
  measure tar tar -C / -cf "$W/out/plain.tar" "$V"
  # shellcheck disable=SC2016 # the sh -c scripts expand their own arguments
  measure floor sh -c 'tar -C / -cf - "$1" | zstd -1 -q -T0 | age -r "$2" >"$3" && sync "$3"' sh "$V" "$RCPT" "$W/out/floor.age"
  measure backup env VOLS="$W/vol" "${B[@]}" run
  A=$(ls "$W"/backups/*.tar.zst.age)
  # shellcheck disable=SC2016
  measure rfloor sh -c 'mkdir "$3" && age -d -i "$1" "$2" | zstd -dq | tar -x -C "$3"' sh "$W/etc/backup-identity.txt" "$A" "$W/out/x"
  mkdir -p "$W/rvol"
  measure restore env VOLS="$W/rvol" "${B[@]}" restore --first-boot "$A"
done

# med NAME COLUMN: the median of that column over the rounds.
med() { cut -d' ' -f"$2" "$W/runs/$1" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ratio() { awk -v a="$(med "$1" 1)" -v b="$(med "$2" 1)" 'BEGIN {printf "%.2f", a / b}'; }
row() { echo "| $2 | $(med "$1" 1) s | $3 | $(med "$1" 2) s | $(($(med "$1" 3) / 1024)) MiB | $(($(med "$1" 4) / 1024)) MiB |"; }
mib() { echo $(($(stat -c %s "$1") / 1048576)); }
cat <<MD
| run (data: $((DATA / 1048576)) MiB, $(nproc) cores, $ROUNDS rounds interleaved, medians; load $LOAD0 -> $(cut -d' ' -f1-3 /proc/loadavg)) | wall time | ratio | CPU (user+sys) | largest process RSS | summed RSS peak |
|---|---|---|---|---|---|
$(row tar "plain \`tar -cf\` ($(mib "$W/out/plain.tar") MiB)" "1.00x tar")
$(row floor "floor \`tar -c \| zstd -1 -T0 \| age\` + sync ($(mib "$W/out/floor.age") MiB)" "$(ratio floor tar)x tar")
$(row backup "firstboot-backup run ($(mib "$A") MiB)" "**$(ratio backup floor)x floor**, $(ratio backup tar)x tar")
$(row rfloor "restore floor \`age -d \| zstd -d \| tar -x\`" "1.00x")
$(row restore "firstboot-backup restore --first-boot" "**$(ratio restore rfloor)x floor**")
MD
