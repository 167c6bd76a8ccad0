//! `--shard K/N`: split a list of work (scenario files, seeds) across N
//! machines so that every item runs on exactly one shard.

use std::fmt;
use std::str::FromStr;

/// Shard `k` of `n` (1-based, `1 <= k <= n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard's number, 1-based.
    pub k: u64,
    /// How many shards there are.
    pub n: u64,
}

impl Shard {
    /// The single shard that holds everything.
    pub const ALL: Shard = Shard { k: 1, n: 1 };

    /// True when the item at position `index` belongs to this shard.
    pub fn owns(self, index: u64) -> bool {
        index % self.n == self.k - 1
    }

    /// The items of `items` that belong to this shard, in order.
    pub fn select<T>(self, items: impl IntoIterator<Item = T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.owns(*i as u64))
            .map(|(_, t)| t)
            .collect()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// A `--shard` value that is not `K/N` with `1 <= K <= N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid shard {0:?}: expected K/N with 1 <= K <= N (e.g. 2/4)")]
pub struct ParseShardError(pub String);

impl FromStr for Shard {
    type Err = ParseShardError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseShardError(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(err)?;
        let (k, n): (u64, u64) = (
            k.trim().parse().map_err(|_| err())?,
            n.trim().parse().map_err(|_| err())?,
        );
        if n == 0 || k == 0 || k > n {
            return Err(err());
        }
        Ok(Shard { k, n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn prop_shards_cover_every_item_exactly_once(n in 1u64..9, len in 0usize..200) {
            let mut seen = vec![0u32; len];
            for k in 1..=n {
                for i in (Shard { k, n }).select(0..len) {
                    seen[i] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&c| c == 1));
        }
    }

    #[test]
    fn bad_shards_are_rejected() {
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { k: 2, n: 4 });
    }
}
