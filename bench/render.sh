#!/bin/bash
# Cold starts of the bundled CLI against yardsticks run side by side (bench/pair.sh):
# `firstboot render` of examples/selfmx against Debian's `cloud-init schema -c` on the same
# document (goals: <= 1.0x, 0.8x), and `firstboot --version` against a bare `node -e 0` (goal
# <= 1.5x). Writes the table into the "## Start" section of BENCHMARKS.md.
# Usage: bench/render.sh [rounds] (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/pair.sh
. bench/pair.sh
rounds=${1:-15}
for t in cloud-init node /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/render.sh: $t is missing (apt-get install cloud-init time)" >&2; exit 1; }
done
export FIRSTBOOT_IDENTITY="$PWD/examples/demo-identity.txt"
[ -f dist/cli.js ] || node scripts/build.mjs >/dev/null
doc=$(mktemp --suffix=.yaml)
trap 'rm -f "$doc"' EXIT
node bin/firstboot.js render examples/selfmx/firstboot.yaml -o "$doc" 2>/dev/null
cloud-init schema -c "$doc" >/dev/null
rows=()
measure() {
  pair "$rounds" "$2" "$3"
  rows+=("| $1 | $PAIR_A ms | $PAIR_B ms | **${PAIR_RATIO}x** | $PAIR_CPU_A ms / $PAIR_CPU_B ms | $4 |")
}
measure "\`firstboot render\` vs \`cloud-init schema -c\` (same document)" \
  "node bin/firstboot.js render examples/selfmx/firstboot.yaml" "cloud-init schema -c $doc" "<= 1.0x (goal 0.8x)"
measure "\`firstboot render --redact\` (no secrets decrypted) vs \`cloud-init schema -c\`" \
  "node bin/firstboot.js render --redact examples/selfmx/firstboot.yaml" "cloud-init schema -c $doc" "-"
measure "\`firstboot --version\` vs \`node -e 0\`" "node bin/firstboot.js --version" "node -e 0" "<= 1.5x"
measure "\`firstboot --help\` vs \`node -e 0\`" "node bin/firstboot.js --help" "node -e 0" "-"
body="\`bench/render.sh\` ($(date -u +%F), Node $(node --version), $(cloud-init --version 2>&1 | head -1), $(nproc) cores,
load average $(cut -d' ' -f1-3 /proc/loadavg) at the end): each pair run in turn $rounds times, fresh
processes, output thrown away; the ratio is the median of the per-round ratios of wall time.

| A vs B | A (median wall) | B (median wall) | A/B | CPU A / B (median) | goal |
|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")"
bench_section "Start" "$body"
echo "$body"
