"""veil from Python, on the files of a real demo run."""

import datetime
import json

import pytest

import veil
from conftest import load, read


# --- proofs -----------------------------------------------------------------


def test_a_proof_verifies_with_either_key_form(demo):
    proof, public = read(demo, "proof.json"), read(demo, "public.json")
    assert veil.verify_proof((demo / "compliance.vk").read_bytes(), proof, public) is True
    # snarkjs's verification_key.json, as text or as a dict; proof as dicts.
    assert veil.verify_proof(read(demo, "verification_key.json"), proof, public)
    assert veil.verify_proof(load(demo, "verification_key.json"), json.loads(proof), json.loads(public))


def test_verify_with_keys_takes_either_systems_keys_and_proofs(demo, demo_halo2):
    proof, public = read(demo, "proof.json"), read(demo, "public.json")
    assert veil.verify_proof_with_keys(demo / "compliance.vk", proof, public) is True
    assert veil.verify_proof_with_keys(str(demo / "verification_key.json"), proof, public) is True
    halo2_proof, halo2_public = read(demo_halo2, "proof.json"), read(demo_halo2, "public.json")
    assert json.loads(halo2_proof)["system"] == "halo2"
    assert veil.verify_proof_with_keys(demo_halo2, halo2_proof, halo2_public) is True
    # Another payment: rejected, not an error, on both systems.
    for keys, p, pub in [(demo / "compliance.vk", proof, public), (demo_halo2, halo2_proof, halo2_public)]:
        moved = json.loads(pub)
        moved[5] = str(int(moved[5]) + 1)
        assert veil.verify_proof_with_keys(keys, p, moved) is False
    # A proof of the other system than the keys is malformed input.
    with pytest.raises(veil.MalformedInputError):
        veil.verify_proof_with_keys(demo / "compliance.vk", halo2_proof, halo2_public)
    with pytest.raises(veil.MalformedInputError):
        veil.verify_proof_with_keys(demo_halo2, proof, public)
    with pytest.raises(veil.InvalidKeyError):
        veil.verify_proof_with_keys(demo / "no-such.vk", proof, public)


def test_a_proof_for_another_payment_is_rejected_not_an_error(demo):
    public = load(demo, "public.json")
    public[5] = str(int(public[5]) ^ 1)  # the payment hash
    assert veil.verify_proof((demo / "compliance.vk").read_bytes(), read(demo, "proof.json"), public) is False


def test_unreadable_input_raises_typed_errors(demo):
    vk = (demo / "compliance.vk").read_bytes()
    with pytest.raises(veil.MalformedInputError) as e:
        veil.verify_proof(vk, '{"pi_a": [', read(demo, "public.json"))
    assert e.value.code == "MALFORMED_INPUT"
    assert isinstance(e.value, veil.VeilError)
    assert str(e.value).startswith("proof")

    with pytest.raises(veil.InvalidKeyError) as e:
        veil.verify_proof(vk[:100], read(demo, "proof.json"), read(demo, "public.json"))
    assert e.value.code == "INVALID_KEY"

    with pytest.raises(veil.MalformedInputError, match="public"):
        veil.verify_proof(vk, read(demo, "proof.json"), ["1", "2"])

    with pytest.raises(veil.MalformedInputError):
        veil.decode_proof(read(demo, "proof.json"), b"\xff\xfe")


def test_decode_names_the_public_inputs(demo):
    public = load(demo, "public.json")
    decoded = veil.decode_proof(read(demo, "proof.json"), public)
    assert decoded["public"]["policy_hash"] == public[0]
    assert decoded["public"]["payment_hash"] == public[5]
    assert decoded["public"]["nullifier"] == public[6]
    assert decoded["public"]["payment_hash"] == load(demo, "context.json")["payment_hash"]
    assert decoded["proof"]["protocol"] == "groth16"
    assert decoded["calldata_abi"].startswith("0x")
    assert len(decoded["calldata_abi"]) == 2 + 64 * 18


# --- DIDs and credentials ----------------------------------------------------


def test_the_issuers_did_resolves(demo):
    issuer = load(demo, "vc.json")["issuer"]
    result = veil.resolve_did(str(demo / "db"), issuer)
    assert result["didDocument"]["id"] == issuer
    assert result["didDocumentMetadata"]
    first = veil.resolve_did(str(demo / "db"), issuer, version=1)
    assert first["didDocument"]["id"] == issuer


def test_unknown_dids_and_registries_raise(demo, tmp_path):
    with pytest.raises(veil.DidNotResolvedError) as e:
        veil.resolve_did(str(demo / "db"), "did:veil:zzzzzzzzzzzzzzzzzzzzzz")
    assert e.value.code == "DID_NOT_RESOLVED"
    with pytest.raises(veil.DidNotResolvedError, match="invalidDid"):
        veil.resolve_did(str(demo / "db"), "not a did")
    with pytest.raises(veil.StorageError):
        veil.resolve_did(str(tmp_path / "missing"), "did:veil:zzzzzzzzzzzzzzzzzzzzzz")


def test_the_w3c_credential_verifies_and_yields_the_zk_credential(demo):
    vc = read(demo, "vc.json")
    today = datetime.date.today()
    result = veil.verify_credential(vc, str(demo / "db"), today=today)
    assert result["issuer"] == json.loads(vc)["issuer"]
    assert result["credential"] == load(demo, "credential.json")
    assert result["credential_id"] == load(demo, "credential.json")["claims"]["credential_id"]
    assert result["status_checked"] is False


def test_a_tampered_or_expired_credential_is_invalid(demo):
    vc = load(demo, "vc.json")
    vc["credentialSubject"]["riskScore"] = 0
    with pytest.raises(veil.CredentialInvalidError) as e:
        veil.verify_credential(vc, str(demo / "db"))
    assert e.value.code == "CREDENTIAL_INVALID"
    with pytest.raises(veil.CredentialInvalidError):
        veil.verify_credential(read(demo, "vc.json"), str(demo / "db"), today=datetime.date(2100, 1, 1))
    with pytest.raises(veil.MalformedInputError, match="today"):
        veil.verify_credential(read(demo, "vc.json"), str(demo / "db"), today="tomorrow")


# --- regulators ----------------------------------------------------------------


def test_no_binding_opens_an_escrow():
    # Opening is a logged disclosure (veil regulator disclose/release/open).
    assert not hasattr(veil, "decrypt_escrow")


def test_the_regulator_audits_the_log_and_resumes_from_its_state(demo):
    log_id = load(demo, "audit-state.json")["log_id"]
    first = veil.audit(str(demo / "log"), log_id=log_id)
    assert first["passed"], first["report"]["failures"]
    report = first["report"]
    assert report["entries"] >= 4
    assert report["disclosures"] == 1
    credential_id = load(demo, "credential.json")["claims"]["credential_id"]
    assert credential_id not in json.dumps(report)

    again = veil.audit(str(demo / "log"), state=first["state"])
    assert again["passed"]
    assert again["report"]["previous_tree_size"] == report["entries"]


def test_an_audit_of_the_wrong_log_fails(demo, tmp_path):
    wrong = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    result = veil.audit(str(demo / "log"), log_id=wrong)
    assert result["passed"] is False
    assert result["state"]["head"] is None  # not advanced
    with pytest.raises(veil.AuditFailedError) as e:
        veil.audit(str(demo / "log"), log_id=wrong, raise_on_failure=True)
    assert e.value.code == "AUDIT_FAILED"
    with pytest.raises(veil.StorageError):
        veil.audit(str(tmp_path / "no-log"))


def test_every_error_class_carries_its_code():
    assert veil.VeilError.code is None
    codes = {
        veil.MalformedInputError: "MALFORMED_INPUT",
        veil.InvalidKeyError: "INVALID_KEY",
        veil.ProofRejectedError: "PROOF_REJECTED",
        veil.WitnessRefusedError: "WITNESS_REFUSED",
        veil.CredentialInvalidError: "CREDENTIAL_INVALID",
        veil.DidNotResolvedError: "DID_NOT_RESOLVED",
        veil.AuditFailedError: "AUDIT_FAILED",
        veil.StorageError: "IO",
        veil.InternalError: "INTERNAL",
    }
    for cls, code in codes.items():
        assert issubclass(cls, veil.VeilError)
        assert cls.code == code
