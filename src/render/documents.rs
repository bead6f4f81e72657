//! Printable documents: incident reports, meeting packets and annual reports.
//!
//! Each is one self-contained HTML file that travels by mail: the stylesheet is inlined,
//! images beside an incident are embedded as data URIs, and links to the site are
//! absolute when `base_url` is (otherwise relative, and underlined as site links).

use std::path::Path;

use base64::Engine;
use serde::Serialize;
use tera::Context;

use super::charts::{self, Bar, Point};
use super::theme::Theme;
use super::views::{self, IncidentView, Row, StatsView, Views};
use super::{link_rewriter, markdown, root_token, with_root, Output, Shared};
use crate::error::Error;
use crate::routes::root_of;
use crate::site::Site;

/// Where links in a document point: the published site when its address is known.
pub(crate) fn doc_root(site: &Site, path: &str) -> String {
    if site.config.base_url.contains("://") {
        site.config.base_url.clone()
    } else {
        root_of(path)
    }
}

/// A CSS string literal that no text can leave: every character outside a safe set is
/// written as a `\HEX ` escape. Safe are ASCII letters, digits, space and `-_.,:;!?()#/`,
/// and any other character beyond ASCII that is not a control, separator, space or
/// invisible format character (Japanese titles stay readable). So quotes, `\`, `<`, `>`,
/// `&`, newlines, form feeds (which end a CSS string) and U+2028/9 are all escaped.
pub(crate) fn css_string(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        let safe = if c.is_ascii() {
            c.is_ascii_alphanumeric() || " -_.,:;!?()#/".contains(c)
        } else {
            !c.is_control() && !c.is_whitespace() && !markdown::is_invisible(c)
        };
        if safe {
            out.push(c);
        } else if c == '\0' {
            // CSS reads an escaped NUL as U+FFFD anyway.
            out.push_str("\\fffd ");
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\{:x} ", c as u32);
        }
    }
    out.push('"');
    out
}

fn base_context(
    shared: &Shared,
    site: &Site,
    path: &str,
    doc_title: &str,
    header: &str,
    highlight_css: String,
) -> Context {
    let mut ctx = Context::new();
    shared.insert_into(&mut ctx);
    ctx.insert("doc_root", &doc_root(site, path));
    ctx.insert("doc_title", doc_title);
    ctx.insert("running_header", &css_string(header));
    ctx.insert(
        "internal_edition_css",
        &css_string(shared.label("internal_edition")),
    );
    // The site's address in a CSS selector: escaped like the header.
    ctx.insert("base_url_css", &css_string(&site.config.base_url));
    // Only the highlighting rules the document's code uses.
    ctx.insert("highlight_css", &highlight_css);
    if site.config.base_url.contains("://") {
        let page = views::href(path.trim_end_matches("index.html"));
        ctx.insert("canonical", &format!("{}{page}", site.config.base_url));
    }
    ctx
}

/// Replaces `src="relative"` images that exist beside incident `n` with data URIs: those
/// this edition publishes ([`super::incident_assets`]: never an internal one in the public
/// edition), see [`embed_images_from`].
pub fn embed_images(html: String, site: &Site, n: usize) -> Result<String, Error> {
    let i = &site.incidents[n];
    let Some(dir) = i.asset_dir.as_deref() else {
        return Ok(html);
    };
    let published: std::collections::HashSet<String> = super::incident_assets(site, n)?
        .iter()
        .map(|o| o.path().to_string())
        .collect();
    let folder = crate::routes::incident_dir(&i.id);
    Ok(embed_images_from(html, dir, &|rel| {
        published.contains(&format!("{folder}{rel}"))
    }))
}

/// Replaces `src="relative"` images inside `dir` with data URIs. Only image files strictly
/// inside the folder (see [`embeddable_image`]) whose path relative to it `published`
/// accepts are embedded; any other `src` is left as it is.
pub fn embed_images_from(html: String, dir: &Path, published: &dyn Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(i) = rest.find("src=\"") {
        let (head, tail) = rest.split_at(i + 5);
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let src = &tail[..end];
        let image = embeddable_image(dir, src)
            .filter(|(_, _, rel)| published(rel))
            .and_then(|(file, mime, _)| std::fs::read(file).ok().map(|bytes| (bytes, mime)));
        match image {
            Some((bytes, mime)) => {
                out.push_str("data:");
                out.push_str(mime);
                out.push_str(";base64,");
                out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
            }
            None => out.push_str(src),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The file, media type and path relative to `dir` of the image an attribute's `src` names, when it may be
/// embedded: after decoding (HTML entities, then percent-encoding, once), a relative path
/// of plain names with an image extension, every step of it inside `dir` and none a
/// symbolic link. Refused: absolute paths, `..`, `\`, any `:` (`file:`, `C:`), a `%`
/// left after decoding (double encoding), queries and fragments.
fn embeddable_image(dir: &Path, src: &str) -> Option<(std::path::PathBuf, &'static str, String)> {
    let unescaped = unescape_attribute(src);
    let decoded = percent_encoding::percent_decode_str(&unescaped)
        .decode_utf8()
        .ok()?;
    if decoded.is_empty()
        || decoded.starts_with('/')
        || decoded
            .chars()
            .any(|c| matches!(c, '\\' | ':' | '%' | '?' | '#') || c.is_control())
    {
        return None;
    }
    let mut file = dir.to_path_buf();
    for part in decoded.split('/') {
        if matches!(part, "" | "." | "..") {
            return None;
        }
        file.push(part);
        // Never follow a link, not even one to a file inside the folder.
        if std::fs::symlink_metadata(&file)
            .ok()?
            .file_type()
            .is_symlink()
        {
            return None;
        }
    }
    if !std::fs::symlink_metadata(&file).ok()?.is_file() {
        return None;
    }
    let mime = match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        // Only images: `index.md` or any other file is linked, never copied in.
        _ => return None,
    };
    Some((file, mime, decoded.into_owned()))
}

/// An attribute's text as a browser reads it: the entities pulldown-cmark and the
/// sanitizer write (`&amp;`, `&quot;` …) and numeric ones decoded; others kept as written.
pub(crate) fn unescape_attribute(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest
            .find(';')
            .filter(|&e| e <= 12)
            .map(|e| (&rest[1..e], e + 1));
        let decoded = entity.and_then(|(name, len)| {
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, len))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The incident's view for a printed document: body links to the site, images embedded.
/// Also returns the highlighting classes of the body.
pub(super) fn report_view(
    views: &Views<'_>,
    n: usize,
    path: &str,
) -> Result<(IncidentView, markdown::HighlightClasses), Error> {
    let site = views.site;
    let i = &site.incidents[n];
    let shared = views.document_body(n)?;
    let mut body = markdown::Rendered {
        headings: shared.headings.clone(),
        has_raw_html: shared.has_raw_html,
        ..Default::default()
    };
    body.html = prefix_ids(
        &embed_images(with_root(&shared.html, &doc_root(site, path)), site, n)?,
        &format!("{}-", i.id),
    );
    Ok((views.incident(n, body), shared.classes))
}

/// Prefixes every `id="…"` and every `href="#…"` of a body: a packet holds several
/// bodies, whose headings would otherwise share ids.
fn prefix_ids(html: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = memchr::memmem::find(rest.as_bytes(), b"=\"") {
        let (head, tail) = rest.split_at(at + 2);
        out.push_str(head);
        rest = tail;
        if head.ends_with(" id=\"") {
            out.push_str(prefix);
        } else if head.ends_with("href=\"") && tail.starts_with('#') {
            out.push('#');
            out.push_str(prefix);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The standalone report of one incident, from the template value of its view (shared
/// with its page; only the body differs).
pub(super) fn incident_report(
    views: &Views<'_>,
    shared: &Shared,
    theme: &Theme,
    incident: &crate::model::Incident,
    view: tera::Value,
    classes: markdown::HighlightClasses,
) -> Result<Output, Error> {
    Ok(Output::Bytes {
        path: crate::routes::incident_report(&incident.id),
        bytes: report_bytes(views, shared, theme, incident, view, classes)?,
    })
}

/// The HTML of [`incident_report`].
fn report_bytes(
    views: &Views<'_>,
    shared: &Shared,
    theme: &Theme,
    incident: &crate::model::Incident,
    view: tera::Value,
    classes: markdown::HighlightClasses,
) -> Result<Vec<u8>, Error> {
    let site = views.site;
    let path = crate::routes::incident_report(&incident.id);
    let mut ctx = base_context(
        shared,
        site,
        &path,
        &incident.title,
        &incident.title,
        classes.css(),
    );
    ctx.insert_value("incident", view);
    theme.render("incident_report.html", &ctx)
}

/// The standalone report of incident `n` on its own, for `gen pdf` (a build writes it
/// beside the page only with `incident_reports = true`).
pub fn incident_report_html(site: &Site, theme: &Theme, n: usize) -> Result<Vec<u8>, Error> {
    let views = Views::rendering(site, theme);
    let shared = Shared::new(site);
    let i = &site.incidents[n];
    let path = crate::routes::incident_report(&i.id);
    let body = views.page_body(n)?;
    let classes = body.classes;
    let mut report_body = body;
    report_body.html = embed_images(
        with_root(&report_body.html, &doc_root(site, &path)),
        site,
        n,
    )?;
    let view = tera::Value::from_serializable(&views.incident(n, report_body));
    report_bytes(&views, &shared, theme, i, view, classes)
}

/// Which packet of a meeting: the one handed out before it (its 議事次第 and handouts, no
/// minutes) or the one after it (with its 議事要旨 and who attended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Stage {
    /// Before the meeting: no minutes, no attendees.
    Agenda,
    /// After the meeting: with the minutes and attendees (the default).
    #[default]
    Minutes,
}

/// Whether the packet of meeting `n` at `stage` binds its minutes: at the minutes stage,
/// when the meeting's body holds text other than headings (`gen new meeting` writes a
/// bare `## 議事`, which is no minutes yet).
pub fn binds_minutes(site: &Site, n: usize, stage: Stage) -> Result<bool, Error> {
    Ok(stage == Stage::Minutes && has_minutes(site.meetings[n].read_body()?.as_str()))
}

/// Whether a meeting's body holds minutes: text other than headings.
fn has_minutes(body: &str) -> bool {
    body.lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && !l.starts_with('#'))
}

/// One handout of a packet: an incident's report and its number.
#[derive(Debug, Serialize)]
struct PacketSection {
    handout: String,
    #[serde(flatten)]
    view: IncidentView,
}

#[derive(Debug, Serialize)]
struct TocEntry {
    title: String,
    anchor: String,
    page: Option<usize>,
}

/// The packet of meeting `n` at `stage`. `pages` gives the page where each part starts
/// (front matter excluded: sections then minutes), known only after a first printing;
/// `only` renders one part (`front`, `section-K`, `minutes`) to count its pages.
pub fn packet_html(
    site: &Site,
    theme: &Theme,
    n: usize,
    stage: Stage,
    pages: Option<&[usize]>,
    only: Option<&str>,
) -> Result<String, Error> {
    let views = Views::rendering(site, theme);
    let shared = Shared::new(site);
    let html = packet_with(&views, &shared, theme, n, stage, pages, only)?;
    // Tera writes only UTF-8 (every piece it joins is a `str`).
    Ok(String::from_utf8(html)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn packet_with(
    views: &Views<'_>,
    shared: &Shared,
    theme: &Theme,
    n: usize,
    stage: Stage,
    pages: Option<&[usize]>,
    only: Option<&str>,
) -> Result<Vec<u8>, Error> {
    let site = views.site;
    let m = &site.meetings[n];
    let path = crate::routes::packet(&m.id);
    let mut classes = markdown::HighlightClasses::default();
    let root = doc_root(site, &path);
    let agenda: Vec<&str> = site
        .agenda(n)
        .iter()
        .map(|&k| site.incidents[k].id.as_str())
        .collect();
    let sections: Vec<IncidentView> = site
        .agenda(n)
        .iter()
        .map(|&k| {
            let (mut view, body_classes) = report_view(views, k, &path)?;
            view.body = super::links::into_packet(&view.body, &root, &agenda);
            classes.add(body_classes);
            Ok(view)
        })
        .collect::<Result<_, Error>>()?;
    let meeting = views.meeting(n);
    // Each handout carries its number (資料4-1), stamped on its first page.
    let sections: Vec<PacketSection> = sections
        .into_iter()
        .zip(&meeting.handouts)
        .map(|(view, h)| PacketSection {
            handout: h.number.clone(),
            view,
        })
        .collect();
    let body = m.read_body()?;
    let mut minutes = markdown::render_body(
        body.as_str(),
        &link_rewriter(site, root_token()),
        site.config.unsafe_html,
        site.config.language,
    );
    minutes.html = super::links::into_packet(&with_root(&minutes.html, &root), &root, &agenda);
    let with_minutes = stage == Stage::Minutes && has_minutes(body.as_str());
    let page = |k: usize| pages.and_then(|p| p.get(k).copied());
    let mut toc: Vec<TocEntry> = meeting
        .handouts
        .iter()
        .enumerate()
        .map(|(k, h)| TocEntry {
            title: format!("{} {}", h.number, h.title),
            anchor: h.anchor.clone(),
            page: page(k),
        })
        .collect();
    if with_minutes {
        toc.push(TocEntry {
            title: shared.label("minutes").to_string(),
            anchor: "minutes".into(),
            page: page(sections.len()),
        });
        classes.add(minutes.classes);
    }
    let mut ctx = base_context(
        shared,
        site,
        &path,
        &meeting.year_title,
        &m.title,
        classes.css(),
    );
    ctx.insert("meeting", &meeting);
    ctx.insert("with_minutes", &with_minutes);
    ctx.insert("sections", &sections);
    ctx.insert("minutes", &minutes.html);
    ctx.insert("toc", &toc);
    ctx.insert("only", &only);
    theme.render("packet.html", &ctx)
}

/// The packet of meeting `n`, as built by `gen build` (contents without page numbers):
/// the minutes stage, which binds the minutes when the meeting has any and is the agenda
/// stage otherwise.
pub(super) fn packet(
    views: &Views<'_>,
    shared: &Shared,
    theme: &Theme,
    n: usize,
) -> Result<Output, Error> {
    let html = packet_with(views, shared, theme, n, Stage::Minutes, None, None)?;
    Ok(Output::Bytes {
        path: crate::routes::packet(&views.site.meetings[n].id),
        bytes: html,
    })
}

#[derive(Debug, Serialize)]
struct CauseCount {
    label: String,
    count: usize,
    primary: usize,
}

#[derive(Debug, Serialize)]
struct OpenMeasure {
    incident: String,
    action: String,
    status: &'static str,
    due: Option<String>,
    overdue: Option<String>,
}

#[derive(Debug, Serialize)]
struct AnnualView {
    title: String,
    /// The months of a fiscal year (`None` for a calendar year).
    period: Option<String>,
    stats: StatsView,
    median_users: String,
    total_inquiries: String,
    median_inquiries: String,
    longest: Option<Row>,
    largest: Option<Row>,
    by_cause: Vec<CauseCount>,
    by_operator: Vec<views::GroupView>,
    incidents: Vec<Row>,
    open_measures: Vec<OpenMeasure>,
    /// Titles of the incidents that record no countermeasure (記録なし).
    unrecorded: Vec<String>,
    /// Which incidents the scatter chart shows: `3件中2件を表示（…）`.
    scatter_covers: String,
    cause_chart: String,
    month_chart: String,
    scatter_chart: String,
}

/// The annual report's charts: incidents per cause, per month, and duration against
/// affected users.
fn annual_charts(
    views: &Views<'_>,
    shared: &Shared,
    y: usize,
    cause_label: &dyn Fn(&crate::config::CauseKey) -> String,
) -> [String; 3] {
    let site = views.site;
    let f = views.f;
    let fig = &site.year_figures[y];
    let incident = |n: usize| &*site.incidents[n];
    let cause_bars: Vec<Bar> = fig
        .by_cause
        .iter()
        .map(|c| Bar {
            label: cause_label(&c.key),
            value: c.count as u64,
            key: c.key.as_str().to_string(),
        })
        .collect();
    // In the order of the year's months: a 年度 starts in April.
    let months: Vec<Bar> = f
        .months_of_year()
        .map(|m| Bar {
            label: f.month(m),
            value: fig.by_month[(m - 1) as usize] as u64,
            key: m.to_string(),
        })
        .collect();
    let points: Vec<Point> = site.years[y]
        .incidents
        .iter()
        .filter_map(|&n| {
            let i = incident(n);
            Some(Point {
                label: i.title.clone(),
                operator: i.operators.join(views.f.punctuation().list_sep),
                minutes: i.duration()?.minutes(),
                users: i.users()?.count.value,
            })
        })
        .collect();
    let t = |k: &str| shared.label(k);
    let month_table = charts::table(
        "chart-months-table",
        Some(t("chart_table")),
        &[t("month"), t("incident_count")],
        &months
            .iter()
            .map(|b| vec![b.label.clone(), b.value.to_string()])
            .collect::<Vec<_>>(),
        &[false, true],
    );
    // The scatter's legend: each number with its operator, incident and figures.
    let legend = charts::table(
        "chart-scatter-legend",
        None,
        &[
            t("number_sign"),
            t("operator"),
            t("incident"),
            t("duration"),
            t("users"),
        ],
        &points
            .iter()
            .enumerate()
            .map(|(k, p)| {
                vec![
                    (k + 1).to_string(),
                    p.operator.clone(),
                    p.label.clone(),
                    f.duration(crate::model::Duration::from_minutes(p.minutes)),
                    f.number(p.users),
                ]
            })
            .collect::<Vec<_>>(),
        &[true, false, false, true, true],
    );
    [
        charts::horizontal_bars("chart-causes", t("per_cause"), &cause_bars),
        charts::horizontal_bars("chart-months", t("per_month"), &months) + &month_table,
        // No incident with both figures: no axes drawn around nothing (the caption
        // says why).
        if points.is_empty() {
            String::new()
        } else {
            charts::scatter(
                "chart-scatter",
                t("duration_vs_users"),
                &charts::Axes {
                    x: t("axis_hours"),
                    y: t("users"),
                },
                &points,
                &|u| f.number(u),
            ) + &legend
        },
    ]
}

/// The annual report for the year at index `y` of [`Site::years`]: the site stage's
/// figures of that year, formatted.
pub(super) fn annual(
    views: &Views<'_>,
    shared: &Shared,
    theme: &Theme,
    y: usize,
) -> Result<Output, Error> {
    let site = views.site;
    let f = views.f;
    let group = &site.years[y];
    let fig = &site.year_figures[y];
    let year = group.key;
    let title = match f.lang {
        crate::model::Lang::Ja => {
            format!("{} {}", f.year_label(year), shared.label("annual_report"))
        }
        crate::model::Lang::En => {
            format!("{} {}", shared.label("annual_report"), f.year_label(year))
        }
    };
    let path = crate::routes::annual(year);
    let incident = |n: usize| &*site.incidents[n];

    let cause_label = |key: &crate::config::CauseKey| {
        site.config
            .causes
            .get(key.as_str())
            .map_or(key.as_str(), |c| c.label(f.lang))
            .to_string()
    };
    let by_cause: Vec<CauseCount> = fig
        .by_cause
        .iter()
        .map(|c| CauseCount {
            label: cause_label(&c.key),
            count: c.count,
            primary: c.primary,
        })
        .collect();
    let open_measures = fig
        .open_measures
        .iter()
        .map(|&(n, k)| {
            let i = incident(n);
            let m = &i.countermeasures[k];
            OpenMeasure {
                incident: i.title.clone(),
                action: m.action.clone(),
                status: f.choice(m.status),
                due: m.due.map(|d| f.partial_date(d)),
                overdue: m.days_overdue(site.today).map(|d| f.overdue(d)),
            }
        })
        .collect();
    let unrecorded = group
        .incidents
        .iter()
        .map(|&n| incident(n))
        .filter(|i| i.countermeasures.is_empty())
        .map(|i| i.title.clone())
        .collect();
    let plotted = group
        .incidents
        .iter()
        .filter(|&&n| incident(n).duration().is_some() && incident(n).users().is_some())
        .count();
    let scatter_covers = f.plotted(plotted, group.incidents.len());
    let by_operator = fig
        .by_operator
        .iter()
        .map(|(name, stats)| views::GroupView {
            text: name.clone(),
            href: String::new(),
            stats: StatsView::new(stats, f),
        })
        .collect();

    let [cause_chart, month_chart, scatter_chart] = annual_charts(views, shared, y, &cause_label);
    let report = AnnualView {
        title: title.clone(),
        period: f.year_period(year),
        stats: StatsView::new(&group.stats, f),
        median_users: f.median_count(fig.median_users, group.stats.count, false),
        total_inquiries: f.total(fig.inquiries, true),
        median_inquiries: f.median_count(fig.median_inquiries, group.stats.count, true),
        longest: fig.longest.map(|n| views.row(incident(n))),
        largest: fig.largest.map(|n| views.row(incident(n))),
        by_cause,
        by_operator,
        incidents: group
            .incidents
            .iter()
            .map(|&n| views.row(incident(n)))
            .collect(),
        open_measures,
        cause_chart,
        month_chart,
        scatter_chart,
        unrecorded,
        scatter_covers,
    };
    // An annual report quotes no code.
    let mut ctx = base_context(shared, site, &path, &title, &title, String::new());
    ctx.insert("report", &report);
    let html = theme.render("annual.html", &ctx)?;
    Ok(Output::Bytes { path, bytes: html })
}

#[cfg(test)]
mod tests {
    use super::{css_string, prefix_ids};

    #[test]
    fn no_character_leaves_a_css_string() {
        assert_eq!(
            css_string("x\u{c}}\n\r\"'\\<>\u{2028}\0障害"),
            "\"x\\c \\7d \\a \\d \\22 \\27 \\5c \\3c \\3e \\2028 \\fffd 障害\""
        );
    }

    #[test]
    fn packet_bodies_get_prefixed_ids_and_in_page_links() {
        let html = "<h2 id=\"原因\">原因</h2><p><a href=\"#原因\">see</a> <a href=\"https://x/#a\">x</a> <img alt=\"id=\" src=\"a.png\"></p><div data-id=\"k\"></div>";
        assert_eq!(
            prefix_ids(html, "2017-x-"),
            "<h2 id=\"2017-x-原因\">原因</h2><p><a href=\"#2017-x-原因\">see</a> <a href=\"https://x/#a\">x</a> <img alt=\"id=\" src=\"a.png\"></p><div data-id=\"k\"></div>"
        );
    }
}
