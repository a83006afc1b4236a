//! Typed calls into veil's contracts (`alloy-sol-types`), declared from the
//! Solidity interfaces; selectors and struct layouts match the artifacts
//! (the harness tests would fail otherwise).

#![allow(missing_docs)]

use alloy_sol_types::sol;

sol! {
    #[derive(Debug, PartialEq, Eq)]
    interface IGroth16Verifier {
        function verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[10] input) external view returns (bool);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface IComplianceGate {
        struct Proof { uint256[2] a; uint256[2][2] b; uint256[2] c; }
        struct Statement {
            uint256 policyHash; uint256 issuersRoot; uint256 revocationRoot; uint256 today;
            uint256 scope; uint256 nullifier; uint256 escrowC1x; uint256 escrowC1y; uint256 escrowCt;
        }
        struct Payment { address payer; address payee; address token; uint256 amount; uint256 nonce; }
        struct PolicyParams {
            string schema; uint256 minAgeDays; uint256 maxRisk; uint256 minKycLevel; uint256 subjectTypeMask;
            uint256[] barredCountries; uint256 regulatorX; uint256 regulatorY;
        }
        struct Insertion {
            uint256 key; uint256 lowValue; uint256 lowNext; uint256 lowIndex; uint256[33] lowSiblings;
            uint256 newIndex; uint256[33] newSiblings;
        }

        event Consumed(uint256 indexed policyHash, uint256 indexed scope, uint256 nullifier, uint256 paymentHash,
            uint256 escrowC1x, uint256 escrowC1y, uint256 escrowCt);
        event PolicyRegistered(uint256 indexed policyHash, PolicyParams params, uint256 scope, bool uniqueNullifier);

        function REVOCATION_PUBLISHER_ROLE() external view returns (bytes32);
        function POLICY_ADMIN_ROLE() external view returns (bytes32);
        function CONSUMER_ROLE() external view returns (bytes32);
        function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
        function grantRole(bytes32 role, address account) external;
        function hasRole(bytes32 role, address account) external view returns (bool);
        function setVerifier(address verifier) external;
        function verifier() external view returns (address);
        function registerPolicy(uint256 policyHash, PolicyParams params, uint256 scope, bool uniqueNullifier) external;
        function retirePolicy(uint256 policyHash) external;
        function publishIssuersRoot(uint256 root) external;
        function appendRevocations(Insertion[] insertions) external;
        function setRevocationRoot(uint256 root) external;
        function poseidon() external view returns (address);
        function poseidon4() external view returns (address);
        function issuersRoot() external view returns (uint256);
        function revocationRoot() external view returns (uint256);
        function setRootGracePeriod(uint64 gracePeriod) external;
        function isIssuersRootAccepted(uint256 root) external view returns (bool);
        function isRevocationRootAccepted(uint256 root) external view returns (bool);
        function paymentHash(Payment payment) external view returns (uint256);
        function check(Proof proof, Statement st, Payment payment) external view returns (uint256);
        function consume(Proof proof, Statement st, Payment payment) external returns (uint256);
        function checkHalo2(bytes proof, Statement st, Payment payment) external view returns (uint256);
        function consumeHalo2(bytes proof, Statement st, Payment payment) external returns (uint256);
        function setHalo2Verifier(address verifier) external;
        function halo2Verifier() external view returns (address);
        function nullifierUsed(uint256 scope, uint256 nullifier) external view returns (bool);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface IPoseidonT3 {
        function hash(uint256[2] inputs) external pure returns (uint256);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface IPoseidonT5 {
        function hash(uint256[4] inputs) external pure returns (uint256);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface ISettlementRouter {
        event Settled(address indexed payer, address indexed payee, address indexed token, uint256 amount,
            uint256 nonce, uint256 paymentHash, uint256 nullifier);
        function settle(address token, address payee, uint256 amount, uint256 nonce,
            IComplianceGate.Proof proof, IComplianceGate.Statement statement) external returns (uint256);
        function settleHalo2(address token, address payee, uint256 amount, uint256 nonce,
            bytes proof, IComplianceGate.Statement statement) external returns (uint256);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface IVeilMultisig {
        function propose(address target, uint256 value, bytes data) external returns (uint256);
        function confirm(uint256 id) external;
        function revoke(uint256 id) external;
        function execute(uint256 id) external returns (bytes);
        function transactionCount() external view returns (uint256);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface ITimelock {
        function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay) external;
        function execute(address target, uint256 value, bytes payload, bytes32 predecessor, bytes32 salt) external payable;
        function getMinDelay() external view returns (uint256);
        function hashOperation(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt) external pure returns (bytes32);
        function isOperationReady(bytes32 id) external view returns (bool);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface IVeilDIDRegistry {
        event DIDOwnerChanged(address indexed identity, address owner, uint256 previousChange);
        event DIDDelegateChanged(address indexed identity, bytes32 delegateType, address delegate, uint256 validTo, uint256 previousChange);
        event DIDAttributeChanged(address indexed identity, bytes32 name, bytes value, uint256 validTo, uint256 previousChange);
        function identityOwner(address identity) external view returns (address);
        function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);
        function changeOwner(address identity, address newOwner) external;
        function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external;
        function revokeDelegate(address identity, bytes32 delegateType, address delegate) external;
        function setAttribute(address identity, bytes32 name, bytes value, uint256 validity) external;
        function revokeAttribute(address identity, bytes32 name, bytes value) external;
        function changed(address identity) external view returns (uint256);
    }

    #[derive(Debug, PartialEq, Eq)]
    interface ITestToken {
        function mint(address to, uint256 amount) external;
        function approve(address spender, uint256 amount) external returns (bool);
        function balanceOf(address owner) external view returns (uint256);
        function arm(address target, bytes payload) external;
    }
}
