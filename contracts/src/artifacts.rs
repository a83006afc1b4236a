//! The committed solc artifacts (`contracts/artifacts/*.json`), embedded so
//! the harness, the CLI and the benchmarks deploy exactly what CI checked
//! against the sources.

use alloy_primitives::{keccak256, Bytes};
use serde::Deserialize;

/// Why an artifact could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// No artifact of that name is embedded.
    #[error("no artifact named {0}")]
    Unknown(String),
    /// The JSON did not parse.
    #[error("artifact {name}: {source}")]
    Json {
        /// The contract.
        name: String,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// The bytecode was not hex.
    #[error("artifact {name}: bytecode is not hex: {source}")]
    Hex {
        /// The contract.
        name: String,
        /// The decoder's error.
        source: hex::FromHexError,
    },
}

const EMBEDDED: &[(&str, &str)] = &[
    (
        "ComplianceGate",
        include_str!("../artifacts/ComplianceGate.json"),
    ),
    (
        "Groth16Verifier",
        include_str!("../artifacts/Groth16Verifier.json"),
    ),
    (
        "Halo2Verifier",
        include_str!("../artifacts/Halo2Verifier.json"),
    ),
    (
        "SettlementRouter",
        include_str!("../artifacts/SettlementRouter.json"),
    ),
    (
        "VeilDIDRegistry",
        include_str!("../artifacts/VeilDIDRegistry.json"),
    ),
    (
        "VeilMultisig",
        include_str!("../artifacts/VeilMultisig.json"),
    ),
    (
        "VeilTimelock",
        include_str!("../artifacts/VeilTimelock.json"),
    ),
    ("PoseidonT3", include_str!("../artifacts/PoseidonT3.json")),
    ("PoseidonT5", include_str!("../artifacts/PoseidonT5.json")),
    ("TestToken", include_str!("../artifacts/TestToken.json")),
    (
        "ReentrantToken",
        include_str!("../artifacts/ReentrantToken.json"),
    ),
];

#[derive(Deserialize)]
struct Raw {
    abi: Vec<AbiItem>,
    bytecode: String,
}

#[derive(Deserialize)]
struct AbiItem {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    inputs: Vec<AbiParam>,
}

#[derive(Deserialize)]
struct AbiParam {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    components: Vec<AbiParam>,
}

impl AbiParam {
    /// The canonical type in a signature (tuples expanded).
    fn canonical(&self) -> String {
        match self.kind.strip_prefix("tuple") {
            Some(suffix) => {
                let inner: Vec<String> = self.components.iter().map(|c| c.canonical()).collect();
                format!("({}){suffix}", inner.join(","))
            }
            None => self.kind.clone(),
        }
    }
}

/// One compiled contract.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The contract's name.
    pub name: String,
    /// Creation bytecode (constructor arguments are appended to it).
    pub bytecode: Bytes,
    /// `(selector, name)` of every custom error in the ABI.
    pub errors: Vec<([u8; 4], String)>,
}

impl Artifact {
    /// The embedded artifact of contract `name`.
    pub fn load(name: &str) -> Result<Self, ArtifactError> {
        let text = EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| ArtifactError::Unknown(name.into()))?;
        Self::parse(name, text)
    }

    /// An artifact from solc-js JSON (`{ abi, bytecode }`).
    pub fn parse(name: &str, text: &str) -> Result<Self, ArtifactError> {
        let raw: Raw = serde_json::from_str(text).map_err(|source| ArtifactError::Json {
            name: name.into(),
            source,
        })?;
        let code = hex::decode(raw.bytecode.trim_start_matches("0x")).map_err(|source| {
            ArtifactError::Hex {
                name: name.into(),
                source,
            }
        })?;
        let errors = raw
            .abi
            .iter()
            .filter(|i| i.kind == "error")
            .map(|i| {
                let args: Vec<String> = i.inputs.iter().map(|p| p.canonical()).collect();
                let signature = format!("{}({})", i.name, args.join(","));
                let mut selector = [0u8; 4];
                selector.copy_from_slice(&keccak256(signature.as_bytes())[..4]);
                (selector, i.name.clone())
            })
            .collect();
        Ok(Artifact {
            name: name.into(),
            bytecode: code.into(),
            errors,
        })
    }

    /// Creation code followed by ABI-encoded constructor arguments.
    pub fn with_args(&self, args: &[u8]) -> Bytes {
        [self.bytecode.as_ref(), args].concat().into()
    }
}

/// The names of every embedded artifact.
pub fn names() -> impl Iterator<Item = &'static str> {
    EMBEDDED.iter().map(|(n, _)| *n)
}
