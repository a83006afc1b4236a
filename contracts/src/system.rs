//! The whole on-chain side deployed on a [`Chain`]: verifier, multisig,
//! timelock, gate, settlement router, DID registry and a test token, wired
//! the way a deployment is: the gate's admin is the timelock, the timelock's
//! only proposer and executor is a 2-of-3 multisig, and every role is granted
//! through them.

use crate::abi::*;
use crate::artifacts::{Artifact, ArtifactError};
use crate::chain::{CallError, Chain, Receipt, CHAIN_ID};
use alloy_primitives::{Address, Bytes, FixedBytes, U256};
use alloy_sol_types::{SolCall, SolValue};
use ark_ff::{BigInteger, PrimeField};
use veil_circuits::imt::Insertion;
use veil_circuits::merkle::MerklePath;
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::{Payment, Policy, PublicInputs, WitnessError};
use veil_circuits::F;
use veil_system::SystemProof;
use veil_verifier::evm::Calldata;
use veil_verifier::Proof;

/// Why deployment or a governed step failed.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// An embedded artifact was unusable.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// A transaction failed.
    #[error("{step}: {source}")]
    Call {
        /// What was being done.
        step: &'static str,
        /// The chain's answer.
        source: CallError,
    },
    /// The policy could not be hashed.
    #[error("policy: {0}")]
    Policy(#[from] WitnessError),
}

fn step(step: &'static str) -> impl FnOnce(CallError) -> SystemError {
    move |source| SystemError::Call { step, source }
}

/// A field element as a uint256.
pub fn uint(x: &F) -> U256 {
    U256::from_be_slice(&x.into_bigint().to_bytes_be())
}

/// A well-known test account (address `0x…0a11ce01` style, by index).
pub fn account(n: u8) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0x7e;
    a[19] = n;
    Address::from(a)
}

/// Settings of a deployment.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// The timelock's minimum delay in seconds.
    pub timelock_delay: u64,
    /// How long a replaced root keeps verifying, in seconds.
    pub root_grace_period: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timelock_delay: 2 * 24 * 3600,
            root_grace_period: 3600,
        }
    }
}

/// Deployed contracts and the actors that use them.
pub struct System {
    /// The chain everything lives on.
    pub chain: Chain,
    /// Deploys the contracts (holds no role afterwards).
    pub deployer: Address,
    /// The multisig's owners (2 of 3 sign).
    pub owners: [Address; 3],
    /// Publishes revocation roots (the issuer registry operator's fast key;
    /// the trusted-issuers root is governed).
    pub revocation_publisher: Address,
    /// The Groth16 verifier.
    pub verifier: Address,
    /// The halo2-KZG verifier (snark-verifier's), the gate's alternative.
    pub halo2_verifier: Address,
    /// The multisig.
    pub multisig: Address,
    /// The timelock.
    pub timelock: Address,
    /// The compliance gate.
    pub gate: Address,
    /// The settlement router.
    pub router: Address,
    /// The on-chain DID registry.
    pub registry: Address,
    /// A test stablecoin.
    pub token: Address,
    config: Config,
    salt: u64,
}

impl System {
    /// Deploys with the committed `Groth16Verifier` (the insecure demo key)
    /// and the committed `Halo2Verifier` (the insecure halo2 demo keys).
    pub fn deploy(config: Config) -> Result<Self, SystemError> {
        Self::deploy_with_verifier(config, Artifact::load("Groth16Verifier")?.bytecode)
    }

    /// Deploys with the given verifier creation code (for another key, or
    /// snarkjs's exported verifier).
    pub fn deploy_with_verifier(config: Config, verifier_code: Bytes) -> Result<Self, SystemError> {
        let mut chain = Chain::new();
        let deployer = account(1);
        let owners = [account(2), account(3), account(4)];
        let revocation_publisher = account(5);
        let verifier = chain
            .deploy(deployer, verifier_code)
            .map_err(step("deploy verifier"))?;
        let halo2_verifier = chain
            .deploy(deployer, Artifact::load("Halo2Verifier")?.bytecode)
            .map_err(step("deploy halo2 verifier"))?;
        let multisig_args = (owners.to_vec(), U256::from(2u64)).abi_encode_params();
        let multisig = chain
            .deploy(
                deployer,
                Artifact::load("VeilMultisig")?.with_args(&multisig_args),
            )
            .map_err(step("deploy multisig"))?;
        let timelock_args = (U256::from(config.timelock_delay), multisig).abi_encode_params();
        let timelock = chain
            .deploy(
                deployer,
                Artifact::load("VeilTimelock")?.with_args(&timelock_args),
            )
            .map_err(step("deploy timelock"))?;
        let poseidon = chain
            .deploy(deployer, Artifact::load("PoseidonT3")?.bytecode)
            .map_err(step("deploy Poseidon(2)"))?;
        let poseidon4 = chain
            .deploy(deployer, Artifact::load("PoseidonT5")?.bytecode)
            .map_err(step("deploy Poseidon(4)"))?;
        let gate_args = (
            timelock,
            verifier,
            U256::from(config.root_grace_period),
            poseidon,
            poseidon4,
        )
            .abi_encode_params();
        let gate = chain
            .deploy(
                deployer,
                Artifact::load("ComplianceGate")?.with_args(&gate_args),
            )
            .map_err(step("deploy gate"))?;
        let router = chain
            .deploy(
                deployer,
                Artifact::load("SettlementRouter")?.with_args(&gate.abi_encode()),
            )
            .map_err(step("deploy router"))?;
        let registry = chain
            .deploy(deployer, Artifact::load("VeilDIDRegistry")?.bytecode)
            .map_err(step("deploy DID registry"))?;
        let token = chain
            .deploy(deployer, Artifact::load("TestToken")?.bytecode)
            .map_err(step("deploy token"))?;
        let mut system = System {
            chain,
            deployer,
            owners,
            revocation_publisher,
            verifier,
            halo2_verifier,
            multisig,
            timelock,
            gate,
            router,
            registry,
            token,
            config,
            salt: 0,
        };
        let publisher_role = system.role(IComplianceGate::REVOCATION_PUBLISHER_ROLECall {})?;
        let consumer_role = system.role(IComplianceGate::CONSUMER_ROLECall {})?;
        system.govern(
            gate,
            IComplianceGate::grantRoleCall {
                role: publisher_role,
                account: revocation_publisher,
            }
            .abi_encode(),
        )?;
        system.govern(
            gate,
            IComplianceGate::grantRoleCall {
                role: consumer_role,
                account: router,
            }
            .abi_encode(),
        )?;
        system.govern(
            gate,
            IComplianceGate::setHalo2VerifierCall {
                verifier: halo2_verifier,
            }
            .abi_encode(),
        )?;
        Ok(system)
    }

    /// The deployment's settings.
    pub fn config(&self) -> Config {
        self.config
    }

    fn role<C: SolCall<Return = FixedBytes<32>>>(
        &mut self,
        call: C,
    ) -> Result<FixedBytes<32>, SystemError> {
        self.chain
            .view_call(self.deployer, self.gate, &call)
            .map_err(step("read role"))
    }

    /// Has the multisig run `data` on itself's behalf: owner 0 proposes,
    /// owner 1 confirms, owner 0 executes.
    pub fn multisig_run(&mut self, target: Address, data: Vec<u8>) -> Result<Receipt, CallError> {
        let (id, _) = self.chain.send_call(
            self.owners[0],
            self.multisig,
            &IVeilMultisig::proposeCall {
                target,
                value: U256::ZERO,
                data: data.into(),
            },
        )?;
        self.chain.send_call(
            self.owners[1],
            self.multisig,
            &IVeilMultisig::confirmCall { id },
        )?;
        self.chain
            .send_call(
                self.owners[0],
                self.multisig,
                &IVeilMultisig::executeCall { id },
            )
            .map(|(_, r)| r)
    }

    /// Schedules `data` on `target` through the multisig and the timelock;
    /// returns the salt that identifies the operation.
    pub fn schedule(&mut self, target: Address, data: &[u8]) -> Result<FixedBytes<32>, CallError> {
        self.salt += 1;
        let salt = FixedBytes::from(U256::from(self.salt).to_be_bytes::<32>());
        let schedule = ITimelock::scheduleCall {
            target,
            value: U256::ZERO,
            data: data.to_vec().into(),
            predecessor: FixedBytes::ZERO,
            salt,
            delay: U256::from(self.config.timelock_delay),
        };
        self.multisig_run(self.timelock, schedule.abi_encode())?;
        Ok(salt)
    }

    /// Executes a scheduled operation through the multisig.
    pub fn execute_scheduled(
        &mut self,
        target: Address,
        data: &[u8],
        salt: FixedBytes<32>,
    ) -> Result<Receipt, CallError> {
        let execute = ITimelock::executeCall {
            target,
            value: U256::ZERO,
            payload: data.to_vec().into(),
            predecessor: FixedBytes::ZERO,
            salt,
        };
        self.multisig_run(self.timelock, execute.abi_encode())
    }

    /// A governed change, start to end: schedule, wait out the delay, execute.
    pub fn govern(&mut self, target: Address, data: Vec<u8>) -> Result<(), SystemError> {
        let salt = self.schedule(target, &data).map_err(step("schedule"))?;
        self.chain.warp(self.config.timelock_delay);
        self.execute_scheduled(target, &data, salt)
            .map_err(step("execute"))?;
        Ok(())
    }

    /// Registers `policy` with the gate through governance.
    pub fn register_policy(
        &mut self,
        policy: &Policy,
        scope: F,
        unique: bool,
    ) -> Result<F, SystemError> {
        let hash = policy.hash()?;
        let call = IComplianceGate::registerPolicyCall {
            policyHash: uint(&hash),
            params: policy_params(policy)?,
            scope: uint(&scope),
            uniqueNullifier: unique,
        };
        self.govern(self.gate, call.abi_encode())?;
        Ok(hash)
    }

    /// Publishes both roots through governance, each only when it changes
    /// (the clock moves past the timelock's delay): roots that are not
    /// appends to the current lists (a sample's, a test's) are the
    /// timelock's. Revocations made since are appended with
    /// [`Self::append_revocations`].
    pub fn publish_roots(&mut self, issuers: F, revocation: F) -> Result<(), SystemError> {
        let current: U256 = self
            .chain
            .view_call(
                self.deployer,
                self.gate,
                &IComplianceGate::issuersRootCall {},
            )
            .map_err(step("read issuers root"))?;
        if current != uint(&issuers) {
            self.publish_issuers_root(issuers)?;
        }
        let current: U256 = self
            .chain
            .view_call(
                self.deployer,
                self.gate,
                &IComplianceGate::revocationRootCall {},
            )
            .map_err(step("read revocation root"))?;
        if current != uint(&revocation) {
            self.set_revocation_root(revocation)?;
        }
        Ok(())
    }

    /// Publishes a trusted-issuers root through the multisig and the
    /// timelock (adding an issuer waits out the delay).
    pub fn publish_issuers_root(&mut self, root: F) -> Result<(), SystemError> {
        let call = IComplianceGate::publishIssuersRootCall { root: uint(&root) };
        self.govern(self.gate, call.abi_encode())
    }

    /// Publishes any revocation root through the multisig and the timelock
    /// (a first tree, a rebuilt one, an id taken off the list).
    pub fn set_revocation_root(&mut self, root: F) -> Result<(), SystemError> {
        let call = IComplianceGate::setRevocationRootCall { root: uint(&root) };
        self.govern(self.gate, call.abi_encode())
    }

    /// Appends revocations with the publisher's fast key: the gate checks
    /// each insertion against its current root.
    pub fn append_revocations(&mut self, insertions: &[Insertion]) -> Result<Receipt, CallError> {
        let publisher = self.revocation_publisher;
        let call = IComplianceGate::appendRevocationsCall {
            insertions: insertions.iter().map(sol_insertion).collect(),
        };
        self.chain
            .send_call(publisher, self.gate, &call)
            .map(|(_, r)| r)
    }

    /// Configures the gate for a sample's world: its policy registered with
    /// its scope, its roots published, the clock on its day.
    pub fn prepare_for(&mut self, sample: &Sample, unique: bool) -> Result<(), SystemError> {
        self.register_policy(&sample.policy, sample.context.scope, unique)?;
        self.publish_roots(sample.issuer_tree.root(), sample.revocation_tree.root())?;
        self.set_day(sample.context.today);
        Ok(())
    }

    /// Moves the chain's clock to noon of `day` (days since 1970-01-01).
    pub fn set_day(&mut self, day: u32) {
        self.chain.set_timestamp(u64::from(day) * 86_400 + 43_200);
    }

    /// The payment `payer` makes through the router, as the gate hashes it.
    pub fn payment(&self, payer: Address, payee: Address, amount: u128, nonce: u128) -> Payment {
        Payment::new(
            CHAIN_ID,
            self.gate.into(),
            payer.into(),
            payee.into(),
            self.token.into(),
            amount,
            nonce,
        )
    }

    /// Mints test tokens to `to` and approves the router to spend them.
    pub fn fund(&mut self, to: Address, amount: u128) -> Result<(), CallError> {
        let amount = U256::from(amount);
        self.chain
            .send_call(to, self.token, &ITestToken::mintCall { to, amount })?;
        self.chain.send_call(
            to,
            self.token,
            &ITestToken::approveCall {
                spender: self.router,
                amount,
            },
        )?;
        Ok(())
    }

    /// A token balance.
    pub fn balance(&mut self, token: Address, owner: Address) -> Result<U256, CallError> {
        self.chain
            .view_call(owner, token, &ITestToken::balanceOfCall { owner })
    }

    /// The gate's `check` for a proof and a payment (no state change).
    pub fn check(
        &mut self,
        proof: &Proof,
        public: &PublicInputs,
        payment: &Payment,
    ) -> Result<Receipt, CallError> {
        let call = IComplianceGate::checkCall {
            proof: sol_proof(proof),
            st: statement(public),
            payment: sol_payment(payment),
        };
        self.chain
            .view(self.deployer, self.gate, call.abi_encode().into())
    }

    /// The router's `settle`, sent by the payment's payer.
    pub fn settle(
        &mut self,
        proof: &Proof,
        public: &PublicInputs,
        payment: &Payment,
    ) -> Result<Receipt, CallError> {
        self.send_as_payer(payment, settle_call(proof, public, payment).abi_encode())
    }

    /// A transaction to the router from the payment's payer.
    fn send_as_payer(&mut self, payment: &Payment, data: Vec<u8>) -> Result<Receipt, CallError> {
        self.chain
            .send(Address::from(payment.payer), self.router, data.into())
    }

    /// The gate's `checkHalo2` for a halo2 proof and a payment.
    pub fn check_halo2(
        &mut self,
        proof: &[u8],
        public: &PublicInputs,
        payment: &Payment,
    ) -> Result<Receipt, CallError> {
        let call = IComplianceGate::checkHalo2Call {
            proof: proof.to_vec().into(),
            st: statement(public),
            payment: sol_payment(payment),
        };
        self.chain
            .view(self.deployer, self.gate, call.abi_encode().into())
    }

    /// The router's `settleHalo2`, sent by the payment's payer.
    pub fn settle_halo2(
        &mut self,
        proof: &[u8],
        public: &PublicInputs,
        payment: &Payment,
    ) -> Result<Receipt, CallError> {
        self.send_as_payer(
            payment,
            settle_halo2_call(proof, public, payment).abi_encode(),
        )
    }

    /// The halo2 verifier contract alone (for gas figures): it returns
    /// nothing and reverts unless the proof verifies, so `Ok` means accepted.
    pub fn verify_on_chain_halo2(
        &mut self,
        proof: &[u8],
        public: &PublicInputs,
    ) -> Result<Receipt, CallError> {
        let calldata = veil_halo2::evm::calldata(public, proof);
        self.chain
            .view(self.deployer, self.halo2_verifier, calldata.into())
    }

    /// The gate's check for a proof of either system.
    pub fn check_proof(
        &mut self,
        proof: &SystemProof,
        public: &PublicInputs,
        payment: &Payment,
    ) -> Result<Receipt, CallError> {
        match proof {
            SystemProof::Groth16(p) => self.check(p, public, payment),
            SystemProof::Halo2Kzg(p) => self.check_halo2(p, public, payment),
        }
    }

    /// The router's settlement with a proof of either system.
    pub fn settle_proof(
        &mut self,
        proof: &SystemProof,
        public: &PublicInputs,
        payment: &Payment,
    ) -> Result<Receipt, CallError> {
        match proof {
            SystemProof::Groth16(p) => self.settle(p, public, payment),
            SystemProof::Halo2Kzg(p) => self.settle_halo2(p, public, payment),
        }
    }

    /// The system's verifier contract alone: whether it accepted, and the
    /// call's gas (a rejection by the halo2 verifier is its revert).
    pub fn verify_proof_on_chain(
        &mut self,
        proof: &SystemProof,
        public: &PublicInputs,
    ) -> Result<(bool, u64), CallError> {
        match proof {
            SystemProof::Groth16(p) => self
                .verify_on_chain(p, public)
                .map(|(ok, r)| (ok, r.gas_used)),
            SystemProof::Halo2Kzg(p) => match self.verify_on_chain_halo2(p, public) {
                Ok(r) => Ok((true, r.gas_used)),
                Err(CallError::Reverted { gas_used, .. }) => Ok((false, gas_used)),
                Err(e) => Err(e),
            },
        }
    }

    /// The verifier contract alone (for gas figures).
    pub fn verify_on_chain(
        &mut self,
        proof: &Proof,
        public: &PublicInputs,
    ) -> Result<(bool, Receipt), CallError> {
        let call = verify_call(proof, &public.to_vec());
        let receipt = self
            .chain
            .view(self.deployer, self.verifier, call.abi_encode().into())?;
        let ok = IGroth16Verifier::verifyProofCall::abi_decode_returns(&receipt.output)
            .map_err(|e| CallError::Decode(e.to_string()))?;
        Ok((ok, receipt))
    }
}

fn word(w: &[u8; 32]) -> U256 {
    U256::from_be_bytes(*w)
}

/// The verifier call for a proof and its inputs.
pub fn verify_call(proof: &Proof, public: &[F]) -> IGroth16Verifier::verifyProofCall {
    let c = Calldata::new(proof, public);
    let mut input = [U256::ZERO; 10];
    for (slot, w) in input.iter_mut().zip(&c.input) {
        *slot = word(w);
    }
    IGroth16Verifier::verifyProofCall {
        a: c.a.map(|w| word(&w)),
        b: c.b.map(|p| p.map(|w| word(&w))),
        c: c.c.map(|w| word(&w)),
        input,
    }
}

/// An insertion in the gate's ABI; a path of another shape than the
/// gate's (11 levels of three siblings) is padded with words the gate refuses
/// (`InsertionNotCanonical`).
pub fn sol_insertion(insertion: &Insertion) -> IComplianceGate::Insertion {
    let siblings = |path: &MerklePath| -> [U256; 33] {
        std::array::from_fn(|i| path.siblings.get(i).map(uint).unwrap_or(U256::MAX))
    };
    IComplianceGate::Insertion {
        key: uint(&insertion.key),
        lowValue: uint(&insertion.low.low_leaf.value),
        lowNext: uint(&insertion.low.low_leaf.next_value),
        lowIndex: U256::from(insertion.low.path.index),
        lowSiblings: siblings(&insertion.low.path),
        newIndex: U256::from(insertion.new_path.index),
        newSiblings: siblings(&insertion.new_path),
    }
}

/// A proof in the gate's struct (EIP-197 order).
pub fn sol_proof(proof: &Proof) -> IComplianceGate::Proof {
    let v = verify_call(proof, &[]);
    IComplianceGate::Proof {
        a: v.a,
        b: v.b,
        c: v.c,
    }
}

/// The public inputs the gate takes from the caller (all but the payment hash).
pub fn statement(p: &PublicInputs) -> IComplianceGate::Statement {
    IComplianceGate::Statement {
        policyHash: uint(&p.policy_hash),
        issuersRoot: uint(&p.issuers_root),
        revocationRoot: uint(&p.revocation_root),
        today: uint(&p.today),
        scope: uint(&p.scope),
        nullifier: uint(&p.nullifier),
        escrowC1x: uint(&p.escrow_c1.0),
        escrowC1y: uint(&p.escrow_c1.1),
        escrowCt: uint(&p.escrow_ct),
    }
}

/// A payment in the gate's struct.
pub fn sol_payment(p: &Payment) -> IComplianceGate::Payment {
    IComplianceGate::Payment {
        payer: p.payer.into(),
        payee: p.payee.into(),
        token: p.token.into(),
        amount: word(&p.amount),
        nonce: word(&p.nonce),
    }
}

/// The router's `settle` call for a proof and its payment.
pub fn settle_call(
    proof: &Proof,
    public: &PublicInputs,
    payment: &Payment,
) -> ISettlementRouter::settleCall {
    ISettlementRouter::settleCall {
        token: payment.token.into(),
        payee: payment.payee.into(),
        amount: word(&payment.amount),
        nonce: word(&payment.nonce),
        proof: sol_proof(proof),
        statement: statement(public),
    }
}

/// The router's `settleHalo2` call for a halo2 proof and its payment.
pub fn settle_halo2_call(
    proof: &[u8],
    public: &PublicInputs,
    payment: &Payment,
) -> ISettlementRouter::settleHalo2Call {
    ISettlementRouter::settleHalo2Call {
        token: payment.token.into(),
        payee: payment.payee.into(),
        amount: word(&payment.amount),
        nonce: word(&payment.nonce),
        proof: proof.to_vec().into(),
        statement: statement(public),
    }
}

/// The policy's published parameters.
pub fn policy_params(policy: &Policy) -> Result<IComplianceGate::PolicyParams, WitnessError> {
    Ok(IComplianceGate::PolicyParams {
        schema: policy.schema.clone(),
        minAgeDays: U256::from(policy.min_age_days),
        maxRisk: U256::from(policy.max_risk),
        minKycLevel: U256::from(policy.min_kyc_level),
        subjectTypeMask: U256::from(policy.subject_type_mask),
        barredCountries: policy
            .barred_padded()?
            .iter()
            .take(policy.barred_countries.len())
            .map(uint)
            .collect(),
        regulatorX: uint(&policy.regulator_key.0.x),
        regulatorY: uint(&policy.regulator_key.0.y),
    })
}
