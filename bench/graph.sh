#!/usr/bin/env bash
# The assume-role graph at scale: N users and N roles in one account, every
# principal allowed to assume `*`, every role trusting its account. Times
# `trustlint check` (all rules, graph rules included) and `trustlint paths`
# for N = 1,000, 10,000 and 50,000, with peak memory, next to cloudsplaining
# on the same exports. Then the same sizes with N distinct permissions (user i
# may assume only role i, in any account: `gen_graph.py --distinct`), where
# finding each role's groups must not try every group. Prints a markdown
# table and writes bench/graph-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 50000"}
PEER_TIMEOUT=${PEER_TIMEOUT:-600}

cargo build --release --quiet
python3 bench/gen_graph.py bench/corpus/graph $SIZES >/dev/null
python3 bench/gen_graph.py --distinct bench/corpus/graph $SIZES >/dev/null

if [ ! -x bench/.venv/bin/cloudsplaining ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet cloudsplaining
fi
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -qq time >/dev/null
fi

# Runs a command once under /usr/bin/time; prints "seconds max-rss-MiB exit".
# Only the peer is stopped after PEER_TIMEOUT seconds (`timeout 0` never stops).
measure() {
  local timing code=0 secs kb limit=0
  case $1 in */cloudsplaining) limit=$PEER_TIMEOUT ;; esac
  timing=$(mktemp)
  /usr/bin/time -o "$timing" -f '%e %M' timeout "$limit" "$@" >/dev/null 2>&1 || code=$?
  read -r secs kb < <(grep -E '^[0-9.]+ [0-9]+$' "$timing" | tail -1)
  rm -f "$timing"
  printf '%s %s %s\n' "$secs" "$((kb / 1024))" "$code"
}

table="| Tool | Principals × roles | Time | Max RSS | Exit |\n|---|---:|---:|---:|---:|\n"
for n in $SIZES; do
  f=bench/corpus/graph/gaad-$n.json
  read -r s m e < <(measure target/release/trustlint check "$f" --no-config --format json)
  table+="| trustlint check (all rules) | $n × $n | ${s} s | ${m} MiB | $e |\n"
  read -r s m e < <(measure target/release/trustlint paths "$f" --no-config --to role-7 --format json)
  table+="| trustlint paths --to role-7 | $n × $n | ${s} s | ${m} MiB | $e |\n"
  read -r s m e < <(measure target/release/trustlint paths "$f" --no-config --from user-7 --format json)
  table+="| trustlint paths --from user-7 | $n × $n | ${s} s | ${m} MiB | $e |\n"
  out_dir=$(mktemp -d)
  read -r s m e < <(measure bench/.venv/bin/cloudsplaining scan --input-file "$f" --output "$out_dir" --skip-open-report)
  rm -rf "$out_dir"
  [ "$e" = 124 ] && s=">${PEER_TIMEOUT}"
  table+="| cloudsplaining scan | $n × $n | ${s} s | ${m} MiB | $e |\n"
done
for n in $SIZES; do
  f=bench/corpus/graph/gaad-distinct-$n.json
  read -r s m e < <(measure target/release/trustlint check "$f" --no-config --format json)
  table+="| trustlint check, $n distinct permissions | $n × $n | ${s} s | ${m} MiB | $e |\n"
  read -r s m e < <(measure target/release/trustlint paths "$f" --no-config --to role-7 --format json)
  table+="| trustlint paths --to role-7, $n distinct permissions | $n × $n | ${s} s | ${m} MiB | $e |\n"
done
printf "$table" | tee bench/graph-results.md
echo
echo "trustlint $(git rev-parse --short HEAD); cloudsplaining $(bench/.venv/bin/pip show cloudsplaining 2>/dev/null | awk '/^Version/ {print $2}'); $(nproc) cores; $(date -u +%F)"
