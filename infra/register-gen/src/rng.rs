//! A small deterministic PRNG.
//!
//! SplitMix64 is written out here instead of taking `rand`: the committed demo
//! file must come out byte for byte the same on every platform and for every
//! future build, and an in-crate generator cannot change under us with a
//! dependency update. SplitMix64 is fast (one add and a few multiplies) and its
//! statistical quality is far beyond what synthetic addresses need.

/// The SplitMix64 increment (the golden ratio in 64-bit fixed point).
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 output function.
///
/// Every step (xor with a right shift, multiplication by an odd constant) is
/// invertible, so this is a bijection on `u64`; the UUIDs rely on that.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64; also the unit generator's source of randomness.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self::salted(seed, 0x6a09_e667_f3bc_c909)
    }

    /// A stream for `seed`: mixing the seed with `salt` keeps seeds 0, 1,
    /// 2 ... from starting on neighbouring points of the same sequence, and
    /// generators with different salts from drawing correlated streams for
    /// equal seeds.
    pub fn salted(seed: u64, salt: u64) -> Self {
        Self {
            state: mix64(seed ^ salt),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix64(self.state)
    }

    /// Uniform in `0..n`; `n` must not be 0.
    ///
    /// Multiply-shift instead of `%`: no division, and the bias (at most
    /// n / 2^64) is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `0..n` for indices.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(lo <= hi);
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Log-uniform in `lo..=hi`: many short streets and few long ones, which is
    /// how street lengths are distributed in a real register.
    pub(crate) fn log_uniform(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(1 <= lo && lo <= hi);
        let (l, h) = (f64::from(lo).ln(), (f64::from(hi) + 1.0).ln());
        let v = (l + self.unit() * (h - l)).exp() as u32;
        v.clamp(lo, hi)
    }

    /// An index drawn with the given relative weights (not all zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut pick = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            let w = u64::from(w);
            if pick < w {
                return i;
            }
            pick -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_seeds_differ() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        let xs: Vec<u64> = (0..16).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..16).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..16).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let v = r.range(3, 9);
            assert!((3..=9).contains(&v));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            let l = r.log_uniform(2, 40);
            assert!((2..=40).contains(&l));
            assert!(r.weighted(&[0, 5, 0, 1]) % 2 == 1);
        }
    }

    #[test]
    fn mix64_is_injective_on_a_sample() {
        let mut seen: Vec<u64> = (0..100_000u64).map(mix64).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 100_000);
    }
}
