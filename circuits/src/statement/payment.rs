//! The payment hash (public input 6): what binds a proof to one settlement.
//!
//! `payment_hash = keccak256(abi.encode(chainId, gate, payer, payee, token,
//! amount, nonce)) mod r`, the same expression the settlement contract
//! evaluates from its own arguments and `block.chainid`, so a proof made for
//! one payment cannot settle another.

use crate::F;
use ark_ff::PrimeField;
use sha3::{Digest, Keccak256};

/// A 20-byte EVM address.
pub type Address = [u8; 20];

/// One settlement, as the gate sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The compliance gate's address.
    pub gate: Address,
    /// Who pays.
    pub payer: Address,
    /// Who is paid.
    pub payee: Address,
    /// The ERC-20 token.
    pub token: Address,
    /// Amount in the token's base units (uint256, big-endian).
    pub amount: [u8; 32],
    /// The payer's settlement nonce (uint256, big-endian).
    pub nonce: [u8; 32],
}

fn uint(n: u128) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[16..].copy_from_slice(&n.to_be_bytes());
    w
}

fn address_word(a: &Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a);
    w
}

impl Payment {
    /// A payment with amount and nonce given as integers.
    pub fn new(
        chain_id: u64,
        gate: Address,
        payer: Address,
        payee: Address,
        token: Address,
        amount: u128,
        nonce: u128,
    ) -> Self {
        Payment {
            chain_id,
            gate,
            payer,
            payee,
            token,
            amount: uint(amount),
            nonce: uint(nonce),
        }
    }

    /// `abi.encode(chainId, gate, payer, payee, token, amount, nonce)`.
    pub fn abi_encode(&self) -> Vec<u8> {
        [
            uint(u128::from(self.chain_id)),
            address_word(&self.gate),
            address_word(&self.payer),
            address_word(&self.payee),
            address_word(&self.token),
            self.amount,
            self.nonce,
        ]
        .concat()
    }

    /// The hash reduced into the scalar field.
    pub fn hash(&self) -> F {
        F::from_be_bytes_mod_order(&Keccak256::digest(self.abi_encode()))
    }
}
