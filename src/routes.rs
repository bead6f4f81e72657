//! Every URL of the site, made in one place.
//!
//! A route is a path inside the output folder (`incidents/x/index.html`); [`href`] makes
//! it a link. Pages link relative to themselves (prefixing `root`, the way back to the
//! site root), so the output works at a domain root, under a sub-path and from disk.
//! Nothing else in gen writes or takes apart a site path: templates receive hrefs.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;

/// The home page.
pub const HOME: &str = "index.html";
/// The list of every incident.
pub const INCIDENTS: &str = "incidents/index.html";
/// The cause index.
pub const CAUSES: &str = "causes/index.html";
/// The year index.
pub const YEARS: &str = "years/index.html";
/// The operator index.
pub const OPERATORS: &str = "operators/index.html";
/// The meeting index.
pub const MEETINGS: &str = "meetings/index.html";
/// The index of printable reports.
pub const REPORTS: &str = "reports/index.html";
/// The countermeasure ledger (its first page).
pub const COUNTERMEASURES: &str = "countermeasures/index.html";

/// The tag index.
pub const TAGS: &str = "tags/index.html";

/// Page `n` (from 0) of a list whose first page is `first` (`causes/x/index.html`):
/// the first page keeps its path, later ones go to `causes/x/page/2/index.html` ….
pub fn paged(first: &str, n: usize) -> String {
    if n == 0 {
        first.to_string()
    } else {
        let folder = first.strip_suffix("index.html").unwrap_or(first);
        format!("{folder}page/{}/index.html", n + 1)
    }
}
/// The search page; its query is in the URL (`search/?q=…`).
pub const SEARCH: &str = "search/index.html";
/// The search page's script, beside it.
pub const SEARCH_SCRIPT: &str = "search/search.js";
/// The folder of the search index's files (`src/render/search.rs`).
pub const SEARCH_DATA: &str = "search/data/";

/// The folder name under a list's folder that holds its later pages: an incident may
/// not take it as its id (`incidents/page/2/`).
pub const PAGES_FOLDER: &str = "page";
/// The page served for any missing path.
pub const NOT_FOUND: &str = "404.html";
/// The site's stylesheet.
pub const STYLE: &str = "style.css";
/// The site's icon, a static file of the theme.
pub const FAVICON: &str = "favicon.svg";
/// The Atom feed of every incident.
pub const FEED: &str = "atom.xml";
/// The sitemap (sitemaps.org 0.9).
pub const SITEMAP: &str = "sitemap.xml";

/// Part `k` (from 1) of a sitemap split because it has more URLs than one file may hold.
pub fn sitemap_part(k: usize) -> String {
    format!("sitemap-{k}.xml")
}

/// Whether `rel` (from the output's root) is where a sitemap part may go: `sitemap-<n>.xml`.
pub fn is_sitemap_part(rel: &str) -> bool {
    rel.strip_prefix("sitemap-")
        .and_then(|r| r.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}
/// The robots exclusion file, naming the sitemap.
pub const ROBOTS: &str = "robots.txt";

/// A cause's Atom feed, beside its page.
pub fn cause_feed(key: &str) -> String {
    format!("causes/{key}/atom.xml")
}

/// An operator's Atom feed, beside its page (by slug, like [`operator`]).
pub fn operator_feed(slug: &str) -> String {
    format!("operators/{slug}/atom.xml")
}

/// The absolute URL of a path of the site, for feeds and the sitemap: `base_url` (which
/// ends with `/`) and the path as a link, without a trailing `index.html`. Characters
/// beyond ASCII are percent-encoded, as XML consumers expect a URI.
pub fn absolute(base_url: &str, path: &str) -> String {
    let mut out = String::from(base_url);
    out.extend(utf8_percent_encode(&href(pretty(path)), NON_ASCII_ONLY));
    out
}

/// Escapes only bytes beyond ASCII: [`href`] has escaped the rest already.
const NON_ASCII_ONLY: &AsciiSet = &percent_encoding::AsciiSet::EMPTY;
/// Every published incident as JSON (docs/format.md, "Data exports").
pub const EXPORT_JSON: &str = "incidents.json";
/// The JSON Schema of [`EXPORT_JSON`].
pub const EXPORT_SCHEMA: &str = "incidents.schema.json";
/// One row per incident.
pub const EXPORT_CSV: &str = "incidents.csv";
/// One row per countermeasure.
pub const EXPORT_MEASURES_CSV: &str = "countermeasures.csv";

/// An incident's page.
pub fn incident(id: &str) -> String {
    format!("{}index.html", incident_dir(id))
}

/// An incident's printable report.
pub fn incident_report(id: &str) -> String {
    format!("{}report.html", incident_dir(id))
}

/// The folder of an incident's page, which also holds its assets.
pub fn incident_dir(id: &str) -> String {
    format!("incidents/{id}/")
}

/// A cause's page.
pub fn cause(key: &str) -> String {
    format!("causes/{key}/index.html")
}

/// A year's page.
pub fn year(y: i32) -> String {
    format!("years/{y}/index.html")
}

/// An operator's page, by the operator's slug (see [`crate::site::slug`]).
pub fn operator(slug: &str) -> String {
    format!("operators/{slug}/index.html")
}

/// A tag's page, by the tag's slug (see [`crate::site::tag_slug`]).
pub fn tag(slug: &str) -> String {
    format!("tags/{slug}/index.html")
}

/// A meeting's page.
pub fn meeting(id: &str) -> String {
    format!("meetings/{id}/index.html")
}

/// A meeting's packet.
pub fn packet(id: &str) -> String {
    format!("meetings/{id}/packet/index.html")
}

/// A year's annual report.
pub fn annual(year: i32) -> String {
    format!("reports/{year}/index.html")
}

/// The kind of document a path of the site belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `incidents/<id>/…`: an incident's page, report or assets.
    Incident,
    /// `meetings/<id>/…`: a meeting's page or packet.
    Meeting,
}

/// The document a path of the site is part of (`incidents/x/diagram.png` → incident
/// `x`), taken apart the way [`incident_dir`] and [`meeting`] put it together; `None`
/// for the list pages and every other path.
pub fn document_of(path: &str) -> Option<(Section, &str)> {
    let (first, rest) = path.split_once('/')?;
    let section = match first {
        "incidents" => Section::Incident,
        "meetings" => Section::Meeting,
        _ => return None,
    };
    // `incidents/index.html` is the list, not an incident named `index.html`, and
    // `incidents/page/2/` is a later page of it.
    let (id, _) = rest.split_once('/')?;
    if section == Section::Incident && id == PAGES_FOLDER {
        return None;
    }
    (!id.is_empty()).then_some((section, id))
}

/// The folder a page sits in, with its final `/` (`incidents/x/index.html` →
/// `incidents/x/`; `index.html` → ``): where its relative links start.
pub fn folder_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// The relative prefix from a page to the site root (`incidents/x/index.html` → `../../`).
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The page's URL without a trailing `index.html` (`incidents/x/`), for canonical links.
pub fn pretty(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

/// ASCII characters escaped in path segments of hrefs.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// An href for an output path such as `operators/株式会社/index.html`. Characters beyond
/// ASCII are written as they are: HTML allows them in a URL (the browser encodes them when
/// it asks for the page, from a server or from disk), and a Japanese name is a third of
/// its percent-encoded length.
pub fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while !rest.is_empty() {
        // Runs of ASCII go through the encoder; anything else is copied.
        let ascii = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        out.extend(utf8_percent_encode(&rest[..ascii], SEGMENT));
        rest = &rest[ascii..];
        let other = rest.find(|c: char| c.is_ascii()).unwrap_or(rest.len());
        out.push_str(&rest[..other]);
        rest = &rest[other..];
    }
    out
}

/// The hrefs of the site's fixed pages, given to every template as `links`, so that no
/// template writes a path itself.
#[derive(Debug, Clone, Serialize)]
pub struct Links {
    /// [`HOME`].
    pub home: String,
    /// [`INCIDENTS`].
    pub incidents: String,
    /// [`CAUSES`].
    pub causes: String,
    /// [`YEARS`].
    pub years: String,
    /// [`OPERATORS`].
    pub operators: String,
    /// [`MEETINGS`].
    pub meetings: String,
    /// [`REPORTS`].
    pub reports: String,
    /// [`COUNTERMEASURES`].
    pub countermeasures: String,
    /// [`TAGS`].
    pub tags: String,
    /// [`STYLE`].
    pub style: String,
    /// [`FAVICON`].
    pub favicon: String,
    /// [`EXPORT_JSON`].
    pub export_json: String,
    /// [`EXPORT_CSV`].
    pub export_csv: String,
    /// [`EXPORT_MEASURES_CSV`].
    pub export_measures_csv: String,
    /// [`SEARCH`].
    pub search: String,
}

impl Links {
    /// The hrefs, relative to the site root.
    pub fn new() -> Self {
        Self {
            home: href(HOME),
            incidents: href(INCIDENTS),
            causes: href(CAUSES),
            years: href(YEARS),
            operators: href(OPERATORS),
            meetings: href(MEETINGS),
            reports: href(REPORTS),
            countermeasures: href(COUNTERMEASURES),
            tags: href(TAGS),
            style: href(STYLE),
            favicon: href(FAVICON),
            export_json: href(EXPORT_JSON),
            export_csv: href(EXPORT_CSV),
            export_measures_csv: href(EXPORT_MEASURES_CSV),
            search: href(SEARCH),
        }
    }
}

impl Default for Links {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_hrefs() {
        assert_eq!(incident("a"), "incidents/a/index.html");
        assert_eq!(incident_report("a"), "incidents/a/report.html");
        assert_eq!(packet("m"), "meetings/m/packet/index.html");
        assert_eq!(root_of(&incident("a")), "../../");
        assert_eq!(root_of(HOME), "");
        assert_eq!(pretty(&annual(2024)), "reports/2024/");
        assert_eq!(
            document_of("incidents/a/img/x.png"),
            Some((Section::Incident, "a"))
        );
        assert_eq!(document_of(&packet("m")), Some((Section::Meeting, "m")));
        assert_eq!(document_of(INCIDENTS), None);
        assert_eq!(document_of(&cause("overload")), None);
        assert_eq!(folder_of(&incident("a")), "incidents/a/");
        assert_eq!(folder_of(HOME), "");
        assert_eq!(paged(INCIDENTS, 0), INCIDENTS);
        assert_eq!(paged(INCIDENTS, 1), "incidents/page/2/index.html");
        assert_eq!(paged(&cause("dns"), 2), "causes/dns/page/3/index.html");
        assert_eq!(document_of(&paged(INCIDENTS, 1)), None);
        assert_eq!(tag("dns"), "tags/dns/index.html");
        assert_eq!(
            href(&operator("株式会社 #1")),
            "operators/株式会社%20%231/index.html"
        );
        assert_eq!(
            absolute("https://example.org/p/", &operator("株式会社 #1")),
            "https://example.org/p/operators/%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%20%231/"
        );
        assert_eq!(
            absolute("https://example.org/", HOME),
            "https://example.org/"
        );
        assert_eq!(
            absolute("https://example.org/", &cause_feed("overload")),
            "https://example.org/causes/overload/atom.xml"
        );
    }
}
