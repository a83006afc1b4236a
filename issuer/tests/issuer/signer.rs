//! Issuer signing keys behind the `Signer` interface: a passphrase-encrypted
//! file (argon2id + XChaCha20-Poly1305) and a PKCS#11 token (SoftHSM2). A
//! credential signed through either verifies against the issuer's DID.
//!
//! The PKCS#11 tests need SoftHSM2 (Debian `softhsm2`); they skip when it is
//! absent, except where `VEIL_REQUIRE_SOFTHSM=1` (CI) makes that a failure.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::sample::Sample;
use veil_did::vc::{self, Format, Issuer};
use veil_did::*;
use veil_issuer::signer::file::{EncryptedKeyFile, FileSigner, KdfCost};
use veil_issuer::signer::pkcs11::{HsmConfig, Pkcs11Signer};

/// Issues a credential through `signer` from a fresh did:veil issuer that
/// lists the signer's public key, and verifies it.
async fn issue_and_verify(signer: &dyn Signer) {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(Registry::open(&dir.path().join("dids")).unwrap());
    let controller = ControllerKey::generate().unwrap();
    let sample = Sample::new(&mut StdRng::seed_from_u64(5));
    let zk = PrivateKey::from_bytes(sample.issuer_key.to_bytes());
    let point = zk.public_key();
    let did = registry
        .create(
            &controller,
            MethodSpec::issuer_keys(
                signer.public_multibase().unwrap(),
                BabyJubJubPoint {
                    x: field_to_decimal(&point.0.x),
                    y: field_to_decimal(&point.0.y),
                },
            ),
            vec![],
        )
        .unwrap()
        .did_document
        .id;
    let resolver = resolver(registry);
    for format in [Format::V2, Format::V1] {
        let issuer = Issuer {
            did: &did,
            signing_key: signer,
            signing_fragment: "vc-1",
            zk_key: vc::ZkSigning::Key(&zk),
            zk_fragment: "bjj-1",
        };
        let credential = vc::issue(&resolver, &issuer, &sample.claims, None, None, format)
            .await
            .unwrap();
        let text = serde_json::to_string(&credential).unwrap();
        vc::verify_proof_at(&resolver, &text, Some(chrono_at(&sample)))
            .await
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        // Altered after signing: refused.
        let forged = text.replace("\"riskScore\":120", "\"riskScore\":12");
        assert_ne!(forged, text);
        assert!(
            vc::verify_proof_at(&resolver, &forged, Some(chrono_at(&sample)))
                .await
                .is_err()
        );
    }
}

fn chrono_at(sample: &Sample) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(sample.context.today as i64 * 86_400 + 3_600, 0).unwrap()
}

// --- encrypted files -------------------------------------------------------

const PASS: &[u8] = b"correct horse battery staple";

fn sealed(dir: &Path) -> (PathBuf, ControllerKey) {
    let key = ControllerKey::generate().unwrap();
    let path = dir.join("issuer.key.json");
    EncryptedKeyFile::seal(&key, PASS, KdfCost::default())
        .unwrap()
        .write(&path)
        .unwrap();
    (path, key)
}

#[tokio::test(flavor = "current_thread")]
async fn an_encrypted_key_file_signs_credentials_that_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = sealed(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("\"d\""), "no private JWK in the clear");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let signer = FileSigner::open(&path, PASS).unwrap();
    assert_eq!(
        Signer::public_multibase(&signer).unwrap(),
        key.public_multibase().unwrap()
    );
    let sig = signer.sign(b"payload").unwrap();
    keys::verify(&key.public_multibase().unwrap(), b"payload", &sig).unwrap();
    issue_and_verify(&signer).await;
}

#[test]
fn an_encrypted_key_file_refuses_a_wrong_passphrase_and_any_alteration() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = sealed(dir.path());
    assert!(matches!(
        FileSigner::open(&path, b"wrong"),
        Err(SignerError::WrongPassphrase)
    ));
    let file = EncryptedKeyFile::read(&path).unwrap();
    // Another public key in the header (to make a verifier trust the wrong
    // key): the header is authenticated, so the file does not open.
    let mut swapped = file.clone();
    swapped.public_key_multibase = ControllerKey::generate()
        .unwrap()
        .public_multibase()
        .unwrap();
    assert!(matches!(
        swapped.open(PASS),
        Err(SignerError::WrongPassphrase)
    ));
    // Weaker KDF costs written into the file: same.
    let mut weaker = file.clone();
    weaker.kdf_cost.iterations = 1;
    assert!(matches!(
        weaker.open(PASS),
        Err(SignerError::WrongPassphrase)
    ));
    // A flipped ciphertext byte.
    let mut flipped = file.clone();
    let mut bytes = flipped.ciphertext.into_bytes();
    bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
    flipped.ciphertext = String::from_utf8(bytes).unwrap();
    assert!(matches!(
        flipped.open(PASS),
        Err(SignerError::WrongPassphrase)
    ));
    // Malformed fields are named.
    let mut bad_nonce = file.clone();
    bad_nonce.nonce = "!!".into();
    assert!(matches!(
        bad_nonce.open(PASS),
        Err(SignerError::Malformed { field: "nonce", .. })
    ));
    let mut other_kdf = file.clone();
    other_kdf.kdf = "pbkdf2".into();
    assert!(matches!(
        other_kdf.open(PASS),
        Err(SignerError::Malformed { field: "kdf", .. })
    ));
    // Not a key file; a missing file.
    std::fs::write(dir.path().join("junk.json"), "{\"type\":1}").unwrap();
    assert!(matches!(
        FileSigner::open(&dir.path().join("junk.json"), PASS),
        Err(SignerError::Malformed { field: "json", .. })
    ));
    assert!(matches!(
        FileSigner::open(&dir.path().join("absent.json"), PASS),
        Err(SignerError::Io { .. })
    ));
    assert!(
        EncryptedKeyFile::seal(&ControllerKey::generate().unwrap(), b"", KdfCost::default())
            .is_err()
    );
}

// --- PKCS#11 (SoftHSM2) -----------------------------------------------------

const PIN: &str = "4711-veil";
const TOKEN: &str = "veil-issuer";

fn module() -> PathBuf {
    std::env::var_os("VEIL_PKCS11_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"))
}

/// SoftHSM2 with one fresh token, set up once per process (the module reads
/// its configuration at initialization). `None` when SoftHSM2 is missing.
fn softhsm() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let util = Command::new("softhsm2-util").arg("--version").output();
        if util.is_err() || !module().exists() {
            assert!(
                std::env::var("VEIL_REQUIRE_SOFTHSM").is_err(),
                "SoftHSM2 required but softhsm2-util or {} is missing",
                module().display()
            );
            eprintln!("skipped: SoftHSM2 is not installed (apt-get install softhsm2)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap().keep();
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        // SAFETY of set_var: this runs once, before any thread loads the module.
        std::env::set_var("SOFTHSM2_CONF", &conf);
        let out = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", TOKEN])
            .args(["--pin", PIN, "--so-pin", "so-pin-0000"])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "softhsm2-util: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(dir)
    })
    .as_deref()
}

fn config(key: &str) -> HsmConfig {
    HsmConfig {
        module: module(),
        token: TOKEN.into(),
        pin: PIN.into(),
        key: key.into(),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_key_generated_in_the_hsm_signs_credentials_that_verify() {
    if softhsm().is_none() {
        return;
    }
    let generated = Pkcs11Signer::generate(&config("issuer-vc-1")).unwrap();
    let public = Signer::public_multibase(&generated).unwrap();
    assert!(public.starts_with("z6Mk"), "{public}");
    let sig = generated.sign(b"payload").unwrap();
    assert_eq!(sig.len(), 64);
    keys::verify(&public, b"payload", &sig).unwrap();
    assert!(keys::verify(&public, b"other", &sig).is_err());
    assert!(generated.describe().contains(TOKEN));

    // Reopened by label: the same key.
    let reopened = Pkcs11Signer::open(&config("issuer-vc-1")).unwrap();
    assert_eq!(Signer::public_multibase(&reopened).unwrap(), public);
    issue_and_verify(&reopened).await;

    // Generation refuses to shadow the label.
    assert!(matches!(
        Pkcs11Signer::generate(&config("issuer-vc-1")),
        Err(SignerError::KeyExists { ref label, .. }) if label == "issuer-vc-1"
    ));
}

#[test]
fn hsm_errors_name_the_module_token_and_key() {
    if softhsm().is_none() {
        return;
    }
    let err = |c: HsmConfig| Pkcs11Signer::open(&c).err().unwrap();

    let mut absent_module = config("k");
    absent_module.module = PathBuf::from("/nonexistent/libpkcs11.so");
    let e = err(absent_module);
    assert!(
        matches!(&e, SignerError::ModuleUnavailable { module, .. } if module.contains("nonexistent")),
        "{e}"
    );

    let mut other_token = config("k");
    other_token.token = "no-such-token".into();
    let e = err(other_token);
    assert!(
        matches!(&e, SignerError::TokenNotFound { label, present } if label == "no-such-token" && present.iter().any(|p| p == TOKEN)),
        "{e}"
    );

    let e = err(config("no-such-key"));
    assert!(
        matches!(&e, SignerError::KeyNotFound { label, token, .. } if label == "no-such-key" && token == TOKEN),
        "{e}"
    );
    assert!(e.to_string().contains("slot"), "{e}");

    // A wrong PIN on a fresh process's first login: SoftHSM2 keeps the
    // login per token, so this runs in a child process of this test binary.
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "signer::wrong_pin_child",
            "--nocapture",
            "--include-ignored",
        ])
        .env("VEIL_WRONG_PIN_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("1 passed"), "{text}");
}

/// Run only as the child of `hsm_errors_name_the_module_token_and_key`: a
/// wrong PIN and a token without a user PIN, on fresh logins.
#[test]
#[ignore = "run by hsm_errors_name_the_module_token_and_key in a fresh process"]
fn wrong_pin_child() {
    if std::env::var("VEIL_WRONG_PIN_CHILD").is_err() || softhsm().is_none() {
        return;
    }
    let mut wrong = config("k");
    wrong.pin = "0000".into();
    let e = Pkcs11Signer::open(&wrong).err().unwrap();
    assert!(
        matches!(&e, SignerError::PinIncorrect { token, .. } if token == TOKEN),
        "{e}"
    );
    assert!(e.to_string().contains("PIN incorrect"), "{e}");

    // A token whose user PIN was never set up is locked to users: made here
    // with C_InitToken and no C_InitPIN, on SoftHSM2's free slot.
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    let ctx = Pkcs11::new(module()).unwrap();
    let _already = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let free = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| !ctx.get_token_info(*s).unwrap().token_initialized())
        .unwrap();
    ctx.init_token(free, &"so-pin-0000".to_string().into(), "no-user-pin")
        .unwrap();
    let mut locked = config("k");
    locked.token = "no-user-pin".into();
    let e = Pkcs11Signer::open(&locked).err().unwrap();
    assert!(
        matches!(&e, SignerError::TokenLocked { token, .. } if token == "no-user-pin"),
        "{e}"
    );
}
