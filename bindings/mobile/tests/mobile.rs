//! The phone binding from its foreign side: the committed Kotlin and Swift
//! sources must be what uniffi generates from the built library, and a
//! Kotlin program on the JVM (the Android code path, JNA and all) proves,
//! verifies, decodes and gets the typed exceptions for bad input.

use camino::{Utf8Path, Utf8PathBuf};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use uniffi_bindgen::bindings::{generate_with_bindgen_paths, GenerateOptions, TargetLanguage};
use uniffi_bindgen::{BindgenPaths, BindgenPathsLayer};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, PaymentContextJson, PointJson, PolicyJson,
};
use veil_circuits::statement::sample::Sample;
use veil_prover::keys::{encode, encode_proving_key, KeyKind, KeyPin};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `libveil_mobile.so`, built beside this test's own binary.
fn library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps, deps.parent().unwrap()] {
        let lib = dir.join("libveil_mobile.so");
        if lib.exists() {
            return lib;
        }
    }
    panic!("libveil_mobile.so not found beside {}", exe.display());
}

/// Tells uniffi where this crate's `uniffi.toml` is, without `cargo
/// metadata`.
struct ThisCrate;

impl BindgenPathsLayer for ThisCrate {
    fn get_crate_root(&self, crate_name: &str) -> Option<Utf8PathBuf> {
        (crate_name == "veil_mobile").then(|| Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")))
    }
}

/// Generates the `language` sources from the built library into `out`.
fn generate(language: TargetLanguage, out: &Utf8Path) {
    let mut paths = BindgenPaths::default();
    paths.add_layer(ThisCrate);
    let options = GenerateOptions {
        languages: vec![language],
        source: Utf8PathBuf::from_path_buf(library()).unwrap(),
        out_dir: out.to_owned(),
        config_override: None,
        format: false,
        crate_filter: Some("veil_mobile".into()),
        metadata_no_deps: true,
    };
    generate_with_bindgen_paths(options, paths).expect("uniffi generates the bindings");
}

/// Every file under `dir`, by path relative to it.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_committed_kotlin_and_swift_sources_are_current() {
    for (language, dir) in [
        (TargetLanguage::Kotlin, "kotlin"),
        (TargetLanguage::Swift, "swift"),
    ] {
        let fresh = tempfile::tempdir().unwrap();
        let out = Utf8Path::from_path(fresh.path()).unwrap();
        generate(language, out);
        let committed_dir = crate_dir().join(dir);
        if std::env::var_os("VEIL_UPDATE_BINDINGS").is_some() {
            let _ = std::fs::remove_dir_all(&committed_dir);
            for (rel, bytes) in files_under(fresh.path()) {
                let path = committed_dir.join(rel);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
        }
        let generated = files_under(fresh.path());
        assert!(!generated.is_empty(), "uniffi wrote no {dir} sources");
        assert!(
            files_under(&committed_dir) == generated,
            "bindings/mobile/{dir}/ is stale: run VEIL_UPDATE_BINDINGS=1 cargo test -p veil-mobile and commit it"
        );
    }
}

/// The documents a wallet proves from, the keys and the key's pin, written
/// as a `veil demo --keep` directory holds them (what the Kotlin program and
/// `benches/mobile/run.sh` read).
fn write_wallet_files(dir: &Path) -> String {
    let mut rng = ChaCha20Rng::seed_from_u64(25);
    let keys = veil_prover::setup(&mut rng, |_| {}).expect("setup");
    let sample = Sample::new(&mut rng);
    let proving_key = encode_proving_key(&keys.proving_key, &keys.matrices, &keys.shape).unwrap();
    let verifying_key = encode(keys.verifying_key(), KeyKind::Verifying, &keys.shape).unwrap();
    let files = [
        ("compliance.pk", proving_key.clone()),
        ("compliance.vk", verifying_key),
        (
            "credential.json",
            json!(CredentialJson::from_credential(&sample.credential()))
                .to_string()
                .into_bytes(),
        ),
        (
            "holder.json",
            json!(HolderJson::from_secret(sample.holder_secret))
                .to_string()
                .into_bytes(),
        ),
        (
            "policy.json",
            json!(PolicyJson::from_policy(&sample.policy))
                .to_string()
                .into_bytes(),
        ),
        (
            "context.json",
            json!(PaymentContextJson::from_context(&sample.context))
                .to_string()
                .into_bytes(),
        ),
        (
            "issuers.json",
            json!({ "issuers": [PointJson::from_key(&sample.issuer_key.public_key())] })
                .to_string()
                .into_bytes(),
        ),
        (
            "revoked.json",
            json!({ "revoked": [] }).to_string().into_bytes(),
        ),
        // The same credential, revoked: the wallet must refuse to prove.
        (
            "revoked-self.json",
            json!({ "revoked": [field_to_decimal(&sample.claims.credential_id)] })
                .to_string()
                .into_bytes(),
        ),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    KeyPin::of(&proving_key).to_string()
}

/// A tool the Kotlin test needs, or why it is missing.
fn kotlin_tools() -> Result<(PathBuf, PathBuf), String> {
    let kotlinc = std::env::var_os("KOTLINC")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            let npm = crate_dir().join("node_modules/kotlin-compiler/bin/kotlinc");
            npm.exists().then_some(npm)
        })
        .ok_or("no kotlinc: scripts/setup test installs npm's kotlin-compiler here")?;
    let jna = std::env::var_os("JNA_JAR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/java/jna.jar"));
    if !jna.exists() {
        return Err(format!("no {} (Debian's libjna-java)", jna.display()));
    }
    Command::new("java")
        .arg("-version")
        .output()
        .map_err(|e| format!("no java (Debian's openjdk-17-jdk): {e}"))?;
    Ok((kotlinc, jna))
}

fn run(command: &mut Command, what: &str) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn kotlin_on_the_jvm_proves_verifies_and_gets_typed_exceptions() {
    let (kotlinc, jna) = match kotlin_tools() {
        Ok(tools) => tools,
        Err(why) if std::env::var_os("VEIL_REQUIRE_KOTLIN").is_none() => {
            eprintln!("skipped (set VEIL_REQUIRE_KOTLIN=1 to fail instead): {why}");
            return;
        }
        Err(why) => panic!("VEIL_REQUIRE_KOTLIN is set: {why}"),
    };
    let work = tempfile::tempdir().unwrap();
    let fixtures = work.path().join("wallet");
    std::fs::create_dir(&fixtures).unwrap();
    let pin = write_wallet_files(&fixtures);

    // The committed sources (checked current above) and the test program.
    let jar = work.path().join("wallet-test.jar");
    run(
        Command::new(&kotlinc)
            .arg(crate_dir().join("kotlin/org/veil/veil.kt"))
            .arg(crate_dir().join("tests/kotlin/WalletTest.kt"))
            .arg("-classpath")
            .arg(&jna)
            .arg("-include-runtime")
            .arg("-nowarn")
            .arg("-d")
            .arg(&jar),
        "kotlinc",
    );
    let classpath = format!("{}:{}", jar.display(), jna.display());
    let lib_dir = library().parent().unwrap().to_path_buf();
    let stdout = run(
        Command::new("java")
            .arg(format!("-Djna.library.path={}", lib_dir.display()))
            .arg("-cp")
            .arg(&classpath)
            .arg("org.veil.test.WalletTestKt")
            .arg(&fixtures)
            .arg(&pin),
        "the Kotlin wallet test",
    );
    print!("{stdout}");
    assert!(
        stdout.contains("kotlin wallet test: ok"),
        "the Kotlin program did not finish: {stdout}"
    );

    // Its proof verifies natively too, through the Rust API.
    let proof = std::fs::read_to_string(fixtures.join("kotlin-proof.json")).unwrap();
    let public = std::fs::read_to_string(fixtures.join("kotlin-public.json")).unwrap();
    let vk = std::fs::read(fixtures.join("compliance.vk")).unwrap();
    assert_eq!(veil_mobile::verify_proof(vk, proof, public), Ok(true));
}
