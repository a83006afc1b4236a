//! Proofs of either system in and out of `veil.v1.Proof`: the proof's
//! `proof.json` (snarkjs for Groth16, veil's for halo2-KZG), the public inputs
//! as decimals, and the wire's `ProofSystem`. Server and clients both decode
//! through [`parse_proof`], so a message is read one way everywhere.

use crate::pb::{self, ProofSystem};
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::statement::{PublicInputs, NUM_PUBLIC_INPUTS};
use veil_circuits::F;
use veil_system::{proof_from_json, proof_to_json, ProvingSystem, SystemProof};

/// A field of a message that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct MessageError {
    /// The field, as the proto names it (`proof.public_inputs`).
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> MessageError {
    MessageError {
        field,
        message: message.into(),
    }
}

/// The proving system a message names (unspecified means Groth16, the
/// default of every request); an unknown value is refused.
pub fn system_of(raw: i32) -> Result<ProvingSystem, MessageError> {
    match ProofSystem::try_from(raw) {
        Ok(ProofSystem::Unspecified | ProofSystem::Groth16) => Ok(ProvingSystem::Groth16),
        Ok(ProofSystem::Halo2Kzg) => Ok(ProvingSystem::Halo2Kzg),
        Err(_) => Err(invalid("system", format!("unknown proving system {raw}"))),
    }
}

/// The wire value of a proving system.
pub fn system_message(system: ProvingSystem) -> ProofSystem {
    match system {
        ProvingSystem::Groth16 => ProofSystem::Groth16,
        ProvingSystem::Halo2Kzg => ProofSystem::Halo2Kzg,
    }
}

/// The `Proof` message for a proof of either system, without calldata (the
/// server adds its EVM verifier's calldata to the proofs it makes).
pub fn proof_message(proof: &SystemProof, public: &PublicInputs) -> pb::Proof {
    pb::Proof {
        system: system_message(proof.system()) as i32,
        proof_json: proof_to_json(proof),
        public_inputs: public.to_vec().iter().map(field_to_decimal).collect(),
        calldata: String::new(),
    }
}

/// The proof (of either system) and public inputs of a `Proof` message. The
/// `proof.json` must be of the system the message names, and every input a
/// canonical field element (< r).
pub fn parse_proof(proof: Option<&pb::Proof>) -> Result<(SystemProof, PublicInputs), MessageError> {
    let message = proof.ok_or_else(|| invalid("proof", "missing"))?;
    let named = system_of(message.system).map_err(|e| invalid("proof.system", e.message))?;
    let decoded = proof_from_json(&message.proof_json)
        .map_err(|e| invalid("proof.proof_json", e.to_string()))?;
    if decoded.system() != named {
        return Err(invalid(
            "proof.proof_json",
            format!("a {} proof, but system is {named}", decoded.system()),
        ));
    }
    Ok((decoded, public_inputs(message)?))
}

/// The message in its one canonical form: the decoded proof re-encoded
/// (whitespace, key order and number spellings the sender chose are gone)
/// and each input a canonical decimal. What a log keeps of a caller's proof,
/// so its size is the proof's, not the sender's.
pub fn canonical(proof: Option<&pb::Proof>) -> Result<pb::Proof, MessageError> {
    let (decoded, public) = parse_proof(proof)?;
    Ok(proof_message(&decoded, &public))
}

/// The statement's public inputs of a `Proof` message.
fn public_inputs(proof: &pb::Proof) -> Result<PublicInputs, MessageError> {
    if proof.public_inputs.len() != NUM_PUBLIC_INPUTS {
        return Err(invalid(
            "proof.public_inputs",
            format!(
                "expected {NUM_PUBLIC_INPUTS} inputs, got {}",
                proof.public_inputs.len()
            ),
        ));
    }
    let values = proof
        .public_inputs
        .iter()
        .map(|s| field_from_decimal(s))
        .collect::<Result<Vec<F>, _>>()
        .map_err(|e| invalid("proof.public_inputs", e.to_string()))?;
    PublicInputs::from_slice(&values).ok_or_else(|| invalid("proof.public_inputs", "wrong count"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(system: ProofSystem, json: &str, inputs: Vec<String>) -> pb::Proof {
        pb::Proof {
            system: system as i32,
            proof_json: json.into(),
            public_inputs: inputs,
            calldata: String::new(),
        }
    }

    #[test]
    fn unknown_and_unspecified_systems() {
        assert_eq!(system_of(0), Ok(ProvingSystem::Groth16));
        assert_eq!(
            system_of(ProofSystem::Halo2Kzg as i32),
            Ok(ProvingSystem::Halo2Kzg)
        );
        assert_eq!(system_of(99).unwrap_err().field, "system");
        for system in [ProvingSystem::Groth16, ProvingSystem::Halo2Kzg] {
            assert_eq!(system_of(system_message(system) as i32), Ok(system));
        }
    }

    #[test]
    fn a_halo2_message_round_trips_and_a_mislabelled_one_is_refused() {
        let public = PublicInputs::from_slice(&[F::from(7u64); NUM_PUBLIC_INPUTS]).unwrap();
        let proof = SystemProof::Halo2Kzg(vec![1, 2, 3, 4]);
        let sent = proof_message(&proof, &public);
        assert_eq!(sent.system, ProofSystem::Halo2Kzg as i32);
        assert_eq!(parse_proof(Some(&sent)), Ok((proof, public)));

        let mislabelled = pb::Proof {
            system: ProofSystem::Groth16 as i32,
            ..sent.clone()
        };
        assert_eq!(
            parse_proof(Some(&mislabelled)).unwrap_err().field,
            "proof.proof_json"
        );
        assert_eq!(parse_proof(None).unwrap_err().field, "proof");
    }

    #[test]
    fn inputs_must_be_canonical_and_complete() {
        let json = proof_to_json(&SystemProof::Halo2Kzg(vec![9]));
        let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        let mut inputs = vec!["1".to_string(); NUM_PUBLIC_INPUTS];
        inputs[0] = r.into();
        let e = parse_proof(Some(&message(ProofSystem::Halo2Kzg, &json, inputs))).unwrap_err();
        assert_eq!(e.field, "proof.public_inputs");
        let short = vec!["1".to_string(); NUM_PUBLIC_INPUTS - 1];
        let e = parse_proof(Some(&message(ProofSystem::Halo2Kzg, &json, short))).unwrap_err();
        assert!(e.message.contains("expected"), "{e}");
    }
}
