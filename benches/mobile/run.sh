#!/usr/bin/env bash
# Kotlin on the JVM against native Rust, proving the same payment from the
# same `veil demo` files, alternating in one run (this machine is noisy):
# the figure for issue 25's "Kotlin ≤ 1.2× native" row (benches/RESULTS.md).
#
#   bash benches/mobile/run.sh [ROUNDS] [PAIRS]      (defaults 10 and 3)
#
# Both sides use the same build of the library (the test profile, which
# optimises the arithmetic crates fully, as `veil demo` does); the JVM side
# goes through the generated bindings and JNA, as an Android app does.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-10}"
pairs="${2:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/veil/target}"
bash scripts/setup test > /dev/null
cargo build -q -p veil-cli -p veil-mobile --lib --bin veil --example native_rounds
lib_dir="$CARGO_TARGET_DIR/debug"
[ -f "$lib_dir/libveil_mobile.so" ] || { echo "no $lib_dir/libveil_mobile.so" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$lib_dir/veil" demo --keep "$work/demo" > /dev/null
# The Kotlin program also checks that a revoked credential is refused.
python3 - "$work/demo" << 'PY'
import json, sys, pathlib
d = pathlib.Path(sys.argv[1])
revoked = json.loads((d / "revoked.json").read_text())
revoked["revoked"].append(json.loads((d / "credential.json").read_text())["claims"]["credential_id"])
(d / "revoked-self.json").write_text(json.dumps(revoked))
PY
kotlinc="bindings/mobile/node_modules/kotlin-compiler/bin/kotlinc"
"$kotlinc" bindings/mobile/kotlin/org/veil/veil.kt bindings/mobile/tests/kotlin/WalletTest.kt \
    -classpath /usr/share/java/jna.jar -include-runtime -nowarn -d "$work/wallet-test.jar" 2> /dev/null

pin="$("$lib_dir/examples/native_rounds" "$work/demo" 0 | sed -n 's/^pin //p')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for pair in $(seq "$pairs"); do
    echo "-- pair $pair"
    "$lib_dir/examples/native_rounds" "$work/demo" "$rounds" | grep -v '^pin '
    java -Djna.library.path="$lib_dir" -cp "$work/wallet-test.jar:/usr/share/java/jna.jar" \
        org.veil.test.WalletTestKt "$work/demo" "$pin" "$rounds" | grep -v 'wallet test: ok'
done
