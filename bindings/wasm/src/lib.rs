//! veil for browser wallets: the wallet proves the compliance statement
//! client-side, so its credential and holder secret never leave the device.
//!
//! ```js
//! import init, { Prover, verify } from "veil-wasm";
//! const prover = new Prover(await (await fetch("compliance.pk")).arrayBuffer());
//! const { proof, publicSignals, calldata } = prover.prove(request);
//! verify(verificationKeyJson, proof, publicSignals); // true
//! ```
//!
//! Inputs are JSON text or plain JS objects (the documents `veil` writes);
//! outputs are plain objects in snarkjs's shapes. A failure throws an
//! `Error` named `VeilError` whose `code` is one of veil's shared codes
//! (`MALFORMED_INPUT`, `INVALID_KEY`, `WITNESS_REFUSED`, …). Rust cannot
//! unwind on wasm32, so a bug that panics traps as a `RuntimeError` instead
//! (with the panic message on the console).

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

#[cfg(all(feature = "threads", target_arch = "wasm32"))]
pub use wasm_bindgen_rayon::init_thread_pool;

use rand::rngs::OsRng;
use veil_bindings_core::{BindingError, ProveRequest, WalletProver};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs when the module is instantiated (on the page and on each worker of
/// the threaded build): a panic prints its message on the console before
/// it traps, so a bug reports where it happened.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| console_error(&info.to_string())));
}

/// Whether this module proves on a thread pool (the `threads` build, whose
/// `initThreadPool(n)` must be awaited first) or on the page's thread: the
/// page reports which one it got.
#[wasm_bindgen(js_name = hasThreads)]
pub fn has_threads() -> bool {
    cfg!(feature = "threads")
}

/// The `Error` JS sees: `name` is `VeilError`, `code` the shared code.
fn js_error(e: BindingError) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    error.set_name("VeilError");
    // Setting a property on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &e.code.as_str().into());
    error.into()
}

/// JSON text from a string, or from any value `JSON.stringify` accepts.
fn json_text(value: &JsValue, argument: &str) -> Result<String, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            js_error(BindingError::malformed(
                argument,
                "not JSON text or a JSON-serialisable value",
            ))
        })
}

/// Bytes from a `Uint8Array` or an `ArrayBuffer`.
fn bytes(value: &JsValue, argument: &str) -> Result<Vec<u8>, JsValue> {
    if value.is_instance_of::<js_sys::Uint8Array>() || value.is_instance_of::<js_sys::ArrayBuffer>()
    {
        return Ok(js_sys::Uint8Array::new(value).to_vec());
    }
    Err(js_error(BindingError::malformed(
        argument,
        "expected a Uint8Array or an ArrayBuffer",
    )))
}

/// A plain JS object from serialisable Rust (through JSON).
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json_text(value)?;
    js_sys::JSON::parse(&text)
}

fn serde_json_text<T: serde::Serialize>(value: &T) -> Result<String, JsValue> {
    veil_bindings_core::to_json(value).map_err(js_error)
}

/// A proving key loaded once (checked against the circuit: a key for another
/// circuit is refused), then one proof per payment.
#[wasm_bindgen]
pub struct Prover {
    inner: WalletProver,
}

#[wasm_bindgen]
impl Prover {
    /// Loads `compliance.pk` (a `Uint8Array` or `ArrayBuffer`).
    #[wasm_bindgen(constructor)]
    pub fn new(proving_key: &JsValue) -> Result<Prover, JsValue> {
        let key = bytes(proving_key, "provingKey")?;
        let inner = WalletProver::from_key_file(&key).map_err(js_error)?;
        Ok(Prover { inner })
    }

    /// Loads the `compliance.pk` whose BLAKE3 is `pin` (64 hex digits, the
    /// pin the wallet ships): its points are not checked again, so loading
    /// is faster; any other file throws `INVALID_KEY`.
    #[wasm_bindgen(js_name = fromPinnedKeyFile)]
    pub fn from_pinned_key_file(proving_key: &JsValue, pin: &str) -> Result<Prover, JsValue> {
        let key = bytes(proving_key, "provingKey")?;
        let inner = WalletProver::from_pinned_key_file(&key, pin).map_err(js_error)?;
        Ok(Prover { inner })
    }

    /// Proves a request `{credential, holder, policy, context, issuers,
    /// revoked}` (the documents `veil` writes). Returns `{proof,
    /// publicSignals, calldata}`; a credential that does not meet the policy
    /// throws with code `WITNESS_REFUSED` and the rule it breaks.
    pub fn prove(&self, request: &JsValue) -> Result<JsValue, JsValue> {
        let text = json_text(request, "request")?;
        let request = ProveRequest::from_json(&text).map_err(js_error)?;
        let bundle = self.inner.prove(&request, &mut OsRng).map_err(js_error)?;
        to_js(&bundle)
    }
}

/// Whether a proof verifies: `true`, or `false` for a well-formed proof that
/// does not. The key is `compliance.vk` (bytes) or snarkjs's
/// `verification_key.json` (text or object); throws only for input that
/// cannot be read.
#[wasm_bindgen]
pub fn verify(
    verification_key: &JsValue,
    proof: &JsValue,
    public_signals: &JsValue,
) -> Result<bool, JsValue> {
    let key = match bytes(verification_key, "verificationKey") {
        Ok(b) => b,
        Err(_) => json_text(verification_key, "verificationKey")?.into_bytes(),
    };
    let proof = json_text(proof, "proof")?;
    let public = json_text(public_signals, "publicSignals")?;
    veil_bindings_core::verify_proof(&key, &proof, &public).map_err(js_error)
}

/// Reads a proof without verifying it: the canonical proof, the ten public
/// inputs by name, and the EVM verifier's calldata.
#[wasm_bindgen(js_name = decodeProof)]
pub fn decode_proof(proof: &JsValue, public_signals: &JsValue) -> Result<JsValue, JsValue> {
    let proof = json_text(proof, "proof")?;
    let public = json_text(public_signals, "publicSignals")?;
    to_js(&veil_bindings_core::decode_proof(&proof, &public).map_err(js_error)?)
}

/// veil's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
