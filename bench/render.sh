#!/bin/bash
# Cold start of `firstboot render` on the selfmx example: median of 10 runs of a fresh node
# process each (module loading, YAML, zod, age decryption, Handlebars, gzip). Writes the result
# to the "## Render" section of BENCHMARKS.md. Goal: < 300 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
export FIRSTBOOT_IDENTITY="$PWD/examples/demo-identity.txt"
[ -f dist/cli.js ] || npx tsc -p tsconfig.json
runs=10
times=()
for _ in $(seq "$runs"); do
  t0=$(date +%s%N)
  node bin/firstboot.js render examples/selfmx/firstboot.yaml >/dev/null
  times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(( ($(sed -n "$((runs / 2))p" <<<"$sorted") + $(sed -n "$((runs / 2 + 1))p" <<<"$sorted")) / 2 ))
baseline=()
for _ in $(seq "$runs"); do
  t0=$(date +%s%N)
  node -e 0
  baseline+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
node_median=$(printf '%s\n' "${baseline[@]}" | sort -n | sed -n "$((runs / 2))p")
result="## Render

\`bench/render.sh\` ($(date -u +%F), $(node --version), $(nproc) cores): cold \`firstboot render\` of
examples/selfmx, median of $runs runs: **${median} ms** (goal < 300 ms). A bare \`node -e 0\` takes
${node_median} ms here, so firstboot's own work is about $((median - node_median)) ms. All runs (ms): ${times[*]}.
"
touch BENCHMARKS.md
node -e '
const fs = require("fs");
const [file, body] = [process.argv[1], process.argv[2]];
let text = fs.readFileSync(file, "utf8");
// Only the measured paragraph is replaced: the analysis written below it stays.
const re = /## Render\n\n[\s\S]*?\n\n/;
text = re.test(text) ? text.replace(re, body.trimEnd() + "\n\n") : (text.trimEnd() ? text.trimEnd() + "\n\n" : "# Benchmarks\n\n") + body;
fs.writeFileSync(file, text);
' BENCHMARKS.md "$result"
echo "$result"
