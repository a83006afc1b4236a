#!/usr/bin/env bash
# veil vs circom 2 + circomlib + snarkjs on the same statement and machine.
#
#   bash benches/peer/run.sh [RUNS]
#
# Compiles compliance.circom (circom2 --O2), makes a power-15 ceremony and a
# zkey (cached in build/), feeds it the witness veil proves, times snarkjs
# (wtns calculate, groth16 prove, fullprove, verify) and veil (witness, full
# prove, verify) as medians of RUNS runs, cross-verifies (snarkjs checks a
# veil proof, veil checks the snarkjs proof), and prints veil/snarkjs ratios.
# Not part of CI: it takes several minutes on 2 cores.
# VEIL_PEER_PROFILE=dev times the build CI and the criterion benches use
# (`cargo build --workspace --examples --bins`: the arithmetic crates at
# opt-level 3) instead of compiling the release profile.
set -euo pipefail
cd "$(dirname "$0")"
RUNS="${1:-3}"
ROOT="$(cd ../.. && pwd)"
SNARKJS="node node_modules/snarkjs/build/cli.cjs"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/veil/target}"

[ -d node_modules/snarkjs ] || npm ci --no-audit --no-fund --loglevel=error
mkdir -p build
if [ "${VEIL_PEER_PROFILE:-release}" = dev ]; then
    (cd "$ROOT" && cargo build --quiet --workspace --examples --bins)
    BIN="$CARGO_TARGET_DIR/debug"
else
    (cd "$ROOT" && cargo build --quiet --release -p veil-benches -p veil-cli --examples --bins)
    BIN="$CARGO_TARGET_DIR/release"
fi
VEIL="$BIN/veil"
"$BIN/examples/peer_input" 1 > build/input.json

echo "== circom2 --O2"
npx --no-install circom2 compliance.circom --r1cs --wasm --O2 -l node_modules -o build | grep -E "constraints|inputs"

if [ ! -f build/pot15_final.ptau ]; then
    echo "== powers of tau (2^15), once"
    $SNARKJS powersoftau new bn128 15 build/pot15_0.ptau > /dev/null
    $SNARKJS powersoftau contribute build/pot15_0.ptau build/pot15_1.ptau --name=peer -e="peer bench" > /dev/null
    $SNARKJS powersoftau prepare phase2 build/pot15_1.ptau build/pot15_final.ptau > /dev/null
fi
if [ ! -f build/compliance.zkey ] || [ build/compliance.r1cs -nt build/compliance.zkey ]; then
    echo "== groth16 setup (zkey)"
    $SNARKJS groth16 setup build/compliance.r1cs build/pot15_final.ptau build/compliance_0.zkey > /dev/null
    $SNARKJS zkey contribute build/compliance_0.zkey build/compliance.zkey --name=peer -e="peer bench" > /dev/null
    $SNARKJS zkey export verificationkey build/compliance.zkey build/verification_key.json > /dev/null
fi

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {  # RUNS × command → median seconds
    for _ in $(seq "$RUNS"); do
        local t0; t0=$(date +%s.%N)
        "$@" > /dev/null
        python3 -c "print($(date +%s.%N) - $t0)"
    done | median
}

echo "== snarkjs ($RUNS runs each)"
W=build/compliance_js/compliance.wasm
S_WTNS=$(timeit node build/compliance_js/generate_witness.js $W build/input.json build/witness.wtns)
S_PROVE=$(timeit $SNARKJS groth16 prove build/compliance.zkey build/witness.wtns build/proof.json build/public.json)
S_FULL=$(timeit $SNARKJS groth16 fullprove build/input.json $W build/compliance.zkey build/proof.json build/public.json)
S_VERIFY=$(timeit $SNARKJS groth16 verify build/verification_key.json build/public.json build/proof.json)
S_CONSTRAINTS=$($SNARKJS r1cs info build/compliance.r1cs | grep -o "# of Constraints: [0-9]*" | grep -o "[0-9]*$")

echo "== cross-verification"
"$VEIL" verify --vk build/verification_key.json --proof build/proof.json --public build/public.json
echo "   (veil accepted snarkjs's proof with snarkjs's key)"

echo "== veil ($RUNS runs each)"
VEIL_JSON=$("$BIN/examples/peer_veil" "$RUNS")

python3 - "$VEIL_JSON" "$S_CONSTRAINTS" "$S_WTNS" "$S_PROVE" "$S_FULL" "$S_VERIFY" <<'PY'
import json, sys
v = json.loads(sys.argv[1])
c, wtns, prove, full, verify = int(sys.argv[2]), *map(float, sys.argv[3:])
rows = [
    ("constraints", f"{v['constraints']:,}", f"{c:,}", f"{v['constraints']/c:.2f}x"),
    ("witness", f"{v['witness_s']*1e3:.0f} ms", f"{wtns*1e3:.0f} ms", f"{wtns/v['witness_s']:.1f}x faster"),
    ("prove (snarkjs: groth16 prove)", f"{v['fullprove_s']*1e3:.0f} ms", f"{prove*1e3:.0f} ms", f"{prove/v['fullprove_s']:.1f}x faster"),
    ("full prove (snarkjs: fullprove)", f"{v['fullprove_s']*1e3:.0f} ms", f"{full*1e3:.0f} ms", f"{full/v['fullprove_s']:.1f}x faster"),
    ("verify", f"{v['verify_s']*1e3:.2f} ms", f"{verify*1e3:.0f} ms", f"{verify/v['verify_s']:.0f}x faster"),
]
print(f"| step | veil | circom + snarkjs | veil vs snarkjs |\n|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
PY
