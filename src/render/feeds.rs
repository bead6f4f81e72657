//! Files for machines rather than readers: Atom feeds (RFC 4287), the sitemap
//! (sitemaps.org 0.9) and the page descriptions that link previews show.
//!
//! They need absolute URLs, so they exist only when `base_url` is one
//! ([`enabled`]); the page kinds that write them are in `pages/feeds.rs`.

use std::fmt::Write as _;

use crate::model::Timestamp;
use crate::render::i18n::Fmt;
use crate::routes;
use crate::site::Site;

/// Whether the site's address is known (`base_url` is an absolute URL), without which
/// gen writes no feed, sitemap or robots.txt: a relative link in a feed or a sitemap is
/// read against the feed's own address by some readers and rejected by others.
pub fn enabled(site: &Site) -> bool {
    site.config.base_url.contains("://")
}

/// The absolute URL of a path of the site.
pub(crate) fn url(site: &Site, path: &str) -> String {
    routes::absolute(&site.config.base_url, path)
}

/// `s` escaped for XML text and attribute values; characters XML 1.0 cannot hold at all
/// (control characters other than tab and line breaks) become U+FFFD, so that a stray
/// one in the front matter cannot make the whole feed unreadable.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// An RFC 3339 date-time with seconds, as Atom and sitemaps require.
pub(crate) fn datetime(t: Timestamp) -> String {
    t.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The feed of a list of incidents (indexes into the site's, newest first).
pub(crate) struct Feed<'a> {
    /// Where the feed is written.
    pub path: String,
    /// The page the feed is the feed of.
    pub page: String,
    /// The feed's title.
    pub title: String,
    /// The incidents, by index, in the order listed.
    pub incidents: &'a [usize],
}

impl Feed<'_> {
    /// The feed as an Atom document.
    pub(crate) fn atom(&self, site: &Site, f: Fmt, labels: &Labels) -> Vec<u8> {
        let tz = site.config.timezone;
        let entries: Vec<usize> = self
            .incidents
            .iter()
            .copied()
            .filter(|&n| site.incidents[n].status != crate::model::Status::Draft)
            .collect();
        let entries = latest(site, entries, site.config.feed_limit);
        let updated = entries
            .iter()
            .map(|&n| site.updated[n])
            .max()
            .or_else(|| site.updated.iter().copied().max())
            .or_else(|| {
                let day = crate::model::PartialDate::new(
                    chrono::Datelike::year(&site.today),
                    Some(chrono::Datelike::month(&site.today)),
                    Some(chrono::Datelike::day(&site.today)),
                )?;
                crate::model::incident::start_of(day, tz)
            });
        let self_url = url(site, &self.path);
        let mut x = String::with_capacity(1024 + entries.len() * 1024);
        x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        let _ = writeln!(
            x,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
            crate::model::Choice::as_str(site.config.language)
        );
        let _ = writeln!(x, "  <id>{}</id>", escape(&self_url));
        let _ = writeln!(x, "  <title>{}</title>", escape(&self.title));
        if let Some(u) = updated {
            let _ = writeln!(x, "  <updated>{}</updated>", datetime(u));
        }
        let _ = writeln!(
            x,
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
            escape(&self_url)
        );
        let _ = writeln!(
            x,
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&url(site, &self.page))
        );
        // Entries name their operators; the feed's author covers any that name none.
        let author = site.config.issuer.as_deref().unwrap_or(&site.config.title);
        let _ = writeln!(
            x,
            "  <author><name>{}</name></author>\n  <generator>gen</generator>",
            escape(author)
        );
        for n in entries {
            entry(&mut x, site, n, f, labels);
        }
        x.push_str("</feed>\n");
        x.into_bytes()
    }
}

/// The `limit` entries of `entries` updated last (of equals, the earlier in `entries`), in
/// the order of `entries`; all of them without a limit. By `updated`, not `started`, so
/// that an old incident whose detailed report or countermeasure is recorded still reaches
/// feed readers.
fn latest(site: &Site, entries: Vec<usize>, limit: Option<usize>) -> Vec<usize> {
    let Some(limit) = limit.filter(|&l| l < entries.len()) else {
        return entries;
    };
    // Positions in `entries`, latest update first; a stable sort keeps equals in order.
    let mut kept: Vec<usize> = (0..entries.len()).collect();
    kept.sort_by(|&a, &b| site.updated[entries[b]].cmp(&site.updated[entries[a]]));
    kept.truncate(limit);
    kept.sort_unstable();
    kept.into_iter().map(|pos| entries[pos]).collect()
}

/// The UI labels a feed entry's summary uses.
pub(crate) struct Labels {
    /// 事業者名.
    pub operator: &'static str,
    /// 発生日時.
    pub started: &'static str,
    /// 状況.
    pub status: &'static str,
}

/// One `<entry>`: the incident's page as its id and link, its operators as authors, its
/// causes as categories, and a summary that starts with its status, operators and start.
fn entry(x: &mut String, site: &Site, n: usize, f: Fmt, labels: &Labels) {
    let i = &site.incidents[n];
    let page = url(site, &routes::incident(&i.id));
    let p = f.punctuation();
    let _ = writeln!(x, "  <entry>");
    let _ = writeln!(x, "    <id>{}</id>", escape(&page));
    let _ = writeln!(x, "    <title>{}</title>", escape(&i.title));
    let _ = writeln!(
        x,
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&page)
    );
    let _ = writeln!(x, "    <published>{}</published>", datetime(i.started));
    let _ = writeln!(x, "    <updated>{}</updated>", datetime(site.updated[n]));
    for o in &i.operators {
        let _ = writeln!(x, "    <author><name>{}</name></author>", escape(o));
    }
    for c in &i.causes {
        let label = site
            .config
            .causes
            .get(c.as_str())
            .map_or(c.as_str(), |k| k.label(f.lang));
        let _ = writeln!(
            x,
            "    <category term=\"{}\" label=\"{}\"/>",
            escape(c.as_str()),
            escape(label)
        );
    }
    let mut summary = format!(
        "{}{}{}{}{}{}{}{}{}{}{}",
        labels.status,
        p.colon,
        f.choice(i.status),
        p.dot_sep,
        labels.operator,
        p.colon,
        i.operators.join(p.list_sep),
        p.dot_sep,
        labels.started,
        p.colon,
        f.datetime(i.started),
    );
    if let Some(s) = &i.summary {
        summary.push('\n');
        summary.push_str(s);
    }
    let _ = writeln!(x, "    <summary>{}</summary>", escape(&summary));
    let _ = writeln!(x, "  </entry>");
}

/// The most URLs one sitemap file may hold (sitemaps.org: 50,000, and 50 MB, which 50,000
/// of gen's URLs stay far below).
pub(crate) const SITEMAP_URLS: usize = 50_000;

/// The sitemap: every HTML page and printable document of the build except the 404
/// page and the pages of drafts, each with the date its content last changed, as
/// (path, bytes). One `sitemap.xml` up to [`SITEMAP_URLS`] URLs; past that, `sitemap.xml`
/// is a sitemap index of `sitemap-1.xml`, `sitemap-2.xml` … which hold them.
pub(crate) fn sitemap(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut entries: Vec<(String, Option<Timestamp>)> = super::pages::sitemap_entries(site)
        .into_iter()
        .map(|(path, lastmod)| (url(site, &path), lastmod))
        .collect();
    // By URL, so that a reader of the file finds a page where they expect it.
    entries.sort();
    split_sitemap(&site.config.base_url, &entries, SITEMAP_URLS)
}

/// [`sitemap`]'s files for `entries` (sorted, absolute URLs), at most `limit` URLs a file;
/// the parts are named by their URLs under `base_url`.
fn split_sitemap(
    base_url: &str,
    entries: &[(String, Option<Timestamp>)],
    limit: usize,
) -> Vec<(String, Vec<u8>)> {
    if entries.len() <= limit {
        return vec![(routes::SITEMAP.to_string(), urlset(entries))];
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut files = Vec::new();
    let names = sitemap_parts(entries.len(), limit);
    for (path, part) in names.into_iter().zip(entries.chunks(limit.max(1))) {
        let _ = write!(
            index,
            "  <sitemap><loc>{}</loc>",
            escape(&routes::absolute(base_url, &path))
        );
        if let Some(t) = part.iter().filter_map(|(_, t)| *t).max() {
            let _ = write!(index, "<lastmod>{}</lastmod>", datetime(t));
        }
        index.push_str("</sitemap>\n");
        files.push((path, urlset(part)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, (routes::SITEMAP.to_string(), index.into_bytes()));
    files
}

/// The files a sitemap of `urls` URLs is split into past `limit` URLs a file
/// (`sitemap-1.xml` …), none when one `sitemap.xml` holds them all.
pub(crate) fn sitemap_parts(urls: usize, limit: usize) -> Vec<String> {
    if urls <= limit {
        return Vec::new();
    }
    (1..=urls.div_ceil(limit.max(1)))
        .map(routes::sitemap_part)
        .collect()
}

/// One `<urlset>` of `entries`.
fn urlset(entries: &[(String, Option<Timestamp>)]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in entries {
        let _ = write!(x, "  <url><loc>{}</loc>", escape(loc));
        if let Some(t) = lastmod {
            let _ = write!(x, "<lastmod>{}</lastmod>", datetime(*t));
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    x.into_bytes()
}

/// A page's `<meta name="description">`: `text` with its white space collapsed and cut
/// to at most [`DESCRIPTION_CHARS`] characters (not bytes: a Japanese character is three),
/// at the end of a sentence when one ends past half of that, else with an ellipsis.
pub(crate) fn description(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= DESCRIPTION_CHARS {
        return flat;
    }
    let head = &chars[..DESCRIPTION_CHARS];
    let sentence_end = head
        .iter()
        .rposition(|&c| matches!(c, '。' | '．' | '！' | '？' | '.' | '!' | '?'))
        .filter(|&k| k >= DESCRIPTION_CHARS / 2);
    match sentence_end {
        Some(k) => head[..=k].iter().collect(),
        None => {
            let mut s: String = head[..DESCRIPTION_CHARS - 1].iter().collect();
            s = s.trim_end().to_string();
            s.push('…');
            s
        }
    }
}

/// The longest description, in characters: about what search results and link previews
/// show of a Japanese text (they cut English at about 160).
pub const DESCRIPTION_CHARS: usize = 120;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b>&\"'c]]>\u{1}\u{7}\td"),
            "a&lt;b&gt;&amp;&quot;&apos;c]]&gt;\u{FFFD}\u{FFFD}\td"
        );
    }

    #[test]
    fn a_sitemap_past_the_limit_is_an_index_of_parts_each_within_it() {
        let t = |d: u32| {
            chrono::FixedOffset::east_opt(9 * 3600)
                .and_then(|tz| {
                    chrono::TimeZone::with_ymd_and_hms(&tz, 2024, 1, d, 0, 0, 0).single()
                })
                .map(Timestamp)
        };
        let base = "https://example.org/p/";
        let entries: Vec<(String, Option<Timestamp>)> = vec![
            (format!("{base}a/"), t(3)),
            (format!("{base}b/"), t(1)),
            (format!("{base}c/"), None),
            (format!("{base}d/"), t(2)),
            (format!("{base}e/"), None),
        ];
        let text = |files: &[(String, Vec<u8>)], k: usize| {
            (
                files[k].0.clone(),
                String::from_utf8(files[k].1.clone()).unwrap_or_default(),
            )
        };
        // Within the limit: one urlset, as always.
        let one = split_sitemap(base, &entries, 5);
        assert_eq!(one.len(), 1);
        let (path, xml) = text(&one, 0);
        assert_eq!(path, "sitemap.xml");
        assert!(xml.contains("<urlset") && xml.matches("<url>").count() == 5);
        // Past it: an index naming each part with its latest lastmod, and the parts in order.
        let split = split_sitemap(base, &entries, 2);
        let paths: Vec<&str> = split.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        // The routes listing names the same parts without writing them.
        assert_eq!(sitemap_parts(entries.len(), 2), paths[1..]);
        assert!(sitemap_parts(entries.len(), 5).is_empty());
        assert_eq!(sitemap_parts(6, 3), ["sitemap-1.xml", "sitemap-2.xml"]);
        let (_, index) = text(&split, 0);
        assert_eq!(
            index,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n\
             \x20 <sitemap><loc>https://example.org/p/sitemap-1.xml</loc><lastmod>2024-01-03T00:00:00+09:00</lastmod></sitemap>\n\
             \x20 <sitemap><loc>https://example.org/p/sitemap-2.xml</loc><lastmod>2024-01-02T00:00:00+09:00</lastmod></sitemap>\n\
             \x20 <sitemap><loc>https://example.org/p/sitemap-3.xml</loc></sitemap>\n\
             </sitemapindex>\n"
        );
        let (_, second) = text(&split, 2);
        assert_eq!(second.matches("<url>").count(), 2);
        assert!(second.contains("<loc>https://example.org/p/c/</loc></url>"));
        assert!(second.contains(
            "<loc>https://example.org/p/d/</loc><lastmod>2024-01-02T00:00:00+09:00</lastmod>"
        ));
        let (_, last) = text(&split, 3);
        assert_eq!(last.matches("<url>").count(), 1);
    }

    #[test]
    fn sitemap_part_names_are_reserved_exactly() {
        for yes in ["sitemap-1.xml", "sitemap-12.xml"] {
            assert!(routes::is_sitemap_part(yes), "{yes}");
        }
        for no in [
            "sitemap-.xml",
            "sitemap-1a.xml",
            "sitemap-1.xml.bak",
            "a/sitemap-1.xml",
            "sitemap1.xml",
        ] {
            assert!(!routes::is_sitemap_part(no), "{no}");
        }
    }

    #[test]
    fn descriptions_are_cut_by_characters_at_a_sentence_end() {
        assert_eq!(description("短い\n 説明。"), "短い 説明。");
        let long = format!("{}。{}", "あ".repeat(80), "い".repeat(80));
        assert_eq!(description(&long), format!("{}。", "あ".repeat(80)));
        let run = "う".repeat(200);
        let cut = description(&run);
        assert_eq!(cut.chars().count(), DESCRIPTION_CHARS);
        assert!(cut.ends_with('…'));
    }
}
