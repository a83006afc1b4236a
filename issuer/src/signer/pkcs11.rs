//! Ed25519 keys in a PKCS#11 token (an HSM; SoftHSM2 in tests), through
//! `cryptoki`. The key is generated inside the token as sensitive and
//! non-extractable; veil only ever holds a handle and asks the token to sign
//! (`CKM_EDDSA`). A token is found by its label and a key by its label, and
//! every failure names the module, token, slot or key.

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use ssi::jwk::{Base64urlUInt, OctetParams, Params, JWK};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use veil_did::signer::{Signer, SignerError};

/// The DER encoding of Ed25519's OID 1.3.101.112 (`CKA_EC_PARAMS`).
const ED25519_OID: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];

/// Which token and key, and the PIN that unlocks them.
#[derive(Clone)]
pub struct HsmConfig {
    /// The PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`).
    pub module: PathBuf,
    /// The token's label.
    pub token: String,
    /// The user PIN.
    pub pin: String,
    /// The key's label (`CKA_LABEL`).
    pub key: String,
}

impl std::fmt::Debug for HsmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmConfig")
            .field("module", &self.module)
            .field("token", &self.token)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// One initialized context per module per process: `C_Initialize` may run
/// only once, and finalizing one context would pull the module out from
/// under every other signer.
fn context(module: &Path) -> Result<Pkcs11, SignerError> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let unavailable = |message: String| SignerError::ModuleUnavailable {
        module: module.display().to_string(),
        message,
    };
    let mut contexts = CONTEXTS
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| unavailable("a previous load panicked".into()))?;
    if let Some(c) = contexts.get(module) {
        return Ok(c.clone());
    }
    if !module.exists() {
        return Err(unavailable("no such file".into()));
    }
    let pkcs11 = Pkcs11::new(module).map_err(|e| unavailable(e.to_string()))?;
    match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(unavailable(e.to_string())),
    }
    contexts.insert(module.to_path_buf(), pkcs11.clone());
    Ok(pkcs11)
}

/// A logged-in session on the token labelled `config.token`.
struct TokenSession {
    session: Session,
    token: String,
    slot: u64,
}

impl TokenSession {
    fn open(config: &HsmConfig) -> Result<Self, SignerError> {
        let pkcs11 = context(&config.module)?;
        let hsm = |operation, e: CkError| SignerError::Hsm {
            token: config.token.clone(),
            operation,
            message: e.to_string(),
        };
        let slots = pkcs11
            .get_slots_with_token()
            .map_err(|e| hsm("listing slots", e))?;
        let mut present = Vec::new();
        let mut found: Option<Slot> = None;
        for slot in slots {
            let label = pkcs11
                .get_token_info(slot)
                .map_err(|e| hsm("reading token info", e))?
                .label()
                .trim_end()
                .to_owned();
            if label == config.token {
                found = Some(slot);
                break;
            }
            present.push(label);
        }
        let slot = found.ok_or_else(|| SignerError::TokenNotFound {
            label: config.token.clone(),
            present,
        })?;
        let session = pkcs11
            .open_rw_session(slot)
            .map_err(|e| hsm("opening a session", e))?;
        let token = config.token.clone();
        let slot_id = slot.id();
        match session.login(UserType::User, Some(&AuthPin::from(config.pin.clone()))) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                return Err(SignerError::PinIncorrect {
                    token,
                    slot: slot_id,
                })
            }
            Err(CkError::Pkcs11(rv @ (RvError::PinLocked | RvError::UserPinNotInitialized), _)) => {
                return Err(SignerError::TokenLocked {
                    token,
                    slot: slot_id,
                    reason: rv.to_string(),
                })
            }
            Err(e) => return Err(hsm("logging in", e)),
        }
        Ok(TokenSession {
            session,
            token,
            slot: slot_id,
        })
    }

    fn hsm(&self, operation: &'static str, e: CkError) -> SignerError {
        SignerError::Hsm {
            token: self.token.clone(),
            operation,
            message: e.to_string(),
        }
    }

    fn find(&self, class: ObjectClass, label: &str) -> Result<Option<ObjectHandle>, SignerError> {
        let found = self
            .session
            .find_objects(&[
                Attribute::Class(class),
                Attribute::KeyType(KeyType::EC_EDWARDS),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .map_err(|e| self.hsm("finding the key", e))?;
        Ok(found.into_iter().next())
    }

    /// The raw 32-byte public key of a public-key object.
    fn public_key(&self, handle: ObjectHandle) -> Result<[u8; 32], SignerError> {
        let attributes = self
            .session
            .get_attributes(handle, &[AttributeType::EcPoint])
            .map_err(|e| self.hsm("reading the public key", e))?;
        let point = attributes.into_iter().find_map(|a| match a {
            Attribute::EcPoint(p) => Some(p),
            _ => None,
        });
        // CKA_EC_POINT is a DER OCTET STRING (04 20 ‖ key); some modules
        // return the bare 32 bytes.
        let bytes = match point.as_deref() {
            Some([0x04, 0x20, rest @ ..]) if rest.len() == 32 => rest.to_vec(),
            Some(raw) if raw.len() == 32 => raw.to_vec(),
            _ => {
                return Err(SignerError::Hsm {
                    token: self.token.clone(),
                    operation: "reading the public key",
                    message: "CKA_EC_POINT is not an Ed25519 point".into(),
                })
            }
        };
        let mut out = [0u8; 32];
        out.copy_from_slice(&bytes);
        Ok(out)
    }
}

/// A signer whose Ed25519 key never leaves a PKCS#11 token.
pub struct Pkcs11Signer {
    session: Mutex<TokenSession>,
    private: ObjectHandle,
    public_multibase: String,
    label: String,
}

fn multibase_of(public: [u8; 32]) -> Result<String, SignerError> {
    let jwk = JWK::from(Params::OKP(OctetParams {
        curve: "Ed25519".into(),
        public_key: Base64urlUInt(public.to_vec()),
        private_key: None,
    }));
    Ok(veil_did::keys::public_multibase(&jwk)?)
}

impl Pkcs11Signer {
    fn from_pair(
        session: TokenSession,
        public: ObjectHandle,
        private: ObjectHandle,
        label: &str,
    ) -> Result<Self, SignerError> {
        let public_multibase = multibase_of(session.public_key(public)?)?;
        Ok(Pkcs11Signer {
            session: Mutex::new(session),
            private,
            public_multibase,
            label: label.to_owned(),
        })
    }

    /// The key labelled `config.key` on the token.
    pub fn open(config: &HsmConfig) -> Result<Self, SignerError> {
        let session = TokenSession::open(config)?;
        let not_found = || SignerError::KeyNotFound {
            token: session.token.clone(),
            slot: session.slot,
            label: config.key.clone(),
        };
        let private = session
            .find(ObjectClass::PRIVATE_KEY, &config.key)?
            .ok_or_else(not_found)?;
        let public = session
            .find(ObjectClass::PUBLIC_KEY, &config.key)?
            .ok_or_else(not_found)?;
        Self::from_pair(session, public, private, &config.key)
    }

    /// Generates an Ed25519 key pair labelled `config.key` inside the token
    /// (private half sensitive and non-extractable); refuses to shadow an
    /// existing key of that label.
    pub fn generate(config: &HsmConfig) -> Result<Self, SignerError> {
        let session = TokenSession::open(config)?;
        if session
            .find(ObjectClass::PRIVATE_KEY, &config.key)?
            .is_some()
        {
            return Err(SignerError::KeyExists {
                token: session.token.clone(),
                slot: session.slot,
                label: config.key.clone(),
            });
        }
        let label = Attribute::Label(config.key.as_bytes().to_vec());
        let public_template = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::EcParams(ED25519_OID.to_vec()),
            label.clone(),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            label,
        ];
        let (public, private) = session
            .session
            .generate_key_pair(
                &Mechanism::EccEdwardsKeyPairGen,
                &public_template,
                &private_template,
            )
            .map_err(|e| session.hsm("generating an Ed25519 key pair", e))?;
        Self::from_pair(session, public, private, &config.key)
    }
}

impl Signer for Pkcs11Signer {
    fn public_multibase(&self) -> Result<String, SignerError> {
        Ok(self.public_multibase.clone())
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignerError> {
        let session = self.session.lock().map_err(|_| SignerError::Hsm {
            token: String::new(),
            operation: "signing",
            message: "a previous signing call panicked".into(),
        })?;
        session
            .session
            .sign(
                &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
                self.private,
                data,
            )
            .map_err(|e| session.hsm("signing", e))
    }

    fn describe(&self) -> String {
        let token = self
            .session
            .lock()
            .map(|s| format!("{:?} (slot {})", s.token, s.slot))
            .unwrap_or_default();
        format!("PKCS#11 key {:?} on token {token}", self.label)
    }
}
