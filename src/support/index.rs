//! An index of items stored elsewhere: the positions of the items of a list,
//! found by a key each item holds. Only the positions are kept (the keys
//! stay in the items), where a map from key to position would keep a
//! second copy of every key.

use std::hash::{BuildHasher, Hash};

use foldhash::fast::RandomState;

/// Positions in a list, by a key of the item at each.
#[derive(Debug, Default)]
pub struct Index {
    table: hashbrown::HashTable<usize>,
    hasher: RandomState,
}

impl Index {
    /// The position of the item whose key is `key`, where `key_of` gives the
    /// key of the item at a position (the same `key_of` for every call).
    pub fn get<K: Hash + Eq>(&self, key: &K, key_of: impl Fn(usize) -> K) -> Option<usize> {
        let hash = self.hasher.hash_one(key);
        self.table.find(hash, |&i| key_of(i) == *key).copied()
    }

    /// Adds position `i`, whose key is not in the index yet.
    pub fn insert<K: Hash>(&mut self, i: usize, key_of: impl Fn(usize) -> K) {
        let Self { table, hasher } = self;
        let hash = |&i: &usize| hasher.hash_one(key_of(i));
        table.insert_unique(hash(&i), i, hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_item_by_its_key() {
        let items: Vec<(usize, String)> = (0..1000).map(|i| (i % 3, format!("item-{i}"))).collect();
        let key_of = |i: usize| (items[i].0, items[i].1.as_str());
        let mut index = Index::default();
        for i in 0..items.len() {
            assert_eq!(index.get(&key_of(i), key_of), None);
            index.insert(i, key_of);
        }
        for i in 0..items.len() {
            assert_eq!(index.get(&key_of(i), key_of), Some(i));
        }
        assert_eq!(index.get(&(0, "item-1"), key_of), None);
    }
}
