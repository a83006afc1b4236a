//! The ERC-1056-style DID registry: owners, delegates, attributes.

use alloy_primitives::{Bytes, FixedBytes, U256};
use alloy_sol_types::{SolEvent, SolValue};
use veil_contracts::abi::IVeilDIDRegistry;
use veil_contracts::system::{account, uint};
use veil_contracts::{Config, System};

fn name(s: &str) -> FixedBytes<32> {
    let mut b = [0u8; 32];
    b[..s.len()].copy_from_slice(s.as_bytes());
    FixedBytes::from(b)
}

#[test]
fn an_issuer_publishes_its_baby_jubjub_key_and_rotates_ownership() {
    let mut s = System::deploy(Config::default()).unwrap();
    let reg = s.registry;
    let issuer = account(0x20);
    let new_key = account(0x21);
    let stranger = account(0x66);
    let chain = &mut s.chain;

    assert_eq!(
        chain
            .view_call(
                stranger,
                reg,
                &IVeilDIDRegistry::identityOwnerCall { identity: issuer }
            )
            .unwrap(),
        issuer
    );
    let bjj = veil_circuits::eddsa::PrivateKey::from_bytes([3u8; 32]).public_key();
    let value: Bytes = (uint(&bjj.0.x), uint(&bjj.0.y)).abi_encode_params().into();
    let attr = IVeilDIDRegistry::setAttributeCall {
        identity: issuer,
        name: name("did/pub/BabyJubJub/veriKey"),
        value: value.clone(),
        validity: U256::from(365 * 86_400u64),
    };
    let e = chain.send_call(stranger, reg, &attr).unwrap_err();
    assert_eq!(e.error_name(), Some("NotOwner"));
    let (_, receipt) = chain.send_call(issuer, reg, &attr).unwrap();
    let event =
        IVeilDIDRegistry::DIDAttributeChanged::decode_log_data(&receipt.logs[0].data).unwrap();
    assert_eq!(event.value, value);
    let (x, y) = <(U256, U256)>::abi_decode_params(&event.value).unwrap();
    assert_eq!((x, y), (uint(&bjj.0.x), uint(&bjj.0.y)));
    assert_eq!(event.previousChange, U256::ZERO);

    // A delegate signs for a while, then is revoked.
    let kind = name("veriKey");
    chain
        .send_call(
            issuer,
            reg,
            &IVeilDIDRegistry::addDelegateCall {
                identity: issuer,
                delegateType: kind,
                delegate: new_key,
                validity: U256::from(3600u64),
            },
        )
        .unwrap();
    let valid = |c: &mut veil_contracts::Chain| {
        c.view_call(
            stranger,
            reg,
            &IVeilDIDRegistry::validDelegateCall {
                identity: issuer,
                delegateType: kind,
                delegate: new_key,
            },
        )
        .unwrap()
    };
    assert!(valid(chain));
    chain.warp(3601);
    assert!(!valid(chain));

    // Ownership moves to a new key; the old one loses control.
    chain
        .send_call(
            issuer,
            reg,
            &IVeilDIDRegistry::changeOwnerCall {
                identity: issuer,
                newOwner: new_key,
            },
        )
        .unwrap();
    assert_eq!(
        chain
            .view_call(
                stranger,
                reg,
                &IVeilDIDRegistry::identityOwnerCall { identity: issuer }
            )
            .unwrap(),
        new_key
    );
    let e = chain.send_call(issuer, reg, &attr).unwrap_err();
    assert_eq!(e.error_name(), Some("NotOwner"));
    chain.send_call(new_key, reg, &attr).unwrap();
    let head = chain
        .view_call(
            stranger,
            reg,
            &IVeilDIDRegistry::changedCall { identity: issuer },
        )
        .unwrap();
    assert!(head > U256::ZERO);
}
