//! `proof.json` for a proof of either system: snarkjs's form for Groth16,
//! `{"system": "halo2", "proof": "0x…"}` for halo2. The CLI's files, the
//! service's `Proof.proof_json`, the audit log's entries and the bindings all
//! read and write proofs through these two functions.

use crate::{DecodeError, ProvingSystem, SystemProof};

/// A halo2 `proof.json`: the system's name beside the transcript, so that a
/// reader never mistakes it for snarkjs's Groth16 form.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Halo2ProofJson {
    #[allow(dead_code)] // read by `proof_from_json` before this document is.
    system: String,
    proof: String,
}

/// The `proof.json` of a proof of either system: snarkjs's form for Groth16,
/// `{"system": "halo2", "proof": "0x…"}` for halo2. The CLI's files, the
/// service's `Proof.proof_json` and the audit log's entries all use it.
pub fn proof_to_json(proof: &SystemProof) -> String {
    match proof {
        SystemProof::Groth16(p) => crate::snarkjs::proof_to_string(p),
        SystemProof::Halo2Kzg(bytes) => serde_json::json!({
            "system": ProvingSystem::Halo2Kzg.name(),
            "proof": format!("0x{}", hex::encode(bytes)),
        })
        .to_string(),
    }
}

/// Reads a `proof.json` of either system ([`proof_to_json`]'s forms): a
/// document naming no `system` is snarkjs's Groth16 proof, every point
/// checked; a halo2 proof's transcript is checked when it is verified.
pub fn proof_from_json(text: &str) -> Result<SystemProof, DecodeError> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    let system = match value.get("system") {
        None => ProvingSystem::Groth16,
        Some(serde_json::Value::String(name)) => name
            .parse::<ProvingSystem>()
            .map_err(|e| DecodeError::Json(e.to_string()))?,
        Some(_) => return Err(DecodeError::Json("\"system\" is not a string".into())),
    };
    match system {
        ProvingSystem::Groth16 => Ok(SystemProof::Groth16(
            serde_json::from_value::<crate::snarkjs::ProofJson>(value)?.to_proof()?,
        )),
        ProvingSystem::Halo2Kzg => {
            let doc: Halo2ProofJson = serde_json::from_value(value)?;
            let hex_text = doc.proof.strip_prefix("0x").unwrap_or(&doc.proof);
            let bytes = hex::decode(hex_text).map_err(|e| DecodeError::Bytes {
                what: "halo2 proof",
                reason: format!("not hex: {e}"),
            })?;
            Ok(SystemProof::Halo2Kzg(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halo2_proof_json_round_trips_and_refuses_malformed_documents() {
        let proof = SystemProof::Halo2Kzg(vec![1, 2, 255]);
        let text = proof_to_json(&proof);
        assert_eq!(proof_from_json(&text).unwrap(), proof);
        for bad in [
            r#"{"system": "halo2", "proof": "0xzz"}"#,
            r#"{"system": "halo2"}"#,
            r#"{"system": "halo2", "proof": "0x01", "extra": 1}"#,
            r#"{"system": "plonky3", "proof": "0x01"}"#,
            r#"{"system": 2, "proof": "0x01"}"#,
            r#"{"pi_a": []}"#,
            "not json",
        ] {
            assert!(proof_from_json(bad).is_err(), "{bad}");
        }
    }
}
