#!/usr/bin/env bash
# Fuzz every cargo-fuzz target for a fixed time, a few at a time, and print a Markdown table of
# executions, corpus growth and crashes (the table in fuzz/README.md comes from this script).
#
#   bash fuzz/fuzz-all.sh [SECONDS_PER_TARGET=300] [PARALLEL=2] [TARGET...]
#
# Each target starts from its committed corpus (fuzz/corpus/<target>, read only) plus a scratch
# corpus under fuzz/logs/corpus/<target> where new inputs land, so a campaign never grows the
# committed corpus by itself: copy an input there on purpose (a crash, once fixed). Crashes land in
# fuzz/artifacts/<target>/. Logs: fuzz/logs/<target>.log. Needs cargo-fuzz; stable rustc accepts
# its nightly-only flags with RUSTC_BOOTSTRAP=1.
set -uo pipefail
cd "$(dirname "$0")"
secs="${1:-300}"
par="${2:-2}"
shift $(( $# > 2 ? 2 : $# ))
export RUSTC_BOOTSTRAP=1

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
mkdir -p logs/corpus
cargo fuzz build --release >logs/build.log 2>&1 || { echo "fuzz build failed: see fuzz/logs/build.log"; exit 1; }

run_one() {
  local t="$1"
  mkdir -p "logs/corpus/$t" "artifacts/$t"
  # -rss_limit_mb bounds each process; -timeout flags a single input slower than 10 s.
  cargo fuzz run --release "$t" "logs/corpus/$t" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"logs/$t.log" 2>&1
  echo "$?" >"logs/$t.rc"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$par" ]; then wait -n; running=$((running - 1)); fi
done
wait

echo "| target | seconds | executions | exec/s | corpus (committed + new) | crashes |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
for t in "${targets[@]}"; do
  log="logs/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  ran=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1)
  committed=$(find "corpus/$t" -type f ! -name '.*' | wc -l)
  new=$(find "logs/corpus/$t" -type f | wc -l)
  crashes=$(find "artifacts/$t" -type f 2>/dev/null | wc -l)
  rc=$(cat "logs/$t.rc" 2>/dev/null || echo '?')
  verdict="none"
  if [ "$crashes" -gt 0 ] || [ "$rc" != "0" ]; then verdict="$crashes file(s), exit $rc: see logs/$t.log"; fi
  rate="-"
  if [ -n "${execs:-}" ] && [ -n "${ran:-}" ] && [ "$ran" -gt 0 ]; then rate=$((execs / ran)); fi
  echo "| \`$t\` | ${ran:-?} | ${execs:-?} | $rate | $committed + $new | $verdict |"
done
