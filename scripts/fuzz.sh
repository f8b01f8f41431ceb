#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through libfuzzer-sys) of every parser
# of outside bytes, on the stable toolchain: the coverage instrumentation
# cargo-fuzz would add is passed here by hand, so no nightly is needed.
#
#   scripts/fuzz.sh [--smoke] [SECONDS] [TARGET...]
#
# --smoke (what `make test` runs): each target fuzzes a throwaway copy of
# its corpus, so the repo's corpus is not rewritten by a short run.
#
# SECONDS per target (default 600); TARGET defaults to every target in
# fuzz/Cargo.toml. Each starts from fuzz/seeds/TARGET (hand-written inputs,
# and the virtual tokens' answers that crates/device/examples/fuzz_seeds.rs
# records once). The corpus of each target lives in fuzz/corpus/TARGET
# (in the repo, grown by every run, then merged down to the inputs that
# add coverage); a crash is written to
# fuzz/artifacts/TARGET/ and fails the script. A summary line per target
# goes to stdout and to target/fuzz/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
if [[ ${1:-} == --smoke ]]; then
    smoke=1
    shift
fi
seconds=${1:-600}
shift || true
if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^oathdesk-fuzz$')
fi

# The card targets start from the virtual tokens' real answers.
cargo run -q -p oathdesk-device --example fuzz_seeds -- fuzz/seeds

host=$(rustc -vV | sed -n 's/^host: //p')
# The flags cargo-fuzz passes for `--sanitizer none`; a target triple keeps
# them off build scripts and proc macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR=target/fuzz
cargo build --manifest-path fuzz/Cargo.toml --release --target "$host" --bins
bin="target/fuzz/$host/release"

mkdir -p target/fuzz
summary=target/fuzz/summary.txt
: >"$summary"

# fuzz_one TARGET: runs it (then, outside a smoke, merges its corpus) and
# writes its summary line to target/fuzz/TARGET.result; fails on a crash.
fuzz_one() {
    local t=$1 corpus log start verdict runs cov status=0
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t" "fuzz/artifacts/$t"
    corpus="fuzz/corpus/$t"
    if ((smoke)); then
        corpus="target/fuzz/smoke-$t"
        rm -rf "$corpus" && cp -r "fuzz/corpus/$t" "$corpus"
    fi
    log="target/fuzz/$t.log"
    start=$(date +%s)
    if "$bin/$t" "$corpus" "fuzz/seeds/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=4096 -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
        verdict="no crash"
    else
        verdict="CRASH (see $log and fuzz/artifacts/$t/)"
        status=1
    fi
    if ((!smoke)); then
        # Keep the corpus small: only inputs that add coverage stay.
        rm -rf "target/fuzz/merged-$t" && mkdir -p "target/fuzz/merged-$t"
        "$bin/$t" -merge=1 "target/fuzz/merged-$t" "fuzz/corpus/$t" >>"$log" 2>&1
        rm -rf "fuzz/corpus/$t" && mv "target/fuzz/merged-$t" "fuzz/corpus/$t"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "$t: $((($(date +%s) - start))) s, ${runs:-0} runs, ${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) files: $verdict" \
        >"target/fuzz/$t.result"
    return "$status"
}

# A libFuzzer run keeps one core busy: FUZZ_JOBS (default: the machine's
# cores) targets run at once. Each one's verdict is its result file.
jobs_max=${FUZZ_JOBS:-$(nproc)}
for t in "${targets[@]}"; do
    rm -f "target/fuzz/$t.result"
    while (($(jobs -rp | wc -l) >= jobs_max)); do
        wait -n || true
    done
    fuzz_one "$t" &
done
wait || true
failed=0
for t in "${targets[@]}"; do
    if [ -f "target/fuzz/$t.result" ]; then
        tee -a "$summary" <"target/fuzz/$t.result"
        grep -q ': no crash$' "target/fuzz/$t.result" || failed=1
    else
        echo "$t: did not finish (see target/fuzz/$t.log)" | tee -a "$summary"
        failed=1
    fi
done
exit "$failed"
