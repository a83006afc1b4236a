// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title VeilMultisig
/// @notice A t-of-n owners' wallet: the proposer and executor of veil's
/// TimelockController, so no single key can schedule or execute governance.
/// @dev Deliberately small (OpenZeppelin ships no multisig wallet):
/// transactions are proposed, confirmed by distinct owners, and executed once
/// they reach the threshold. Owners and threshold are fixed at deployment.
contract VeilMultisig {
    struct Transaction {
        address target;
        uint256 value;
        bytes data;
        bool executed;
        uint256 confirmations;
    }

    /// @notice Whether an address is an owner.
    mapping(address => bool) public isOwner;
    /// @notice Confirmations needed to execute.
    uint256 public immutable threshold;
    /// @notice Proposed transactions by id.
    Transaction[] public transactions;
    /// @notice Which owner confirmed which transaction.
    mapping(uint256 => mapping(address => bool)) public confirmedBy;

    event Proposed(uint256 indexed id, address indexed proposer, address target, uint256 value, bytes data);
    event Confirmed(uint256 indexed id, address indexed owner);
    event Revoked(uint256 indexed id, address indexed owner);
    event Executed(uint256 indexed id);

    error NotOwner(address caller);
    error BadThreshold(uint256 threshold, uint256 owners);
    error DuplicateOwner(address owner);
    error UnknownTransaction(uint256 id);
    error AlreadyConfirmed(uint256 id, address owner);
    error NotConfirmed(uint256 id, address owner);
    error AlreadyExecuted(uint256 id);
    error BelowThreshold(uint256 id, uint256 confirmations, uint256 threshold);

    modifier onlyOwner() {
        if (!isOwner[msg.sender]) revert NotOwner(msg.sender);
        _;
    }

    modifier pending(uint256 id) {
        if (id >= transactions.length) revert UnknownTransaction(id);
        if (transactions[id].executed) revert AlreadyExecuted(id);
        _;
    }

    constructor(address[] memory owners, uint256 threshold_) {
        if (threshold_ == 0 || threshold_ > owners.length) revert BadThreshold(threshold_, owners.length);
        for (uint256 i = 0; i < owners.length; i++) {
            address owner = owners[i];
            if (owner == address(0) || isOwner[owner]) revert DuplicateOwner(owner);
            isOwner[owner] = true;
        }
        threshold = threshold_;
    }

    /// @notice Number of proposed transactions.
    function transactionCount() external view returns (uint256) {
        return transactions.length;
    }

    /// @notice Proposes a call; the proposer's confirmation is counted.
    function propose(address target, uint256 value, bytes calldata data) external onlyOwner returns (uint256 id) {
        id = transactions.length;
        transactions.push(Transaction({target: target, value: value, data: data, executed: false, confirmations: 0}));
        emit Proposed(id, msg.sender, target, value, data);
        _confirm(id);
    }

    /// @notice Adds the caller's confirmation.
    function confirm(uint256 id) external onlyOwner pending(id) {
        _confirm(id);
    }

    /// @notice Withdraws the caller's confirmation before execution.
    function revoke(uint256 id) external onlyOwner pending(id) {
        if (!confirmedBy[id][msg.sender]) revert NotConfirmed(id, msg.sender);
        confirmedBy[id][msg.sender] = false;
        transactions[id].confirmations -= 1;
        emit Revoked(id, msg.sender);
    }

    /// @notice Executes a transaction that reached the threshold.
    function execute(uint256 id) external onlyOwner pending(id) returns (bytes memory result) {
        Transaction storage t = transactions[id];
        if (t.confirmations < threshold) revert BelowThreshold(id, t.confirmations, threshold);
        t.executed = true;
        emit Executed(id);
        result = Address.functionCallWithValue(t.target, t.data, t.value);
    }

    function _confirm(uint256 id) private {
        if (confirmedBy[id][msg.sender]) revert AlreadyConfirmed(id, msg.sender);
        confirmedBy[id][msg.sender] = true;
        transactions[id].confirmations += 1;
        emit Confirmed(id, msg.sender);
    }

    receive() external payable {}
}
