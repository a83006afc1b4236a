//! The C ABI from a C program: `tests/verify.c` is compiled against the
//! committed header and the built library, and run on a real proof. The
//! committed header must be what cbindgen generates from the source.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use veil_bindings_core::{ProveRequest, WalletProver};
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, PaymentContextJson, PointJson, PolicyJson,
};
use veil_circuits::statement::sample::Sample;
use veil_prover::keys::{encode, KeyKind};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory holding `libveil.so`, next to this test's own binary.
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps, deps.parent().unwrap()] {
        if dir.join("libveil.so").exists() {
            return dir.to_path_buf();
        }
    }
    panic!("libveil.so not found beside {}", exe.display());
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_committed_header_is_current() {
    let generated = cbindgen::Builder::new()
        .with_crate(crate_dir())
        .with_config(cbindgen::Config::from_file(crate_dir().join("cbindgen.toml")).unwrap())
        .generate()
        .expect("cbindgen");
    let mut bytes = Vec::new();
    generated.write(&mut bytes);
    let path = crate_dir().join("include/veil.h");
    if std::env::var_os("VEIL_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == bytes,
        "include/veil.h is stale: run VEIL_UPDATE_HEADER=1 cargo test -p veil-c and commit it"
    );
}

#[test]
fn a_c_program_verifies_and_decodes() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let keys = veil_prover::setup(&mut rng, |_| {}).expect("setup");
    let sample = Sample::new(&mut rng);
    let proving_key = encode(&keys.proving_key, KeyKind::Proving, &keys.shape).unwrap();
    let verifying_key = encode(keys.verifying_key(), KeyKind::Verifying, &keys.shape).unwrap();
    let request = json!({
        "credential": CredentialJson::from_credential(&sample.credential()),
        "holder": HolderJson::from_secret(sample.holder_secret),
        "policy": PolicyJson::from_policy(&sample.policy),
        "context": PaymentContextJson::from_context(&sample.context),
        "issuers": { "issuers": [PointJson::from_key(&sample.issuer_key.public_key())] },
        "revoked": { "revoked": [] },
    });
    let bundle = WalletProver::from_key_file(&proving_key)
        .unwrap()
        .prove(
            &ProveRequest::from_json(&request.to_string()).unwrap(),
            &mut rng,
        )
        .unwrap();
    let mut tampered = bundle.public_signals.clone();
    tampered[5] = "1".into();

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        write(d, "compliance.vk", &verifying_key),
        write(
            d,
            "proof.json",
            serde_json::to_string(&bundle.proof).unwrap().as_bytes(),
        ),
        write(
            d,
            "public.json",
            serde_json::to_string(&bundle.public_signals)
                .unwrap()
                .as_bytes(),
        ),
        write(
            d,
            "tampered.json",
            serde_json::to_string(&tampered).unwrap().as_bytes(),
        ),
    ];

    let lib = library_dir();
    let exe = d.join("verify");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let compiled = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(crate_dir().join("tests/verify.c"))
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-lveil")
        .output()
        .expect("run the C compiler");
    assert!(
        compiled.status.success(),
        "{cc} failed:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let run = Command::new(&exe)
        .args(&args)
        .output()
        .expect("run the C program");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the C program failed:\n{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
