//! The contracts on revm with real proofs from veil-prover (the insecure
//! demo key, which the committed verifier embeds).

mod artifacts;
mod fixture;
mod flow;
mod gate;
mod governance;
mod halo2;
mod properties;
mod registry;
mod second_review;
mod settlement;
mod trust;
