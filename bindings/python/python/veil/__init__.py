"""veil for exchanges and regulators.

Verify proofs of veil's compliance statement and W3C credentials, resolve
issuers' DIDs from a ``did:veil`` registry, open escrows, and audit an
exchange's transparency log. Every failure is a :class:`VeilError` subclass
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
    decrypt_escrow,
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
    "decrypt_escrow",
    "resolve_did",
    "verify_credential",
    "verify_proof",
    "verify_proof_with_keys",
]
