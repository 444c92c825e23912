//! The generator's randomness: the register generator's SplitMix64 (not
//! `rand`: a seed file must come out byte for byte the same for a (units,
//! seed, register seed) triple on every platform and after every dependency
//! update), with the draws units need.

/// The register generator's SplitMix64, with this generator's own salt and
/// the draws units need on top of it.
#[derive(Debug, Clone)]
pub(crate) struct Rng(mdm_register_gen::Rng);

impl std::ops::Deref for Rng {
    type Target = mdm_register_gen::Rng;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Rng {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        // Not the register generator's salt: equal seeds must not give
        // correlated streams.
        Self(mdm_register_gen::Rng::salted(seed, 0xbb67_ae85_84ca_a73b))
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// One element, uniformly; `items` must not be empty.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An index drawn with the given relative weights (not all zero).
    pub(crate) fn weighted(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u64 = weights.clone().map(u64::from).sum();
        let mut left = self.below(total);
        let mut last = 0;
        for (i, w) in weights.enumerate() {
            let w = u64::from(w);
            if left < w {
                return i;
            }
            left -= w;
            last = i;
        }
        last
    }

    /// Fisher–Yates.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.index(i + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_seeds_differ() {
        let draw = |seed| {
            let mut r = Rng::new(seed);
            (0..16).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            assert!((-3..=9).contains(&r.range(-3, 9)));
            assert!((0.0..1.0).contains(&r.unit()));
            assert_eq!(r.weighted([0, 5, 0, 1].into_iter()) % 2, 1);
        }
        let mut v: Vec<u32> = (0..100).collect();
        r.shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
