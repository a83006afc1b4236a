//! Where an issuer's Ed25519 key lives, from the command line: a JWK file,
//! a passphrase-encrypted file (passphrase from `$VEIL_KEY_PASSPHRASE`), or
//! a PKCS#11 token (`--hsm-module/--hsm-token/--hsm-key`, PIN from
//! `$VEIL_HSM_PIN`). Secrets come from the environment, never from argv,
//! which other users of the machine can read.

use crate::files::read_text;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use veil_did::{ControllerKey, Signer};
use veil_issuer::signer::file::{EncryptedKeyFile, FileSigner, ENCRYPTED_KEY_TYPE};
use veil_issuer::signer::pkcs11::{HsmConfig, Pkcs11Signer};

/// The environment variable holding the HSM user PIN.
pub const PIN_ENV: &str = "VEIL_HSM_PIN";
/// The environment variable holding a key file's passphrase.
pub const PASSPHRASE_ENV: &str = "VEIL_KEY_PASSPHRASE";

/// A key in a PKCS#11 token (all three or none).
#[derive(Args, Clone, Default)]
pub struct HsmArgs {
    /// PKCS#11 module of the HSM (e.g. /usr/lib/softhsm/libsofthsm2.so);
    /// the user PIN is read from $VEIL_HSM_PIN.
    #[arg(long, requires_all = ["hsm_token", "hsm_key"])]
    pub hsm_module: Option<PathBuf>,
    /// The token's label.
    #[arg(long, requires = "hsm_module")]
    pub hsm_token: Option<String>,
    /// The key's label on the token.
    #[arg(long, requires = "hsm_module")]
    pub hsm_key: Option<String>,
}

impl HsmArgs {
    /// The token configuration, if an HSM was named.
    pub fn config(&self) -> Result<Option<HsmConfig>> {
        let (Some(module), Some(token), Some(key)) =
            (&self.hsm_module, &self.hsm_token, &self.hsm_key)
        else {
            return Ok(None);
        };
        let pin = std::env::var(PIN_ENV)
            .with_context(|| format!("the HSM's user PIN goes in ${PIN_ENV}"))?;
        Ok(Some(HsmConfig {
            module: module.clone(),
            token: token.clone(),
            pin,
            key: key.clone(),
        }))
    }
}

fn is_encrypted(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .is_some_and(|t| t == ENCRYPTED_KEY_TYPE)
}

fn passphrase() -> Result<String> {
    std::env::var(PASSPHRASE_ENV).with_context(|| {
        format!("the key file is encrypted: its passphrase goes in ${PASSPHRASE_ENV}")
    })
}

/// The signer for a key file or an HSM key (exactly one of them).
pub fn open_signer(file: Option<&Path>, hsm: &HsmArgs) -> Result<Box<dyn Signer>> {
    match (file, hsm.config()?) {
        (Some(_), Some(_)) => bail!("give a key file or an HSM key, not both"),
        (None, None) => {
            bail!("no signing key: give a key file or --hsm-module/--hsm-token/--hsm-key")
        }
        (None, Some(config)) => Ok(Box::new(
            Pkcs11Signer::open(&config).context("opening the HSM key")?,
        )),
        (Some(path), None) => {
            let text = read_text(path)?;
            if is_encrypted(&text) {
                let signer = FileSigner::open(path, passphrase()?.as_bytes())
                    .with_context(|| format!("{}", path.display()))?;
                Ok(Box::new(signer))
            } else {
                Ok(Box::new(
                    ControllerKey::from_json(&text)
                        .with_context(|| format!("{}", path.display()))?,
                ))
            }
        }
    }
}

/// The public key (`publicKeyMultibase`) of a key file or HSM key; an
/// encrypted file's is read from its header, without the passphrase.
pub fn public_multibase(file: Option<&Path>, hsm: &HsmArgs) -> Result<String> {
    if let Some(path) = file {
        let text = read_text(path)?;
        if is_encrypted(&text) {
            return Ok(EncryptedKeyFile::read(path)?.public_key_multibase);
        }
    }
    Ok(open_signer(file, hsm)?.public_multibase()?)
}
