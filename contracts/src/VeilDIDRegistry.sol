// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title VeilDIDRegistry
/// @notice An on-chain DID registry in the style of ERC-1056 (ethr-did):
/// every address is an identity owned by itself until it names another
/// owner; owners add time-limited delegates and publish attributes as events.
/// An issuer publishes its Baby Jubjub key as the attribute
/// `did/pub/BabyJubJub/veriKey` with value `abi.encode(x, y)`, so wallets and
/// gates can find the ZK signing key beside the classic ones.
/// @dev As in ERC-1056, attributes live in events (cheap; resolvers replay
/// them from `changed[identity]` backwards through `previousChange`).
contract VeilDIDRegistry {
    /// @notice Explicit owners (zero: the identity owns itself).
    mapping(address => address) public owners;
    /// @notice Delegate validity: identity => type => delegate => valid until (unix seconds).
    mapping(address => mapping(bytes32 => mapping(address => uint256))) public delegates;
    /// @notice Block of the identity's latest change, the head of its event chain.
    mapping(address => uint256) public changed;

    event DIDOwnerChanged(address indexed identity, address owner, uint256 previousChange);
    event DIDDelegateChanged(
        address indexed identity, bytes32 delegateType, address delegate, uint256 validTo, uint256 previousChange
    );
    event DIDAttributeChanged(
        address indexed identity, bytes32 name, bytes value, uint256 validTo, uint256 previousChange
    );

    error NotOwner(address identity, address caller);
    error ZeroAddress();

    modifier onlyOwner(address identity) {
        if (msg.sender != identityOwner(identity)) revert NotOwner(identity, msg.sender);
        _;
    }

    /// @notice The identity's current owner.
    function identityOwner(address identity) public view returns (address) {
        address owner = owners[identity];
        return owner == address(0) ? identity : owner;
    }

    /// @notice Whether `delegate` is a valid delegate of `delegateType` now.
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool) {
        return delegates[identity][delegateType][delegate] > block.timestamp;
    }

    /// @notice Hands the identity to a new owner (key rotation).
    function changeOwner(address identity, address newOwner) external onlyOwner(identity) {
        if (newOwner == address(0)) revert ZeroAddress();
        owners[identity] = newOwner;
        emit DIDOwnerChanged(identity, newOwner, changed[identity]);
        changed[identity] = block.number;
    }

    /// @notice Adds a delegate valid for `validity` seconds.
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity)
        external
        onlyOwner(identity)
    {
        uint256 validTo = block.timestamp + validity;
        delegates[identity][delegateType][delegate] = validTo;
        emit DIDDelegateChanged(identity, delegateType, delegate, validTo, changed[identity]);
        changed[identity] = block.number;
    }

    /// @notice Revokes a delegate at once.
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external onlyOwner(identity) {
        delegates[identity][delegateType][delegate] = block.timestamp;
        emit DIDDelegateChanged(identity, delegateType, delegate, block.timestamp, changed[identity]);
        changed[identity] = block.number;
    }

    /// @notice Publishes an attribute valid for `validity` seconds.
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity)
        external
        onlyOwner(identity)
    {
        emit DIDAttributeChanged(identity, name, value, block.timestamp + validity, changed[identity]);
        changed[identity] = block.number;
    }

    /// @notice Revokes an attribute (validTo 0).
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external onlyOwner(identity) {
        emit DIDAttributeChanged(identity, name, value, 0, changed[identity]);
        changed[identity] = block.number;
    }
}
