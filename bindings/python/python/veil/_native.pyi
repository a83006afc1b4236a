"""Type stubs for veil's native module (re-exported by ``veil``)."""

import datetime
import os
from typing import Any, Dict, List, Optional, Sequence, Union

Json = Union[str, bytes, Dict[str, Any], List[Any]]
"""JSON text, UTF-8 bytes, or the parsed object."""

__version__: str

class VeilError(Exception):
    """Base of every veil error."""

    code: Optional[str]

class MalformedInputError(VeilError):
    """Input not of the expected form; the message names the argument and field."""

class InvalidKeyError(VeilError):
    """A key, key file or set of regulator shares refused."""

class ProofRejectedError(VeilError):
    """A well-formed proof that does not verify."""

class WitnessRefusedError(VeilError):
    """A credential that does not meet the statement."""

class CredentialInvalidError(VeilError):
    """A W3C credential that does not verify (proof, issuer, dates, status)."""

class DidNotResolvedError(VeilError):
    """A DID that does not resolve (the message carries the W3C error code)."""

class AuditFailedError(VeilError):
    """An audit that found problems (only with ``raise_on_failure=True``)."""

class StorageError(VeilError):
    """A registry or log directory that could not be opened."""

class InternalError(VeilError):
    """A bug in veil; please report it."""

def verify_proof(verification_key: Union[bytes, Json], proof: Json, public: Json) -> bool:
    """True if the proof verifies, False if it is well-formed but does not.

    ``verification_key`` is a ``compliance.vk`` file's bytes or snarkjs's
    ``verification_key.json``; ``proof`` and ``public`` are snarkjs's
    ``proof.json`` and ``public.json``. Raises :class:`MalformedInputError` or
    :class:`InvalidKeyError` for input that cannot be read.
    """

def verify_proof_with_keys(keys_path: Union[str, "os.PathLike[str]"], proof: Json, public: Json) -> bool:
    """True if a proof of either system verifies under the keys at ``keys_path``.

    ``keys_path`` is a Groth16 key file (``compliance.vk``,
    ``verification_key.json``) or a halo2 keys directory, as ``veil verify
    --vk`` reads them; ``proof`` names its system (snarkjs's is Groth16).
    Raises :class:`MalformedInputError` for a proof of the other system than
    the keys, :class:`InvalidKeyError` for keys that cannot be read.
    """

def decode_proof(proof: Json, public: Json) -> Dict[str, Any]:
    """The canonical proof, the ten public inputs by name, and EVM calldata."""

def resolve_did(registry: str, did: str, version: Optional[int] = None) -> Dict[str, Any]:
    """W3C resolution result (``didDocument``, ``didDocumentMetadata``)."""

def verify_credential(
    credential: Json,
    registry: str,
    today: Union[int, datetime.date, None] = None,
    status_list: Optional[Json] = None,
) -> Dict[str, Any]:
    """Verifies a W3C credential; returns ``issuer``, ``format``,
    ``credential_id``, ``credential`` (the ZK credential) and
    ``status_checked``."""

def audit(
    log: str,
    state: Optional[Json] = None,
    log_id: Optional[str] = None,
    raise_on_failure: bool = False,
) -> Dict[str, Any]:
    """Audits a transparency log (opening no escrow); returns ``passed``,
    ``report`` and the ``state`` to keep for the next audit."""
