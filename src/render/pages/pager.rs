//! The pager of a paginated list: where its pages are, which part of the list this page
//! shows, prev/next and numbered links, for the template (`pager`) and the page's head.

use serde::Serialize;

use super::{Dep, List};
use crate::render::i18n::Fmt;
use crate::routes;

/// Numbered links shown either side of the current page (the first and last are always
/// shown, gaps between): a 100-page list keeps a short pager.
const AROUND: usize = 2;

/// The pager of one page of a list, as templates see it (`pager`).
#[derive(Debug, Serialize)]
pub(crate) struct Pager {
    /// This page, from 1.
    pub page: usize,
    /// How many pages the list has.
    pub pages: usize,
    /// The first item on this page, from 1, and the last (0 and 0 for an empty list).
    pub from: usize,
    /// The last item on this page.
    pub to: usize,
    /// Items in the whole list.
    pub total: usize,
    /// Which part of the list the page shows, in words ("101–200 of 1,000"); empty for
    /// a list on one page.
    pub shown: String,
    /// The previous page's href, relative to the site root.
    pub prev: Option<String>,
    /// The next page's href.
    pub next: Option<String>,
    /// Numbered links, with gaps.
    pub links: Vec<PageLink>,
}

/// A numbered link of the pager, or a gap (`number` 0, no href).
#[derive(Debug, Serialize)]
pub(crate) struct PageLink {
    /// The page's number, from 1; 0 for a gap.
    pub number: usize,
    /// Its href, relative to the site root; empty for a gap.
    pub href: String,
    /// Whether it is this page.
    pub current: bool,
}

impl Pager {
    /// The pager of page `page` (from 0) of `pages`, a list whose first page is at
    /// `first`, showing items `range` of `total`.
    pub(crate) fn new(
        f: Fmt,
        first: &str,
        page: usize,
        pages: usize,
        range: std::ops::Range<usize>,
        total: usize,
    ) -> Self {
        let at = |n: usize| routes::href(&routes::paged(first, n));
        let mut links = Vec::new();
        for n in 0..pages {
            let near = n.abs_diff(page) <= AROUND || n == 0 || n + 1 == pages;
            if near {
                links.push(PageLink {
                    number: n + 1,
                    href: at(n),
                    current: n == page,
                });
            } else if links.last().is_some_and(|l| l.number != 0) {
                links.push(PageLink {
                    number: 0,
                    href: String::new(),
                    current: false,
                });
            }
        }
        let (from, to) = if range.is_empty() {
            (0, 0)
        } else {
            (range.start + 1, range.end)
        };
        let shown = if pages > 1 {
            let (a, b, n) = (
                f.number(from as u64),
                f.number(to as u64),
                f.number(total as u64),
            );
            match f.lang {
                crate::model::Lang::Ja => format!("{n}件中 {a}–{b}件"),
                crate::model::Lang::En => format!("{a}–{b} of {n}"),
            }
        } else {
            String::new()
        };
        Pager {
            page: page + 1,
            pages,
            from,
            to,
            total,
            shown,
            prev: (page > 0).then(|| at(page - 1)),
            next: (page + 1 < pages).then(|| at(page + 1)),
            links,
        }
    }

    /// A later page's title: `label (2/10)`; the first page keeps `label`.
    pub(crate) fn title(&self, f: Fmt, label: &str) -> String {
        if self.page == 1 {
            label.to_string()
        } else {
            let p = f.punctuation();
            // `Incidents (2/10)`, `事故一覧（2/10）`.
            let space = if p.paren_open == "(" { " " } else { "" };
            format!(
                "{label}{space}{}{}/{}{}",
                p.paren_open, self.page, self.pages, p.paren_close
            )
        }
    }
}

/// The id of page `n` of a paginated kind: the list's id, then `/2`, `/3` … for later
/// pages (page 1 keeps the id it had before pagination); a kind of one list (no id) gives
/// `2`, `3` ….
pub(crate) fn paged_id(id: String, page: usize) -> String {
    if page == 0 {
        id
    } else if id.is_empty() {
        (page + 1).to_string()
    } else {
        format!("{id}/{}", page + 1)
    }
}

/// What every page of a list shows: the whole list, since each page says how many there
/// are and where it falls, and an edit that adds, removes or moves one incident shifts
/// every page after it.
pub(crate) fn rows(list: List, on: &mut dyn FnMut(Dep)) {
    on(Dep::List(list));
}

/// Fills `ctx` for page `n` of a paginated group list (an operator's, a year's, a tag's
/// incidents): the group with its figures over the whole list (`group`), the rows on this
/// page (`incidents`) and the pager (`pager`). Returns the page's title.
pub(crate) fn group_list<K>(
    views: &crate::render::views::Views<'_>,
    paging: &crate::site::lists::Paging,
    n: usize,
    groups: &[crate::site::Group<K>],
    label: impl Fn(&crate::site::Group<K>) -> String,
    first: impl Fn(&crate::site::Group<K>) -> String,
    ctx: &mut tera::Context,
) -> String {
    let (gi, page) = paging.locate(n);
    let g = &groups[gi];
    let (label, first) = (label(g), first(g));
    let range = paging.range(page, g.incidents.len());
    let pager = Pager::new(
        views.f,
        &first,
        page,
        paging.pages(gi),
        range.clone(),
        g.incidents.len(),
    );
    ctx.insert("group", &views.group(g, label.clone(), first));
    ctx.insert_value(
        "incidents",
        views.row_values(g.incidents[range].iter().copied()),
    );
    ctx.insert("pager", &pager);
    pager.title(views.f, &label)
}
