//! DID documents of `did:veil` (W3C DID Core JSON), and the patches an
//! update applies to them.

use serde::{Deserialize, Serialize};

/// The contexts every `did:veil` document carries.
pub const CONTEXTS: [&str; 2] = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
];

/// Verification-method type of Ed25519 keys (`publicKeyMultibase`).
pub const MULTIKEY: &str = "Multikey";
/// Verification-method type of an issuer's Baby Jubjub key (EdDSA-Poseidon,
/// circom's form), as decimal coordinates: the key ZK proofs are checked against.
pub const BABY_JUBJUB_KEY: &str = "BabyJubJubPoseidonKey2026";
/// Verification-method type the `Ed25519Signature2020` suite requires.
pub const ED25519_2020: &str = "Ed25519VerificationKey2020";
/// Fragment suffix of an Ed25519 assertion key's `Ed25519VerificationKey2020` twin.
pub const ED25519_2020_SUFFIX: &str = "-2020";
/// Fragment of the controller key (authorises updates).
pub const CONTROLLER_FRAGMENT: &str = "controller";

/// A Baby Jubjub public key, coordinates in decimal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BabyJubJubPoint {
    /// x, decimal.
    pub x: String,
    /// y, decimal.
    pub y: String,
}

/// A verification method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMethod {
    /// `did:veil:…#fragment`.
    pub id: String,
    /// [`MULTIKEY`] or [`BABY_JUBJUB_KEY`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The DID.
    pub controller: String,
    /// Ed25519 key (Multikey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_multibase: Option<String>,
    /// Baby Jubjub key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_baby_jub_jub: Option<BabyJubJubPoint>,
}

/// A service endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// `did:veil:…#fragment`.
    pub id: String,
    /// Service type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Endpoint URL.
    pub service_endpoint: String,
}

/// A DID document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidDocument {
    /// JSON-LD contexts.
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// The DID.
    pub id: String,
    /// Verification methods; `#controller` is the controller key.
    pub verification_method: Vec<VerificationMethod>,
    /// Keys that authenticate as the DID (the controller key).
    pub authentication: Vec<String>,
    /// Keys that sign credentials (Ed25519 and Baby Jubjub).
    #[serde(default)]
    pub assertion_method: Vec<String>,
    /// Keys that may change the document (the controller key).
    pub capability_invocation: Vec<String>,
    /// Services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service: Vec<Service>,
}

/// A key to add as an assertion method, by fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum MethodSpec {
    /// An Ed25519 assertion key (classic VC signatures).
    Ed25519 {
        /// Fragment, e.g. `vc-1`.
        fragment: String,
        /// `z…` multibase key.
        public_key_multibase: String,
    },
    /// A Baby Jubjub key (ZK signatures).
    BabyJubJub {
        /// Fragment, e.g. `bjj-1`.
        fragment: String,
        /// The point.
        point: BabyJubJubPoint,
    },
}

impl MethodSpec {
    /// An issuer's two assertion keys under the conventional fragments:
    /// `vc-1` (Ed25519, classic proofs) and `bjj-1` (Baby Jubjub, ZK).
    pub fn issuer_keys(ed25519_multibase: String, baby_jubjub: BabyJubJubPoint) -> Vec<Self> {
        vec![
            MethodSpec::Ed25519 {
                fragment: "vc-1".into(),
                public_key_multibase: ed25519_multibase,
            },
            MethodSpec::BabyJubJub {
                fragment: "bjj-1".into(),
                point: baby_jubjub,
            },
        ]
    }

    fn fragment(&self) -> &str {
        match self {
            MethodSpec::Ed25519 { fragment, .. } | MethodSpec::BabyJubJub { fragment, .. } => {
                fragment
            }
        }
    }
}

/// One change an update makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Patch {
    /// Replace the controller key (key rotation): the old key loses control.
    RotateController {
        /// The new controller key, `z…`.
        public_key_multibase: String,
    },
    /// Add an assertion method.
    AddMethod {
        /// The key.
        method: MethodSpec,
    },
    /// Remove an assertion method by fragment.
    RemoveMethod {
        /// Its fragment.
        fragment: String,
    },
    /// Add a service.
    AddService {
        /// Fragment.
        fragment: String,
        /// Type.
        kind: String,
        /// Endpoint.
        endpoint: String,
    },
    /// Remove a service by fragment.
    RemoveService {
        /// Its fragment.
        fragment: String,
    },
}

fn valid_fragment(f: &str) -> Result<(), String> {
    if f.is_empty()
        || f.len() > 64
        || !f
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!("fragment {f:?}: 1-64 characters of [A-Za-z0-9_-]"));
    }
    Ok(())
}

fn valid_decimal(field: &str, s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 78 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{field}: not a decimal number"));
    }
    Ok(())
}

impl DidDocument {
    /// A new document with `controller` (multibase) as controller key.
    pub fn new(did: &str, controller: &str) -> Self {
        let id = format!("{did}#{CONTROLLER_FRAGMENT}");
        DidDocument {
            context: CONTEXTS.iter().map(|s| s.to_string()).collect(),
            id: did.into(),
            verification_method: vec![VerificationMethod {
                id: id.clone(),
                kind: MULTIKEY.into(),
                controller: did.into(),
                public_key_multibase: Some(controller.into()),
                public_key_baby_jub_jub: None,
            }],
            authentication: vec![id.clone()],
            assertion_method: Vec::new(),
            capability_invocation: vec![id],
            service: Vec::new(),
        }
    }

    /// The controller key's multibase.
    pub fn controller_key(&self) -> Option<&str> {
        let id = format!("{}#{CONTROLLER_FRAGMENT}", self.id);
        self.verification_method
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.public_key_multibase.as_deref())
    }

    /// The verification method with this fragment.
    pub fn method(&self, fragment: &str) -> Option<&VerificationMethod> {
        let id = format!("{}#{fragment}", self.id);
        self.verification_method.iter().find(|m| m.id == id)
    }

    /// Applies one patch; the message of an error names the field.
    pub fn apply(&mut self, patch: &Patch) -> Result<(), String> {
        match patch {
            Patch::RotateController {
                public_key_multibase,
            } => {
                crate::keys::jwk_from_multibase(public_key_multibase)
                    .map_err(|e| format!("publicKeyMultibase: {e}"))?;
                let id = format!("{}#{CONTROLLER_FRAGMENT}", self.id);
                let m = self
                    .verification_method
                    .iter_mut()
                    .find(|m| m.id == id)
                    .ok_or("the document has no controller key")?;
                m.public_key_multibase = Some(public_key_multibase.clone());
            }
            Patch::AddMethod { method } => {
                let fragment = method.fragment();
                valid_fragment(fragment)?;
                if fragment == CONTROLLER_FRAGMENT || self.method(fragment).is_some() {
                    return Err(format!("fragment {fragment:?} already in use"));
                }
                let id = format!("{}#{fragment}", self.id);
                let vm = match method {
                    MethodSpec::Ed25519 {
                        public_key_multibase,
                        ..
                    } => {
                        crate::keys::jwk_from_multibase(public_key_multibase)
                            .map_err(|e| format!("publicKeyMultibase: {e}"))?;
                        let twin = format!("{id}{ED25519_2020_SUFFIX}");
                        if self.verification_method.iter().any(|m| m.id == twin) {
                            return Err(format!(
                                "fragment {fragment:?}{ED25519_2020_SUFFIX} already in use"
                            ));
                        }
                        self.verification_method.push(VerificationMethod {
                            id: twin.clone(),
                            kind: ED25519_2020.into(),
                            controller: self.id.clone(),
                            public_key_multibase: Some(public_key_multibase.clone()),
                            public_key_baby_jub_jub: None,
                        });
                        self.assertion_method.push(twin);
                        VerificationMethod {
                            id: id.clone(),
                            kind: MULTIKEY.into(),
                            controller: self.id.clone(),
                            public_key_multibase: Some(public_key_multibase.clone()),
                            public_key_baby_jub_jub: None,
                        }
                    }
                    MethodSpec::BabyJubJub { point, .. } => {
                        valid_decimal("point.x", &point.x)?;
                        valid_decimal("point.y", &point.y)?;
                        VerificationMethod {
                            id: id.clone(),
                            kind: BABY_JUBJUB_KEY.into(),
                            controller: self.id.clone(),
                            public_key_multibase: None,
                            public_key_baby_jub_jub: Some(point.clone()),
                        }
                    }
                };
                self.verification_method.push(vm);
                self.assertion_method.push(id);
            }
            Patch::RemoveMethod { fragment } => {
                if fragment == CONTROLLER_FRAGMENT {
                    return Err("the controller key cannot be removed; rotate it".into());
                }
                let id = format!("{}#{fragment}", self.id);
                let twin = format!("{id}{ED25519_2020_SUFFIX}");
                let before = self.verification_method.len();
                self.verification_method.retain(|m| m.id != id);
                if self.verification_method.len() == before {
                    return Err(format!("no verification method {fragment:?}"));
                }
                // An Ed25519 key goes with its 2020 twin.
                self.verification_method.retain(|m| m.id != twin);
                self.assertion_method.retain(|m| *m != id && *m != twin);
            }
            Patch::AddService {
                fragment,
                kind,
                endpoint,
            } => {
                valid_fragment(fragment)?;
                let id = format!("{}#{fragment}", self.id);
                if self.service.iter().any(|s| s.id == id) {
                    return Err(format!("service {fragment:?} already exists"));
                }
                if kind.is_empty() || endpoint.is_empty() {
                    return Err("service: kind and endpoint are required".into());
                }
                self.service.push(Service {
                    id,
                    kind: kind.clone(),
                    service_endpoint: endpoint.clone(),
                });
            }
            Patch::RemoveService { fragment } => {
                let id = format!("{}#{fragment}", self.id);
                let before = self.service.len();
                self.service.retain(|s| s.id != id);
                if self.service.len() == before {
                    return Err(format!("no service {fragment:?}"));
                }
            }
        }
        Ok(())
    }
}
