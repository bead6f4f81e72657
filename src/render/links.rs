//! Where a body's links and images lead, and which of them lead nowhere.
//!
//! A link to another document by its file (`x.md`, `../meetings/m.md`) must name a
//! document of the site; any other relative link or image is followed from the folder of
//! the page the body is shown on and must reach a file the build writes (a page, an
//! asset, a static file). External links, `#fragments` and root-absolute paths (`/x`,
//! which depend on where the site is published) are not checked.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use super::markdown::{self, Link};
use super::theme::Theme;
use crate::diag::{Code, Severity};
use crate::routes::{self, Section};
use crate::site::{Site, Unpublished};

/// Every path the build writes, listed the first time a body needs it (most bodies link
/// only to other documents by id, or outside).
pub(crate) struct Targets<'a> {
    site: &'a Site,
    theme: &'a Theme,
    paths: OnceLock<HashSet<String>>,
}

impl<'a> Targets<'a> {
    /// The targets of `site` built with `theme`.
    pub(crate) fn new(site: &'a Site, theme: &'a Theme) -> Self {
        Targets {
            site,
            theme,
            paths: OnceLock::new(),
        }
    }

    /// Whether the build writes `path`.
    fn contains(&self, path: &str) -> bool {
        self.paths
            .get_or_init(|| {
                let mut all: HashSet<String> = super::pages::listing(self.site)
                    .into_iter()
                    .map(|r| r.path)
                    .collect();
                all.insert(routes::STYLE.to_string());
                for i in &self.site.incidents {
                    all.extend(i.assets.iter().map(|a| a.path.clone()));
                }
                // Static files with problems are errors of their own, reported elsewhere.
                if let Ok(files) = self.theme.static_files(self.site.config.unsafe_html) {
                    all.extend(files.iter().map(|o| o.path().to_string()));
                }
                all
            })
            .contains(path)
    }
}

/// The document a link names by its file: `x.md`, `../incidents/x.md#part`,
/// `x/index.md`, `../meetings/m.md` (percent-encoded names decoded). `None` for any other
/// link. The folders on the way are not followed: only the last one tells a meeting.
pub(crate) fn document_link(dest: &str) -> Option<(Section, String, &str)> {
    if dest.contains("://") || dest.starts_with('/') || dest.starts_with('#') {
        return None;
    }
    let (file, frag) = dest.split_once('#').unwrap_or((dest, ""));
    // Editors write `障害 2024.md` as `障害%202024.md`.
    let file = percent_encoding::percent_decode_str(file)
        .decode_utf8()
        .ok()?;
    let file = file.strip_suffix(".md")?;
    let mut parts: Vec<&str> = file.split('/').collect();
    if parts.last() == Some(&"index") {
        parts.pop();
    }
    let id = parts.pop()?.to_string();
    let section = match parts.last().copied() {
        Some("meetings") => Section::Meeting,
        _ => Section::Incident,
    };
    Some((section, id, frag))
}

/// A problem with one link, at its range in the body.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// Byte range in the markdown.
    pub range: Range<usize>,
    /// Error or warning.
    pub severity: Severity,
    /// The code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// The body being checked: where its page is and which folder holds its files.
pub(crate) struct Page<'a> {
    /// The page's path in the output (`incidents/x/index.html`).
    pub path: String,
    /// The incident's id when the body is an incident's.
    pub incident: Option<&'a str>,
    /// Its folder of assets, as shown in messages (`content/incidents/x/`), if it has one.
    pub asset_dir: Option<String>,
    /// How deep the source file sits below the site root (for `link-outside-site`).
    pub depth: usize,
}

/// The problems of a body's links. With no `targets`, only links to documents are
/// checked.
pub(crate) fn check(
    site: &Site,
    targets: Option<&Targets<'_>>,
    page: &Page<'_>,
    links: &[Link],
) -> Vec<Problem> {
    let mut out = Vec::new();
    for link in links {
        // Already refused (a scheme gen does not publish, a climb out of the site).
        if markdown::refused_scheme(&link.dest).is_some()
            || markdown::escapes_root(&link.dest, page.depth)
        {
            continue;
        }
        if let Some(p) = one(site, targets, page, link) {
            out.push(p);
        }
    }
    out
}

/// The problem with `link`, if any.
fn one(
    site: &Site,
    targets: Option<&Targets<'_>>,
    page: &Page<'_>,
    link: &Link,
) -> Option<Problem> {
    let dest = link.dest.trim();
    let what = if link.image { "image" } else { "link" };
    if let Some((section, id, _)) = document_link(dest) {
        return missing_document(site, section, &id, link, what);
    }
    if dest.is_empty() || dest.starts_with(['#', '/', '?']) {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    let head = path.split('/').next().unwrap_or("");
    if head.contains(':') {
        // http:, https:, mailto:, tel:.
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let Some(target) = join(routes::folder_of(&page.path), &decoded) else {
        return Some(Problem {
            range: link.range.clone(),
            severity: Severity::Error,
            code: Code::LinkOutsideSite,
            message: format!("the {what} \"{dest}\" points outside the site"),
            help: "link to files inside the site (beside the incident, or in static/), or use a full https:// URL".to_string(),
        });
    };
    if let Some((section, id)) = routes::document_of(&target) {
        if let Some(p) = missing_document(site, section, id, link, what) {
            return Some(p);
        }
        let published = match section {
            Section::Incident => site.incident(id).is_some(),
            Section::Meeting => site.meeting(id).is_some(),
        };
        if !published {
            // A draft or a file with errors: reported above, or on its own.
            return None;
        }
    }
    if site.config.edition == crate::config::Edition::Public
        && crate::model::edition::is_internal_asset(&target)
    {
        return Some(Problem {
            range: link.range.clone(),
            severity: Severity::Error,
            code: Code::InternalAsset,
            message: format!(
                "the {what} \"{dest}\" leads to {target}, an internal asset: the public edition does not publish it"
            ),
            help: "move the link into an <!-- internal --> block, or move the file out of the internal/ folder".to_string(),
        });
    }
    let targets = targets?;
    let found = if target.is_empty() || target.ends_with('/') {
        targets.contains(&format!("{target}index.html"))
    } else {
        targets.contains(&target) || targets.contains(&format!("{target}/index.html"))
    };
    if found {
        return None;
    }
    let file_like = link.image
        || target
            .rsplit('/')
            .next()
            .and_then(|name| name.rsplit_once('.'))
            .is_some_and(|(_, ext)| !ext.eq_ignore_ascii_case("html"));
    let own = page
        .incident
        .is_some_and(|id| routes::document_of(&target) == Some((Section::Incident, id)));
    // A report the config does not ask for: say how to get it, or where to link instead.
    let report_of = match routes::document_of(&target) {
        Some((Section::Incident, id)) if target == routes::incident_report(id) => Some(id),
        _ => None,
    };
    let help = match (report_of, &page.asset_dir, page.incident) {
        (Some(id), _, _) => format!(
            "incidents have no report.html unless config.toml sets incident_reports = true: link to the incident's page ({}), or turn the reports on",
            routes::incident(id)
        ),
        (_, Some(dir), _) if own => format!("add the file to {dir}, or correct the path"),
        (_, None, Some(id)) if own => format!(
            "only an incident in a folder has files beside it: move content/incidents/{id}.md to content/incidents/{id}/index.md and put the file in that folder, or correct the path"
        ),
        _ if file_like => {
            let name = target.rsplit('/').next().unwrap_or("");
            format!(
                "put the file in the site's static/ folder, which is published at the site's root (static/{name} is \"{}{name}\" from this page), or correct the path",
                routes::root_of(&page.path)
            )
        }
        _ => "link to a page the site builds (`gen routes` lists them), or to a document by its file (`2017-07-03-jcom.md`)".to_string(),
    };
    Some(Problem {
        range: link.range.clone(),
        severity: Severity::Error,
        code: if file_like {
            Code::MissingFile
        } else {
            Code::BrokenLink
        },
        message: format!("the {what} \"{dest}\" leads to {target}, which the site does not have"),
        help,
    })
}

/// The problem with a link to the incident or meeting `id`, if it is not published: an
/// error when there is no such document, a warning for a draft left out of the build.
fn missing_document(
    site: &Site,
    section: Section,
    id: &str,
    link: &Link,
    what: &str,
) -> Option<Problem> {
    let dest = link.dest.trim();
    let (folder, known): (&str, Vec<&str>) = match section {
        Section::Incident => {
            if site.incident(id).is_some() {
                return None;
            }
            match site.unpublished_incident(id) {
                Some(Unpublished::Invalid) => return None,
                Some(Unpublished::Internal) => return Some(to_internal(link, what, "incident", id)),
                Some(Unpublished::Draft) => {
                    return Some(Problem {
                        range: link.range.clone(),
                        severity: Severity::Warning,
                        code: Code::LinkToDraft,
                        message: format!(
                            "the {what} \"{dest}\" leads to the incident \"{id}\", a draft this build leaves out: the published {what} would lead nowhere"
                        ),
                        help: "publish the draft (status = \"preliminary\" or \"final\"), or remove the link until it is".to_string(),
                    })
                }
                None => {}
            }
            ("incidents", site.known_incident_ids().collect())
        }
        Section::Meeting => {
            if site.meeting(id).is_some() || site.failed_meeting(id) {
                return None;
            }
            if site.internal_meeting(id) {
                return Some(to_internal(link, what, "meeting", id));
            }
            ("meetings", site.known_meeting_ids().collect())
        }
    };
    let (kind, a_kind) = match section {
        Section::Incident => ("incident", "an incident"),
        Section::Meeting => ("meeting", "a meeting"),
    };
    let help = match crate::diag::suggest(id, known.iter().copied()) {
        Some(near) => format!("did you mean \"{near}\"? link to it as [text](../{folder}/{near}.md)"),
        None if section == Section::Incident && site.meeting(id).is_some() => {
            format!("\"{id}\" is a meeting: link to it as [text](../meetings/{id}.md)")
        }
        None => format!(
            "link to {a_kind} by its file name in content/{folder}/, as [text](../{folder}/ID.md), or remove the link"
        ),
    };
    Some(Problem {
        range: link.range.clone(),
        severity: Severity::Error,
        code: Code::BrokenLink,
        message: format!(
            "the {what} \"{dest}\" leads to the {kind} \"{id}\", but there is no content/{folder}/{id}.md"
        ),
        help,
    })
}

/// The error for public body text linking to an internal document (the public edition).
fn to_internal(link: &Link, what: &str, kind: &str, id: &str) -> Problem {
    Problem {
        range: link.range.clone(),
        severity: Severity::Error,
        code: Code::LinkToInternal,
        message: format!(
            "the {what} \"{}\" leads to the {kind} \"{id}\", which is internal: the public edition leaves it out",
            link.dest.trim()
        ),
        help: "move the link into an <!-- internal --> block, or remove it".to_string(),
    }
}

/// The path inside the output that a relative link or image `dest` on the page at
/// `page` leads to; `None` for a link elsewhere (a scheme, a fragment, a root path) or
/// one that climbs out of the site.
pub(crate) fn target_of(page: &str, dest: &str) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with(['#', '/', '?']) {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    if path.split('/').next().unwrap_or("").contains(':') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    join(routes::folder_of(page), &decoded)
}

/// `rel` followed from `folder` (both inside the output, `/`-separated), with `.` and
/// `..` resolved; `None` when it climbs above the root.
fn join(folder: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    let trailing = rel.ends_with('/') || rel.ends_with("/.") || rel.ends_with("/..");
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Points the links of a packet's text that lead to an incident on its agenda (its page or
/// report, from `root`) at that incident's section in the packet, so that a printed packet
/// links within itself: `{root}incidents/<id>/index.html` becomes `#incident-<id>`, and a
/// fragment `#x` becomes `#<id>-x`, the section's prefixed id. Other links are kept.
pub(crate) fn into_packet(html: &str, root: &str, agenda: &[&str]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        let (head, tail) = rest.split_at(at + 6);
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let href = &tail[..end];
        match in_packet(href, root, agenda) {
            Some(local) => out.push_str(&local),
            None => out.push_str(href),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The in-packet target of one `href` (as written in the HTML), if it leads to an
/// incident on the agenda.
fn in_packet(href: &str, root: &str, agenda: &[&str]) -> Option<String> {
    let path = href.strip_prefix(root)?;
    let (page, fragment) = match path.split_once('#') {
        Some((page, fragment)) => (page, Some(fragment)),
        None => (path, None),
    };
    let id = agenda
        .iter()
        .find(|id| page == routes::incident(id) || page == routes::incident_report(id))?;
    Some(match fragment {
        None | Some("") => format!("#incident-{id}"),
        // The ids in the HTML are written as they are, not percent-encoded: Chromium names
        // a PDF's destinations after them.
        Some(f) => format!(
            "#{}",
            markdown::escape(&format!(
                "{id}-{}",
                percent_encoding::percent_decode_str(f).decode_utf8_lossy()
            ))
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_followed_from_the_page_folder() {
        assert_eq!(
            join("incidents/a/", "diagram.png").as_deref(),
            Some("incidents/a/diagram.png")
        );
        assert_eq!(
            join("incidents/a/", "../b/").as_deref(),
            Some("incidents/b/")
        );
        assert_eq!(
            join("incidents/a/", "../../causes/x/").as_deref(),
            Some("causes/x/")
        );
        assert_eq!(join("incidents/a/", "../..").as_deref(), Some(""));
        assert_eq!(join("incidents/a/", "../../../x"), None);
        assert_eq!(
            join("meetings/m/", "./img/../a.png").as_deref(),
            Some("meetings/m/a.png")
        );
    }

    #[test]
    fn documents_are_named_by_their_file() {
        let got = |d| document_link(d).map(|(s, id, f)| (s, id, f.to_string()));
        assert_eq!(
            got("x.md"),
            Some((Section::Incident, "x".into(), String::new()))
        );
        assert_eq!(
            got("../meetings/m.md#agenda"),
            Some((Section::Meeting, "m".into(), "agenda".into()))
        );
        assert_eq!(
            got("x/index.md"),
            Some((Section::Incident, "x".into(), String::new()))
        );
        assert_eq!(
            got("%E9%9A%9C%E5%AE%B3%202024.md").map(|g| g.1),
            Some("障害 2024".into())
        );
        assert_eq!(got("https://example.org/x.md"), None);
        assert_eq!(got("diagram.png"), None);
    }

    #[test]
    fn links_to_an_incident_on_the_agenda_stay_in_the_packet() {
        let root = "https://example.org/p/";
        let html = "<a href=\"https://example.org/p/incidents/a/index.html\">a</a> \
                    <a href=\"https://example.org/p/incidents/a/index.html#%E7%B7%8F%E6%8B%AC\">b</a> \
                    <a href=\"https://example.org/p/incidents/a/report.html#x%22y\">c</a> \
                    <a href=\"https://example.org/p/incidents/b/index.html\">d</a> \
                    <a href=\"https://example.org/p/causes/index.html\">e</a> \
                    <a href=\"https://other.example/p/incidents/a/index.html\">f</a>";
        assert_eq!(
            into_packet(html, root, &["a", "c"]),
            "<a href=\"#incident-a\">a</a> \
             <a href=\"#a-総括\">b</a> \
             <a href=\"#a-x&quot;y\">c</a> \
             <a href=\"https://example.org/p/incidents/b/index.html\">d</a> \
             <a href=\"https://example.org/p/causes/index.html\">e</a> \
             <a href=\"https://other.example/p/incidents/a/index.html\">f</a>"
        );
    }
}
