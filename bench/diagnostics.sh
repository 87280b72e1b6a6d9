#!/bin/bash
# The error path at scale, through the built CLI: `firstboot validate` of one config with 4000
# unknown keys against ten configs with 400 each (the same 4000 diagnostics), and of one map of
# 8000 keys, half of them repeated, against one of 4000. Rounds alternate the cases (the machine
# is shared, so load drifts hit both); medians. Writes the "## Diagnostics" section of
# BENCHMARKS.md. Goal: the 4000 file in under 2x the time of the 10 x 400 files.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli.js ] || npm run -s build
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each config is the selfmx example (its compose file and Caddyfile beside it) plus unknown keys.
cp examples/selfmx/compose.yaml examples/selfmx/Caddyfile "$work/"
unknown_keys() { # count file
  { cat examples/selfmx/firstboot.yaml; for i in $(seq 1 "$1"); do echo "unknown_key_$i: $i"; done; } >"$2"
}
repeated_keys() { # count file: one map of count keys, every key twice
  { echo "version: 1"; for i in $(seq 1 $(($1 / 2))); do printf 'k%s: 1\nk%s: 2\n' "$i" "$i"; done; } >"$2"
}
unknown_keys 1 "$work/one.yaml"
unknown_keys 4000 "$work/big.yaml"
for n in $(seq 1 10); do unknown_keys 400 "$work/small-$n.yaml"; done
repeated_keys 8000 "$work/dup-8000.yaml"
repeated_keys 4000 "$work/dup-4000.yaml"

# Validates each file in turn; every one must be refused (exit 2), else its name is printed.
refuse_all() {
  local f rc
  for f in "$@"; do
    rc=0
    node bin/firstboot.js validate "$f" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 2 ] || { echo "validate $f: exit $rc, expected 2"; return 1; }
  done
}
# Appends the wall and CPU (user + system, children included) milliseconds of refuse_all to the
# lists of case $1. CPU time is what the shared machine's load disturbs least.
declare -A wall cpu
measure() {
  local name=$1 TIMEFORMAT='%3R %3U %3S' out r u s
  shift
  out=$({ time refuse_all "$@"; } 2>&1) || { echo "$out" >&2; exit 1; }
  read -r r u s <<<"$out"
  wall[$name]+="$((10#${r/./})) "
  cpu[$name]+="$((10#${u/./} + 10#${s/./})) "
}
median() {
  local -a v
  read -ra v <<<"$1"
  printf '%s\n' "${v[@]}" | sort -n | sed -n "$(((${#v[@]} + 1) / 2))p"
}
ratio() { node -e 'console.log((Number(process.argv[1]) / Number(process.argv[2])).toFixed(2))' "$1" "$2"; }

ten_ones=()
for _ in $(seq 10); do ten_ones+=("$work/one.yaml"); done
for _ in $(seq "$rounds"); do
  measure big "$work/big.yaml"
  measure small "$work"/small-*.yaml
  measure one "$work/one.yaml"
  measure ones "${ten_ones[@]}"
  measure dup8 "$work/dup-8000.yaml"
  measure dup4 "$work/dup-4000.yaml"
done
declare -A w c
for k in big small one ones dup8 dup4; do
  w[$k]=$(median "${wall[$k]}")
  c[$k]=$(median "${cpu[$k]}")
done
# Less the start-up (runs with one unknown key, once and ten times), what is left is the diagnostics' own work.
own_big=$((c[big] - c[one])) own_small=$((c[small] - c[ones]))
load=$(cut -d' ' -f1 /proc/loadavg)
result="## Diagnostics

\`bench/diagnostics.sh\` ($(date -u +%F), $(node --version), $(nproc) cores, load average ${load}): medians of
${rounds} interleaved rounds of \`firstboot validate\` (every run refused, exit 2). One config with 4000 unknown
keys against ten configs with 400 each: wall **${w[big]} ms vs ${w[small]} ms, $(ratio "${w[big]}" "${w[small]}")x** (goal < 2x); CPU
${c[big]} ms vs ${c[small]} ms, $(ratio "${c[big]}" "${c[small]}")x. A run with one unknown key (start-up, loading the config) costs ${c[one]} ms
of CPU, ten such runs ${c[ones]} ms; less those, the diagnostics' own CPU is ${own_big} ms for the 4000 file and
${own_small} ms for the ten 400 files: **$(ratio "$own_big" "$own_small")x** (linear is about 1x or less: one process warms its JIT once; quadratic about 10x). Repeated keys,
one map of 8000 keys (half repeated) against 4000: wall **${w[dup8]} ms** vs ${w[dup4]} ms, CPU ${c[dup8]} ms vs ${c[dup4]} ms
($(ratio "${c[dup8]}" "${c[dup4]}")x for twice the keys; quadratic would be about 4x). CPU of each run (ms): 4000: ${cpu[big]% };
10 x 400: ${cpu[small]% }; one: ${cpu[one]% }; 10 x one: ${cpu[ones]% }; 8000 repeated: ${cpu[dup8]% }; 4000 repeated: ${cpu[dup4]% }.
"
touch BENCHMARKS.md
node -e '
const fs = require("fs");
const [file, body] = [process.argv[1], process.argv[2]];
let text = fs.readFileSync(file, "utf8");
// Only the measured paragraph is replaced: the analysis written below it stays.
// The paragraph ends at a blank line, or at the end of the file when the section is last.
const re = /## Diagnostics\n\n[\s\S]*?(\n\n|\n*$)/;
const put = (_all, end) => body.trimEnd() + (end === "\n\n" ? end : "\n");
text = re.test(text) ? text.replace(re, put) : (text.trimEnd() ? text.trimEnd() + "\n\n" : "# Benchmarks\n\n") + body;
fs.writeFileSync(file, text);
' BENCHMARKS.md "$result"
echo "$result"
