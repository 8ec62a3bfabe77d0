#!/usr/bin/env bash
# The HTML report at size: generation time, peak memory and file size of
# `trustlint check --format html` on the demo data, a 10,000-role export
# (bench/gen_corpus.py --roles 10000) and the 50,000 x 50,000 graph input
# (bench/gen_graph.py 50000). Prints a markdown table and writes
# bench/html-results.md. RUNS (default 3) timed runs each; the median is shown.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
cargo build --release --quiet
python3 bench/gen_corpus.py bench/corpus/html --policies 0 --roles 10000 >/dev/null
python3 bench/gen_graph.py bench/corpus/graph 50000 >/dev/null
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -qq time >/dev/null
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

row() {  # row LABEL INPUT
  local label=$1 input=$2 times=() secs kb code
  for _ in $(seq "$RUNS"); do
    code=0
    /usr/bin/time -o "$out/time" -f '%e %M' target/release/trustlint check "$input" --no-config \
      --format html --output-file "$out/report.html" 2>/dev/null || code=$?
    [ "$code" -le 1 ] || { echo "exit $code on $input" >&2; exit 1; }
    read -r secs kb < <(tail -n 1 "$out/time")
    times+=("$secs")
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  local size
  size=$(stat -c %s "$out/report.html")
  printf '| %s | %s s | %s MiB | %s | %s |\n' "$label" "$median" "$((kb / 1024))" \
    "$(numfmt --to=iec-i --suffix=B "$size")" "$(grep -c '<tr class="finding"' "$out/report.html")"
}

{
  echo "| Input | Time (median of $RUNS) | Max RSS | Report size | Findings |"
  echo "|---|---:|---:|---:|---:|"
  row "fixtures/demo" fixtures/demo
  row "10,000-role export (gen_corpus.py --roles 10000)" bench/corpus/html/gaad/gaad-10000.json
  row "50,000 users × 50,000 roles (gen_graph.py 50000)" bench/corpus/graph/gaad-50000.json
} | tee bench/html-results.md
echo
echo "trustlint $(git rev-parse --short HEAD); $(nproc) cores; $(date -u +%F)"
