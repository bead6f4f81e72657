//! The page registry: every kind of page gen writes, each in its own module.
//!
//! A kind says where its pages go ([`Kind::path`]), what each shows ([`Kind::depends`]),
//! and how it renders ([`Kind::render`]). The full build, `gen serve`'s incremental
//! rebuild, the navigation and the routes listing (`gen routes`, which the qa scripts
//! read) all go through [`KINDS`]: there is no other list of page kinds. A new kind is a
//! module here, a template and a label (docs/architecture.md).

mod annual;
mod cause;
mod causes;
mod countermeasures;
mod data;
mod feeds;
mod home;
mod incident;
mod incidents;
mod meeting;
mod meetings;
mod not_found;
mod operator;
mod operators;
mod pager;
mod reports;
mod search;
mod tag;
mod tags;
mod year;
mod years;

use serde::Serialize;
use tera::Context;

use super::theme::Theme;
use super::views::Views;
use super::{Output, Shared};
use crate::error::Error;
use crate::routes;
use crate::site::Site;

/// Every page kind. The order is the order of a full build, the heaviest kinds first (the
/// long lists, annual reports and packets would otherwise leave one thread working alone
/// at the end), and among the section indexes it is the order of the navigation.
pub(crate) static KINDS: &[&dyn Kind] = &[
    &incidents::Incidents,
    &annual::Annual,
    &data::Json,
    &data::Csv,
    &data::MeasuresCsv,
    &cause::Cause,
    &operator::Operator,
    &tag::Tag,
    &year::Year,
    &meeting::Meeting,
    &home::Home,
    &causes::Causes,
    &years::Years,
    &operators::Operators,
    &meetings::Meetings,
    &countermeasures::Countermeasures,
    &reports::Reports,
    &tags::Tags,
    &not_found::NotFound,
    &feeds::SiteFeed,
    &feeds::CauseFeed,
    &feeds::OperatorFeed,
    &feeds::Sitemap,
    &search::Search,
    &incident::Incident,
];

pub(crate) use feeds::sitemap_entries;

/// A piece of the site's data a page shows, by index into the [`Site`]'s lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dep {
    /// Anything about an incident's record: its front matter, its assets, its meeting.
    Incident(usize),
    /// An incident's Markdown body and the files beside it (printed documents embed its
    /// images): declared by the pages that show the body.
    Body(usize),
    /// What an incident's list row shows (title, date, figures, status), its causes and
    /// its tags (which lists it is on), and its place in the lists (its start).
    Row(usize),
    /// A meeting's document.
    Meeting(usize),
    /// A whole list: the [`Dep::Row`] of every incident on it, and how many there are
    /// and in which order. Every page of a paginated list shows this (its pager says
    /// where it falls), so it is one dependency rather than a row per incident and page,
    /// which was quadratic in the list's length.
    List(List),
    /// The [`Dep::Incident`] of every incident on a list: what the feeds, the exports and
    /// the countermeasure ledger's pages show of each.
    Records(List),
}

/// A list of incidents, as pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum List {
    /// Every incident.
    All,
    /// The incidents with a cause (index into `site.causes`).
    Cause(usize),
    /// An operator's incidents (index into `site.operators`).
    Operator(usize),
    /// A tag's incidents (index into `site.tags.groups`).
    Tag(usize),
    /// A year's incidents (index into `site.years`).
    Year(usize),
}

impl List {
    /// Every list of `site`.
    pub(crate) fn every(site: &Site) -> impl Iterator<Item = List> + '_ {
        std::iter::once(List::All)
            .chain((0..site.causes.len()).map(List::Cause))
            .chain((0..site.operators.len()).map(List::Operator))
            .chain((0..site.tags.groups.len()).map(List::Tag))
            .chain((0..site.years.len()).map(List::Year))
    }

    /// The incidents on the list, by index into `site.incidents`.
    pub(crate) fn members(self, site: &Site) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            List::All => Box::new(0..site.incidents.len()),
            List::Cause(g) => Box::new(site.causes[g].entries.iter().map(|e| e.incident)),
            List::Operator(g) => Box::new(site.operators[g].incidents.iter().copied()),
            List::Tag(g) => Box::new(site.tags.groups[g].incidents.iter().copied()),
            List::Year(g) => Box::new(site.years[g].incidents.iter().copied()),
        }
    }
}

/// Everything a kind's `render` needs.
pub(crate) struct Cx<'a> {
    /// The site's views.
    pub views: &'a Views<'a>,
    /// Per-site template values.
    pub shared: &'a Shared,
    /// The theme.
    pub theme: &'a Theme,
}

/// A kind of page.
pub(crate) trait Kind: Sync {
    /// A stable name (`incident`, `cause` …), used in the routes listing.
    fn name(&self) -> &'static str;

    /// How many pages of this kind the site has.
    fn count(&self, _site: &Site) -> usize {
        1
    }

    /// Where page `n` is written in the output.
    fn path(&self, site: &Site, n: usize) -> String;

    /// What page `n` is the page of (an incident's or meeting's id, a year, a cause key,
    /// an operator's name); empty for a kind with one page.
    fn id(&self, _site: &Site, _n: usize) -> String {
        String::new()
    }

    /// Printable documents written with page `n`, as (name, path).
    fn documents(&self, _site: &Site, _n: usize) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Other files page `n` is written as, besides its path and documents (the parts of
    /// a sitemap split past 50,000 URLs).
    fn parts(&self, _site: &Site, _n: usize) -> Vec<String> {
        Vec::new()
    }

    /// Whether the pages are printable documents rather than web pages.
    fn print(&self) -> bool {
        false
    }

    /// The label of the navigation item this kind is, for section indexes.
    fn nav(&self) -> Option<&'static str> {
        None
    }

    /// Calls `on` with every piece of data page `n` shows: `gen serve` renders the page
    /// again when any of them changes (a structural change renders everything).
    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep));

    /// The document page `n` is the page of, shown first after an edit of it.
    fn owner(&self, _n: usize) -> Option<Dep> {
        None
    }

    /// Renders page `n` and the documents written with it.
    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error>;
}

/// One page: a kind (its index in [`KINDS`]) and which of its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Page {
    kind: usize,
    n: usize,
}

impl Page {
    pub(crate) fn kind(self) -> &'static dyn Kind {
        KINDS[self.kind]
    }

    /// Whether the site has this page (same kind, same index).
    pub(crate) fn exists_in(self, site: &Site) -> bool {
        self.n < self.kind().count(site)
    }

    /// The output path.
    pub(crate) fn path(self, site: &Site) -> String {
        self.kind().path(site, self.n)
    }

    /// Calls `on` with every piece of data the page shows.
    pub(crate) fn depends(self, site: &Site, on: &mut dyn FnMut(Dep)) {
        self.kind().depends(site, self.n, on);
    }

    /// The document this is the page of.
    pub(crate) fn owner(self) -> Option<Dep> {
        self.kind().owner(self.n)
    }

    /// Renders the page.
    pub(crate) fn render(self, cx: &Cx<'_>) -> Result<Vec<Output>, Error> {
        self.kind().render(cx, self.n)
    }
}

/// Every page of the site, in build order.
pub(crate) fn all(site: &Site) -> Vec<Page> {
    KINDS
        .iter()
        .enumerate()
        .flat_map(|(kind, k)| (0..k.count(site)).map(move |n| Page { kind, n }))
        .collect()
}

/// A page or printable document of the site, as listed by `gen routes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The kind (`incident`, `incident-report` …).
    pub kind: &'static str,
    /// What it is the page of (see [`Kind::id`]).
    pub id: String,
    /// The path in the output folder.
    pub path: String,
    /// Whether it is a printable document (report, packet, annual report).
    pub print: bool,
}

/// Every page and printable document of the site, sorted by path.
pub fn routes(site: &Site) -> Vec<Route> {
    let mut out = listing(site);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Every page and printable document, in build order (within a kind, the site's order).
pub(crate) fn listing(site: &Site) -> Vec<Route> {
    let mut out = Vec::new();
    for page in all(site) {
        let k = page.kind();
        let id = k.id(site, page.n);
        out.extend(
            k.documents(site, page.n)
                .into_iter()
                .map(|(kind, path)| Route {
                    kind,
                    id: id.clone(),
                    path,
                    print: true,
                }),
        );
        out.extend(k.parts(site, page.n).into_iter().map(|path| Route {
            kind: "sitemap-part",
            id: String::new(),
            path,
            print: false,
        }));
        out.push(Route {
            kind: k.name(),
            id,
            path: page.path(site),
            print: k.print(),
        });
    }
    out
}

/// A link of the site's navigation.
#[derive(Debug, Serialize)]
pub(crate) struct NavItem {
    text: String,
    href: String,
    /// The name of the kind, matched against the page's `section`.
    section: &'static str,
}

/// The navigation: every section index, in registry order.
pub(crate) fn nav(
    site: &Site,
    shared_labels: &std::collections::BTreeMap<&'static str, &'static str>,
) -> Vec<NavItem> {
    KINDS
        .iter()
        .filter_map(|k| {
            let label = k.nav()?;
            Some(NavItem {
                text: label_of(shared_labels, label).to_string(),
                href: routes::href(&k.path(site, 0)),
                section: k.name(),
            })
        })
        .collect()
}

/// A UI label; every label a kind names is in both languages' tables (tested).
pub(crate) fn label_of(
    labels: &std::collections::BTreeMap<&'static str, &'static str>,
    key: &str,
) -> &'static str {
    labels
        .get(key)
        .copied()
        .unwrap_or_else(|| panic!("the label {key:?} is missing from i18n's table"))
}

/// What a web page of the site gets besides its own data.
pub(crate) struct Frame<'a> {
    /// The template.
    pub template: &'static str,
    /// The output path.
    pub path: String,
    /// The page's title (`None` for the home page, titled by the site).
    pub title: Option<String>,
    /// The navigation section the page belongs to.
    pub section: Option<&'static str>,
    /// The page's own data.
    pub ctx: Context,
    /// Printable documents rendered beside it.
    pub documents: Vec<Output>,
    /// The theme and shared values.
    pub cx: &'a Cx<'a>,
}

impl Frame<'_> {
    /// Renders the page in the site's frame and returns it with its documents.
    pub(crate) fn render(mut self) -> Result<Vec<Output>, Error> {
        let site = self.cx.views.site;
        let shared = self.cx.shared;
        let root = if self.path == routes::NOT_FOUND {
            // Served for any missing path, so its links must not be relative.
            site.config.base_url.clone()
        } else {
            routes::root_of(&self.path)
        };
        let ctx = &mut self.ctx;
        shared.insert_into(ctx);
        ctx.insert("root", &root);
        ctx.insert("path", &self.path);
        ctx.insert("section", &self.section.unwrap_or(""));
        // A canonical URL only makes sense when the site's address is known.
        if site.config.base_url.contains("://") {
            let canonical = format!(
                "{}{}",
                site.config.base_url,
                routes::href(routes::pretty(&self.path))
            );
            ctx.insert("canonical", &canonical);
        }
        ctx.insert("page_title", &self.title);
        feeds::insert_meta(ctx, self.cx, &self.path, self.title.as_deref());
        let html = self.cx.theme.render(self.template, ctx)?;
        self.documents.push(Output::Bytes {
            path: self.path,
            bytes: html,
        });
        Ok(self.documents)
    }
}

/// A section index that lists groups of incidents with their figures (years, operators,
/// annual reports), titled by its navigation label.
pub(crate) fn group_index(
    cx: &Cx<'_>,
    kind: &dyn Kind,
    template: &'static str,
    groups: Vec<super::views::GroupView>,
) -> Result<Vec<Output>, Error> {
    let site = cx.views.site;
    let mut ctx = Context::new();
    ctx.insert("groups", &groups);
    Frame {
        template,
        path: kind.path(site, 0),
        title: kind.nav().map(|l| cx.shared.label(l).to_string()),
        section: Some(kind.name()),
        ctx,
        documents: Vec::new(),
        cx,
    }
    .render()
}

/// Every incident's row, for the pages that list or count them all (and the tag index:
/// an incident's row changes for `gen serve` when its tags do).
pub(crate) fn every_row(on: &mut dyn FnMut(Dep)) {
    on(Dep::List(List::All));
}

/// What an incident's view shows: the incident and its body, the rows of the incidents it
/// relates to, and its meeting.
pub(crate) fn incident_view(site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
    on(Dep::Incident(n));
    on(Dep::Body(n));
    for r in &site.incidents[n].related {
        if let Some(k) = site.incident_index(&r.value) {
            on(Dep::Row(k));
        }
    }
    if let Some(m) = site.meeting_index_of(n) {
        on(Dep::Meeting(m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_unique_names_and_labels_in_both_languages() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
        for lang in [crate::model::Lang::Ja, crate::model::Lang::En] {
            let labels = crate::render::i18n::labels(lang);
            for k in KINDS {
                if let Some(label) = k.nav() {
                    assert!(labels.contains_key(label), "{}: {label}", k.name());
                }
            }
        }
    }
}
