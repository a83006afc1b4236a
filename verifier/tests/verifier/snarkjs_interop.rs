//! snarkjs itself verifies veil's exported files, and prints the same EVM
//! calldata. Runs when `node` is on the PATH and snarkjs is installed
//! (`npm ci` in `benches/peer`, which `.ci/run` does); with
//! `VEIL_REQUIRE_SNARKJS=1` (set by CI) a missing snarkjs is a failure.

use crate::fixture::{first, fixture};
use ark_ff::One;
use std::path::{Path, PathBuf};
use std::process::Command;
use veil_verifier::evm::Calldata;
use veil_verifier::snarkjs;

fn snarkjs_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("VEIL_SNARKJS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(
                std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
            )
            .join("../benches/peer/node_modules/snarkjs")
        });
    let node = Command::new("node").arg("--version").output().is_ok();
    let installed = dir.join("build/cli.cjs").is_file();
    match (node, installed) {
        (true, true) => Some(dir),
        _ if std::env::var_os("VEIL_REQUIRE_SNARKJS").is_some() => {
            panic!(
                "VEIL_REQUIRE_SNARKJS is set but node or snarkjs ({}) is missing",
                dir.display()
            )
        }
        _ => {
            eprintln!("skipping: node or snarkjs not installed (npm ci in benches/peer)");
            None
        }
    }
}

fn snarkjs_verify(dir: &Path, vk: &str, public: &str, proof: &str) -> (bool, String) {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let out = Command::new("node")
        .arg(dir.join("build/cli.cjs"))
        .args(["groth16", "verify"])
        .arg(write("verification_key.json", vk))
        .arg(write("public.json", public))
        .arg(write("proof.json", proof))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && text.contains("OK"), text)
}

#[test]
fn snarkjs_verifies_a_veil_proof_and_rejects_a_replayed_one() {
    let Some(dir) = snarkjs_dir() else { return };
    let (proof, public) = first();
    let vk = snarkjs::verifying_key_to_string(fixture().keys.verifying_key());
    let proof_text = snarkjs::proof_to_string(&proof);
    let (ok, text) = snarkjs_verify(&dir, &vk, &snarkjs::public_to_string(&public), &proof_text);
    assert!(ok, "snarkjs refused a veil proof:\n{text}");

    let mut replayed = public.clone();
    replayed[5] += veil_circuits::F::one(); // another payment
    let (ok, text) = snarkjs_verify(
        &dir,
        &vk,
        &snarkjs::public_to_string(&replayed),
        &proof_text,
    );
    assert!(!ok, "snarkjs accepted a replayed proof:\n{text}");
}

#[test]
fn evm_calldata_matches_snarkjs_byte_for_byte() {
    let Some(dir) = snarkjs_dir() else { return };
    let (proof, public) = first();
    let script = format!(
        "const s = require({:?}); \
         s.groth16.exportSolidityCallData({}, {}).then(c => {{ console.log(c); process.exit(0); }});",
        dir.join("build/main.cjs").display().to_string(),
        snarkjs::proof_to_string(&proof),
        snarkjs::public_to_string(&public),
    );
    let out = Command::new("node").args(["-e", &script]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        theirs.trim(),
        Calldata::new(&proof, &public).to_snarkjs_string()
    );
}
