//! Tags grouped into pages, and the split of long lists into pages of `page_size`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use super::{slug, Group, Stats};
use crate::diag::{Code, Diagnostic};
use crate::model::Incident;

/// The URL segment of a tag's page: its [`slug`], lower-cased (a case-insensitive file
/// system would take `DNS` and `dns` for one folder), never a name Windows reserves nor
/// the index's own `index.html`.
pub fn tag_slug(tag: &str) -> String {
    let s = slug(tag).to_lowercase();
    if crate::load::names::is_windows_reserved(&s) || s == "index.html" {
        format!("{s}_")
    } else {
        s
    }
}

/// What makes two spellings one tag: the same words, whatever their case or spacing
/// (`DNS`, `dns`, ` Dns `).
fn fold(tag: &str) -> String {
    tag.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The site's tags: sorted by slug, and the order of the tag index.
#[derive(Debug, Default)]
pub struct Tags {
    /// Every tag, by slug: `key` is the spelling shown (the most used), `incidents` newest
    /// first.
    pub groups: Vec<Group<String>>,
    /// Indexes into `groups`, most incidents first, ties by name: the tag index's order.
    pub order: Vec<usize>,
}

/// Groups the incidents by tag. Spellings that differ only in case or spacing are one
/// tag (merged on purpose); two different tags whose slugs are the same would share a
/// page, and each tag that loses the page is an error at its first use (files in path
/// order), as is an empty tag.
pub(super) fn tags(incidents: &[Arc<Incident>]) -> (Tags, Vec<Diagnostic>) {
    struct Use<'a> {
        incident: usize,
        text: &'a str,
        fold: String,
    }
    let mut diags = Vec::new();
    let mut by_slug: BTreeMap<String, Vec<Use<'_>>> = BTreeMap::new();
    for (n, i) in incidents.iter().enumerate() {
        for t in &i.tags {
            if t.value.trim().is_empty() {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        &i.file,
                        Some(t.span.clone()),
                        "a tag is empty",
                    )
                    .with_help("remove it, or write the tag's text"),
                );
                continue;
            }
            by_slug.entry(tag_slug(&t.value)).or_default().push(Use {
                incident: n,
                text: &t.value,
                fold: fold(&t.value),
            });
        }
    }
    let mut groups = Vec::with_capacity(by_slug.len());
    for (slug, uses) in by_slug {
        // The tag that keeps the page: the first fold in sorted order.
        let Some(keep) = uses
            .iter()
            .map(|u| u.fold.as_str())
            .min()
            .map(str::to_string)
        else {
            continue;
        };
        let mut reported: Vec<&str> = Vec::new();
        let mut others: Vec<&Use<'_>> = uses.iter().filter(|u| u.fold != keep).collect();
        others.sort_by(|a, b| {
            incidents[a.incident]
                .file
                .path
                .cmp(&incidents[b.incident].file.path)
        });
        let kept = uses.iter().find(|u| u.fold == keep);
        for u in others {
            if reported.contains(&u.fold.as_str()) {
                continue;
            }
            reported.push(&u.fold);
            let i = &incidents[u.incident];
            let Some(t) = i.tags.iter().find(|t| t.value == u.text) else {
                continue;
            };
            let (other, file) = kept.map_or((String::new(), String::new()), |k| {
                (
                    k.text.to_string(),
                    incidents[k.incident].file.path.display().to_string(),
                )
            });
            diags.push(
                Diagnostic::error(
                    Code::TagCollision,
                    &i.file,
                    Some(t.span.clone()),
                    format!(
                        "the tag \"{}\" would have the same page as the tag \"{other}\" (tags/{slug}/)",
                        u.text
                    ),
                )
                .with_help(format!(
                    "tags that differ only in case or spacing are one tag; these differ in other characters: write the tag as in {file}, or make them differ in letters or digits"
                )),
            );
        }
        // The spelling shown: the most used, ties by text.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for u in &uses {
            *counts.entry(u.text.trim()).or_default() += 1;
        }
        let name = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map_or(String::new(), |(t, _)| (*t).to_string());
        let mut list: Vec<usize> = uses.iter().map(|u| u.incident).collect();
        list.dedup();
        groups.push(Group {
            key: name,
            slug,
            stats: Stats::of(list.iter().map(|&n| &*incidents[n])),
            incidents: list,
        });
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| {
        groups[b]
            .incidents
            .len()
            .cmp(&groups[a].incidents.len())
            .then_with(|| groups[a].key.cmp(&groups[b].key))
    });
    (Tags { groups, order }, diags)
}

/// Where the pages of several lists (one list per group: a cause, a year …) fall in one
/// page kind: list `g` has pages `starts[g]..starts[g + 1]`, at least one each.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    size: usize,
    starts: Vec<usize>,
}

impl Paging {
    /// The pages of lists of these lengths, `size` items a page.
    pub fn new(size: usize, lens: impl IntoIterator<Item = usize>) -> Self {
        let size = size.max(1);
        let mut starts = vec![0];
        let mut at = 0;
        for len in lens {
            at += len.div_ceil(size).max(1);
            starts.push(at);
        }
        Self { size, starts }
    }

    /// How many pages in all.
    pub fn count(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// Which list page `n` of the kind belongs to, and which of its pages it is (from 0).
    pub fn locate(&self, n: usize) -> (usize, usize) {
        let g = self.starts.partition_point(|&s| s <= n).saturating_sub(1);
        (g, n - self.starts[g])
    }

    /// How many pages list `g` has.
    pub fn pages(&self, g: usize) -> usize {
        self.starts[g + 1] - self.starts[g]
    }

    /// The items of a list of `len` on its page `page`.
    pub fn range(&self, page: usize, len: usize) -> Range<usize> {
        (page * self.size).min(len)..((page + 1) * self.size).min(len)
    }
}

/// The pages of every paginated list of the site.
#[derive(Debug, Clone, Default)]
pub struct Pagings {
    /// `/incidents/` (one list).
    pub incidents: Paging,
    /// Cause pages, in the order of [`super::Site::causes`].
    pub causes: Paging,
    /// Year pages.
    pub years: Paging,
    /// Operator pages.
    pub operators: Paging,
    /// Tag pages.
    pub tags: Paging,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_several_lists() {
        let p = Paging::new(10, [25, 0, 10, 11]);
        assert_eq!(p.count(), 3 + 1 + 1 + 2);
        assert_eq!(p.locate(0), (0, 0));
        assert_eq!(p.locate(2), (0, 2));
        assert_eq!(p.locate(3), (1, 0));
        assert_eq!(p.locate(4), (2, 0));
        assert_eq!(p.locate(6), (3, 1));
        assert_eq!(p.pages(3), 2);
        assert_eq!(p.range(2, 25), 20..25);
        assert_eq!(p.range(0, 0), 0..0);
    }

    #[test]
    fn tag_slugs() {
        assert_eq!(tag_slug("DNS"), "dns");
        assert_eq!(tag_slug("../../x"), "x");
        assert_eq!(tag_slug("CON"), "con_");
        assert_eq!(tag_slug("index.html"), "index.html_");
        assert_eq!(tag_slug("ポリシー 制御"), "ポリシー-制御");
        assert_eq!(tag_slug("Ä"), "ä");
        assert_eq!(fold(" Dns  Server "), "dns server");
    }
}
