//! The reference libraries of the VC interop tests (`did/interop`, run by
//! Node): didkit (VC 1.1) and Digital Bazaar's (VC 2.0), so veil's verdicts
//! are checked against another implementation's.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `did/interop`'s scripts and `node_modules` are.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../did/interop")
}

/// Whether Node and the interop libraries are installed; panics when they
/// are not and `VEIL_REQUIRE_DIDKIT` is set (CI), so the tests cannot skip.
pub fn available() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok()
        && ["@spruceid/didkit-wasm-node", "@digitalbazaar/vc"]
            .iter()
            .all(|p| interop_dir().join("node_modules").join(p).exists());
    assert!(
        node || std::env::var("VEIL_REQUIRE_DIDKIT").is_err(),
        "VC interop required, but node or did/interop's packages are missing (npm ci in did/interop)"
    );
    if !node {
        eprintln!("skipped: needs node with did/interop installed");
    }
    node
}

/// didkit's verdict on `vc` (its `errors`), trusting the test CA.
pub fn didkit_errors(dir: &Path, vc: &str) -> Vec<serde_json::Value> {
    match node(dir, "didkit.js", &["verify", vc]) {
        Ok(out) => {
            let result: serde_json::Value = serde_json::from_str(&out).expect("didkit's JSON");
            result["errors"].as_array().cloned().unwrap_or_default()
        }
        Err(stderr) => vec![serde_json::Value::String(stderr)],
    }
}

/// `node did/interop/SCRIPT ARGS` in `dir`, trusting the test CA
/// (`dir/ca.pem`, when there is one); its stdout, or its stderr as the error.
pub fn node(dir: &Path, script: &str, args: &[&str]) -> Result<String, String> {
    let mut command = Command::new("node");
    command
        .arg(interop_dir().join(script))
        .args(args)
        .current_dir(dir);
    if dir.join("ca.pem").exists() {
        command.env("NODE_EXTRA_CA_CERTS", dir.join("ca.pem"));
    }
    let out = command.output().expect("run node");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Digital Bazaar's verdict on `vc`: `Ok(())` or its error.
pub fn bazaar_verify(dir: &Path, vc: &str) -> Result<(), String> {
    let out = node(dir, "bazaar.mjs", &["verify", vc])?;
    let result: serde_json::Value = serde_json::from_str(&out).expect("bazaar's JSON");
    match result["verified"].as_bool() {
        Some(true) => Ok(()),
        _ => Err(result["error"].to_string()),
    }
}

/// Writes `value` as `dir/name`.
pub fn write_json(dir: &Path, name: &str, value: &serde_json::Value) {
    std::fs::write(dir.join(name), value.to_string()).expect("write");
}
