//! veil on-chain: the Solidity contracts (sources in `src/*.sol`, compiled
//! by the pinned solc-js into the committed `artifacts/`), and a harness on
//! `revm` that deploys them and drives the whole flow with real proofs.
//!
//! - [`artifacts`]: the embedded compiled contracts.
//! - [`chain`]: an in-process EVM (deploy, send, view, clock).
//! - [`abi`]: typed calls.
//! - [`system`]: the deployment (verifier, multisig, timelock, gate, router,
//!   DID registry, token) and its operations.

pub mod abi;
pub mod artifacts;
pub mod chain;
pub mod system;

pub use chain::{CallError, Chain, Receipt};
pub use system::{Config, System, SystemError};

/// Label of the demo key in the generated verifier's header.
pub const DEMO_KEY_LABEL: &str = "the INSECURE demo key of veil_prover::insecure_demo_setup";

/// `Groth16Verifier.sol` for the insecure demo key (what is committed).
pub fn demo_verifier_source() -> Result<String, veil_prover::SetupError> {
    let keys = veil_prover::insecure_demo_setup(|_| {})?;
    Ok(veil_verifier::solidity::groth16_verifier_source(
        keys.verifying_key(),
        DEMO_KEY_LABEL,
    ))
}
