#!/usr/bin/env bash
# Builds the browser's two packages with wasm-bindgen (on PATH, the version
# in Cargo.lock; .ci/run installs it):
#   bindings/wasm/pkg-web          single-threaded, stable Rust
#   bindings/wasm/pkg-web-threads  every core, for cross-origin isolated pages
# The threaded module needs nightly (wasm atomics are unstable), its std
# rebuilt with atomics (rust-src), and, since nightly-2025-10-03, the linker
# told to make the memory shared and importable (rust-lang/rust#147225).
# Its artifacts live in their own target directory: other flags, other std.
# `build.sh threads-build` compiles the threaded module and stops (.ci/run
# starts it in the background: it shares nothing with the other builds).
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/veil/target}"
threads_target="$target/wasm-threads"
build_threads() {
    rustup component list --toolchain nightly --installed | grep -qx rust-src ||
        rustup component add rust-src --toolchain nightly
    local shared_memory=(--shared-memory --max-memory=1073741824 --import-memory
        --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base)
    local rustflags="-C target-feature=+atomics,+bulk-memory"
    for arg in "${shared_memory[@]}"; do rustflags+=" -C link-arg=$arg"; done
    # Checksum freshness (nightly): a new clone's sources are new only by
    # mtime, and would otherwise recompile veil's crates (see .ci/fuzz).
    CARGO_UNSTABLE_CHECKSUM_FRESHNESS=true \
        CARGO_TARGET_DIR="$threads_target" RUSTFLAGS="$rustflags" \
        cargo +nightly build -p veil-wasm --lib --features threads \
        --target wasm32-unknown-unknown --release -Z build-std=panic_abort,std
}
if [ "${1:-}" = threads-build ]; then
    build_threads
    exit 0
fi

cargo build -p veil-wasm --lib --target wasm32-unknown-unknown --release
wasm-bindgen --target web --out-dir bindings/wasm/pkg-web \
    "$target/wasm32-unknown-unknown/release/veil_wasm.wasm"

build_threads
wasm-bindgen --target web --out-dir bindings/wasm/pkg-web-threads \
    "$threads_target/wasm32-unknown-unknown/release/veil_wasm.wasm"
for pkg in pkg-web pkg-web-threads; do
    wasm="bindings/wasm/$pkg/veil_wasm_bg.wasm"
    echo "wasm module ($pkg): $(stat -c %s "$wasm") bytes ($(gzip -9 -c "$wasm" | wc -c) gzipped)"
done
