//! The circuit's matrices, read once by the prover so that proving skips
//! rebuilding them from linear combinations, with the shape they hash to
//! ([`veil_system::CircuitShape`]).

use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
    R1CS_PREDICATE_LABEL,
};
use ark_relations::utils::matrix::Matrix;
use veil_circuits::F;
use veil_system::CircuitShape;

/// The R1CS matrices of a circuit and its shape.
#[derive(Debug, Clone)]
pub struct Matrices {
    /// A, B and C.
    pub abc: Vec<Matrix<F>>,
    /// Its shape.
    pub shape: CircuitShape,
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
        let shape = CircuitShape::of_matrices(
            &abc,
            cs.num_constraints(),
            cs.num_instance_variables(),
            cs.num_witness_variables(),
        );
        Ok(Matrices { abc, shape })
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
