#!/bin/bash
# firstboot-backup [run|restore|list|prune|notify-fail]: SQLite (online API), pg_dump, volumes,
# dirs and the stack dir -> one stream tar | zstd | age, manifest of sha256s, rclone copy, GFS
# retention; restore verifies everything before it touches anything. The manifest's member list
# is age-encrypted like the archive: an unsalted hash of a small file (the .env) would let whoever
# reads the storage confirm a guessed secret offline. Its archive line stays plain text, so pull
# can check a download, and list and prune go by file names: neither needs the private key.
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
is_ts() { [[ $1 =~ ^[0-9]{8}T[0-9]{6}Z$ ]]; }
# Timestamps of complete backups (archive and manifest both there) in a file list on stdin.
goods() { sed -n "s/^$NAME-\([0-9]\{8\}T[0-9]\{6\}Z\)\.\(manifest\|tar\.zst\.age\)$/\1/p" | sort | uniq -d; }
good_local() { find "$BACKUP_DIR" -maxdepth 1 -type f -printf '%f\n' 2>/dev/null | goods; }
good_remote() { [ -z "$REMOTE" ] || rc lsf --files-only "$REMOTE/" | goods; }
# stdin: timestamps; stdout: those GFS retention drops. Periods count only when they hold a
# backup, so gaps never push old backups out early; the newest is always kept.
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
prune() {
  local t
  for t in $(good_local | prune_select); do log "prune $NAME-$t"; rm -f "$BACKUP_DIR/$NAME-$t".{manifest,tar.zst.age}; done
  for t in $(good_remote | prune_select); do log "prune remote $NAME-$t"; rc delete --include "/$NAME-$t.*" "$REMOTE"; done
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
    [ "$(sqlite3 "$STAGE/$dst" 'PRAGMA quick_check')" = ok ] || die "copy of $src fails quick_check"
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
# Archive the host path $1 as member $2: a --transform for tar (run with -C /) and a root to walk.
add() {
  local e; e=$(printf '%s' "${1#/}" | sed 's/[.[\*^$]/\\&/g')
  TAR+=("--transform=s|^$e\$|$2|S" "--transform=s|^$e/|$2/|S"); ROOTS+=("$1")
}
# Roots in order (specific before the stack dir, whose transform would match them too); the
# walk skips live SQLite files and the dirs archived on their own.
tar_args() {
  local e src v
  TAR=(--numeric-owner --no-recursion --null) ROOTS=() SKIP=()
  for e in "${SQLITE[@]}"; do src=$(sq_host "$e"); for v in "" -wal -shm -journal; do SKIP+=(-o -path "$src$v"); done; done
  for e in "${DIRS[@]}"; do SKIP+=(-o -path "$e"); done
  [ ! -d "$STAGE/sqlite" ] || add "$STAGE/sqlite" sqlite
  [ ! -d "$STAGE/postgres" ] || add "$STAGE/postgres" postgres
  for v in "${VOLUMES[@]}"; do add "$(mp "$v")" "volumes/$v"; done
  for e in "${DIRS[@]}"; do add "$e" "$(dmem "$e")"; done
  add "$STACK_DIR" stack
}
members() {
  local r
  for r in "${ROOTS[@]}"; do
    printf '%s\0' "$r"; find "$r" -mindepth 1 \( -false "${SKIP[@]}" \) -prune -o -print0
  done | sed -z 's|^/||'
}
# One stream: find | tar -> tee (hash every member) -> zstd -> age -> tee (hash the archive);
# temp names, renamed when complete. openssl hashes big files (SHA-NI), sha256sum starts faster.
write_archive() {
  local part="$BACKUP_DIR/.$BASE.tar.zst.age.part" mpart="$BACKUP_DIR/.$BASE.manifest.part" hp sp st
  tar_args; mkfifo "$STAGE/.fifo" "$STAGE/.fifo2"; mkdir "$STAGE/.x"
  # shellcheck disable=SC2016 # expanded by the shell tar starts per member
  (cd "$STAGE/.x" && tar -xf "$STAGE/.fifo" --to-command='if [ "$TAR_SIZE" -gt 4194304 ]; then h=$(openssl dgst -sha256 -r); else h=$(sha256sum); fi; echo "member ${h%% *} $TAR_FILENAME"' >"$STAGE/.members") & hp=$!
  openssl dgst -sha256 -r <"$STAGE/.fifo2" >"$STAGE/.sum" & sp=$!
  set +e
  members | tar -C / -cf - "${TAR[@]}" -T - | tee "$STAGE/.fifo" | zstd -1 -q -T0 | age -R "$ETC/backup-recipients.txt" | tee "$STAGE/.fifo2" >"$part"
  st=("${PIPESTATUS[@]}"); wait "$hp"; st+=($?); wait "$sp"; st+=($?); set -e
  # tar exits 1 when a live file changed while read; the manifest hashes what was archived.
  if [ "${st[1]}" -gt 1 ] || [ "${st[0]} ${st[*]:2}" != "0 0 0 0 0 0 0" ]; then die "archive pipeline failed (find tar tee zstd age tee hash sum: ${st[*]})"; fi
  sync "$part"
  { echo "firstboot-backup 2 $NAME $TS"; echo "archive $(cut -d' ' -f1 "$STAGE/.sum") $(stat -c %s "$part") $BASE.tar.zst.age"
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
run() {
  lock; mkdir -p "$BACKUP_DIR"
  rm -rf "$BACKUP_DIR/.staging" "$BACKUP_DIR"/.*.part
  TS=$(date -u +%Y%m%dT%H%M%SZ); BASE="$NAME-$TS"; STAGE="$BACKUP_DIR/.staging"; STOPPED=() STARTED=()
  mkdir -p "$STAGE"; log "backup $BASE started"
  # Staging holds plain copies of the databases: never leave it behind, even on failure.
  trap 'restart; rm -rf "$STAGE" "$BACKUP_DIR"/.*.part' EXIT
  dump_sqlite; dump_postgres
  if [ ${#STOP[@]} -gt 0 ]; then
    mapfile -t STOPPED < <(dc ps --services --status running | grep -Fxf <(printf '%s\n' "${STOP[@]}") || true)
    [ ${#STOPPED[@]} -eq 0 ] || dc stop "${STOPPED[@]}"
  fi
  write_archive; restart
  log "wrote $BACKUP_DIR/$BASE.tar.zst.age ($(stat -c %s "$BACKUP_DIR/$BASE.tar.zst.age") bytes)"
  upload; prune; notify ""; log "backup $BASE done"
}
