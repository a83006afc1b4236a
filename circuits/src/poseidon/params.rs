//! Poseidon round constants and MDS matrices, generated exactly as the Poseidon
//! paper's reference script (`generate_parameters_grain.sage 1 0 254 t 8 R_P p`)
//! does: a Grain LFSR seeded with the parameters, round constants by rejection
//! sampling, and a Cauchy MDS matrix from the next `2t` samples.
//!
//! circomlib's `poseidon_constants` were produced by the same script, so the
//! output is circom's parameter set for every width 2..=17 (1 to 16 inputs);
//! `light-poseidon` ships the same constants but only up to 12 inputs, which is
//! why veil derives them. The tests check both sources and the circomlibjs
//! vectors.

use crate::F;
use ark_ff::{AdditiveGroup, BigInteger, BigInteger256, Field, PrimeField};
use std::sync::OnceLock;

/// Full rounds, the same for every width.
pub const FULL_ROUNDS: usize = 8;
/// Partial rounds for widths 2..=17 (index `t - 2`), as in circomlib.
pub const PARTIAL_ROUNDS: [usize; 16] = [
    56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68,
];
/// Largest number of inputs circom's Poseidon accepts.
pub const MAX_INPUTS: usize = 16;

/// The parameters of one Poseidon width.
#[derive(Debug)]
pub struct PoseidonParams {
    /// State width `t` = inputs + 1.
    pub width: usize,
    /// Partial rounds for this width.
    pub partial_rounds: usize,
    /// `(FULL_ROUNDS + partial_rounds) * width` round constants, round-major.
    pub round_constants: Vec<F>,
    /// `width x width` MDS matrix, row-major: `new[i] = sum_j mds[i][j] * old[j]`.
    pub mds: Vec<Vec<F>>,
    /// Per round and MDS row, round-major: `sum_{j >= 1} mds[i][j] * c[j]`
    /// in a partial round (the constants of the elements its S-box does not
    /// touch, mixed), 0 in a full round. The permutation adds it after the
    /// mix instead of adding those constants before it: the same state, and
    /// in a circuit each mixed element stays one linear combination.
    pub mix_offsets: Vec<F>,
}

impl PoseidonParams {
    /// Round constant `i` of round `round`.
    pub fn constant(&self, round: usize, i: usize) -> F {
        self.round_constants[round * self.width + i]
    }

    /// Whether `round` applies the S-box to every element.
    pub fn is_full(&self, round: usize) -> bool {
        round < FULL_ROUNDS / 2 || round >= FULL_ROUNDS / 2 + self.partial_rounds
    }

    /// [`PoseidonParams::mix_offsets`] of MDS row `i` in `round`.
    pub fn mix_offset(&self, round: usize, i: usize) -> F {
        self.mix_offsets[round * self.width + i]
    }
}

/// Parameters for `inputs` inputs (1..=16), generated once and cached.
/// Returns `None` outside that range.
pub fn params_for_inputs(inputs: usize) -> Option<&'static PoseidonParams> {
    static CACHE: [OnceLock<PoseidonParams>; MAX_INPUTS] = [const { OnceLock::new() }; MAX_INPUTS];
    if inputs == 0 || inputs > MAX_INPUTS {
        return None;
    }
    Some(CACHE[inputs - 1].get_or_init(|| generate(inputs + 1)))
}

/// The Grain LFSR of the reference script, in self-shrinking mode.
///
/// The 80-bit state sits in the low bits of a `u128`, bit `k` the reference's
/// `state[k]`. The feedback's nearest tap is 18 bits from the end, so 18
/// steps are computed at once with six shifts, and handed out one by one
/// from `block` (every process that hashes generates the constants of the
/// arities it uses, so this is on a wallet's path to its first proof).
struct Grain {
    state: u128,
    /// The next steps' output bits, least significant first.
    block: u32,
    /// How many bits of `block` are left.
    left: u32,
}

impl Grain {
    const MASK: u128 = (1 << 80) - 1;
    /// Steps computed at once: 80 − 62, the distance to the nearest tap.
    const BLOCK: u32 = 18;

    fn new(width: usize, partial_rounds: usize) -> Self {
        // field = 1 (prime), sbox = 0 (x^alpha), n = 254, t, R_F, R_P, then 30 ones.
        let fields: [(u64, usize); 6] = [
            (1, 2),
            (0, 4),
            (254, 12),
            (width as u64, 12),
            (FULL_ROUNDS as u64, 10),
            (partial_rounds as u64, 10),
        ];
        let mut state = Self::MASK;
        let mut i = 0;
        for (value, bits) in fields {
            for b in (0..bits).rev() {
                if (value >> b) & 1 == 0 {
                    state &= !(1 << i);
                }
                i += 1;
            }
        }
        let mut grain = Grain {
            state,
            block: 0,
            left: 0,
        };
        for _ in 0..160 {
            grain.step();
        }
        grain
    }

    /// One LFSR step: the new bit is `s[62] ^ s[51] ^ s[38] ^ s[23] ^ s[13]
    /// ^ s[0]`, and the state shifts by one towards bit 0; 18 of them at a
    /// time, as each new bit's taps are all in the state before the block.
    fn step(&mut self) -> bool {
        if self.left == 0 {
            let s = self.state;
            let bits = ((s >> 62) ^ (s >> 51) ^ (s >> 38) ^ (s >> 23) ^ (s >> 13) ^ s)
                & ((1 << Self::BLOCK) - 1);
            self.state = (s >> Self::BLOCK) | (bits << (80 - Self::BLOCK));
            self.block = bits as u32;
            self.left = Self::BLOCK;
        }
        let bit = self.block & 1 == 1;
        self.block >>= 1;
        self.left -= 1;
        bit
    }

    /// Self-shrinking output: pairs (a, b), emit b when a is 1.
    fn next_bit(&mut self) -> bool {
        loop {
            let keep = self.step();
            let bit = self.step();
            if keep {
                return bit;
            }
        }
    }

    /// 254 bits, most significant first, as an integer.
    fn next_integer(&mut self) -> BigInteger256 {
        let mut limbs = [0u64; 4];
        for bit in (0..254).rev() {
            if self.next_bit() {
                limbs[bit / 64] |= 1 << (bit % 64);
            }
        }
        BigInteger256::new(limbs)
    }

    /// A field element by rejection sampling (round constants).
    fn next_field_rejecting(&mut self) -> F {
        loop {
            if let Some(f) = F::from_bigint(self.next_integer()) {
                return f;
            }
        }
    }

    /// A field element reduced modulo p (MDS sampling).
    fn next_field_reduced(&mut self) -> F {
        F::from_le_bytes_mod_order(&self.next_integer().to_bytes_le())
    }
}

fn generate(width: usize) -> PoseidonParams {
    let partial_rounds = PARTIAL_ROUNDS[width - 2];
    let mut grain = Grain::new(width, partial_rounds);
    let round_constants: Vec<F> = (0..(FULL_ROUNDS + partial_rounds) * width)
        .map(|_| grain.next_field_rejecting())
        .collect();
    let samples: Vec<F> = (0..2 * width).map(|_| grain.next_field_reduced()).collect();
    let (xs, ys) = samples.split_at(width);
    let mds: Vec<Vec<F>> = xs
        .iter()
        .map(|x| {
            ys.iter()
                .map(|y| {
                    (*x + y)
                        .inverse()
                        .expect("Cauchy MDS entries are non-zero for circom's parameters")
                })
                .collect()
        })
        .collect();
    let mut params = PoseidonParams {
        width,
        partial_rounds,
        round_constants,
        mds,
        mix_offsets: Vec::new(),
    };
    params.mix_offsets = (0..FULL_ROUNDS + partial_rounds)
        .flat_map(|round| {
            let p = &params;
            p.mds.iter().map(move |row| {
                if p.is_full(round) {
                    F::ZERO
                } else {
                    (1..width).map(|j| row[j] * p.constant(round, j)).sum()
                }
            })
        })
        .collect();
    params
}
