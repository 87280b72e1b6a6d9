#!/bin/bash
# shellcheck disable=SC2034 # PAIR_* are read by the scripts that source this file
# Sourced by the bench scripts: `pair ROUNDS "A command" "B command"` runs A and B in turn
# (A B A B ...: the machine's drift hits both), each a fresh process with its output thrown
# away, and sets PAIR_A / PAIR_B (median wall ms), PAIR_RATIO (median of the per-round A/B
# ratios) and PAIR_CPU_A / PAIR_CPU_B (median user+sys ms, from /usr/bin/time).
pair_run() {
  local cpu_file=$1
  shift
  local t0
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S" -a -o "$cpu_file" bash -c "$1" >/dev/null 2>&1 || {
    echo "bench: failed: $1" >&2
    return 1
  }
  echo $((($(date +%s%N) - t0) / 1000))
}

pair_median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

pair() {
  local rounds=$1 a=$2 b=$3 i ta tb
  local ca cb
  ca=$(mktemp) cb=$(mktemp)
  local walls_a=() walls_b=() ratios=()
  pair_run "$ca" "$a" >/dev/null && pair_run "$cb" "$b" >/dev/null # warm the page cache
  : >"$ca" && : >"$cb"
  for ((i = 0; i < rounds; i++)); do
    ta=$(pair_run "$ca" "$a") && tb=$(pair_run "$cb" "$b") || return 1
    walls_a+=("$ta") walls_b+=("$tb")
    ratios+=("$(awk -v x="$ta" -v y="$tb" 'BEGIN {printf "%.4f", x / y}')")
  done
  PAIR_A=$(printf '%s\n' "${walls_a[@]}" | pair_median | awk '{printf "%.0f", $1 / 1000}')
  PAIR_B=$(printf '%s\n' "${walls_b[@]}" | pair_median | awk '{printf "%.0f", $1 / 1000}')
  PAIR_RATIO=$(printf '%s\n' "${ratios[@]}" | pair_median | awk '{printf "%.2f", $1}')
  PAIR_CPU_A=$(awk '{print ($1 + $2) * 1000}' "$ca" | pair_median | awk '{printf "%.0f", $1}')
  PAIR_CPU_B=$(awk '{print ($1 + $2) * 1000}' "$cb" | pair_median | awk '{printf "%.0f", $1}')
  rm -f "$ca" "$cb"
}

# Replaces the measured block of "## <section>" in BENCHMARKS.md: from the heading to the end of
# the block's first table (the analysis written below it stays).
bench_section() {
  local section=$1 body=$2
  touch BENCHMARKS.md
  node -e '
const fs = require("fs");
const [file, title, body] = process.argv.slice(1);
let text = fs.readFileSync(file, "utf8");
const re = new RegExp("## " + title + "\\n\\n[\\s\\S]*?\\n\\|[^\\n]*\\n(?!\\|)\\n?");
const block = "## " + title + "\n\n" + body.trim() + "\n\n";
text = re.test(text) ? text.replace(re, () => block) : text.trimEnd() + "\n\n" + block;
fs.writeFileSync(file, text);
' BENCHMARKS.md "$section" "$body"
}
