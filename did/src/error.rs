//! Typed errors of the DID layer. Resolution errors carry the W3C DID
//! Resolution error codes (`notFound`, `invalidDid`, `methodNotSupported`).

/// Why a DID could not be resolved (W3C DID Resolution error codes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolutionError {
    /// `invalidDid`: not a syntactically valid DID of the method.
    #[error("invalidDid: {0}")]
    InvalidDid(String),
    /// `notFound`: no such DID, or no such version of it.
    #[error("notFound: {0}")]
    NotFound(String),
    /// `methodNotSupported`: another DID method.
    #[error("methodNotSupported: {0}")]
    MethodNotSupported(String),
    /// A remote resolution endpoint failed or gave an answer that cannot be
    /// taken (reported as `internalError`).
    #[error("internalError: {0}")]
    Remote(RemoteError),
    /// The registry's storage failed or holds a corrupt record.
    #[error("internalError: {0}")]
    Internal(String),
}

/// Why a remote DID Resolution endpoint gave no usable answer
/// ([`crate::remote`]). Nothing from a failed resolution is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// The endpoint is not an http(s) URL.
    #[error("{url} is not a resolution endpoint: {reason}")]
    BadEndpoint {
        /// The endpoint given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No complete answer within the deadline.
    #[error("{url}: no answer within {after:?}")]
    Timeout {
        /// The request.
        url: String,
        /// The deadline.
        after: std::time::Duration,
    },
    /// The answer is larger than the limit.
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The request.
        url: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The endpoint answered with another DID's document.
    #[error("{url} answered with the document of {got}, not {asked}")]
    WrongDid {
        /// The request.
        url: String,
        /// The DID asked.
        asked: String,
        /// The DID in the document.
        got: String,
    },
    /// The answer is not a resolution result for the request.
    #[error("{url}: {reason}")]
    BadAnswer {
        /// The request.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The endpoint could not be reached.
    #[error("{url}: {reason}")]
    Unreachable {
        /// The request.
        url: String,
        /// The transport's error.
        reason: String,
    },
}

impl ResolutionError {
    /// The W3C error code.
    pub fn code(&self) -> &'static str {
        match self {
            ResolutionError::InvalidDid(_) => "invalidDid",
            ResolutionError::NotFound(_) => "notFound",
            ResolutionError::MethodNotSupported(_) => "methodNotSupported",
            ResolutionError::Remote(_) | ResolutionError::Internal(_) => "internalError",
        }
    }
}

/// Why a registry operation was refused. A refused operation changes nothing.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The DID (or its version) could not be resolved.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// The DID already exists.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// The DID is deactivated; it cannot change any more.
    #[error("{0} is deactivated")]
    Deactivated(String),
    /// The operation was signed by a key that is not the current controller.
    #[error("the operation is not signed by the current controller key of {0}")]
    NotController(String),
    /// The operation names another version than the current one (a stale or
    /// replayed update).
    #[error("operation is for version {expected_by_op} of {did}, current is {current}")]
    StaleVersion {
        /// The DID.
        did: String,
        /// The version the operation builds on.
        expected_by_op: u64,
        /// The registry's current version.
        current: u64,
    },
    /// The operation is malformed; the message names the field.
    #[error("invalid operation: {0}")]
    Invalid(String),
    /// A key could not be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A did:web site's files could not be read or written
    /// ([`crate::web::WebSite`]).
    #[error("did:web site: {0}")]
    Site(String),
    /// RocksDB failed.
    #[cfg(feature = "store")]
    #[error("storage: {0}")]
    Storage(#[from] rocksdb::Error),
}

/// Why a key could not be made, parsed or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is not Ed25519 (OKP, crv Ed25519).
    #[error("not an Ed25519 key")]
    NotEd25519,
    /// The key has no private part.
    #[error("the key has no private part")]
    NotPrivate,
    /// A multibase public key did not decode.
    #[error("publicKeyMultibase: {0}")]
    Multibase(String),
    /// The signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The JWK JSON did not parse.
    #[error("jwk: {0}")]
    Json(String),
    /// The underlying library refused.
    #[error("{0}")]
    Crypto(String),
}

/// Why a credential could not be issued, parsed or verified.
#[derive(Debug, thiserror::Error)]
pub enum VcError {
    /// A field is missing, malformed or out of its range.
    #[error("{field}: {message}")]
    Field {
        /// The field (JSON path).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The JSON is not a credential.
    #[error("not a credential: {0}")]
    Json(String),
    /// The Data Integrity proof is missing or does not verify.
    #[error("proof: {0}")]
    Proof(String),
    /// The issuer's DID did not resolve, or lacks the key.
    #[error("issuer: {0}")]
    Issuer(String),
    /// Not valid at the given time.
    #[error("not valid on day {today}: valid from day {from} until day {until}")]
    Validity {
        /// The day checked.
        today: u32,
        /// First valid day.
        from: u32,
        /// First day no longer valid.
        until: u32,
    },
    /// The ZK signature does not cover the claims the credential shows.
    #[error("the Baby Jubjub signature does not match the credential's claims")]
    ZkMismatch,
    /// The credential is revoked.
    #[error("revoked (status list index {0})")]
    Revoked(u64),
    /// Signing failed.
    #[error("signing: {0}")]
    Signing(String),
    /// A key could not be used.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl VcError {
    /// A field error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        VcError::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}
