// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The call every veil verifier answers: veil's generated
/// `Groth16Verifier` and snarkjs's exported verifier share this selector, so
/// the gate can use either (or a later backend behind the same interface).
interface IGroth16Verifier {
    /// @return true when the proof verifies for `input`; false otherwise,
    /// including when an input is not below the scalar-field modulus.
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[10] calldata input
    ) external view returns (bool);
}
