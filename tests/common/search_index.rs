//! The search index's files read back the way `search.js` reads them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::read;

fn varint(bytes: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// Every key of the index (a character, or a pair as two characters) with its incidents'
/// positions, decoded from every shard as search.js decodes them.
pub(crate) fn index_keys(out: &Path) -> BTreeMap<String, BTreeSet<u64>> {
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("search/data/index.json"))).unwrap();
    let docs = manifest["docs"].as_u64().unwrap();
    let shards = manifest["shards"].as_u64().unwrap();
    let mut keys = BTreeMap::new();
    for s in 0..shards {
        let bytes = std::fs::read(out.join(format!("search/data/{s}.bin"))).unwrap();
        let mut at = 0;
        while at < bytes.len() {
            let a = char::from_u32(varint(&bytes, &mut at) as u32).unwrap();
            let b = varint(&bytes, &mut at) as u32;
            let len_bit = varint(&bytes, &mut at);
            let end = at + (len_bit >> 1) as usize;
            let mut ids = BTreeSet::new();
            if len_bit & 1 == 1 {
                for i in 0..docs {
                    if bytes[at + (i / 8) as usize] >> (i % 8) & 1 == 1 {
                        ids.insert(i);
                    }
                }
                at = end;
            } else {
                let mut id = 0;
                let mut first = true;
                while at < end {
                    let gap = varint(&bytes, &mut at);
                    id = if first { gap } else { id + gap };
                    first = false;
                    ids.insert(id);
                }
            }
            let key = match b {
                0 => a.to_string(),
                b => format!("{a}{}", char::from_u32(b).unwrap()),
            };
            keys.insert(key, ids);
        }
    }
    keys
}
