//! The circuit's shape: a BLAKE3 digest of its constraint matrices and sizes.
//! Two circuits with the same shape accept exactly the same witnesses, so a
//! key made for one works for the other; any change to the statement changes
//! the digest.

use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
    R1CS_PREDICATE_LABEL,
};
use ark_relations::utils::matrix::Matrix;
use ark_serialize::CanonicalSerialize;
use veil_circuits::F;

/// Fingerprint and sizes of a constraint system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircuitShape {
    /// BLAKE3 over the sizes and the A, B, C matrices.
    pub digest: [u8; 32],
    /// Number of constraints.
    pub num_constraints: usize,
    /// Number of instance variables, including the constant one.
    pub num_instance_variables: usize,
    /// Number of witness variables.
    pub num_witness_variables: usize,
}

/// The R1CS matrices of a circuit, kept by the prover so that proving skips
/// rebuilding them from linear combinations.
#[derive(Debug, Clone)]
pub struct Matrices {
    /// A, B and C.
    pub abc: Vec<Matrix<F>>,
    /// Its shape.
    pub shape: CircuitShape,
}

impl CircuitShape {
    /// The shape of veil's compliance statement, as a constant: checking a
    /// key file's binding never synthesizes the circuit (a wallet loading a
    /// verifying key paid a full synthesis for it). A test synthesizes the
    /// circuit and checks this constant; a change to the statement fails it
    /// until the constant is updated.
    pub const COMPLIANCE: CircuitShape = CircuitShape {
        digest: [
            0x4e, 0xfa, 0x0a, 0x73, 0x1d, 0x1d, 0x94, 0x4b, 0xcd, 0xc4, 0xf3, 0xd8, 0xcd, 0x48,
            0xf8, 0x1a, 0x46, 0x90, 0x91, 0x6e, 0x6d, 0x39, 0x83, 0x3b, 0xbe, 0xaf, 0xb3, 0xb7,
            0x49, 0xda, 0x30, 0x1b,
        ],
        num_constraints: 20_335,
        num_instance_variables: 11,
        num_witness_variables: 20_220,
    };

    /// The shape of veil's compliance statement ([`CircuitShape::COMPLIANCE`]).
    pub fn compliance() -> Result<Self, SynthesisError> {
        Ok(Self::COMPLIANCE)
    }

    /// The digest as lowercase hex, for messages.
    pub fn digest_hex(&self) -> String {
        self.digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Matrices {
    /// Synthesizes `circuit` in setup mode and reads its matrices.
    pub fn of<C: ConstraintSynthesizer<F>>(circuit: C) -> Result<Self, SynthesisError> {
        let cs = ConstraintSystem::<F>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        circuit.generate_constraints(cs.clone())?;
        cs.finalize();
        let mut all = cs.to_matrices()?;
        let abc = all
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or(SynthesisError::PredicateNotFound)?;
        let num_constraints = cs.num_constraints();
        let num_instance_variables = cs.num_instance_variables();
        let num_witness_variables = cs.num_witness_variables();

        let mut hasher = blake3::Hasher::new();
        hasher.update(b"veil.circuit-shape.v1");
        for n in [
            num_constraints,
            num_instance_variables,
            num_witness_variables,
        ] {
            hasher.update(&(n as u64).to_le_bytes());
        }
        let mut buf = Vec::with_capacity(32);
        for matrix in &abc {
            hasher.update(&(matrix.len() as u64).to_le_bytes());
            for row in matrix {
                hasher.update(&(row.len() as u64).to_le_bytes());
                for (coeff, index) in row {
                    buf.clear();
                    coeff
                        .serialize_uncompressed(&mut buf)
                        .map_err(|_| SynthesisError::AssignmentMissing)?;
                    hasher.update(&buf);
                    hasher.update(&(*index as u64).to_le_bytes());
                }
            }
        }
        Ok(Matrices {
            abc,
            shape: CircuitShape {
                digest: *hasher.finalize().as_bytes(),
                num_constraints,
                num_instance_variables,
                num_witness_variables,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use veil_circuits::statement::ComplianceCircuit;

    /// The constant is the circuit's real shape.
    #[test]
    fn the_compliance_constant_is_the_synthesized_shape() {
        let synthesized = Matrices::of(ComplianceCircuit::blank()).unwrap().shape;
        assert_eq!(
            synthesized,
            CircuitShape::COMPLIANCE,
            "update CircuitShape::COMPLIANCE to {} ({:?})",
            synthesized.digest_hex(),
            synthesized
        );
    }
}
