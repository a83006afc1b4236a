//! An in-process EVM chain on `revm`: deploy, send transactions, read
//! views, move the clock. Reverts come back as values with their decoded
//! error name, so tests assert *which* rule refused.

use crate::artifacts::{names, Artifact};
use alloy_primitives::{Address, Bytes, Log, U256};
use alloy_sol_types::SolCall;
use revm::context::result::{ExecutionResult, Output};
use revm::context::TxEnv;
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainnetContext, MainnetEvm};
use revm::primitives::hardfork::SpecId;
use revm::primitives::TxKind;
use revm::{Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext};

/// Gas limit of every transaction (below EIP-7825's cap).
pub const TX_GAS_LIMIT: u64 = 16_000_000;
/// The chain id the harness runs as.
pub const CHAIN_ID: u64 = 1;

/// What a successful transaction or view produced.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// Return data.
    pub output: Bytes,
    /// Gas used by the transaction, including the 21,000 base and calldata.
    pub gas_used: u64,
    /// Logs emitted.
    pub logs: Vec<Log>,
    /// The new contract's address, for a deployment.
    pub created: Option<Address>,
}

/// Why a transaction or view did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The contract reverted; `error` is the custom error's name when known.
    #[error("reverted with {}", error.as_deref().unwrap_or("unknown data"))]
    Reverted {
        /// The decoded custom error (any embedded contract's ABI).
        error: Option<String>,
        /// The raw revert data.
        data: Bytes,
        /// Gas used.
        gas_used: u64,
    },
    /// Execution halted (out of gas, invalid opcode, ...).
    #[error("halted: {0}")]
    Halted(String),
    /// The EVM refused the transaction itself.
    #[error("transaction invalid: {0}")]
    Invalid(String),
    /// The return data did not decode as the call's return type.
    #[error("undecodable return data: {0}")]
    Decode(String),
}

impl CallError {
    /// The custom error's name, if the call reverted with a known one.
    pub fn error_name(&self) -> Option<&str> {
        match self {
            CallError::Reverted { error, .. } => error.as_deref(),
            _ => None,
        }
    }
}

type Evm = MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>;

/// The chain.
pub struct Chain {
    evm: Evm,
    errors: Vec<([u8; 4], String)>,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// An empty Prague chain with id [`CHAIN_ID`] at 2025-01-01.
    pub fn new() -> Self {
        let ctx = Context::mainnet()
            .modify_cfg_chained(|c| {
                c.set_spec_and_mainnet_gas_params(SpecId::PRAGUE);
                c.chain_id = CHAIN_ID;
                c.disable_nonce_check = true;
            })
            .modify_block_chained(|b| {
                b.gas_limit = 4 * TX_GAS_LIMIT;
                b.timestamp = U256::from(1_735_689_600u64);
                b.number = U256::from(1u64);
            })
            .with_db(CacheDB::<EmptyDB>::default());
        let mut errors: Vec<([u8; 4], String)> = names()
            .filter_map(|n| Artifact::load(n).ok())
            .flat_map(|a| a.errors)
            .collect();
        errors.sort();
        errors.dedup();
        Chain {
            evm: ctx.build_mainnet(),
            errors,
        }
    }

    /// The current block timestamp (unix seconds).
    pub fn timestamp(&self) -> u64 {
        self.evm.ctx.block.timestamp.saturating_to()
    }

    /// Sets the block timestamp.
    pub fn set_timestamp(&mut self, seconds: u64) {
        self.evm.ctx.block.timestamp = U256::from(seconds);
    }

    /// Moves the clock forward (and the block number by one).
    pub fn warp(&mut self, seconds: u64) {
        let t = self.timestamp() + seconds;
        self.set_timestamp(t);
        self.evm.ctx.block.number += U256::from(1u64);
    }

    /// Deploys creation code (with constructor arguments appended).
    pub fn deploy(&mut self, from: Address, code: Bytes) -> Result<Address, CallError> {
        let receipt = self.execute(from, TxKind::Create, code, true)?;
        receipt
            .created
            .ok_or_else(|| CallError::Halted("deployment returned no address".into()))
    }

    /// Sends a transaction and commits its effects.
    pub fn send(&mut self, from: Address, to: Address, data: Bytes) -> Result<Receipt, CallError> {
        self.execute(from, TxKind::Call(to), data, true)
    }

    /// Runs a call without committing anything (an `eth_call`).
    pub fn view(&mut self, from: Address, to: Address, data: Bytes) -> Result<Receipt, CallError> {
        self.execute(from, TxKind::Call(to), data, false)
    }

    /// Sends a typed call; returns its decoded result and the receipt.
    pub fn send_call<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<(C::Return, Receipt), CallError> {
        let receipt = self.send(from, to, call.abi_encode().into())?;
        let value =
            C::abi_decode_returns(&receipt.output).map_err(|e| CallError::Decode(e.to_string()))?;
        Ok((value, receipt))
    }

    /// Runs a typed view call.
    pub fn view_call<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return, CallError> {
        let receipt = self.view(from, to, call.abi_encode().into())?;
        C::abi_decode_returns(&receipt.output).map_err(|e| CallError::Decode(e.to_string()))
    }

    fn error_name(&self, data: &[u8]) -> Option<String> {
        let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
        if selector == [0x08, 0xc3, 0x79, 0xa0] {
            return Some("Error(string)".into());
        }
        if selector == [0x4e, 0x48, 0x7b, 0x71] {
            return Some("Panic(uint256)".into());
        }
        self.errors
            .iter()
            .find(|(s, _)| *s == selector)
            .map(|(_, n)| n.clone())
    }

    fn execute(
        &mut self,
        from: Address,
        kind: TxKind,
        data: Bytes,
        commit: bool,
    ) -> Result<Receipt, CallError> {
        let tx = TxEnv::builder()
            .caller(from)
            .kind(kind)
            .data(data)
            .gas_limit(TX_GAS_LIMIT)
            .gas_price(0)
            .build_fill();
        let result = if commit {
            self.evm.transact_commit(tx)
        } else {
            self.evm.transact(tx).map(|r| r.result)
        }
        .map_err(|e| CallError::Invalid(e.to_string()))?;
        match result {
            ExecutionResult::Success {
                gas, logs, output, ..
            } => {
                let (output, created) = match output {
                    Output::Call(b) => (b, None),
                    Output::Create(b, a) => (b, a),
                };
                Ok(Receipt {
                    output,
                    gas_used: gas.tx_gas_used(),
                    logs,
                    created,
                })
            }
            ExecutionResult::Revert { gas, output, .. } => Err(CallError::Reverted {
                error: self.error_name(&output),
                data: output,
                gas_used: gas.tx_gas_used(),
            }),
            ExecutionResult::Halt { reason, .. } => Err(CallError::Halted(format!("{reason:?}"))),
        }
    }
}
