"""veil for exchanges and regulators.

Verify proofs of veil's compliance statement and W3C credentials, resolve
issuers' DIDs from a ``did:veil`` registry, and audit an exchange's
transparency log (no escrow is opened: that is a logged disclosure). Every failure is a :class:`VeilError` subclass
whose ``code`` is shared with veil's wasm package and C library.
"""

from ._native import (
    AuditFailedError,
    CredentialInvalidError,
    DidNotResolvedError,
    InternalError,
    InvalidKeyError,
    MalformedInputError,
    ProofRejectedError,
    StorageError,
    VeilError,
    WitnessRefusedError,
    __version__,
    audit,
    decode_proof,
    resolve_did,
    verify_credential,
    verify_proof,
    verify_proof_with_keys,
)

__all__ = [
    "AuditFailedError",
    "CredentialInvalidError",
    "DidNotResolvedError",
    "InternalError",
    "InvalidKeyError",
    "MalformedInputError",
    "ProofRejectedError",
    "StorageError",
    "VeilError",
    "WitnessRefusedError",
    "__version__",
    "audit",
    "decode_proof",
    "resolve_did",
    "verify_credential",
    "verify_proof",
    "verify_proof_with_keys",
]
