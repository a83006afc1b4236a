// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IGroth16Verifier} from "./IGroth16Verifier.sol";

/// @title ComplianceGate
/// @notice Decides whether a payment may settle: the payer's wallet proves,
/// in zero knowledge, that it holds a credential from a trusted, unrevoked
/// issuer meeting a registered policy, bound to exactly this payment.
/// @dev Every public input of the statement is either checked against the
/// gate's own state (policy, roots, day, scope, nullifier) or computed by the
/// gate itself (the payment hash), so a caller cannot substitute any of them.
/// The admin role belongs to a TimelockController driven by a multisig:
/// policies, root publishers, consumers and the verifier change only after
/// the timelock's delay and with the multisig's threshold of signatures.
contract ComplianceGate is AccessControl {
    /// @notice May publish the trusted-issuers and revocation roots.
    bytes32 public constant ROOT_PUBLISHER_ROLE = keccak256("ROOT_PUBLISHER_ROLE");
    /// @notice May register and retire policies (held by the timelock).
    bytes32 public constant POLICY_ADMIN_ROLE = keccak256("POLICY_ADMIN_ROLE");
    /// @notice May consume proofs (settlement contracts such as SettlementRouter).
    bytes32 public constant CONSUMER_ROLE = keccak256("CONSUMER_ROLE");

    /// @notice BN254's scalar-field modulus: public inputs live below it.
    uint256 public constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice A Groth16 proof in EIP-197 order (`b` as [[x.c1, x.c0], [y.c1, y.c0]]).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice The public inputs the prover chooses; the payment hash is not
    /// among them because the gate computes it.
    struct Statement {
        uint256 policyHash;
        uint256 issuersRoot;
        uint256 revocationRoot;
        uint256 today;
        uint256 scope;
        uint256 nullifier;
        uint256 escrowC1x;
        uint256 escrowC1y;
        uint256 escrowCt;
    }

    /// @notice The settlement the proof must be bound to.
    struct Payment {
        address payer;
        address payee;
        address token;
        uint256 amount;
        uint256 nonce;
    }

    /// @notice The policy's parameters, published so anyone can recompute
    /// `policy_hash = H(minAgeDays, maxRisk, minKycLevel, subjectTypeMask,
    /// H(barredCountries padded to 16), regulatorX, regulatorY)` off-chain
    /// during the timelock's delay, before the policy takes effect.
    struct PolicyParams {
        uint256 minAgeDays;
        uint256 maxRisk;
        uint256 minKycLevel;
        uint256 subjectTypeMask;
        uint256[] barredCountries;
        uint256 regulatorX;
        uint256 regulatorY;
    }

    /// @notice What the gate enforces for a registered policy beyond the proof.
    struct PolicyRule {
        bool registered;
        bool uniqueNullifier;
        uint256 scope;
    }

    /// @notice The verifier of the statement's proofs.
    IGroth16Verifier public verifier;
    /// @notice How long a replaced root keeps verifying (proofs made just
    /// before an update still settle).
    uint64 public rootGracePeriod;

    /// @notice Current trusted-issuers root.
    uint256 public issuersRoot;
    /// @notice Current revocation root.
    uint256 public revocationRoot;
    /// @notice When each replaced trusted-issuers root was replaced (0: never, or current).
    mapping(uint256 => uint64) public issuersRootRetiredAt;
    /// @notice When each replaced revocation root was replaced.
    mapping(uint256 => uint64) public revocationRootRetiredAt;

    /// @notice Registered policies by hash.
    mapping(uint256 => PolicyRule) public policies;
    /// @notice Nullifiers used, per scope (policies asking for uniqueness).
    mapping(uint256 => mapping(uint256 => bool)) public nullifierUsed;
    /// @notice Payment hashes already settled: a proof settles one payment once.
    mapping(uint256 => bool) public paymentUsed;

    event PolicyRegistered(uint256 indexed policyHash, PolicyParams params, uint256 scope, bool uniqueNullifier);
    event PolicyRetired(uint256 indexed policyHash);
    event IssuersRootPublished(uint256 indexed root, uint256 previous);
    event RevocationRootPublished(uint256 indexed root, uint256 previous);
    event VerifierChanged(address indexed verifier, address previous);
    event RootGracePeriodChanged(uint64 seconds_);
    /// @notice A proof was used. The escrow ciphertext is the regulator's
    /// handle on the credential; nothing here identifies the holder.
    event Consumed(
        uint256 indexed policyHash,
        uint256 indexed scope,
        uint256 nullifier,
        uint256 paymentHash,
        uint256 escrowC1x,
        uint256 escrowC1y,
        uint256 escrowCt
    );

    error PolicyNotRegistered(uint256 policyHash);
    error PolicyAlreadyRegistered(uint256 policyHash);
    error IssuersRootNotAccepted(uint256 root);
    error RevocationRootNotAccepted(uint256 root);
    error TodayOutOfWindow(uint256 today, uint256 chainDay);
    error ScopeMismatch(uint256 expected, uint256 got);
    error NullifierAlreadyUsed(uint256 scope, uint256 nullifier);
    error PaymentAlreadySettled(uint256 paymentHash);
    error InvalidProof();
    error ZeroAddress();

    /// @param admin the TimelockController that governs the gate
    /// @param verifier_ the statement's verifier
    /// @param gracePeriod seconds a replaced root keeps verifying
    constructor(address admin, IGroth16Verifier verifier_, uint64 gracePeriod) {
        if (admin == address(0) || address(verifier_) == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(POLICY_ADMIN_ROLE, admin);
        verifier = verifier_;
        rootGracePeriod = gracePeriod;
        emit VerifierChanged(address(verifier_), address(0));
        emit RootGracePeriodChanged(gracePeriod);
    }

    // ----- governance (timelock) -----

    /// @notice Replaces the verifier (a new circuit or proving system); the
    /// gate itself is not upgradeable, this is its only upgrade path.
    function setVerifier(IGroth16Verifier verifier_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(verifier_) == address(0)) revert ZeroAddress();
        emit VerifierChanged(address(verifier_), address(verifier));
        verifier = verifier_;
    }

    /// @notice Sets how long replaced roots stay acceptable.
    function setRootGracePeriod(uint64 gracePeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        rootGracePeriod = gracePeriod;
        emit RootGracePeriodChanged(gracePeriod);
    }

    /// @notice Registers a policy by hash, publishing its parameters.
    /// @param scope the only scope proofs under this policy may use
    /// @param uniqueNullifier whether each holder may use the policy once per scope
    function registerPolicy(uint256 policyHash, PolicyParams calldata params, uint256 scope, bool uniqueNullifier)
        external
        onlyRole(POLICY_ADMIN_ROLE)
    {
        if (policies[policyHash].registered) revert PolicyAlreadyRegistered(policyHash);
        policies[policyHash] = PolicyRule({registered: true, uniqueNullifier: uniqueNullifier, scope: scope});
        emit PolicyRegistered(policyHash, params, scope, uniqueNullifier);
    }

    /// @notice Retires a policy: its proofs no longer pass.
    function retirePolicy(uint256 policyHash) external onlyRole(POLICY_ADMIN_ROLE) {
        if (!policies[policyHash].registered) revert PolicyNotRegistered(policyHash);
        delete policies[policyHash];
        emit PolicyRetired(policyHash);
    }

    // ----- roots (issuer registry operators) -----

    /// @notice Publishes a new trusted-issuers root; the previous one stays
    /// acceptable for `rootGracePeriod`.
    function publishIssuersRoot(uint256 root) external onlyRole(ROOT_PUBLISHER_ROLE) {
        uint256 previous = issuersRoot;
        if (previous != 0) issuersRootRetiredAt[previous] = uint64(block.timestamp);
        issuersRootRetiredAt[root] = 0;
        issuersRoot = root;
        emit IssuersRootPublished(root, previous);
    }

    /// @notice Publishes a new revocation root (after revocations); the
    /// previous one stays acceptable for `rootGracePeriod`.
    function publishRevocationRoot(uint256 root) external onlyRole(ROOT_PUBLISHER_ROLE) {
        uint256 previous = revocationRoot;
        if (previous != 0) revocationRootRetiredAt[previous] = uint64(block.timestamp);
        revocationRootRetiredAt[root] = 0;
        revocationRoot = root;
        emit RevocationRootPublished(root, previous);
    }

    /// @notice Whether proofs against this trusted-issuers root are accepted now.
    function isIssuersRootAccepted(uint256 root) public view returns (bool) {
        if (root == 0) return false;
        return root == issuersRoot || _withinGrace(issuersRootRetiredAt[root]);
    }

    /// @notice Whether proofs against this revocation root are accepted now.
    function isRevocationRootAccepted(uint256 root) public view returns (bool) {
        if (root == 0) return false;
        return root == revocationRoot || _withinGrace(revocationRootRetiredAt[root]);
    }

    /// @dev The history is read only for a root that is not current, so the
    /// common case costs one storage read per root.
    function _withinGrace(uint64 retiredAt) private view returns (bool) {
        return retiredAt != 0 && block.timestamp <= uint256(retiredAt) + rootGracePeriod;
    }

    // ----- proofs -----

    /// @notice The payment hash the proof must carry:
    /// `keccak256(abi.encode(chainid, gate, payer, payee, token, amount, nonce)) mod r`.
    function paymentHash(Payment calldata payment) public view returns (uint256) {
        return uint256(
            keccak256(
                abi.encode(
                    block.chainid,
                    address(this),
                    payment.payer,
                    payment.payee,
                    payment.token,
                    payment.amount,
                    payment.nonce
                )
            )
        ) % SNARK_SCALAR_FIELD;
    }

    /// @notice Checks a proof for a payment without recording anything.
    /// @dev Reverts with the first rule that fails; returns the payment hash.
    function check(Proof calldata proof, Statement calldata st, Payment calldata payment)
        public
        view
        returns (uint256 paymentHash_)
    {
        PolicyRule memory rule = policies[st.policyHash];
        if (!rule.registered) revert PolicyNotRegistered(st.policyHash);
        if (!isIssuersRootAccepted(st.issuersRoot)) revert IssuersRootNotAccepted(st.issuersRoot);
        if (!isRevocationRootAccepted(st.revocationRoot)) revert RevocationRootNotAccepted(st.revocationRoot);
        uint256 chainDay = block.timestamp / 1 days;
        if (st.today + 1 < chainDay || st.today > chainDay + 1) revert TodayOutOfWindow(st.today, chainDay);
        if (st.scope != rule.scope) revert ScopeMismatch(rule.scope, st.scope);
        if (rule.uniqueNullifier && nullifierUsed[st.scope][st.nullifier]) {
            revert NullifierAlreadyUsed(st.scope, st.nullifier);
        }
        paymentHash_ = paymentHash(payment);
        if (paymentUsed[paymentHash_]) revert PaymentAlreadySettled(paymentHash_);
        uint256[10] memory input = [
            st.policyHash,
            st.issuersRoot,
            st.revocationRoot,
            st.today,
            st.scope,
            paymentHash_,
            st.nullifier,
            st.escrowC1x,
            st.escrowC1y,
            st.escrowCt
        ];
        if (!verifier.verifyProof(proof.a, proof.b, proof.c, input)) revert InvalidProof();
    }

    /// @notice Checks a proof and records its use: the payment settles once
    /// and, under a uniqueness policy, the nullifier is spent in its scope.
    function consume(Proof calldata proof, Statement calldata st, Payment calldata payment)
        external
        onlyRole(CONSUMER_ROLE)
        returns (uint256 paymentHash_)
    {
        paymentHash_ = check(proof, st, payment);
        paymentUsed[paymentHash_] = true;
        if (policies[st.policyHash].uniqueNullifier) nullifierUsed[st.scope][st.nullifier] = true;
        emit Consumed(
            st.policyHash, st.scope, st.nullifier, paymentHash_, st.escrowC1x, st.escrowC1y, st.escrowCt
        );
    }
}
