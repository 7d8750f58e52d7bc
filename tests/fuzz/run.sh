#!/usr/bin/env bash
# Runs one fuzz target and prints its summary (make fuzz, make test-fuzz).
#
#   tests/fuzz/run.sh cpp|python RUNS OUT [--fresh]
#
# cpp: the libFuzzer target build/fuzz/tests/fuzz/fuzz_model_document (built
# by make fuzz-build); python: tests/fuzz/fuzz_load.py under atheris in .venv.
# OUT keeps the grown corpus (OUT/corpus: tests/fuzz/corpus stays the seeds
# only), any findings (OUT/artifacts/), the log and summary.txt. --fresh
# starts from the seeds with a fixed seed, so make test runs the same inputs
# every time. Exit status 1 on any finding.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=$1 runs=$2 out=$3 fresh=${4:-}
if [ "$fresh" = --fresh ]; then rm -rf "$out"; fi
mkdir -p "$out/corpus" "$out/artifacts"
rm -f "$out/outcomes.json"

# 2 GB: far above what a valid model needs, far below what a size taken from
# the document instead of from its data would allocate.
flags=(-rss_limit_mb=2048 -timeout=10 -max_len=16384 -print_final_stats=1
       -dict=tests/fuzz/model_document.dict -artifact_prefix="$out/artifacts/")
if [ "$fresh" = --fresh ]; then flags+=(-seed=1); fi

start=$(date +%s)
status=0
case $target in
  cpp)
    name=fuzz_model_document
    reproduce="build/fuzz/tests/fuzz/fuzz_model_document"
    # A single allocation above the limit is a finding of its own (libFuzzer
    # checks it through the sanitizer's malloc hooks, which atheris lacks).
    SCORESACTIVATION_FUZZ_STATS="$out/outcomes.json" \
      build/fuzz/tests/fuzz/fuzz_model_document -runs="$runs" -malloc_limit_mb=2048 "${flags[@]}" \
      "$out/corpus" tests/fuzz/corpus >"$out/fuzz.log" 2>&1 || status=$?
    ;;
  python)
    name=fuzz_load.py
    reproduce=".venv/bin/python tests/fuzz/fuzz_load.py"
    FUZZ_LOAD_STATS="$out/outcomes.json" \
      .venv/bin/python tests/fuzz/fuzz_load.py -atheris_runs="$runs" "${flags[@]}" \
      "$out/corpus" tests/fuzz/corpus >"$out/fuzz.log" 2>&1 || status=$?
    ;;
  *)
    echo "usage: $0 cpp|python RUNS OUT [--fresh]" >&2
    exit 2
    ;;
esac
seconds=$(( $(date +%s) - start ))

# libFuzzer's last status line: "#N DONE|pulse cov: E ft: F corp: C/S ...".
last=$(grep -E '^#[0-9]+.*cov: ' "$out/fuzz.log" | tail -n 1 || true)
inputs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$out/fuzz.log" | grep -oE '[0-9]+$' || true)
[ -n "$inputs" ] || inputs=$(grep -oE '^Done [0-9]+' "$out/fuzz.log" | tail -n 1 | grep -oE '[0-9]+' || true)
cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
corp=$(grep -oE 'corp: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
rss=$(grep -oE 'rss: [0-9]+Mb' <<<"$last" | grep -oE '[0-9]+' || true)
outcomes=$(cat "$out/outcomes.json" 2>/dev/null || echo "{}")

{
  echo "$name: ${inputs:-?} inputs in ${seconds} s; coverage: ${cov:-?} edges (cov), ${ft:-?} features (ft);" \
       "corpus ${corp:-?} inputs; rss ${rss:-?} MB"
  echo "  outcomes: $outcomes"
  if [ "$status" -eq 0 ]; then
    echo "  no findings"
  else
    echo "  FINDING (exit status $status): see $out/fuzz.log"
  fi
} | tee "$out/summary.txt"

if [ "$status" -ne 0 ]; then
  # The report: the harness's own line, the sanitizer's or Python's, and the saved input.
  grep -E -A25 '^\*\*\* fuzz_model_document|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|Uncaught Python exception|^Traceback' \
    "$out/fuzz.log" | head -n 60 || true
  for f in "$out"/artifacts/*; do
    [ -e "$f" ] && echo "  reproduce: $reproduce $f"
  done
  exit 1
fi
