//! Empty: this crate exists for its dependencies' features
//! (`workspace-hack/Cargo.toml` says why).
