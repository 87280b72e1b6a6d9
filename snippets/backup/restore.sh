# restore [--first-boot] [archive|latest]: download if needed, verify checksum, decrypt, unpack,
# compare every member with the manifest, integrity_check SQLite, pg_restore --list dumps; only
# then stop the stack, move old data aside, put the backup in place, start, wait for health.
# latest: the newest backup of the live generation, else of the one live before it (a server just
# promoted has none yet); without a marker the newest of all. Another generation's backup (a
# replacement candidate's, a preview's) only when named.
newest() {
  local k g; k=$({ good_local; good_remote; } | sort -ru); read_live
  [ -n "$k" ] || die "no backup of $NAME found locally or on the target"
  if [ -z "$LINEAGE" ]; then log "no $NAME.live marker: taking the newest backup of any generation"; head -n1 <<<"$k"; return 0; fi
  for g in $LINEAGE; do grep -m1 -- "-$g\$" <<<"$k" && { [ "$g" = "$LIVE" ] || log "live generation $LIVE has no backup: taking $g's"; return 0; }; done
  die "no backup of the live generation $LIVE: name one (firstboot-backup list)"
}
pick() {
  local want=${1%.tar.zst.age}; want=${want%.manifest}; want=${want##*/}
  if [ "$want" = latest ]; then KEY=$(newest)
  else KEY=${want#"$NAME"-}; is_key "$KEY" || die "not a backup of $NAME: $1"; fi
  BASE="$NAME-$KEY"; ARCH="$BACKUP_DIR/$BASE.tar.zst.age"; MAN="$BACKUP_DIR/$BASE.manifest"
  [ -s "$ARCH" ] && [ -s "$MAN" ] && return 0
  [ -n "$REMOTE" ] || die "$BASE is not in $BACKUP_DIR and no target is configured"
  log "downloading $BASE"; mkdir -p "$BACKUP_DIR"
  rc copyto "$REMOTE/$BASE.manifest" "$BACKUP_DIR/.$BASE.manifest.part" || die "cannot download $BASE.manifest"
  rc copyto "$REMOTE/$BASE.tar.zst.age" "$BACKUP_DIR/.$BASE.tar.zst.age.part" || die "cannot download $BASE"
  MAN="$BACKUP_DIR/.$BASE.manifest.part" ARCH="$BACKUP_DIR/.$BASE.tar.zst.age.part"
}
refuse() { die "$BASE: $*; nothing was changed"; }
# What the settings say the archive must hold.
wanted() {
  local e svc db
  for e in "${SQLITE[@]}"; do sq_member "$e"; done
  for e in "${PG[@]}"; do IFS=: read -r svc db _ <<<"$e"; echo "postgres/$svc/$db.dump"; done
  for e in "${VOLUMES[@]}"; do echo "volumes/$e"; done
  for e in "${DIRS[@]}"; do dmem "$e"; done
}
# Hash every other unpacked file: sed $1 (p;n: the first, third ...; n;p: the second ...) into .h$2.
half() { (cd "$WORK" && sed -zn "$1" "$WORK.f" | xargs -0r openssl dgst -sha256 -r) >"$WORK.h$2"; }
check() {
  local sum size f e svc db list hp ip u=0
  read -r _ sum size _ < <(grep '^archive ' "$MAN") || refuse "the manifest is unreadable"
  [ "$(stat -c %s "$ARCH")" = "$size" ] || refuse "size differs from the manifest (truncated?)"
  mkdir -p "$WORK"
  # The archive's hash alongside the unpacking into $WORK (both read it from the page cache);
  # both are checked before anything is replaced, a wrong hash first.
  openssl dgst -sha256 -r <"$ARCH" >"$WORK.sum" & hp=$!
  age -d -i "$ETC/backup-identity.txt" "$ARCH" | zstd -dq | tar -x --numeric-owner -p -C "$WORK" -f - || u=$?
  { wait "$hp" && [ "$(cut -d' ' -f1 "$WORK.sum")" = "$sum" ]; } || refuse "sha256 differs from the manifest (corrupt)"
  [ "$u" = 0 ] || refuse "cannot decrypt or unpack (wrong identity or damaged archive)"
  # The member lines: age-encrypted since manifest format 2, plain text in format 1 (older backups).
  list=$(if grep -q '^-----BEGIN AGE' "$MAN"; then sed -n '/^-----BEGIN AGE/,$p' "$MAN" | age -d -i "$ETC/backup-identity.txt"
    else grep '^member ' "$MAN"; fi) || refuse "cannot decrypt the manifest's member list (wrong identity or damaged manifest)"
  # Every unpacked file hashed, by two openssl processes (every other file each: two cores).
  (cd "$WORK" && find . -type f -printf '%P\0') >"$WORK.f"; half 'p;n' 1 & hp=$!
  # integrity_check (read-only) alongside the hashes; its verdict still comes after theirs.
  while IFS= read -r f; do
    [ "$(sqlite3 "$f" 'PRAGMA integrity_check' 2>&1)" = ok ] || { echo "${f#"$WORK"/}"; break; }
  done < <(find "$WORK/sqlite" -type f 2>/dev/null) >"$WORK.ic" & ip=$!
  { half 'n;p' 2 && wait "$hp"; } || refuse "cannot hash the unpacked files"
  cmp -s <(printf '%s\n' "$list" | sort -k3) <(sed 's/^\([0-9a-f]*\) \*/member \1 /' "$WORK.h1" "$WORK.h2" | sort -k3) ||
    refuse "unpacked files differ from the manifest"
  for f in $(wanted); do [ -e "$WORK/$f" ] || refuse "the archive has no $f"; done
  wait "$ip"; [ ! -s "$WORK.ic" ] || refuse "$(cat "$WORK.ic") fails integrity_check"
  for e in "${PG[@]}"; do
    IFS=: read -r svc db _ <<<"$e"
    dc run --rm -T --no-deps --entrypoint pg_restore "$svc" --list <"$WORK/postgres/$svc/$db.dump" >/dev/null || refuse "dump of $db is unreadable"
  done
}
# Move $1 aside (if present) and put $2 there; remembered for rollback.
place() {
  if [ -e "$1" ]; then mv -T "$1" "$1.pre-restore-$RID"; fi
  PLACED+=("$1"); if [ -n "$2" ]; then mkdir -p "${1%/*}"; mv -T "$2" "$1"; fi
}
swap_files() {
  local e src dst v
  for e in "${VOLUMES[@]}"; do v=$(mp "$e"); place "$v" "$WORK/volumes/$e"; done
  for e in "${DIRS[@]}"; do place "$e" "$WORK/$(dmem "$e")"; done
  for e in "${SQLITE[@]}"; do
    src=$(sq_host "$e"); dst=$(sq_member "$e")
    for v in -wal -shm -journal; do place "$src$v" ""; done
    place "$src" "$WORK/$dst"
  done
}
psql_() { dc exec -T "$1" psql -X -q -v ON_ERROR_STOP=1 -U "$2" -d postgres -tAc "$3"; }
swap_postgres() {
  local e svc db user old
  for e in "${PG[@]}"; do
    IFS=: read -r svc db user <<<"$e"; old="${db}_pre_restore_${RID,,}"
    pg_up "$svc" "$user"
    if [ -n "$(psql_ "$svc" "$user" "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
      psql_ "$svc" "$user" "ALTER DATABASE \"$db\" RENAME TO \"$old\""; fi
    PGDONE+=("$e"); psql_ "$svc" "$user" "CREATE DATABASE \"$db\" OWNER \"$user\""
    dc exec -T "$svc" pg_restore -U "$user" -d "$db" --no-owner --role="$user" --exit-on-error <"$WORK/postgres/$svc/$db.dump"
  done
}
rollback() {
  local p e svc db user
  SWAP=""; set +e; log "restore of $BASE failed: putting the previous data back"
  [ "$FIRST" = 1 ] || systemctl stop firstboot-stack.service
  for p in "${PLACED[@]}"; do
    if [ -e "$p" ]; then mv -T "$p" "$p.failed-restore-$RID"; fi
    if [ -e "$p.pre-restore-$RID" ]; then mv -T "$p.pre-restore-$RID" "$p"; fi
  done
  for e in "${PGDONE[@]}"; do
    IFS=: read -r svc db user <<<"$e"; dc up -d --no-deps "$svc"; sleep 3
    psql_ "$svc" "$user" "DROP DATABASE IF EXISTS \"$db\""
    psql_ "$svc" "$user" "ALTER DATABASE \"${db}_pre_restore_${RID,,}\" RENAME TO \"$db\""
  done
  if [ "$FIRST" = 1 ]; then dc stop; else systemctl start firstboot-stack.service; fi
  log "ERROR: restore of $BASE rolled back; the previous data is in place"; exit 1
}
healthy() { if [ -x "$HEALTH_CMD" ]; then "$HEALTH_CMD"; else log "no health gate at $HEALTH_CMD: not waiting"; fi; }
restore_main() {
  PLACED=() PGDONE=() SWAP="" FIRST=0 RID=$(date -u +%Y%m%dT%H%M%SZ)_$$ WORK=""
  if [ "${1:-}" = --first-boot ]; then FIRST=1; shift; fi
  [ -r "$ETC/backup-identity.txt" ] || die "no age identity at $ETC/backup-identity.txt (set backup.restore_identity or copy it there, mode 0600)"
  lock; pick "${1:-latest}"; WORK="$BACKUP_DIR/.restore-$RID"
  # The unpacked copy is plain data: gone on every exit; a failure after the swap rolls back.
  trap 'st=$?; rm -rf "$WORK" "$WORK".*; [ $st = 0 ] || [ -z "$SWAP" ] || rollback' EXIT
  check; log "$BASE verified: every member matches the manifest"
  if [ "$ARCH" != "$BACKUP_DIR/$BASE.tar.zst.age" ]; then mv "$MAN" "$BACKUP_DIR/$BASE.manifest"; mv "$ARCH" "$BACKUP_DIR/$BASE.tar.zst.age"; fi
  # create: volumes exist even for a stack that never started (first boot, or held by `replace`).
  [ $FIRST = 1 ] || systemctl stop firstboot-stack.service
  dc create
  SWAP=1; swap_files; swap_postgres
  if [ $FIRST = 1 ]; then dc stop; SWAP=""; log "restored $BASE before the first start"; return 0; fi
  systemctl start firstboot-stack.service; healthy || rollback
  SWAP=""; log "restored $BASE; the previous data is kept as *.pre-restore-$RID (delete it when satisfied)"
}
