#!/bin/bash
# firstboot-backup [run|restore|list|prune|promote|generation|notify-result]: SQLite (online API),
# pg_dump, volumes, dirs and the stack dir -> one stream tar | zstd | age, manifest of sha256s,
# rclone copy, GFS retention; restore verifies everything before it touches anything. The
# manifest's member list is age-encrypted like the archive: an unsalted hash of a small file (the
# .env) would let whoever reads the storage confirm a guessed secret offline. Its archive line
# stays plain text, so pull can check a download, and list and prune go by file names: neither
# needs the private key. Names are <NAME>-<UTC ts>-<generation> (<NAME>-<ts> before generations):
# the generation is a random id this server made once (GEN_FILE), so servers that share a target
# (a replacement, a preview) never prune or restore each other's backups by accident. <NAME>.live
# on the target (locally without one) names the live generation, newest first with the ones live
# before it; `promote` writes it. A server of another generation keeps its backups local.
set -euo pipefail
umask 077
export LC_ALL=C
# shellcheck source=/dev/null
. "${FIRSTBOOT_BACKUP_CONF:-/etc/firstboot/backup.conf}"
log() { echo "firstboot-backup: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
dc() { (cd "$STACK_DIR" && docker compose -p "$NAME" "$@"); }
rc() { rclone --config "$ETC/rclone.conf" "$@"; }
mp() { docker volume inspect -f '{{.Mountpoint}}' "${NAME}_$1"; }
lock() { exec 9>"$LOCK"; flock -n 9 || die "another backup or restore is running ($LOCK)"; }
# SQLITE entries are v:<volume>:<path> or d:<dir>:<path>: the file on the host, its archive member.
sq_host() { local r=${1#*:}; if [ "${1%%:*}" = v ]; then echo "$(mp "${r%%:*}")/${r#*:}"; else echo "${r%%:*}/${r#*:}"; fi; }
# Member of a host dir: dirs/@stack/<rel> inside the stack dir (portable), else dirs/<path>.
dmem() { case $1 in "$STACK_DIR"/*) echo "dirs/@stack/${1#"$STACK_DIR"/}" ;; *) echo "dirs/${1#/}" ;; esac; }
sq_member() { local r=${1#*:}; if [ "${1%%:*}" = v ]; then echo "sqlite/volumes/${r/://}"; else echo "sqlite/$(dmem "${r%%:*}")/${r#*:}"; fi; }
is_key() { [[ $1 =~ ^[0-9]{8}T[0-9]{6}Z(-[0-9a-f]{8})?$ ]]; }
# This server's generation: made once, kept under the state dir (a replacement gets its own).
gen_init() {
  [ -s "$GEN_FILE" ] || { mkdir -p "${GEN_FILE%/*}"; od -An -N4 -tx1 /dev/urandom | tr -d ' \n' >"$GEN_FILE.new"; mv "$GEN_FILE.new" "$GEN_FILE"; }
  GEN=$(cat "$GEN_FILE"); [[ $GEN =~ ^[0-9a-f]{8}$ ]] || die "bad generation id in $GEN_FILE"
}
# Keys (<ts> or <ts>-<gen>, what follows "$NAME-") of complete backups in a file list on stdin.
goods() { sed -n "s/^$NAME-\([0-9]\{8\}T[0-9]\{6\}Z\(-[0-9a-f]\{8\}\)\{0,1\}\)\.\(manifest\|tar\.zst\.age\)$/\1/p" | sort | uniq -d; }
good_local() { find "$BACKUP_DIR" -maxdepth 1 -type f -printf '%f\n' 2>/dev/null | goods; }
# The target's files; a folder not made yet (rclone exit 3: a fresh target before its first
# upload) is empty, any other failure stops: an unreadable target is not "no marker".
remote_files() {
  local out e=0
  out=$(rc lsf --files-only "$REMOTE/" 2>/dev/null) || e=$?
  [ "$e" = 0 ] || [ "$e" = 3 ] || die "cannot list $REMOTE (rclone exit $e; run: rclone --config $ETC/rclone.conf lsf $REMOTE/)"
  [ -z "$out" ] || printf '%s\n' "$out"
}
good_remote() { [ -z "$REMOTE" ] || remote_files | goods; }
# LINEAGE: the generations in <NAME>.live, the live one first; empty when there is no marker.
read_live() {
  local f
  if [ -n "$REMOTE" ]; then f=$(remote_files)
    if grep -qFx "$NAME.live" <<<"$f"; then LINEAGE=$(rc cat "$REMOTE/$NAME.live"); else LINEAGE=""; fi
  else LINEAGE=$(cat "$BACKUP_DIR/$NAME.live" 2>/dev/null || true); fi
  LINEAGE=$(grep -x '[0-9a-f]\{8\}' <<<"$LINEAGE" || true); LIVE=${LINEAGE%%$'\n'*}
}
# stdin: keys; stdout: those GFS retention drops. Periods count only when they hold a backup, so
# gaps never push old backups out early; the newest is always kept.
prune_select() {
  local t; t=$(sort -ru); [ -n "$t" ] || return 0
  paste -d' ' <(echo "$t") <(echo "$t" | cut -c1-8 | date -u -f - +%G%V) |
    awk -v D="$KEEP_DAILY" -v W="$KEEP_WEEKLY" -v M="$KEEP_MONTHLY" '
    { k = NR == 1; dd = substr($1, 1, 8); mm = substr($1, 1, 6)
      if (dd != d && nd < D) { nd++; d = dd; k = 1 }
      if ($2 != w && nw < W) { nw++; w = $2; k = 1 }
      if (mm != m && nm < M) { nm++; m = mm; k = 1 }
      if (!k) print $1 }'
}
# Days the retention reaches back: the longest of its daily, weekly and monthly spans.
horizon() { local h=$KEEP_DAILY; h=$((7 * KEEP_WEEKLY > h ? 7 * KEEP_WEEKLY : h)); echo $((31 * KEEP_MONTHLY > h ? 31 * KEEP_MONTHLY : h)); }
# stdin: keys; stdout: the keys to delete. This generation's backups go by GFS. Other
# generations' (and unnamed legacy ones) only once older than the horizon, counted from the
# newest backup in the set (no clock), and never the newest of a generation in the marker (of
# every generation while there is no marker).
prune_plan() {
  local k ref; k=$(sort -ru); [ -n "$k" ] || return 0
  awk -v g="$GEN" 'substr($1, 18) == g' <<<"$k" | prune_select
  ref=$(head -n1 <<<"$k" | cut -c1-8 | date -u -f - +%s)
  paste -d' ' <(echo "$k") <(echo "$k" | cut -c1-8 | date -u -f - +%s) |
    awk -v g="$GEN" -v lin="$(tr '\n' ' ' <<<"$LINEAGE")" -v cut=$((ref - 86400 * $(horizon))) '
    { x = substr($1, 18) } x == g { next }
    !seen[x]++ && (lin ~ /^ *$/ || index(" " lin, " " x " ")) { next }
    $2 < cut { print $1 }'
}
prune_local() { local t; for t in $(good_local | prune_plan); do log "prune $NAME-$t"; rm -f "$BACKUP_DIR/$NAME-$t".{manifest,tar.zst.age}; done; }
prune_remote() { local t; for t in $(good_remote | prune_plan); do log "prune remote $NAME-$t"; rc delete --include "/$NAME-$t.*" "$REMOTE"; done; }
# True, saying why, when this server leaves the target alone: UPLOAD=0 (a preview), or another
# generation is live (a replacement before its switch, the old server after it).
local_only() {
  [ "$UPLOAD" = 1 ] || { log "$1: UPLOAD=0, the target is only read"; return 0; }
  [ -n "$LIVE" ] && [ "$LIVE" != "$GEN" ] && log "$1: generation $GEN is not the live one ($LIVE)"
}
prune() {
  gen_init; read_live; prune_local
  if [ -n "$REMOTE" ] && ! local_only "target not pruned"; then prune_remote; fi
}
# Make this server's generation the live one; the ones live before stay in the marker (a
# restore falls back to them until this one has a backup).
promote() {
  gen_init; read_live; mkdir -p "$BACKUP_DIR"
  { echo "$GEN"; grep -vx "$GEN" <<<"$LINEAGE" | grep . | head -n 9 || true; } >"$BACKUP_DIR/.$NAME.live.part"
  mv "$BACKUP_DIR/.$NAME.live.part" "$BACKUP_DIR/$NAME.live"
  if [ -n "$REMOTE" ] && [ "$UPLOAD" = 1 ]; then rc copyto "$BACKUP_DIR/$NAME.live" "$REMOTE/$NAME.live"; fi
  log "generation $GEN is live${LIVE:+ (was $LIVE)}"
}
list() { { good_local | sed 's/$/ local/'; good_remote | sed 's/$/ remote/'; } | sort -r | sed "s/^/$NAME-/"; }
notify() { [ -z "${NOTIFY:-}" ] || curl -fsS -m 15 --retry 3 -o /dev/null "$NOTIFY$1" || log "notify $NOTIFY$1 failed"; }
dump_sqlite() {
  local e src dst
  for e in "${SQLITE[@]}"; do
    src=$(sq_host "$e"); dst=$(sq_member "$e")
    [ -f "$src" ] || die "SQLite database $src not found"
    mkdir -p "$STAGE/${dst%/*}"
    # One read transaction: a consistent snapshot even while the app keeps writing.
    sqlite3 -bail "$src" ".timeout 30000" "VACUUM INTO '$STAGE/$dst'" || die "sqlite3 VACUUM INTO of $src failed"
    # Read-only, alongside the rest of the run: write_archive waits for it before the manifest.
    { [ "$(sqlite3 "$STAGE/$dst" 'PRAGMA quick_check')" = ok ] || echo "$src" >>"$STAGE/.qc"; } & QC+=($!)
    chown --reference="$src" "$STAGE/$dst"; chmod --reference="$src" "$STAGE/$dst"
  done
}
# Start service $1 alone and wait until PostgreSQL answers as user $2 (over TCP: the image's
# first-start init runs a socket-only server that is about to restart).
pg_up() {
  local n=0
  dc up -d --no-deps "$1"
  until dc exec -T "$1" pg_isready -q -h 127.0.0.1 -U "$2"; do [ $((n += 1)) -lt 60 ] || die "PostgreSQL in $1 is not ready"; sleep 2; done
}
dump_postgres() {
  local e svc db user f
  for e in "${PG[@]}"; do
    IFS=: read -r svc db user <<<"$e"; f="$STAGE/postgres/$svc/$db.dump"; mkdir -p "${f%/*}"
    # A stopped stack (e.g. the final backup of a replacement) still gets its dump.
    if ! dc ps --services --status running | grep -qFx "$svc"; then STARTED+=("$svc"); pg_up "$svc" "$user"; fi
    dc exec -T "$svc" pg_dump -U "$user" -Fc "$db" >"$f" || die "pg_dump of $db in $svc failed"
    dc exec -T "$svc" pg_restore --list >/dev/null <"$f" || die "dump of $db is unreadable"
  done
}
# Archive the host path $1 as member $2: a --transform for tar (run with -C /), the same renames
# for member lines hashed by host path (tar applies its transforms in turn, as sed does), a root.
add() {
  local e; e=$(printf '%s' "${1#/}" | sed 's/[.[\*^$]/\\&/g')
  TAR+=("--transform=s|^$e\$|$2|S" "--transform=s|^$e/|$2/|S"); ROOTS+=("$1")
  REN+=(-e "s|^\(member [0-9a-f]* \)/$e\$|\1$2|" -e "s|^\(member [0-9a-f]* \)/$e/|\1$2/|")
}
# Roots in order (specific before the stack dir, whose transform would match them too); the
# walk skips live SQLite files and the dirs archived on their own.
tar_args() {
  local e src v
  TAR=(--numeric-owner --no-recursion --null) ROOTS=() SKIP=() REN=()
  for e in "${SQLITE[@]}"; do src=$(sq_host "$e"); for v in "" -wal -shm -journal; do SKIP+=(-o -path "$src$v"); done; done
  for e in "${DIRS[@]}"; do SKIP+=(-o -path "$e"); done
  [ ! -d "$STAGE/sqlite" ] || add "$STAGE/sqlite" sqlite
  [ ! -d "$STAGE/postgres" ] || add "$STAGE/postgres" postgres
  for v in "${VOLUMES[@]}"; do add "$(mp "$v")" "volumes/$v"; done
  for e in "${DIRS[@]}"; do add "$e" "$(dmem "$e")"; done
  add "$STACK_DIR" stack
}
# The walk, once, as "<find's %y> <inode> <path>" records: .list for tar (paths from /), .files
# the regular files.
walk() {
  local r
  for r in "${ROOTS[@]}"; do printf 'd 0 %s\0' "$r"; find "$r" -mindepth 1 \( -false "${SKIP[@]}" \) -prune -o -printf '%y %i %p\0' || die "cannot walk $r"; done >"$STAGE/.walk"
  sed -z 's|^. [0-9]* /||' "$STAGE/.walk" >"$STAGE/.list"; sed -zn 's|^f [0-9]* ||p' "$STAGE/.walk" >"$STAGE/.files"
}
# Inodes of members some process maps shared and writable (an SQLite -shm, LMDB): a write through
# such a map changes a file without touching its ctime. By inode alone: a match on another
# filesystem only costs the slower path.
mapped() {
  { cat /proc/[0-9]*/maps 2>/dev/null || true; } | awk '$2 ~ /^rw.s/ && $5 { print $5 }' | sort -u |
    comm -12 - <(sed -zn 's|^f \([0-9]*\) .*|\1|p' "$STAGE/.walk" | tr '\0' '\n' | sort -u)
}
# Live members whose status changed after the mark, or that are gone ("?"); staged copies are ours.
changed() {
  xargs -0r sh -c "find \"\$@\" -maxdepth 0 ! -path '$STAGE/*' -cnewer '$STAGE/.mark' -print -quit 2>/dev/null || echo '?'" sh <"$STAGE/.files"
}
# find | tar | zstd | age into the part file $1. Without $2 the members are hashed from disk (the
# page cache) alongside: no tee, no second tar. That holds only if none changed between tar's
# read and the hash's: the mark is a second before both (timestamps may be that coarse); a member
# changed after it, gone, mapped writable or seen changing by tar (exit 1) fails this (status 3).
# With $2 each member is hashed as it passes (tee -> tar -x, 8 KiB copies: slower, right for
# files that keep changing; hard links archived as files: tar -x gives a link member no command).
pack() {
  local hp st
  if [ -z "${2:-}" ]; then [ -z "$(mapped)" ] || return 3; touch -d '1 second ago' "$STAGE/.mark"
    (xargs -0r openssl dgst -sha256 -r <"$STAGE/.files" 2>/dev/null | sed -e 's/^\([0-9a-f]*\) \*/member \1 /' "${REN[@]}" >"$STAGE/.members") & hp=$!
    set +e; tar -C / -cf - "${TAR[@]}" -T "$STAGE/.list" | zstd -1 -q -T0 | age -R "$ETC/backup-recipients.txt" >"$1"
  else mkfifo "$STAGE/.fifo"; mkdir "$STAGE/.x"
    # shellcheck disable=SC2016 # expanded by the shell tar starts per member
    (cd "$STAGE/.x" && tar -xf "$STAGE/.fifo" --to-command='h=$(openssl dgst -sha256 -r); echo "member ${h%% *} $TAR_FILENAME"' >"$STAGE/.members") & hp=$!
    set +e; tar -C / -cf - "${TAR[@]}" --hard-dereference -T "$STAGE/.list" | tee "$STAGE/.fifo" | zstd -1 -q -T0 | age -R "$ETC/backup-recipients.txt" >"$1"
  fi
  st=("${PIPESTATUS[@]}"); wait "$hp"; st+=($?); set -e
  # tar exits 1 when a live file changed while read; the stream's manifest hashes what was archived.
  { [ "${st[0]}" -le 1 ] && [[ "${st[*]:1:${#st[@]}-2}" =~ ^[0\ ]*$ ]]; } || die "archive pipeline failed (${st[*]})"
  if [ -n "${2:-}" ]; then [ "${st[-1]}" = 0 ] || die "member hashes failed"; return 0; fi
  [ "${st[0]} ${st[-1]}" = "0 0" ] && [ -z "$(mapped)$(changed | head -c1)" ] || return 3
}
# Temp names, renamed when complete; the archive's hash re-reads the synced file from the page
# cache (cheaper than a tee in the pipeline).
write_archive() {
  local part="$BACKUP_DIR/.$BASE.tar.zst.age.part" mpart="$BACKUP_DIR/.$BASE.manifest.part" sum sp
  tar_args; walk
  pack "$part" || { log "files changed while archived: hashing each member from the tar stream instead"; pack "$part" 1; }
  wait "${QC[@]}"; [ ! -s "$STAGE/.qc" ] || die "copy of $(head -n1 "$STAGE/.qc") fails quick_check"
  sync "$part" & sp=$!; sum=$(openssl dgst -sha256 -r <"$part"); wait "$sp"
  { echo "firstboot-backup 2 $NAME $TS"; echo "archive ${sum%% *} $(stat -c %s "$part") $BASE.tar.zst.age"
    sort -k3 "$STAGE/.members" | age -a -R "$ETC/backup-recipients.txt"; } >"$mpart"
  sync "$mpart"; mv "$part" "$BACKUP_DIR/$BASE.tar.zst.age"; mv "$mpart" "$BACKUP_DIR/$BASE.manifest"; sync "$BACKUP_DIR"
}
upload() {
  [ -n "$REMOTE" ] || return 0
  rc copyto "$BACKUP_DIR/$BASE.tar.zst.age" "$REMOTE/$BASE.tar.zst.age"
  rc copyto "$BACKUP_DIR/$BASE.manifest" "$REMOTE/$BASE.manifest"
  rc check --one-way --include "/$BASE.*" "$BACKUP_DIR" "$REMOTE" || die "uploaded copy of $BASE differs"
}
# Put services back as they were: start those stopped for the archive, stop those started for a dump.
restart() {
  [ ${#STOPPED[@]} -eq 0 ] || dc start "${STOPPED[@]}" || log "could not start ${STOPPED[*]}"
  [ ${#STARTED[@]} -eq 0 ] || dc stop "${STARTED[@]}" || log "could not stop ${STARTED[*]}"
  STOPPED=() STARTED=()
}
# The last run's outcome for `firstboot status` (names, times, sizes: no secrets), replaced
# atomically at its start ("running") and at every end; a run killed outright stays "running"
# until notify-result (ExecStopPost) marks it failed, unless a run holds the lock (it is running).
last() {
  [ -n "${LAST_FILE:-}" ] || return 0
  local a="$BACKUP_DIR/$BASE.tar.zst.age" n=null e=null t=${REMOTE//[\"\\]/}
  if [ "$1" != running ]; then e=$(date -u +%s); [ ! -f "$a" ] || n=$(stat -c %s "$a"); fi
  mkdir -p "${LAST_FILE%/*}"
  printf '{"result":"%s","archive":"%s","bytes":%s,"target":"%s","uploaded":%s,"finished":%s}\n' \
    "$1" "$BASE" "$n" "$t" "$SENT" "$e" >"$LAST_FILE.part"
  mv "$LAST_FILE.part" "$LAST_FILE"
}
last_killed() {
  [ -n "${LAST_FILE:-}" ] && [ -f "$LAST_FILE" ] || return 0
  flock -n "$LOCK" true || return 0
  sed 's/"result":"running"/"result":"failed"/' "$LAST_FILE" >"$LAST_FILE.part" && mv "$LAST_FILE.part" "$LAST_FILE"
}
run() {
  lock; mkdir -p "$BACKUP_DIR"
  rm -rf "$BACKUP_DIR/.staging" "$BACKUP_DIR"/.*.part
  gen_init; TS=$(date -u +%Y%m%dT%H%M%SZ); BASE="$NAME-$TS-$GEN"; STAGE="$BACKUP_DIR/.staging"; STOPPED=() STARTED=() QC=()
  mkdir -p "$STAGE"; log "backup $BASE started"
  SENT=false; last running || true
  # Staging holds plain copies of the databases: never leave it behind, even on failure.
  trap 'e=$?; restart; rm -rf "$STAGE" "$BACKUP_DIR"/.*.part; if [ "$e" = 0 ]; then last ok; else last failed; fi' EXIT
  dump_sqlite; dump_postgres
  if [ ${#STOP[@]} -gt 0 ]; then
    mapfile -t STOPPED < <(dc ps --services --status running | grep -Fxf <(printf '%s\n' "${STOP[@]}") || true)
    [ ${#STOPPED[@]} -eq 0 ] || dc stop "${STOPPED[@]}"
  fi
  write_archive; restart
  log "wrote $BACKUP_DIR/$BASE.tar.zst.age ($(stat -c %s "$BACKUP_DIR/$BASE.tar.zst.age") bytes)"
  # Read after the archive is safe here: an unreachable target fails the run, the archive stays.
  read_live
  if [ -n "$REMOTE" ] && local_only "$BASE not uploaded"; then prune_local; log "backup $BASE done (local only)"; return 0; fi
  upload; [ -z "$REMOTE" ] || SENT=true; prune; notify ""; log "backup $BASE done"
}
