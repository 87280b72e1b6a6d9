// `firstboot status` reads a server with one read-only script over SSH, built here as data: the
// script text is fixed, the paths come as arguments (so a test runs the same text against a
// temp dir). It prints one JSON object whose pieces are the raw texts (status-parse.ts reads
// them): the server needs no jq or python, only bash, sed, awk and docker.
import { BACKUP_CONF, BACKUP_LAST, CONFIG_HASH_FILE, STATUS_FILE, stackDirOf } from "../server-contract.js";
import { shq } from "../shell.js";

export interface ProbePaths {
  statusFile: string;
  stackDir: string;
  project: string;
  backupConf: string;
  backupLast: string;
  configHash: string;
}

export const probePaths = (name: string): ProbePaths => ({
  statusFile: STATUS_FILE,
  stackDir: stackDirOf(name),
  project: name,
  backupConf: BACKUP_CONF,
  backupLast: BACKUP_LAST,
  configHash: CONFIG_HASH_FILE,
});

/** Reads only: no file is written, no unit or container touched. */
export const PROBE_SCRIPT = `set -u
export LC_ALL=C
# A file or text as a JSON string (64 KiB at most): controls dropped, \\ " and tab escaped.
js() {
  head -c 65536 | tr -d '\\000-\\010\\013-\\037' | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g' -e 's/\\t/\\\\t/g' |
    awk 'BEGIN { printf "\\"" } NR > 1 { printf "\\\\n" } { printf "%s", $0 } END { printf "\\"" }'
}
file() { if [ -r "$1" ]; then js <"$1"; else printf null; fi; }
ps=null e=127
if command -v docker >/dev/null 2>&1; then
  out=$(cd "$2" 2>&1 && docker compose -p "$3" ps --all --format json 2>&1); e=$?
  ps=$(printf '%s' "$out" | js)
fi
conf=false; [ ! -e "$4" ] || conf=true
printf '{"v":1,"now":%s,"boot":%s,"services":%s,"servicesExit":%s,"backupConfigured":%s,"backup":%s,"config":%s}\\n' \\
  "$(date -u +%s)" "$(file "$1")" "$ps" "$e" "$conf" "$(file "$5")" "$(file "$6")"
`;

/** The script's arguments, in the order it reads them ($1..$6). */
export function probeArgs(p: ProbePaths): string[] {
  return [p.statusFile, p.stackDir, p.project, p.backupConf, p.backupLast, p.configHash];
}

/** The remote command: as root (docker, the 0600 files), the script and its arguments quoted. */
export function probeCommand(p: ProbePaths): string {
  return ["sudo", "-n", "bash", "-c", PROBE_SCRIPT, "firstboot-status", ...probeArgs(p)].map(shq).join(" ");
}
