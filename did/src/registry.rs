//! The `did:veil` registry: its operations and documents, and their store
//! on RocksDB ([`Registry`], feature `store`).
//!
//! A DID is created by its first controller key (the identifier is the
//! multibase BLAKE3 hash of that key, so nobody can claim another's DID) and
//! changes only by operations signed with the current controller key: updates
//! (rotation, keys, services) and deactivation. Every version is kept and
//! resolvable (`?versionId=`). A version and the head pointer are written in
//! one RocksDB write batch, so a crash leaves the previous version resolvable.

#[cfg(feature = "store")]
use crate::document::Service;
use crate::document::{DidDocument, MethodSpec, Patch};
use crate::error::{RegistryError, ResolutionError};
#[cfg(feature = "store")]
use crate::keys;
use crate::keys::ControllerKey;
#[cfg(feature = "store")]
use crate::resolution::{DocumentMetadata, Resolution};
use base64::Engine;
use serde::{Deserialize, Serialize};
#[cfg(feature = "store")]
use std::path::Path;
#[cfg(feature = "store")]
use std::sync::Mutex;

/// The method prefix.
pub const PREFIX: &str = "did:veil:";

/// What an operation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Action {
    /// Creates the DID with its controller key, assertion keys and services.
    Create {
        /// The controller key, `z…`.
        controller: String,
        /// Assertion keys.
        #[serde(default)]
        methods: Vec<MethodSpec>,
        /// Services as `AddService` patches.
        #[serde(default)]
        services: Vec<Patch>,
    },
    /// Applies patches in order.
    Update {
        /// The changes.
        patches: Vec<Patch>,
    },
    /// Deactivates the DID for good.
    Deactivate,
}

/// A signed operation, as submitted to the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The DID.
    pub did: String,
    /// The version this operation creates (1 for create, current + 1 after).
    pub version: u64,
    /// What it does.
    pub action: Action,
    /// base64url EdDSA signature by the current controller key over
    /// [`Operation::signing_bytes`].
    pub signature: String,
}

#[derive(Serialize)]
struct Unsigned<'a> {
    domain: &'static str,
    did: &'a str,
    version: u64,
    action: &'a Action,
}

impl Operation {
    /// The bytes the controller signs: a domain tag, the DID, the version and
    /// the action, as JSON in a fixed field order.
    pub fn signing_bytes(did: &str, version: u64, action: &Action) -> Vec<u8> {
        serde_json::to_vec(&Unsigned {
            domain: "did:veil operation v1",
            did,
            version,
            action,
        })
        .unwrap_or_default()
    }

    /// Signs `action` as version `version` of `did` with `key`.
    pub fn sign(
        key: &ControllerKey,
        did: &str,
        version: u64,
        action: Action,
    ) -> Result<Self, RegistryError> {
        let sig = key.sign(&Self::signing_bytes(did, version, &action))?;
        Ok(Operation {
            did: did.into(),
            version,
            action,
            signature: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig),
        })
    }

    #[cfg(feature = "store")]
    fn verify(&self, controller: &str) -> Result<(), RegistryError> {
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&self.signature)
            .map_err(|_| RegistryError::Invalid("signature: not base64url".into()))?;
        keys::verify(
            controller,
            &Self::signing_bytes(&self.did, self.version, &self.action),
            &sig,
        )
        .map_err(|_| RegistryError::NotController(self.did.clone()))
    }
}

/// The DID a controller key creates: `did:veil:z…` (base58btc of the first
/// 16 bytes of BLAKE3 of the key's multibase).
pub fn did_for_key(public_multibase: &str) -> String {
    let hash = blake3::hash(public_multibase.as_bytes());
    format!(
        "{PREFIX}{}",
        multibase::encode(multibase::Base::Base58Btc, &hash.as_bytes()[..16])
    )
}

/// Checks the syntax of a `did:veil` DID; returns its method-specific id.
pub fn parse_did(did: &str) -> Result<&str, ResolutionError> {
    let Some(rest) = did.strip_prefix("did:") else {
        return Err(ResolutionError::InvalidDid(did.into()));
    };
    let Some((method, id)) = rest.split_once(':') else {
        return Err(ResolutionError::InvalidDid(did.into()));
    };
    if method != "veil" {
        if method.is_empty()
            || !method
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(ResolutionError::InvalidDid(did.into()));
        }
        return Err(ResolutionError::MethodNotSupported(method.into()));
    }
    let decoded = multibase::decode(id).ok();
    match decoded {
        Some((multibase::Base::Base58Btc, bytes)) if bytes.len() == 16 && id.starts_with('z') => {
            Ok(id)
        }
        _ => Err(ResolutionError::InvalidDid(did.into())),
    }
}

/// Parses a submitted operation (JSON) and checks its DID's syntax; the
/// registry checks everything else when it applies it.
pub fn parse_operation(bytes: &[u8]) -> Result<Operation, RegistryError> {
    let op: Operation =
        serde_json::from_slice(bytes).map_err(|e| RegistryError::Invalid(e.to_string()))?;
    parse_did(&op.did)?;
    Ok(op)
}

/// One stored version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    /// Version number, from 1.
    pub version: u64,
    /// The document as of this version.
    pub document: DidDocument,
    /// When this version was written (RFC 3339, UTC).
    pub time: String,
    /// Whether this version deactivated the DID.
    pub deactivated: bool,
    /// The operation that produced it.
    pub operation: Operation,
}

#[cfg(feature = "store")]
/// The registry.
pub struct Registry {
    db: rocksdb::DB,
    write: Mutex<()>,
}

#[cfg(feature = "store")]
fn version_key(did: &str, version: u64) -> Vec<u8> {
    [
        b"v/".as_slice(),
        did.as_bytes(),
        b"/",
        &version.to_be_bytes(),
    ]
    .concat()
}

#[cfg(feature = "store")]
fn head_key(did: &str) -> Vec<u8> {
    [b"h/".as_slice(), did.as_bytes()].concat()
}

#[cfg(feature = "store")]
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(feature = "store")]
fn internal(e: impl std::fmt::Display) -> ResolutionError {
    ResolutionError::Internal(e.to_string())
}

#[cfg(feature = "store")]
impl crate::resolution::DidSource for Registry {
    fn resolve(&self, did: &str, version: Option<u64>) -> Result<Resolution, ResolutionError> {
        Registry::resolve(self, did, version)
    }
}

#[cfg(feature = "store")]
impl Registry {
    /// Opens (or creates) the registry at `path`.
    pub fn open(path: &Path) -> Result<Self, RegistryError> {
        let mut options = rocksdb::Options::default();
        options.create_if_missing(true);
        Ok(Registry {
            db: rocksdb::DB::open(&options, path)?,
            write: Mutex::new(()),
        })
    }

    /// Opens an existing registry for resolution only: it takes no write
    /// lock, so auditors and bindings can read beside a running issuer (they
    /// see the registry as it was when opened).
    pub fn open_read_only(path: &Path) -> Result<Self, RegistryError> {
        let options = rocksdb::Options::default();
        Ok(Registry {
            db: rocksdb::DB::open_for_read_only(&options, path, false)?,
            write: Mutex::new(()),
        })
    }

    fn head(&self, did: &str) -> Result<Option<u64>, ResolutionError> {
        match self.db.get(head_key(did)).map_err(internal)? {
            None => Ok(None),
            Some(bytes) => {
                let b: [u8; 8] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| internal("corrupt head record"))?;
                Ok(Some(u64::from_be_bytes(b)))
            }
        }
    }

    fn record(&self, did: &str, version: u64) -> Result<Option<VersionRecord>, ResolutionError> {
        match self.db.get(version_key(did, version)).map_err(internal)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| internal(format!("corrupt version record: {e}"))),
        }
    }

    /// Resolves `did`, or one of its versions.
    pub fn resolve(&self, did: &str, version: Option<u64>) -> Result<Resolution, ResolutionError> {
        parse_did(did)?;
        let head = self
            .head(did)?
            .ok_or_else(|| ResolutionError::NotFound(did.into()))?;
        let v = version.unwrap_or(head);
        if v == 0 || v > head {
            return Err(ResolutionError::NotFound(format!("{did}?versionId={v}")));
        }
        let record = self
            .record(did, v)?
            .ok_or_else(|| internal(format!("{did}: version {v} missing")))?;
        let first = if v == 1 {
            record.clone()
        } else {
            self.record(did, 1)?
                .ok_or_else(|| internal(format!("{did}: version 1 missing")))?
        };
        Ok(Resolution {
            did_document: record.document,
            did_document_metadata: DocumentMetadata {
                created: first.time,
                updated: (v > 1).then_some(record.time),
                version_id: v.to_string(),
                next_version_id: (v < head).then(|| (v + 1).to_string()),
                deactivated: record.deactivated,
            },
        })
    }

    /// Every version of `did`, oldest first.
    pub fn history(&self, did: &str) -> Result<Vec<VersionRecord>, ResolutionError> {
        parse_did(did)?;
        let head = self
            .head(did)?
            .ok_or_else(|| ResolutionError::NotFound(did.into()))?;
        (1..=head)
            .map(|v| {
                self.record(did, v)?
                    .ok_or_else(|| internal(format!("{did}: version {v} missing")))
            })
            .collect()
    }

    /// Applies a signed operation; a refused one changes nothing.
    pub fn apply(&self, op: &Operation) -> Result<Resolution, RegistryError> {
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        parse_did(&op.did)?;
        let head = self.head(&op.did)?;
        let (document, deactivated) = match (&op.action, head) {
            (Action::Create { .. }, Some(_)) => {
                return Err(RegistryError::AlreadyExists(op.did.clone()))
            }
            (
                Action::Create {
                    controller,
                    methods,
                    services,
                },
                None,
            ) => {
                if op.version != 1 {
                    return Err(RegistryError::Invalid(
                        "version: a create is version 1".into(),
                    ));
                }
                if did_for_key(controller) != op.did {
                    return Err(RegistryError::Invalid(
                        "did: not the identifier of the controller key".into(),
                    ));
                }
                op.verify(controller)?;
                let mut doc = DidDocument::new(&op.did, controller);
                for m in methods {
                    doc.apply(&Patch::AddMethod { method: m.clone() })
                        .map_err(RegistryError::Invalid)?;
                }
                for s in services {
                    if !matches!(s, Patch::AddService { .. }) {
                        return Err(RegistryError::Invalid(
                            "services: only AddService entries".into(),
                        ));
                    }
                    doc.apply(s).map_err(RegistryError::Invalid)?;
                }
                (doc, false)
            }
            (_, None) => return Err(ResolutionError::NotFound(op.did.clone()).into()),
            (action, Some(current)) => {
                let record = self
                    .record(&op.did, current)?
                    .ok_or_else(|| internal("head version missing"))?;
                if record.deactivated {
                    return Err(RegistryError::Deactivated(op.did.clone()));
                }
                if op.version != current + 1 {
                    return Err(RegistryError::StaleVersion {
                        did: op.did.clone(),
                        expected_by_op: op.version.saturating_sub(1),
                        current,
                    });
                }
                let controller = record
                    .document
                    .controller_key()
                    .ok_or_else(|| internal("document without controller key"))?
                    .to_owned();
                op.verify(&controller)?;
                let mut doc = record.document;
                match action {
                    Action::Update { patches } => {
                        if patches.is_empty() {
                            return Err(RegistryError::Invalid("patches: empty".into()));
                        }
                        for p in patches {
                            doc.apply(p).map_err(RegistryError::Invalid)?;
                        }
                        (doc, false)
                    }
                    Action::Deactivate => (doc, true),
                    Action::Create { .. } => unreachable!("handled above"),
                }
            }
        };
        let record = VersionRecord {
            version: op.version,
            document,
            time: now(),
            deactivated,
            operation: op.clone(),
        };
        let bytes =
            serde_json::to_vec(&record).map_err(|e| RegistryError::Invalid(e.to_string()))?;
        let mut batch = rocksdb::WriteBatch::default();
        batch.put(version_key(&op.did, op.version), bytes);
        batch.put(head_key(&op.did), op.version.to_be_bytes());
        let mut write_options = rocksdb::WriteOptions::default();
        write_options.set_sync(true);
        self.db.write_opt(batch, &write_options)?;
        Ok(self.resolve(&op.did, None)?)
    }

    /// Creates a DID controlled by `key`.
    pub fn create(
        &self,
        key: &ControllerKey,
        methods: Vec<MethodSpec>,
        services: Vec<Service>,
    ) -> Result<Resolution, RegistryError> {
        let controller = key.public_multibase()?;
        let did = did_for_key(&controller);
        let services = services
            .into_iter()
            .map(|s| Patch::AddService {
                fragment: s.id.rsplit('#').next().unwrap_or_default().to_owned(),
                kind: s.kind,
                endpoint: s.service_endpoint,
            })
            .collect();
        let action = Action::Create {
            controller,
            methods,
            services,
        };
        self.apply(&Operation::sign(key, &did, 1, action)?)
    }

    /// Updates `did` with `patches`, signed by `key`.
    pub fn update(
        &self,
        key: &ControllerKey,
        did: &str,
        patches: Vec<Patch>,
    ) -> Result<Resolution, RegistryError> {
        let next = self.head(did)?.unwrap_or(0) + 1;
        self.apply(&Operation::sign(
            key,
            did,
            next,
            Action::Update { patches },
        )?)
    }

    /// Deactivates `did`, signed by `key`.
    pub fn deactivate(&self, key: &ControllerKey, did: &str) -> Result<Resolution, RegistryError> {
        let next = self.head(did)?.unwrap_or(0) + 1;
        self.apply(&Operation::sign(key, did, next, Action::Deactivate)?)
    }
}
