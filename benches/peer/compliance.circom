pragma circom 2.0.0;

// veil's compliance statement (shared/design/statement.md) in circom 2 with
// circomlib, for a side-by-side comparison with veil's arkworks circuit.
// Same ten public inputs in the same order; the witness comes from veil
// (`cargo run --release -p veil-benches --example peer_input`), so a
// successful witness calculation also shows that veil's Poseidon, EdDSA,
// Merkle, indexed-Merkle and escrow values are the ones circomlib computes.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/escalarmulany.circom";
include "circomlib/circuits/escalarmulfix.circom";

// Witness helper: k·P on Baby Jubjub by double-and-add (not constrained).
function bjjMul(x, y, k) {
    var a = 168700;
    var d = 168696;
    var rx = 0;
    var ry = 1;
    var px = x;
    var py = y;
    var e = k;
    while (e > 0) {
        if (e % 2 == 1) {
            var t = d * rx * px * ry * py;
            var nx = (rx * py + ry * px) / (1 + t);
            var ny = (ry * py - a * rx * px) / (1 - t);
            rx = nx;
            ry = ny;
        }
        var s = d * px * px * py * py;
        var qx = (2 * px * py) / (1 + s);
        var qy = (py * py - a * px * px) / (1 - s);
        px = qx;
        py = qy;
        e = e \ 2;
    }
    return [rx, ry];
}

// P is in the prime-order subgroup: P = 8·Q for a Q on the curve.
template InSubgroup() {
    signal input x;
    signal input y;
    signal qx;
    signal qy;
    var q[2] = bjjMul(x, y, 2394026564107420727433200628387514462817212225638746351800188703329891451411);
    qx <-- q[0];
    qy <-- q[1];
    component onCurve = BabyCheck();
    onCurve.x <== qx;
    onCurve.y <== qy;
    component d1 = BabyDbl();
    d1.x <== qx;
    d1.y <== qy;
    component d2 = BabyDbl();
    d2.x <== d1.xout;
    d2.y <== d1.yout;
    component d3 = BabyDbl();
    d3.x <== d2.xout;
    d3.y <== d2.yout;
    d3.xout === x;
    d3.yout === y;
}

// 4-ary Merkle membership with Poseidon(4), as veil's trees of four
// children: a level's two index bits (little-endian) name the node's
// position, and its three siblings fill the other positions in order.
template MerkleRoot4(depth) {
    signal input leaf;
    signal input indices[2 * depth];
    signal input siblings[3 * depth];
    signal output root;
    component h[depth];
    signal cur[depth + 1];
    signal both[depth];
    signal is[depth][4];
    signal keep[depth][4];
    signal shift[depth][4];
    cur[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        var b0 = indices[2 * i];
        var b1 = indices[2 * i + 1];
        b0 * (b0 - 1) === 0;
        b1 * (b1 - 1) === 0;
        both[i] <== b0 * b1;
        // is[j]: the node sits at position j.
        is[i][0] <== 1 - b0 - b1 + both[i];
        is[i][1] <== b0 - both[i];
        is[i][2] <== b1 - both[i];
        is[i][3] <== both[i];
        h[i] = Poseidon(4);
        for (var j = 0; j < 4; j++) {
            // Before the node's position a child is sibling j, after it
            // sibling j - 1.
            var before = 0;
            for (var t = j + 1; t < 4; t++) before += is[i][t];
            var after = 1 - before - is[i][j];
            keep[i][j] <== is[i][j] * cur[i];
            shift[i][j] <== before * (j < 3 ? siblings[3 * i + j] : 0);
            h[i].inputs[j] <== keep[i][j] + shift[i][j]
                + after * (j > 0 ? siblings[3 * i + j - 1] : 0);
        }
        cur[i + 1] <== h[i].out;
    }
    root <== cur[depth];
}

template Bits(n) {
    signal input in;
    component b = Num2Bits(n);
    b.in <== in;
}

template Compliance(issuerDepth, revDepth, nBarred) {
    // Public inputs, in the statement's order.
    signal input policy_hash;
    signal input issuers_root;
    signal input revocation_root;
    signal input today;
    signal input scope;
    signal input payment_hash;
    signal input nullifier;
    signal input escrow_c1x;
    signal input escrow_c1y;
    signal input escrow_ct;

    // Credential.
    signal input claims[11];
    signal input holder_secret;
    signal input issuer_ax;
    signal input issuer_ay;
    signal input sig_r8x;
    signal input sig_r8y;
    signal input sig_s;
    signal input issuer_indices[2 * issuerDepth];
    signal input issuer_siblings[3 * issuerDepth];
    signal input rev_low_value;
    signal input rev_low_next;
    signal input rev_indices[2 * revDepth];
    signal input rev_siblings[3 * revDepth];
    // Policy.
    signal input min_age_days;
    signal input max_risk;
    signal input min_kyc_level;
    signal input subject_type_mask;
    signal input barred[nBarred];
    signal input regulator_x;
    signal input regulator_y;
    // Escrow randomness (below the subgroup order).
    signal input escrow_r;

    // Issuer signature on H(c0, c1, c2, packed c3..c9, c10), key and R8 in
    // the subgroup. The numeric claims are packed at their disclosure
    // offsets (birth date 0, country 32, KYC level 48, risk 56, subject type
    // 72, issued 80, expires 112); their range checks below make it
    // one-to-one.
    component claimsHash = Poseidon(5);
    claimsHash.inputs[0] <== claims[0];
    claimsHash.inputs[1] <== claims[1];
    claimsHash.inputs[2] <== claims[2];
    claimsHash.inputs[3] <== claims[3] + claims[4] * (1 << 32) + claims[5] * (1 << 48)
        + claims[6] * (1 << 56) + claims[7] * (1 << 72) + claims[8] * (1 << 80)
        + claims[9] * (1 << 112);
    claimsHash.inputs[4] <== claims[10];
    component sig = EdDSAPoseidonVerifier();
    sig.enabled <== 1;
    sig.Ax <== issuer_ax;
    sig.Ay <== issuer_ay;
    sig.S <== sig_s;
    sig.R8x <== sig_r8x;
    sig.R8y <== sig_r8y;
    sig.M <== claimsHash.out;
    component keyInGroup = InSubgroup();
    keyInGroup.x <== issuer_ax;
    keyInGroup.y <== issuer_ay;
    component r8InGroup = InSubgroup();
    r8InGroup.x <== sig_r8x;
    r8InGroup.y <== sig_r8y;

    // Issuer trusted.
    component leaf = Poseidon(2);
    leaf.inputs[0] <== issuer_ax;
    leaf.inputs[1] <== issuer_ay;
    component issuers = MerkleRoot4(issuerDepth);
    issuers.leaf <== leaf.out;
    for (var i = 0; i < 2 * issuerDepth; i++) issuers.indices[i] <== issuer_indices[i];
    for (var i = 0; i < 3 * issuerDepth; i++) issuers.siblings[i] <== issuer_siblings[i];
    issuers.root === issuers_root;

    // Not revoked: the indexed Merkle tree's low leaf brackets the id
    // (low < id < next, or next = 0 at the end of the list), ids 248 bits.
    component idBits = Bits(248);
    idBits.in <== claims[2];
    component aboveLow = Bits(248);
    aboveLow.in <== claims[2] - rev_low_value - 1;
    component atEnd = IsZero();
    atEnd.in <== rev_low_next;
    signal upper;
    upper <== atEnd.out * (claims[2] + 1 - rev_low_next) + rev_low_next;
    component belowNext = Bits(248);
    belowNext.in <== upper - claims[2] - 1;
    component lowLeaf = Poseidon(2);
    lowLeaf.inputs[0] <== rev_low_value;
    lowLeaf.inputs[1] <== rev_low_next;
    component revocations = MerkleRoot4(revDepth);
    revocations.leaf <== lowLeaf.out;
    for (var i = 0; i < 2 * revDepth; i++) revocations.indices[i] <== rev_indices[i];
    for (var i = 0; i < 3 * revDepth; i++) revocations.siblings[i] <== rev_siblings[i];
    revocations.root === revocation_root;

    // Holder binding and nullifier.
    component holder = Poseidon(1);
    holder.inputs[0] <== holder_secret;
    holder.out === claims[1];
    component nul = Poseidon(2);
    nul.inputs[0] <== holder_secret;
    nul.inputs[1] <== scope;
    nul.out === nullifier;

    // Ranges of every compared value.
    component r0 = Bits(32); r0.in <== claims[3];
    component r1 = Bits(16); r1.in <== claims[4];
    component r2 = Bits(8); r2.in <== claims[5];
    component r3 = Bits(16); r3.in <== claims[6];
    component r5 = Bits(32); r5.in <== claims[8];
    component r6 = Bits(32); r6.in <== claims[9];
    component r7 = Bits(32); r7.in <== today;
    component r8 = Bits(32); r8.in <== min_age_days;
    component r9 = Bits(16); r9.in <== max_risk;
    component r10 = Bits(8); r10.in <== min_kyc_level;

    // Predicates.
    component age = LessEqThan(34);
    age.in[0] <== claims[3] + min_age_days;
    age.in[1] <== today;
    age.out === 1;
    component issued = LessEqThan(32);
    issued.in[0] <== claims[8];
    issued.in[1] <== today;
    issued.out === 1;
    component expiry = LessThan(32);
    expiry.in[0] <== today;
    expiry.in[1] <== claims[9];
    expiry.out === 1;
    component kyc = GreaterEqThan(8);
    kyc.in[0] <== claims[5];
    kyc.in[1] <== min_kyc_level;
    kyc.out === 1;
    component risk = LessEqThan(16);
    risk.in[0] <== claims[6];
    risk.in[1] <== max_risk;
    risk.out === 1;

    // Bit `subject_type` of the mask is set (subject_type < 8).
    component mask = Num2Bits(8);
    mask.in <== subject_type_mask;
    component typeIs[8];
    signal picked[9];
    signal hits[9];
    picked[0] <== 0;
    hits[0] <== 0;
    for (var t = 0; t < 8; t++) {
        typeIs[t] = IsEqual();
        typeIs[t].in[0] <== claims[7];
        typeIs[t].in[1] <== t;
        picked[t + 1] <== picked[t] + typeIs[t].out * mask.out[t];
        hits[t + 1] <== hits[t] + typeIs[t].out;
    }
    hits[8] === 1;
    picked[8] === 1;

    // Country not barred.
    component barredEq[nBarred];
    for (var i = 0; i < nBarred; i++) {
        barredEq[i] = IsEqual();
        barredEq[i].in[0] <== claims[4];
        barredEq[i].in[1] <== barred[i];
        barredEq[i].out === 0;
    }

    // Policy hash.
    component sanctions = Poseidon(nBarred);
    for (var i = 0; i < nBarred; i++) sanctions.inputs[i] <== barred[i];
    // The schema is claim c0 itself (a credential of another schema fails).
    component policy = Poseidon(8);
    policy.inputs[0] <== claims[0];
    policy.inputs[1] <== min_age_days;
    policy.inputs[2] <== max_risk;
    policy.inputs[3] <== min_kyc_level;
    policy.inputs[4] <== subject_type_mask;
    policy.inputs[5] <== sanctions.out;
    policy.inputs[6] <== regulator_x;
    policy.inputs[7] <== regulator_y;
    policy.out === policy_hash;

    // Escrow: c1 = r·Base8, K = r·regulator, ct = id + H(K).
    component rBits = Num2Bits(251);
    rBits.in <== escrow_r;
    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    component c1 = EscalarMulFix(251, BASE8);
    for (var i = 0; i < 251; i++) c1.e[i] <== rBits.out[i];
    c1.out[0] === escrow_c1x;
    c1.out[1] === escrow_c1y;
    component k = EscalarMulAny(251);
    for (var i = 0; i < 251; i++) k.e[i] <== rBits.out[i];
    k.p[0] <== regulator_x;
    k.p[1] <== regulator_y;
    component kHash = Poseidon(2);
    kHash.inputs[0] <== k.out[0];
    kHash.inputs[1] <== k.out[1];
    escrow_ct === claims[2] + kHash.out;

    // Bind the payment hash.
    signal paymentSquared;
    paymentSquared <== payment_hash * payment_hash;
}

component main {public [policy_hash, issuers_root, revocation_root, today, scope,
                        payment_hash, nullifier, escrow_c1x, escrow_c1y, escrow_ct]}
    = Compliance(8, 11, 16);
