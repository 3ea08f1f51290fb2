//! Interned search keys: search rows carry a small integer instead of the
//! dotted path (`metadata.annotations.backstage.io/managed-by-location` is
//! 54 bytes, repeated on every entity). Ids never change once assigned, so
//! every process caches what it has seen; a key another replica added is
//! looked up on first use.

use std::collections::HashMap;
use std::sync::RwLock;

/// Key → id, for keys known to be committed.
#[derive(Default)]
pub(crate) struct KeyCache {
    ids: RwLock<HashMap<String, i64>>,
}

impl KeyCache {
    /// The cached id of each key (`None` where not cached).
    pub(crate) fn lookup<'k>(
        &self,
        keys: impl Iterator<Item = &'k str>,
    ) -> Vec<(&'k str, Option<i64>)> {
        match self.ids.read() {
            Ok(ids) => keys.map(|k| (k, ids.get(k).copied())).collect(),
            Err(_) => keys.map(|k| (k, None)).collect(),
        }
    }

    /// Remembers committed ids.
    pub(crate) fn remember(&self, found: impl IntoIterator<Item = (String, i64)>) {
        if let Ok(mut ids) = self.ids.write() {
            ids.extend(found);
        }
    }
}
