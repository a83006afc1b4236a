// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title VeilTimelock
/// @notice OpenZeppelin's TimelockController, deployed with the multisig as
/// sole proposer, canceller and executor and no separate admin: every change
/// to the gate waits `minDelay` and carries the multisig's signatures.
contract VeilTimelock is TimelockController {
    constructor(uint256 minDelay, address multisig)
        TimelockController(minDelay, _one(multisig), _one(multisig), address(0))
    {}

    function _one(address a) private pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }
}
