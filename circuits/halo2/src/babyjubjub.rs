//! Baby Jubjub (circomlib's twisted Edwards curve over BN254's scalar field)
//! as a halo2-base chip. Coordinates are native field elements, so every
//! operation is a handful of flex-gate cells.
//!
//! The native side is `veil_circuits::babyjubjub` (arkworks' curve with
//! circomlib's `a = 168700`, `d = 168696`, `Base8`); the tests compare the two
//! on the same points.
//!
//! Addition uses the complete twisted-Edwards formulas (`a` is a square and
//! `d` is not, so no input makes a denominator vanish on the curve): 36 cells.
//! A division's witness is computed with a zero inverse when the denominator
//! is zero, so a bad witness (a point off the curve) fails the constraint
//! instead of panicking while the witness is generated.

use crate::field::{ark, fr};
use crate::{Cell, Fr};
use ark_ec::{twisted_edwards::TECurveConfig, AffineRepr, CurveConfig, CurveGroup};
use halo2_base::gates::{GateChip, GateInstructions};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::{
    Context,
    QuantumCell::{Constant, Existing, Witness},
};
use veil_circuits::babyjubjub::{BabyJubjubConfig, Point};

/// A point whose coordinates are cells.
#[derive(Clone, Copy, Debug)]
pub struct AssignedPoint {
    /// x coordinate.
    pub x: Cell,
    /// y coordinate.
    pub y: Cell,
}

impl AssignedPoint {
    /// The point's value (for witness computations).
    pub fn value(&self) -> (Fr, Fr) {
        (*self.x.value(), *self.y.value())
    }
}

fn coeff_a() -> Fr {
    fr(&<BabyJubjubConfig as TECurveConfig>::COEFF_A)
}

fn coeff_d() -> Fr {
    fr(&<BabyJubjubConfig as TECurveConfig>::COEFF_D)
}

/// Loads a point as a private witness (unchecked: callers constrain it).
pub fn load_witness(ctx: &mut Context<Fr>, x: Fr, y: Fr) -> AssignedPoint {
    AssignedPoint {
        x: ctx.load_witness(x),
        y: ctx.load_witness(y),
    }
}

/// Loads a native point as a private witness (unchecked).
pub fn load_point(ctx: &mut Context<Fr>, p: &Point) -> AssignedPoint {
    load_witness(ctx, fr(&p.x), fr(&p.y))
}

/// A constant point.
pub fn load_constant(ctx: &mut Context<Fr>, p: &Point) -> AssignedPoint {
    AssignedPoint {
        x: ctx.load_constant(fr(&p.x)),
        y: ctx.load_constant(fr(&p.y)),
    }
}

/// `num / den`, constrained as `den · q = num`; a zero denominator gives a
/// witness that fails the constraint (unless `num` is zero too).
fn divide(ctx: &mut Context<Fr>, num: Cell, den: Cell) -> Cell {
    let q = den.value().invert().unwrap_or(Fr::ZERO) * num.value();
    ctx.assign_region(
        [Constant(Fr::ZERO), Witness(q), Existing(den), Existing(num)],
        [0],
    );
    ctx.get(-3)
}

/// `p + q` by the complete twisted-Edwards formulas:
/// `x₃ = (x₁y₂ + y₁x₂)/(1 + d·x₁x₂y₁y₂)`, `y₃ = (y₁y₂ − a·x₁x₂)/(1 − d·x₁x₂y₁y₂)`.
pub fn add(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    p: &AssignedPoint,
    q: &AssignedPoint,
) -> AssignedPoint {
    let x1y2 = gate.mul(ctx, p.x, q.y);
    let num_x = gate.mul_add(ctx, p.y, q.x, x1y2);
    let x1x2 = gate.mul(ctx, p.x, q.x);
    let y1y2 = gate.mul(ctx, p.y, q.y);
    let t = gate.mul(ctx, x1x2, y1y2);
    let d = coeff_d();
    let den_x = gate.mul_add(ctx, t, Constant(d), Constant(Fr::ONE));
    let den_y = gate.mul_add(ctx, t, Constant(-d), Constant(Fr::ONE));
    let num_y = gate.mul_add(ctx, x1x2, Constant(-coeff_a()), y1y2);
    AssignedPoint {
        x: divide(ctx, num_x, den_x),
        y: divide(ctx, num_y, den_y),
    }
}

/// `2·p` (complete addition of `p` to itself).
pub fn double(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, p: &AssignedPoint) -> AssignedPoint {
    add(ctx, gate, p, p)
}

/// `bit ? if_set : if_clear`, `bit` a constrained bit.
pub fn select(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    bit: Cell,
    if_set: &AssignedPoint,
    if_clear: &AssignedPoint,
) -> AssignedPoint {
    AssignedPoint {
        x: gate.select(ctx, if_set.x, if_clear.x, bit),
        y: gate.select(ctx, if_set.y, if_clear.y, bit),
    }
}

/// Constrains `p == q`.
pub fn assert_equal(ctx: &mut Context<Fr>, p: &AssignedPoint, q: &AssignedPoint) {
    ctx.constrain_equal(&p.x, &q.x);
    ctx.constrain_equal(&p.y, &q.y);
}

/// Constrains `a·x² + y² = 1 + d·x²·y²`.
pub fn assert_on_curve(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, p: &AssignedPoint) {
    let x2 = gate.mul(ctx, p.x, p.x);
    let y2 = gate.mul(ctx, p.y, p.y);
    let left = gate.mul_add(ctx, x2, Constant(coeff_a()), y2);
    let x2y2 = gate.mul(ctx, x2, y2);
    let right = gate.mul_add(ctx, x2y2, Constant(coeff_d()), Constant(Fr::ONE));
    ctx.constrain_equal(&left, &right);
}

/// Constrains `p` to the prime-order subgroup (hence to the curve).
///
/// The group is `Z_8 × Z_l` with `gcd(8, l) = 1`, so the subgroup is exactly
/// the image of multiplication by 8: the prover supplies `Q = 8⁻¹·p`, which
/// must be on the curve and satisfy `8·Q = p`. No `Q` exists when `p` has a
/// small-order component.
pub fn assert_in_subgroup(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, p: &AssignedPoint) {
    let (x, y) = p.value();
    let unchecked = Point::new_unchecked(ark(&x), ark(&y));
    let q = (unchecked.into_group() * BabyJubjubConfig::COFACTOR_INV).into_affine();
    let q = load_point(ctx, &q);
    assert_on_curve(ctx, gate, &q);
    let mut eight_q = q;
    for _ in 0..3 {
        eight_q = double(ctx, gate, &eight_q);
    }
    assert_equal(ctx, &eight_q, p);
}

/// Loads `bits` as constrained bit cells.
pub fn load_bits(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, bits: &[bool]) -> Vec<Cell> {
    bits.iter()
        .map(|b| {
            let cell = ctx.load_witness(if *b { Fr::ONE } else { Fr::ZERO });
            gate.assert_bit(ctx, cell);
            cell
        })
        .collect()
}

/// `Σ bits[i]·2^i · base` for a point in cells (little-endian bits, already
/// constrained to be bits): double-and-add from the most significant bit
/// with complete formulas, so no scalar or base is exceptional.
pub fn scalar_mul(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    bits: &[Cell],
    base: &AssignedPoint,
) -> AssignedPoint {
    let identity = load_constant(ctx, &Point::zero());
    let mut acc: Option<AssignedPoint> = None;
    for bit in bits.iter().rev() {
        acc = Some(match acc {
            None => select(ctx, gate, *bit, base, &identity),
            Some(a) => {
                let doubled = double(ctx, gate, &a);
                let added = add(ctx, gate, &doubled, base);
                select(ctx, gate, *bit, &added, &doubled)
            }
        });
    }
    acc.unwrap_or(identity)
}

/// `Σ bits[i]·2^i · base` for a constant `base`: each bit selects `O` or the
/// constant `2^i·base` linearly (no point in cells to double), then one
/// complete addition.
pub fn fixed_base_mul(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    bits: &[Cell],
    base: &Point,
) -> AssignedPoint {
    let mut acc: Option<AssignedPoint> = None;
    let mut power = base.into_group();
    for bit in bits {
        let c = power.into_affine();
        let (cx, cy) = (fr(&c.x), fr(&c.y));
        // bit ? (cx, cy) : (0, 1)
        let term = AssignedPoint {
            x: gate.mul(ctx, *bit, Constant(cx)),
            y: gate.mul_add(ctx, *bit, Constant(cy - Fr::ONE), Constant(Fr::ONE)),
        };
        acc = Some(match acc {
            None => term,
            Some(a) => add(ctx, gate, &a, &term),
        });
        power = power + power;
    }
    acc.unwrap_or_else(|| load_constant(ctx, &Point::zero()))
}
