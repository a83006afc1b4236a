//! veil-verifier's tests, in one binary so the Groth16 setup runs once.

mod fixture;
mod formats;
mod snarkjs_interop;
mod verify;
