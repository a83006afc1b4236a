// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ComplianceGate} from "./ComplianceGate.sol";

/// @title SettlementRouter
/// @notice Pays an ERC-20 amount from the caller to a payee only after the
/// compliance gate accepts a proof bound to exactly this payment (chain,
/// gate, payer = caller, payee, token, amount, nonce).
/// @dev The gate records the proof's use before the token moves (checks,
/// effects, interactions) and `nonReentrant` stops a hostile token from
/// re-entering the router during the transfer.
contract SettlementRouter is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The gate every settlement passes.
    ComplianceGate public immutable gate;

    event Settled(
        address indexed payer,
        address indexed payee,
        address indexed token,
        uint256 amount,
        uint256 nonce,
        uint256 paymentHash,
        uint256 nullifier
    );

    constructor(ComplianceGate gate_) {
        gate = gate_;
    }

    /// @notice Settles `amount` of `token` from the caller to `payee`; the
    /// caller must have approved this router for `amount`.
    function settle(
        IERC20 token,
        address payee,
        uint256 amount,
        uint256 nonce,
        ComplianceGate.Proof calldata proof,
        ComplianceGate.Statement calldata statement
    ) external nonReentrant returns (uint256 paymentHash) {
        paymentHash = gate.consume(proof, statement, _payment(token, payee, amount, nonce));
        _pay(token, payee, amount, nonce, paymentHash, statement.nullifier);
    }

    /// @notice `settle` with a halo2-KZG proof of the same statement.
    function settleHalo2(
        IERC20 token,
        address payee,
        uint256 amount,
        uint256 nonce,
        bytes calldata proof,
        ComplianceGate.Statement calldata statement
    ) external nonReentrant returns (uint256 paymentHash) {
        paymentHash = gate.consumeHalo2(proof, statement, _payment(token, payee, amount, nonce));
        _pay(token, payee, amount, nonce, paymentHash, statement.nullifier);
    }

    function _payment(IERC20 token, address payee, uint256 amount, uint256 nonce)
        private
        view
        returns (ComplianceGate.Payment memory)
    {
        return ComplianceGate.Payment({
            payer: msg.sender,
            payee: payee,
            token: address(token),
            amount: amount,
            nonce: nonce
        });
    }

    /// @dev After the gate recorded the proof's use: move the tokens.
    function _pay(IERC20 token, address payee, uint256 amount, uint256 nonce, uint256 paymentHash, uint256 nullifier)
        private
    {
        token.safeTransferFrom(msg.sender, payee, amount);
        emit Settled(msg.sender, payee, address(token), amount, nonce, paymentHash, nullifier);
    }
}
