//! The search index: every published incident, cut into character pairs, written into
//! the output under [`routes::SEARCH_DATA`] like any page, and read by the search page's
//! script (`search.js`, written beside the page).
//!
//! gen's own index rather than pagefind's: on the 10,000-incident site pagefind took
//! 36 s and 3.6 GB, and wrote 10,437 files (BENCHMARKS.md, "Search index"). Japanese has
//! no spaces between words, so the index does not look for words: it records every pair
//! of neighbouring characters (and every single character) of each run of letters and
//! digits, and a query matches an incident that has every pair of every query term. That
//! finds `ポリシー制御` and `DHCP` alike, with no dictionary.
//!
//! Records are made from the site stage's typed data (title, summary, operators, causes,
//! status, tags, the body's text), not from rendered HTML, and hold only what the build
//! publishes: drafts are dropped from the site before this runs unless `--drafts`. The
//! result line's values are formatted as the pages format them (約 stays 約, unknown
//! stays unknown), and the filters' values are the labels the pages show.
//!
//! The files (read by `search.js`, which must decode them the same way):
//! - `index.json`: `{"v":1,"docs":N,"shards":S,"chunk":C,"filters":{key:[[label,[ids]]…]}}`,
//!   the ids of each filter value delta-coded (each is the gap from the one before);
//! - `docs-<k>.json`: incidents `k·C … k·C+C-1` as `[href, title, operator, date, users,
//!   primary cause, status]`, href relative to the site root;
//! - `<s>.bin`: the keys whose [`shard`] is `s`, each as varints `a`, `b` (two code points,
//!   `b` = 0 for a single character), `len·2 + bitmap`, then `len` bytes: a bitmap of the
//!   incidents (bit `i % 8` of byte `i / 8`) or their delta-coded ids as varints.
//!
//! Incident ids are positions in the site's order, newest first, which is the order of
//! results.

use pulldown_cmark::{Event, Parser, TagEnd};
use rayon::prelude::*;

use super::i18n::Fmt;
use super::views::Views;
use super::Output;
use crate::error::Error;
use crate::routes;
use crate::site::Site;

/// The format's version, in `index.json`.
const VERSION: u32 = 1;
/// Incidents per `docs-<k>.json`: a page of results loads one or two.
const CHUNK: usize = 500;
/// About how many bytes of keys a shard holds: a query of a few words loads a few shards.
const SHARD_BYTES: usize = 64 * 1024;

/// The plain text of a Markdown body: its words, without markup, HTML tags or link
/// targets.
pub(crate) fn body_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::Rule => out.push(' '),
            // A word at the end of a block must not run into the next block's first.
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => out.push(' '),
            _ => {}
        }
    }
    out
}

/// A character as the index compares it: full-width ASCII as ASCII, lowercase; `None`
/// for what separates terms (anything but a letter or digit). `search.js` does the same.
fn fold(c: char) -> Option<char> {
    let n = c as u32;
    match n {
        0..=0x7f => c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase()),
        0xFF01..=0xFF5E => char::from_u32(n - 0xFEE0).and_then(fold),
        // Kana, ー and the common ideographs: letters without case, most of a Japanese
        // text, answered without Unicode's tables (they were 40 % of the index's time).
        0x3041..=0x3096 | 0x30A1..=0x30FA | 0x30FC | 0x4E00..=0x9FFF => Some(c),
        // Japanese punctuation and brackets (、。「」『』【】〜・): not letters.
        0x3000..=0x3004 | 0x3008..=0x3020 | 0x30FB => None,
        // One character's lowercase (a few have more than one: keep the first).
        _ if c.is_alphanumeric() => c.to_lowercase().next(),
        _ => None,
    }
}

/// A key: two code points, the second 0 for a single character.
fn key(a: char, b: Option<char>) -> u64 {
    (u64::from(a as u32) << 32) | u64::from(b.map_or(0, |b| b as u32))
}

/// Every key of `text`, each run of letters and digits giving its characters and its
/// pairs, each once.
fn keys(text: &str) -> Vec<u64> {
    thread_local! {
        // One set per thread, emptied for each text: it keeps its capacity, so it is not
        // allocated, grown and rehashed again for every body (a third of this function's
        // time, BENCHMARKS.md "Search index").
        static SEEN: std::cell::RefCell<ahash::AHashSet<u64>> = Default::default();
    }
    SEEN.with_borrow_mut(|seen| {
        seen.clear();
        let mut prev: Option<char> = None;
        for c in text.chars() {
            match fold(c) {
                Some(c) => {
                    seen.insert(key(c, None));
                    if let Some(p) = prev {
                        seen.insert(key(p, Some(c)));
                    }
                    prev = Some(c);
                }
                None => prev = None,
            }
        }
        seen.iter().copied().collect()
    })
}

/// Incidents whose keys are gathered at once by [`index`].
const KEY_BLOCK: usize = 512;

/// Which shard file holds a key: FNV-1a of the two code points' little-endian bytes.
fn shard(key: u64, shards: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for part in [(key >> 32) as u32, key as u32] {
        for byte in part.to_le_bytes() {
            h ^= u32::from(byte);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h % shards
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The incidents of one key, as the smaller of a bitmap and a list of gaps.
fn postings(ids: &[u32], docs: usize) -> (bool, Vec<u8>) {
    let mut list = Vec::with_capacity(ids.len() * 2);
    let mut last = 0;
    for (n, &id) in ids.iter().enumerate() {
        varint(&mut list, u64::from(if n == 0 { id } else { id - last }));
        last = id;
    }
    let bitmap_len = docs.div_ceil(8);
    if list.len() <= bitmap_len {
        return (false, list);
    }
    let mut bitmap = vec![0u8; bitmap_len];
    for &id in ids {
        bitmap[id as usize / 8] |= 1 << (id % 8);
    }
    (true, bitmap)
}

/// Gaps between sorted ids, as `index.json` writes a filter value's incidents.
fn gaps(ids: &[usize]) -> Vec<usize> {
    let mut last = 0;
    ids.iter()
        .enumerate()
        .map(|(n, &id)| {
            let gap = if n == 0 { id } else { id - last };
            last = id;
            gap
        })
        .collect()
}

/// The searchable text of incident `n`: title, summary, operators, causes, status, tags,
/// services and the body.
fn text_of(views: &Views<'_>, n: usize) -> Result<String, Error> {
    let site = views.site;
    let i = &site.incidents[n];
    let body = body_text(i.read_body()?.as_str());
    let mut text = String::with_capacity(body.len() + 512);
    for part in [&i.title, i.summary.as_deref().unwrap_or("")]
        .into_iter()
        .chain(i.operators.iter().map(String::as_str))
        .chain(i.tags.iter().map(|t| t.value.as_str()))
        .chain(i.services.iter().map(String::as_str))
    {
        text.push_str(part);
        text.push('\n');
    }
    for c in &i.causes {
        text.push_str(&views.cause_tag(c, false).label);
        text.push('\n');
    }
    text.push_str(views.f.choice(i.status));
    text.push('\n');
    text.push_str(&body);
    Ok(text)
}

/// The index's files, under [`routes::SEARCH_DATA`], and the search page's script.
pub fn index(site: &Site) -> Result<Vec<Output>, Error> {
    let views = Views::new(site);
    let f = Fmt::new(&site.config);
    let docs = site.incidents.len();
    let mut postings_of: ahash::AHashMap<u64, Vec<u32>> = ahash::AHashMap::new();
    let mut rows = Vec::with_capacity(docs);
    // Bodies are read and split into keys in parallel, a block of incidents at a time
    // (so that only two blocks' keys are held at once), and merged in incident order. A
    // block is merged while the next one is read: the merge is one thread's work, and
    // the index is built last, when the pages no longer keep the other threads busy.
    let gather = |block: &[usize]| -> Vec<Result<(Vec<u64>, serde_json::Value), Error>> {
        block
            .par_iter()
            .map(|&n| {
                let seen = keys(&text_of(&views, n)?);
                let i = &site.incidents[n];
                let row = views.row(i);
                let cause = views.cause_tag(i.primary_cause(), true).label;
                let row = serde_json::json!([
                    row.href,
                    row.title,
                    row.operators,
                    row.date,
                    row.users,
                    cause,
                    row.status
                ]);
                Ok((seen, row))
            })
            .collect()
    };
    let mut merge = |block: &[usize], done: Vec<Result<(Vec<u64>, serde_json::Value), Error>>| {
        for (&n, r) in block.iter().zip(done) {
            let (seen, row) = r?;
            for k in seen {
                postings_of.entry(k).or_default().push(n as u32);
            }
            rows.push(row);
        }
        Ok::<(), Error>(())
    };
    let all: Vec<usize> = (0..docs).collect();
    let mut pending = None;
    for block in all.chunks(KEY_BLOCK) {
        let (done, merged) = rayon::join(
            || gather(block),
            || pending.take().map_or(Ok(()), |(b, d)| merge(b, d)),
        );
        merged?;
        pending = Some((block, done));
    }
    if let Some((b, d)) = pending {
        merge(b, d)?;
    }

    // Keys in a fixed order, so that the same site gives the same bytes.
    let mut keyed: Vec<(u64, Vec<u32>)> = postings_of.into_iter().collect();
    keyed.sort_unstable_by_key(|(k, _)| *k);
    let encoded: Vec<(u64, bool, Vec<u8>)> = keyed
        .into_iter()
        .map(|(k, ids)| {
            let (bitmap, bytes) = postings(&ids, docs);
            (k, bitmap, bytes)
        })
        .collect();
    let total: usize = encoded.iter().map(|(_, _, b)| b.len() + 8).sum();
    let shards = total
        .div_ceil(SHARD_BYTES)
        .next_power_of_two()
        .clamp(1, 4096) as u32;
    let mut files = vec![Vec::new(); shards as usize];
    for (k, bitmap, bytes) in encoded {
        let out = &mut files[shard(k, shards) as usize];
        varint(out, k >> 32);
        varint(out, k & 0xffff_ffff);
        varint(out, (bytes.len() as u64) << 1 | u64::from(bitmap));
        out.extend_from_slice(&bytes);
    }

    let mut filters = serde_json::Map::new();
    let causes: Vec<_> = site
        .causes
        .iter()
        .filter(|c| !c.entries.is_empty())
        .map(|c| {
            let mut ids: Vec<usize> = c.entries.iter().map(|e| e.incident).collect();
            ids.sort_unstable();
            serde_json::json!([views.cause_tag(&c.key, false).label, gaps(&ids)])
        })
        .collect();
    filters.insert("cause".into(), causes.into());
    let groups = |list: Vec<(String, Vec<usize>)>| -> serde_json::Value {
        list.into_iter()
            .map(|(label, mut ids)| {
                ids.sort_unstable();
                serde_json::json!([label, gaps(&ids)])
            })
            .collect::<Vec<_>>()
            .into()
    };
    filters.insert(
        "operator".into(),
        groups(
            site.operators
                .iter()
                .map(|g| (g.key.clone(), g.incidents.clone()))
                .collect(),
        ),
    );
    filters.insert(
        "year".into(),
        groups(
            site.years
                .iter()
                .map(|g| (f.year_label(g.key), g.incidents.clone()))
                .collect(),
        ),
    );
    let mut statuses: Vec<(crate::model::Status, Vec<usize>)> = Vec::new();
    for (n, i) in site.incidents.iter().enumerate() {
        match statuses.iter_mut().find(|(s, _)| *s == i.status) {
            Some((_, ids)) => ids.push(n),
            None => statuses.push((i.status, vec![n])),
        }
    }
    statuses.sort_by_key(|(s, _)| crate::model::Choice::as_str(*s));
    filters.insert(
        "status".into(),
        groups(
            statuses
                .into_iter()
                .map(|(s, ids)| (f.choice(s).to_string(), ids))
                .collect(),
        ),
    );

    let manifest = serde_json::json!({
        "v": VERSION,
        "docs": docs,
        "shards": shards,
        "chunk": CHUNK,
        "filters": filters,
    });
    let dir = routes::SEARCH_DATA;
    // `<`, `>` and `&` as JSON escapes: the same data, and nothing in a file of the site
    // that reads as a tag if some server or browser took it for HTML. They can only occur
    // inside strings, where the escapes mean the same characters.
    let json = |v: &serde_json::Value| {
        v.to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
            .into_bytes()
    };
    let mut out = vec![
        Output::Bytes {
            path: routes::SEARCH_SCRIPT.to_string(),
            bytes: SCRIPT.as_bytes().to_vec(),
        },
        Output::Bytes {
            path: format!("{dir}index.json"),
            bytes: json(&manifest),
        },
    ];
    for (k, chunk) in rows.chunks(CHUNK).enumerate() {
        out.push(Output::Bytes {
            path: format!("{dir}docs-{k}.json"),
            bytes: json(&serde_json::Value::from(chunk.to_vec())),
        });
    }
    for (s, bytes) in files.into_iter().enumerate() {
        out.push(Output::Bytes {
            path: format!("{dir}{s}.bin"),
            bytes,
        });
    }
    Ok(out)
}

/// The search page's script: reads the query from the URL, the index's files, and shows
/// the results as text.
const SCRIPT: &str = include_str!("search.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_text_keeps_words_and_drops_markup() {
        assert_eq!(
            body_text("# 見出し\n\n本文の**強調**と[リンク](https://x.example/)。\n\n- a\n- b\n\n<b>raw</b>\n\n```\ncode\n```\n"),
            "見出し 本文の強調とリンク。 a b raw code\n "
        );
    }

    #[test]
    fn keys_are_characters_and_pairs_of_each_run() {
        let mut got = keys("ＤＨＣＰ設定、x");
        got.sort_unstable();
        let mut want = vec![
            key('d', None),
            key('h', None),
            key('c', None),
            key('p', None),
            key('設', None),
            key('定', None),
            key('x', None),
            key('d', Some('h')),
            key('h', Some('c')),
            key('c', Some('p')),
            key('p', Some('設')),
            key('設', Some('定')),
        ];
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn the_fast_paths_fold_as_unicode_does() {
        let slow = |c: char| -> Option<char> {
            let c = match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            c.is_alphanumeric()
                .then(|| c.to_lowercase().next())
                .flatten()
        };
        for n in 0..0x11_0000 {
            if let Some(c) = char::from_u32(n) {
                assert_eq!(fold(c), slow(c), "U+{n:04X}");
            }
        }
    }

    #[test]
    fn shards_match_the_scripts_hash() {
        // The values search.js's shardOf gives (computed with node).
        assert_eq!(shard(key('設', Some('定')), 4096), 837);
        assert_eq!(shard(key('a', None), 4096), 3620);
        assert_eq!(shard(key('ー', Some('制')), 32), 5);
        assert_eq!(shard(key('\u{20000}', Some('\u{2A6DF}')), 4096), 4040);
        let gaps_of = gaps(&[3, 5, 9]);
        assert_eq!(gaps_of, vec![3, 2, 4]);
        let (bitmap, bytes) = postings(&[0, 1, 2, 3, 4, 5, 6, 7, 8], 9);
        assert!(bitmap);
        assert_eq!(bytes, vec![0xff, 0x01]);
        let (bitmap, bytes) = postings(&[2, 300], 10_000);
        assert!(!bitmap);
        assert_eq!(bytes, vec![2, 0xaa, 0x02]);
    }
}
