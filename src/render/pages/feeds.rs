//! The files for machines: the Atom feeds of every incident, of each cause and of each
//! operator, and the sitemap (robots.txt is written with the static files, which may
//! replace it: [`crate::render::extras`]). Each is a kind of the registry like the pages,
//! so that `gen serve` writes them again when what they show changes and `gen routes`
//! lists them; there are none when `base_url` is not an absolute URL
//! ([`feeds::enabled`]).

use super::{all, Cx, Dep, Kind, List, Page};
use crate::error::Error;
use crate::model::{Status, Timestamp};
use crate::render::feeds::{self, Feed, Labels};
use crate::render::Output;
use crate::routes;
use crate::site::Site;

/// One file when feeds are on, else none.
fn one_if_enabled(site: &Site) -> usize {
    usize::from(feeds::enabled(site))
}

/// The labels an entry's summary uses.
fn labels(cx: &Cx<'_>) -> Labels {
    Labels {
        operator: cx.shared.label("operator"),
        started: cx.shared.label("started"),
        status: cx.shared.label("status"),
    }
}

/// Every incident of a list, for `depends`: an entry shows the summary and every date.
fn entries(list: List, on: &mut dyn FnMut(Dep)) {
    on(Dep::Records(list));
}

/// `atom.xml`: every incident, newest first.
pub(super) struct SiteFeed;

impl Kind for SiteFeed {
    fn name(&self) -> &'static str {
        "feed"
    }

    fn count(&self, site: &Site) -> usize {
        one_if_enabled(site)
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::FEED.to_string()
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        entries(List::All, on);
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let site = cx.views.site;
        let list: Vec<usize> = (0..site.incidents.len()).collect();
        let feed = Feed {
            path: routes::FEED.to_string(),
            page: routes::HOME.to_string(),
            title: site.config.title.clone(),
            incidents: &list,
        };
        Ok(vec![Output::Bytes {
            path: feed.path.clone(),
            bytes: feed.atom(site, cx.views.f, &labels(cx)),
        }])
    }
}

/// `causes/<key>/atom.xml`: the incidents with a cause, primary or not.
pub(super) struct CauseFeed;

impl Kind for CauseFeed {
    fn name(&self) -> &'static str {
        "cause-feed"
    }

    fn count(&self, site: &Site) -> usize {
        one_if_enabled(site) * site.causes.len()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        site.causes[n].key.as_str().to_string()
    }

    fn path(&self, site: &Site, n: usize) -> String {
        routes::cause_feed(site.causes[n].key.as_str())
    }

    fn depends(&self, _site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        entries(List::Cause(n), on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let site = cx.views.site;
        let c = &site.causes[n];
        let label = site
            .config
            .causes
            .get(c.key.as_str())
            .map_or(c.key.as_str(), |k| k.label(cx.views.f.lang));
        let list: Vec<usize> = c.entries.iter().map(|e| e.incident).collect();
        let feed = Feed {
            path: self.path(site, n),
            page: routes::cause(c.key.as_str()),
            title: titled(cx, label),
            incidents: &list,
        };
        Ok(vec![Output::Bytes {
            path: feed.path.clone(),
            bytes: feed.atom(site, cx.views.f, &labels(cx)),
        }])
    }
}

/// `operators/<slug>/atom.xml`: an operator's incidents.
pub(super) struct OperatorFeed;

impl Kind for OperatorFeed {
    fn name(&self) -> &'static str {
        "operator-feed"
    }

    fn count(&self, site: &Site) -> usize {
        one_if_enabled(site) * site.operators.len()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        site.operators[n].key.clone()
    }

    fn path(&self, site: &Site, n: usize) -> String {
        routes::operator_feed(&site.operators[n].slug)
    }

    fn depends(&self, _site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        entries(List::Operator(n), on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let site = cx.views.site;
        let o = &site.operators[n];
        let feed = Feed {
            path: self.path(site, n),
            page: routes::operator(&o.slug),
            title: titled(cx, &o.key),
            incidents: &o.incidents,
        };
        Ok(vec![Output::Bytes {
            path: feed.path.clone(),
            bytes: feed.atom(site, cx.views.f, &labels(cx)),
        }])
    }
}

/// A feed's title: what it lists, then the site, as the pages' titles are.
fn titled(cx: &Cx<'_>, what: &str) -> String {
    format!("{what} | {}", cx.views.site.config.title)
}

/// `sitemap.xml`, and the files it indexes past 50,000 URLs (`sitemap-1.xml` …).
pub(super) struct Sitemap;

impl Kind for Sitemap {
    fn name(&self) -> &'static str {
        "sitemap"
    }

    fn count(&self, site: &Site) -> usize {
        one_if_enabled(site)
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::SITEMAP.to_string()
    }

    fn depends(&self, site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        entries(List::All, on);
        (0..site.meetings.len()).for_each(|m| on(Dep::Meeting(m)));
    }

    fn parts(&self, site: &Site, _n: usize) -> Vec<String> {
        feeds::sitemap_parts(sitemap_urls(site), feeds::SITEMAP_URLS)
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        Ok(feeds::sitemap(cx.views.site)
            .into_iter()
            .map(|(path, bytes)| Output::Bytes { path, bytes })
            .collect())
    }
}

/// Every HTML file of the build for the sitemap, in build order, with the time its
/// content last changed: the latest `updated` of the incidents it shows (a list page,
/// the latest of what it lists) and the date of the meetings it shows. The 404 page is
/// left out, and so are the pages of drafts, which a `--drafts` build has: a preview
/// build's sitemap is the one publishing would give.
pub(crate) fn sitemap_entries(site: &Site) -> Vec<(String, Option<Timestamp>)> {
    let updated = &site.updated;
    let draft = |n: usize| site.incidents[n].status == Status::Draft;
    let latest = |list: &mut dyn Iterator<Item = usize>| {
        list.filter(|&n| !draft(n)).map(|n| updated[n]).max()
    };
    // Every page of a paginated list shows the whole list: its latest `updated` is
    // worked out once per list, not once per page.
    let mut lists: std::collections::HashMap<List, Option<Timestamp>> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for page in all(site) {
        let Some((path, docs)) = in_sitemap(site, page) else {
            continue;
        };
        let mut lastmod: Option<Timestamp> = None;
        page.depends(site, &mut |d| {
            let t = match d {
                Dep::Incident(n) | Dep::Body(n) | Dep::Row(n) if !draft(n) => Some(updated[n]),
                Dep::Meeting(m) => Some(site.meetings[m].date),
                Dep::List(l) | Dep::Records(l) => *lists
                    .entry(l)
                    .or_insert_with(|| latest(&mut l.members(site))),
                _ => None,
            };
            lastmod = lastmod.max(t);
        });
        out.extend(docs.into_iter().map(|doc| (doc, lastmod)));
        out.push((path, lastmod));
    }
    out
}

/// How many URLs the sitemap lists (those of [`sitemap_entries`]), without working out
/// their dates.
fn sitemap_urls(site: &Site) -> usize {
    all(site)
        .into_iter()
        .filter_map(|page| in_sitemap(site, page))
        .map(|(_, docs)| 1 + docs.len())
        .sum()
}

/// A page's path and its HTML documents' paths when the sitemap lists them: HTML, not the
/// 404 page, not a draft's.
fn in_sitemap(site: &Site, page: Page) -> Option<(String, Vec<String>)> {
    let path = page.path(site);
    if !path.ends_with(".html") || path == routes::NOT_FOUND {
        return None;
    }
    if let Some(Dep::Incident(n)) = page.owner() {
        if site.incidents[n].status == Status::Draft {
            return None;
        }
    }
    let docs = page
        .kind()
        .documents(site, page.n)
        .into_iter()
        .map(|(_, doc)| doc)
        .filter(|doc| doc.ends_with(".html"))
        .collect();
    Some((path, docs))
}

/// A link to a feed, as templates receive it (`feed`, `site_feed`).
#[derive(Debug, serde::Serialize)]
pub(crate) struct FeedLink {
    /// The feed's href from the site root.
    href: String,
    /// What the link says.
    title: &'static str,
}

/// Gives the page its own feed (`feed` in the templates: a `<link rel="alternate">` in
/// the head and a visible link), when feeds are on.
pub(super) fn insert_feed(ctx: &mut tera::Context, cx: &Cx<'_>, path: &str) {
    if feeds::enabled(cx.views.site) {
        let title = if path == routes::FEED {
            cx.shared.label("site_feed")
        } else {
            cx.shared.label("page_feed")
        };
        ctx.insert(
            "feed",
            &FeedLink {
                href: routes::href(path),
                title,
            },
        );
    }
}

/// A label with its `{name}` holes filled.
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

/// What every page's head carries besides its title: `description` (the one a kind gave,
/// else one made from the page's title), `og_type` (`website` unless the kind said
/// otherwise), `og_locale` and, when feeds are on, `site_feed`.
pub(super) fn insert_meta(ctx: &mut tera::Context, cx: &Cx<'_>, path: &str, title: Option<&str>) {
    let site = cx.views.site;
    let given = ctx
        .get("description")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| {
            (path == routes::NOT_FOUND).then(|| cx.shared.label("not_found_text").to_string())
        });
    let text = given.unwrap_or_else(|| match title {
        None => fill(
            cx.shared.label("describe_home"),
            &[
                ("site", &site.config.title),
                ("n", &cx.views.f.number(site.incidents.len() as u64)),
            ],
        ),
        Some(t) => fill(
            cx.shared.label("describe_page"),
            &[("title", t), ("site", &site.config.title)],
        ),
    });
    ctx.insert("description", &feeds::description(&text));
    if !ctx.contains_key("og_type") {
        ctx.insert("og_type", "website");
    }
    let locale = match site.config.language {
        crate::model::Lang::Ja => "ja_JP",
        crate::model::Lang::En => "en_US",
    };
    ctx.insert("og_locale", locale);
    if feeds::enabled(site) {
        ctx.insert(
            "site_feed",
            &FeedLink {
                href: routes::href(routes::FEED),
                title: cx.shared.label("site_feed"),
            },
        );
    }
}

/// The description of a page that lists a group of `n` incidents (a cause, a year, an
/// operator).
pub(super) fn describe_group(ctx: &mut tera::Context, cx: &Cx<'_>, title: &str, n: usize) {
    let text = fill(
        cx.shared.label("describe_group"),
        &[
            ("title", title),
            ("site", &cx.views.site.config.title),
            ("n", &cx.views.f.number(n as u64)),
        ],
    );
    ctx.insert("description", &text);
}

/// An incident page's description: its summary, else its title, operators and start;
/// and `og_type` `article`.
pub(super) fn describe_incident(ctx: &mut tera::Context, cx: &Cx<'_>, n: usize) {
    let f = cx.views.f;
    let i = &cx.views.site.incidents[n];
    let text = match i.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => s.to_string(),
        None => fill(
            cx.shared.label("describe_incident"),
            &[
                ("title", &i.title),
                ("operators", &i.operators.join(f.punctuation().list_sep)),
                ("started", &f.datetime(i.started)),
            ],
        ),
    };
    ctx.insert("description", &text);
    ctx.insert("og_type", "article");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sitemap_url_count_is_the_count_of_its_entries() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for drafts in [false, true] {
            let mut opts = crate::BuildOptions::new(root);
            opts.drafts = drafts;
            let site = crate::load_site(&opts).expect("the shipped site loads");
            let entries = sitemap_entries(&site);
            assert!(entries.len() > 50, "{}", entries.len());
            assert_eq!(sitemap_urls(&site), entries.len());
        }
    }
}
