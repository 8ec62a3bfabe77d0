#!/bin/sh
# Runs one fuzz target for a while: fuzz/run.sh TARGET SECONDS [libFuzzer options]
#
# TARGET is `read_source`, `check_pipeline` or `export_reading`. The corpus
# (fuzz/corpus/TARGET, not kept in git) is seeded from fixtures/ on the
# first run; the saved regression inputs (fuzz/regressions/TARGET) are read
# as a second corpus.
# Crashes, timeouts and out-of-memory inputs land in fuzz/artifacts/TARGET.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# SANITIZER=address turns AddressSanitizer on (off by default: trustlint
# forbids unsafe code, and the sanitizer halves the executions).
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 read_source|check_pipeline|export_reading SECONDS [libFuzzer options]" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2
cd "$(dirname "$0")/.."

corpus=fuzz/corpus/$target
if [ ! -d "$corpus" ]; then
    mkdir -p "$corpus"
    # Each fixture, prefixed with the byte that makes the target read it
    # under the right kind of name (see `trustlint::fuzzing::NAMES`).
    find fixtures -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' \
        -o -name '*.template' -o -name '*.tf' -o -name '*.tfstate' \) -size -256k |
        while IFS= read -r f; do
            case $f in
                *.tf.json) sel=3 ;;
                *.tf) sel=2 ;;
                *.tfstate) sel=5 ;;
                *plan*.json) sel=4 ;;
                *.json) sel=0 ;;
                *) sel=1 ;;
            esac
            out=$corpus/seed-$(printf '%s' "$f" | sed 's|^fixtures/||; s|[^A-Za-z0-9._-]|_|g')
            { printf "\\$(printf '%03o' "$sel")"; cat "$f"; } >"$out"
        done
fi
mkdir -p "fuzz/regressions/$target"

exec cargo +nightly fuzz run --sanitizer "${SANITIZER:-none}" "$target" \
    "$corpus" "fuzz/regressions/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict=fuzz/trustlint.dict -print_final_stats=1 "$@"
