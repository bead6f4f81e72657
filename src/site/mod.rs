//! Site stage: cross-references and indexes over all incidents, built once and read-only.
//!
//! Checks what needs the whole site (unique ids, `related`, `meeting` and agenda ids) and
//! derives the figures every page shows: per-cause, per-year and per-operator lists with
//! counts, total users and median durations.

pub mod figures;
pub mod ledger;
mod lint;
pub mod lists;
pub mod reporting;
pub mod updated;

pub use figures::{median, CauseCount, Median, MedianOf, OpenMeasure, Stats, Total, YearFigures};
pub use lists::{tag_slug, Paging, Pagings, Tags};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::config::{CauseKey, Config};
use crate::diag::Diagnostic;
use crate::model::{Incident, Meeting, Status};

/// An incident listed on a cause page.
#[derive(Debug, Clone, Copy)]
pub struct CauseEntry {
    /// Index into [`Site::incidents`].
    pub incident: usize,
    /// Whether the cause is the incident's primary one.
    pub primary: bool,
}

/// A cause type with its incidents.
#[derive(Debug, Clone)]
pub struct CauseIndex {
    /// The cause.
    pub key: CauseKey,
    /// Incidents with this cause, newest first.
    pub entries: Vec<CauseEntry>,
    /// Figures over those incidents.
    pub stats: Stats,
    /// How many have it as their primary cause.
    pub primary_count: usize,
}

/// A group of incidents under one name (a year, an operator).
#[derive(Debug, Clone)]
pub struct Group<K> {
    /// The year or operator name.
    pub key: K,
    /// The URL path segment.
    pub slug: String,
    /// Indexes into [`Site::incidents`], newest first.
    pub incidents: Vec<usize>,
    /// Figures over those incidents.
    pub stats: Stats,
}

/// Everything the renderer needs, validated and indexed.
#[derive(Debug)]
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// Published incidents, newest first (ties by id). Shared, so that `gen serve` can
    /// rebuild the site around one changed incident without copying the others.
    pub incidents: Vec<Arc<Incident>>,
    /// Meetings, newest first.
    pub meetings: Vec<Meeting>,
    /// Every cause of the taxonomy, in its order, with its incidents.
    pub causes: Vec<CauseIndex>,
    /// Years with incidents, newest first: fiscal years, named by the calendar year they
    /// start in, when `year_start` is not January.
    pub years: Vec<Group<i32>>,
    /// The annual report's figures of each year, in the order of [`Site::years`].
    pub year_figures: Vec<YearFigures>,
    /// Operators, by name.
    pub operators: Vec<Group<String>>,
    /// Tags, by slug, and the tag index's order.
    pub tags: Tags,
    /// How the long lists are split into pages.
    pub paging: Pagings,
    /// Figures over all incidents.
    pub stats: Stats,
    /// The date overdue countermeasures are judged against (`--today`).
    pub today: chrono::NaiveDate,
    /// Every countermeasure, as it stands on [`Site::today`].
    pub ledger: ledger::Ledger,
    /// When each incident's record last changed ([`updated::updated`]), by index: what
    /// the feeds and the sitemap date it by.
    pub updated: Vec<crate::model::Timestamp>,
    incident_pos: HashMap<String, usize>,
    meeting_pos: HashMap<String, usize>,
    meeting_of: Vec<Option<usize>>,
    agendas: Vec<Vec<usize>>,
    operator_pos: HashMap<String, usize>,
    /// Incidents found but not in [`Site::incidents`], by id.
    unpublished: HashMap<String, Unpublished>,
    /// Meetings found that failed to decode (only `gen check` builds a site with them).
    failed_meetings: std::collections::HashSet<String>,
    /// Internal meetings the public edition leaves out.
    internal_meetings: std::collections::HashSet<String>,
    /// Public fields that quote an `[internal]` value (`quotes-internal`).
    pub(crate) edition_warnings: Vec<Diagnostic>,
}

/// Why an incident that exists is not among the site's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unpublished {
    /// `status = "draft"`, and drafts are left out of this build.
    Draft,
    /// Its file has errors (reported on their own).
    Invalid,
    /// `visibility = "internal"`, and this is the public edition.
    Internal,
}

impl Site {
    /// Cross-checks ids and builds the indexes. Drafts are dropped unless `drafts`;
    /// countermeasures are judged against `today`.
    ///
    /// `known` holds the ids of every document found, including ones that failed to
    /// decode, so a broken file does not also make every reference to it an error.
    /// Ids are unique: the load stage reports duplicates.
    pub fn build(
        config: Config,
        incidents: Vec<Arc<Incident>>,
        meetings: Vec<Meeting>,
        known: &crate::load::KnownIds,
        drafts: bool,
        today: chrono::NaiveDate,
    ) -> Result<Site, Vec<Diagnostic>> {
        let (site, diags) = Site::build_partial(config, incidents, meetings, known, drafts, today);
        if diags.is_empty() {
            Ok(site)
        } else {
            Err(diags)
        }
    }

    /// Builds the site from the documents given even when their cross-references are
    /// wrong, and returns those errors beside it: `gen check` goes on to the bodies and
    /// warnings of every document that decoded, so that one run reports everything.
    pub fn build_partial(
        config: Config,
        incidents: Vec<Arc<Incident>>,
        meetings: Vec<Meeting>,
        known: &crate::load::KnownIds,
        drafts: bool,
        today: chrono::NaiveDate,
    ) -> (Site, Vec<Diagnostic>) {
        let mut diags = check_references(&incidents, &meetings, known);
        // The edition's documents, before anything is indexed or counted.
        let selected = crate::model::edition::select(config.edition, incidents, meetings);
        let (mut incidents, mut meetings) = (selected.incidents, selected.meetings);
        diags.extend(selected.diags);

        let mut unpublished: HashMap<String, Unpublished> = selected
            .internal_incidents
            .into_iter()
            .map(|id| (id, Unpublished::Internal))
            .collect();
        if !drafts {
            for i in incidents.iter().filter(|i| i.status == Status::Draft) {
                unpublished
                    .entry(i.id.clone())
                    .or_insert(Unpublished::Draft);
            }
            incidents.retain(|i| i.status != Status::Draft);
        }
        // Found but not decoded: such a file reports its own errors, and links to it are
        // not reported again.
        let decoded: std::collections::HashSet<&str> = incidents
            .iter()
            .map(|i| i.id.as_str())
            .chain(unpublished.keys().map(String::as_str))
            .collect();
        let failed: Vec<String> = known
            .incidents
            .iter()
            .filter(|id| !decoded.contains(id.as_str()))
            .cloned()
            .collect();
        unpublished.extend(failed.into_iter().map(|id| (id, Unpublished::Invalid)));
        let decoded_meetings: std::collections::HashSet<&str> = meetings
            .iter()
            .map(|m| m.id.as_str())
            .chain(selected.internal_meetings.iter().map(String::as_str))
            .collect();
        let failed_meetings: std::collections::HashSet<String> = known
            .meetings
            .iter()
            .filter(|id| !decoded_meetings.contains(id.as_str()))
            .cloned()
            .collect();
        incidents.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| a.id.cmp(&b.id)));
        meetings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
        let incident_pos: HashMap<String, usize> = incidents
            .iter()
            .enumerate()
            .map(|(n, i)| (i.id.clone(), n))
            .collect();
        let meeting_pos: HashMap<String, usize> = meetings
            .iter()
            .enumerate()
            .map(|(n, m)| (m.id.clone(), n))
            .collect();

        // An incident's meeting: its own `meeting` field, else the meeting whose agenda lists it.
        let mut meeting_of: Vec<Option<usize>> = incidents
            .iter()
            .map(|i| {
                i.meeting
                    .as_ref()
                    .and_then(|m| meeting_pos.get(&m.value).copied())
            })
            .collect();
        for (mi, m) in meetings.iter().enumerate() {
            for r in &m.incidents {
                if let Some(&ii) = incident_pos.get(&r.value) {
                    meeting_of[ii].get_or_insert(mi);
                }
            }
        }

        // Each meeting's agenda, as published incidents: resolved once, for its page, its
        // packet and the meeting list.
        let agendas: Vec<Vec<usize>> = meetings
            .iter()
            .map(|m| {
                m.incidents
                    .iter()
                    .filter_map(|r| incident_pos.get(&r.value).copied())
                    .collect()
            })
            .collect();

        let causes = cause_indexes(&config, &incidents);

        let tz = config.timezone;
        let (years, operators) = groups(&incidents, tz, config.year_start);
        let cause_keys: Vec<CauseKey> = config.causes.all().iter().map(|c| c.key.clone()).collect();
        let year_figures = years
            .iter()
            .map(|g| YearFigures::of(&incidents, &g.incidents, &cause_keys, tz))
            .collect();
        let operator_pos = operators
            .iter()
            .enumerate()
            .map(|(n, o)| (o.key.clone(), n))
            .collect();
        let stats = Stats::of(incidents.iter().map(|i| &**i));
        let (tags, tag_diags) = lists::tags(&incidents);
        diags.extend(tag_diags);
        let size = config.page_size;
        let paging = Pagings {
            incidents: Paging::new(size, [incidents.len()]),
            causes: Paging::new(size, causes.iter().map(|c| c.entries.len())),
            years: Paging::new(size, years.iter().map(|g| g.incidents.len())),
            operators: Paging::new(size, operators.iter().map(|g| g.incidents.len())),
            tags: Paging::new(size, tags.groups.iter().map(|g| g.incidents.len())),
        };
        let mut site = Site {
            config,
            incidents,
            meetings,
            causes,
            years,
            year_figures,
            operators,
            tags,
            paging,
            stats,
            today,
            ledger: ledger::Ledger::default(),
            updated: Vec::new(),
            incident_pos,
            meeting_pos,
            meeting_of,
            agendas,
            operator_pos,
            unpublished,
            failed_meetings,
            internal_meetings: selected.internal_meetings,
            edition_warnings: selected.warnings,
        };
        let tz = site.config.timezone;
        site.updated = site
            .incidents
            .iter()
            .map(|i| updated::updated(i, tz))
            .collect();
        site.set_today(today);
        (site, diags)
    }

    /// Judges countermeasures against `today` (the ledger is computed again).
    pub fn set_today(&mut self, today: chrono::NaiveDate) {
        self.today = today;
        self.ledger = ledger::Ledger::of(self, 0..self.incidents.len(), today);
    }

    /// Why the incident with this id exists but is not published, if it is so.
    pub fn unpublished_incident(&self, id: &str) -> Option<Unpublished> {
        self.unpublished.get(id).copied()
    }

    /// Every incident found but not published, with why, sorted by id.
    pub fn unpublished_incidents(&self) -> Vec<(&str, Unpublished)> {
        let mut all: Vec<(&str, Unpublished)> = self
            .unpublished
            .iter()
            .map(|(id, why)| (id.as_str(), *why))
            .collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// Whether a meeting with this id exists but failed to decode.
    pub fn failed_meeting(&self, id: &str) -> bool {
        self.failed_meetings.contains(id)
    }

    /// Whether a meeting with this id is internal and left out of this (public) edition.
    pub fn internal_meeting(&self, id: &str) -> bool {
        self.internal_meetings.contains(id)
    }

    /// The id of every incident found, published or not, for suggestions.
    pub fn known_incident_ids(&self) -> impl Iterator<Item = &str> {
        self.incidents
            .iter()
            .map(|i| i.id.as_str())
            .chain(self.unpublished.keys().map(String::as_str))
    }

    /// The id of every meeting found, for suggestions.
    pub fn known_meeting_ids(&self) -> impl Iterator<Item = &str> {
        self.meetings
            .iter()
            .map(|m| m.id.as_str())
            .chain(self.failed_meetings.iter().map(String::as_str))
            .chain(self.internal_meetings.iter().map(String::as_str))
    }

    /// The incident with this id, if published.
    pub fn incident(&self, id: &str) -> Option<&Incident> {
        self.incident_pos.get(id).map(|&n| &*self.incidents[n])
    }

    /// The index in [`Site::meetings`] of the meeting with this id.
    pub fn meeting_index(&self, id: &str) -> Option<usize> {
        self.meeting_pos.get(id).copied()
    }

    /// The index in [`Site::incidents`] of the incident with this id, if published.
    pub fn incident_index(&self, id: &str) -> Option<usize> {
        self.incident_pos.get(id).copied()
    }

    /// The meeting with this id.
    pub fn meeting(&self, id: &str) -> Option<&Meeting> {
        self.meeting_pos.get(id).map(|&n| &self.meetings[n])
    }

    /// The meeting that reviewed the incident at index `n`.
    pub fn meeting_of(&self, n: usize) -> Option<&Meeting> {
        self.meeting_of[n].map(|m| &self.meetings[m])
    }

    /// The index in [`Site::meetings`] of the meeting that reviewed incident `n`.
    pub fn meeting_index_of(&self, n: usize) -> Option<usize> {
        self.meeting_of[n]
    }

    /// The agenda of meeting `m`: its published incidents, by index, in agenda order.
    pub fn agenda(&self, m: usize) -> &[usize] {
        &self.agendas[m]
    }

    /// The URL slug of an operator's page.
    pub fn operator_slug(&self, name: &str) -> Option<&str> {
        self.operator_pos
            .get(name)
            .map(|&n| self.operators[n].slug.as_str())
    }
}

/// The incidents by year (newest first; years start in month `year_start`) and by
/// operator (by name, each with its slug).
fn groups(
    incidents: &[Arc<Incident>],
    tz: chrono::FixedOffset,
    year_start: u32,
) -> (Vec<Group<i32>>, Vec<Group<String>>) {
    let mut by_year: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    let mut by_operator: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (n, i) in incidents.iter().enumerate() {
        by_year
            .entry(i.started.fiscal_year_in(tz, year_start))
            .or_default()
            .push(n);
        for o in &i.operators {
            let list = by_operator.entry(o.as_str()).or_default();
            if list.last() != Some(&n) {
                list.push(n);
            }
        }
    }
    let years = by_year
        .into_iter()
        .rev()
        .map(|(year, list)| Group {
            key: year,
            slug: year.to_string(),
            stats: Stats::of(list.iter().map(|&n| &*incidents[n])),
            incidents: list,
        })
        .collect();
    let slugs = unique_slugs(by_operator.keys().copied());
    let operators = by_operator
        .into_iter()
        .zip(slugs)
        .map(|((name, list), slug)| Group {
            key: name.to_string(),
            slug,
            stats: Stats::of(list.iter().map(|&n| &*incidents[n])),
            incidents: list,
        })
        .collect();
    (years, operators)
}

/// Every cause of the taxonomy with its incidents, newest first, and their figures.
fn cause_indexes(config: &Config, incidents: &[Arc<Incident>]) -> Vec<CauseIndex> {
    config
        .causes
        .all()
        .iter()
        .map(|c| {
            let entries: Vec<CauseEntry> = incidents
                .iter()
                .enumerate()
                .filter_map(|(n, i)| {
                    let pos = i.causes.iter().position(|k| *k == c.key)?;
                    Some(CauseEntry {
                        incident: n,
                        primary: pos == 0,
                    })
                })
                .collect();
            CauseIndex {
                key: c.key.clone(),
                stats: Stats::of(entries.iter().map(|e| &*incidents[e.incident])),
                primary_count: entries.iter().filter(|e| e.primary).count(),
                entries,
            }
        })
        .collect()
}

/// The cross-references the site checks: `related`, `meeting` and agendas name documents
/// that exist (`known` has every id found, including documents that failed to decode, so
/// a broken file does not also make every reference to it an error).
fn check_references(
    incidents: &[Arc<Incident>],
    meetings: &[Meeting],
    known: &crate::load::KnownIds,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let all_ids: HashMap<&str, ()> = known.incidents.iter().map(|i| (i.as_str(), ())).collect();
    // A set: every incident with a meeting looks its id up (100,000 × 5,000 in a list).
    let meeting_ids: std::collections::HashSet<&str> =
        known.meetings.iter().map(String::as_str).collect();
    for i in incidents {
        for r in &i.related {
            if !all_ids.contains_key(r.value.as_str()) {
                diags.push(unknown_incident(
                    &i.file,
                    r,
                    "`related` names",
                    all_ids.keys().copied(),
                ));
            } else if r.value == i.id {
                diags.push(
                    Diagnostic::error(
                        crate::diag::Code::SelfReference,
                        &i.file,
                        Some(r.span.clone()),
                        "an incident cannot be related to itself",
                    )
                    .with_help("remove its own id from `related`"),
                );
            }
        }
        if let Some(m) = &i.meeting {
            if !meeting_ids.contains(&m.value.as_str()) {
                let near =
                    crate::diag::suggest(&m.value, known.meetings.iter().map(String::as_str));
                diags.push(
                    Diagnostic::error(
                        crate::diag::Code::UnknownMeeting,
                        &i.file,
                        Some(m.span.clone()),
                        format!(
                            "`meeting` names \"{}\", but there is no content/meetings/{}.md",
                            m.value, m.value
                        ),
                    )
                    .with_help(match near {
                        Some(n) => format!("did you mean \"{n}\"?"),
                        None => "use the file name of a meeting in content/meetings/, without .md"
                            .to_string(),
                    }),
                );
            }
        }
    }
    for m in meetings {
        let mut seen: Vec<&str> = Vec::new();
        for r in &m.incidents {
            if !all_ids.contains_key(r.value.as_str()) {
                diags.push(unknown_incident(
                    &m.file,
                    r,
                    "the agenda lists",
                    all_ids.keys().copied(),
                ));
            } else if seen.contains(&r.value.as_str()) {
                diags.push(
                    Diagnostic::error(
                        crate::diag::Code::DuplicateAgendaItem,
                        &m.file,
                        Some(r.span.clone()),
                        format!("the agenda lists \"{}\" twice", r.value),
                    )
                    .with_help("list each incident once, in agenda order"),
                );
            }
            seen.push(&r.value);
        }
    }
    diags
}

fn unknown_incident<'a>(
    file: &std::sync::Arc<crate::diag::SourceFile>,
    r: &crate::model::Located<String>,
    what: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    let ids: Vec<&str> = ids.collect();
    let near = crate::diag::suggest(&r.value, ids.iter().copied());
    Diagnostic::error(
        crate::diag::Code::UnknownIncident,
        file,
        Some(r.span.clone()),
        format!("{what} \"{}\", but there is no such incident", r.value),
    )
    .with_help(match near {
        Some(n) => format!("did you mean \"{n}\"?"),
        None => {
            "use the id of an incident: its file name in content/incidents/ without .md".to_string()
        }
    })
}

/// Longest slug in bytes, before a `-2` suffix: far below a file name's 255 bytes.
pub const MAX_SLUG_BYTES: usize = 100;

/// A URL path segment for a name: kept readable (Japanese stays Japanese), with characters
/// that URLs or file systems treat specially replaced by `-`, cut to [`MAX_SLUG_BYTES`].
/// Several names can give one slug; [`unique_slugs`] tells them apart.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if out.len() + c.len_utf8() > MAX_SLUG_BYTES {
            break;
        }
        if crate::load::names::id_char(c) && c != ' ' && c != '-' && (c != '.' || !out.is_empty()) {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches(['-', '.']).to_string();
    // `con.json` is as unusable as `con` on Windows; `con-json` is fine.
    if crate::load::names::is_windows_reserved(&out) {
        out = out.replacen('.', "-", 1);
    }
    if out.is_empty() {
        "-".to_string()
    } else {
        out
    }
}

/// One slug per name, unique even on case-insensitive file systems and never a name
/// Windows reserves, and the same for the same set of names whatever their order.
///
/// Names are taken in sorted order. A slug only one name gives is kept; when several
/// names give one slug (`A`, `a`), the first in sorted order keeps it and each other gets
/// the first `slug-2`, `slug-3` … that no name gives and no earlier name took.
pub fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    use std::collections::HashSet;
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_unstable();
    names.dedup();
    let bases: Vec<String> = names.iter().map(|n| slug(n)).collect();
    // Every slug some name gives as it is: no suffixed slug may take one.
    let given: HashSet<String> = bases.iter().map(|b| b.to_lowercase()).collect();
    let mut taken: HashSet<String> = HashSet::new();
    // Where the search for a free suffix resumes, per slug: many names with one slug
    // must not make the search quadratic.
    let mut next: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    bases
        .into_iter()
        .map(|base| {
            // `operators/index.html` is the list page: no operator folder may take its name.
            let usable = |s: &str| {
                !crate::load::names::is_windows_reserved(s) && !s.eq_ignore_ascii_case("index.html")
            };
            if usable(&base) && taken.insert(base.to_lowercase()) {
                return base;
            }
            let from = next.entry(base.to_lowercase()).or_insert(2);
            let found = (*from..).find_map(|k| {
                let s = format!("{base}-{k}");
                let key = s.to_lowercase();
                (usable(&s) && !given.contains(&key) && taken.insert(key)).then_some((k, s))
            });
            match found {
                Some((k, s)) => {
                    *from = k + 1;
                    s
                }
                None => base,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_japanese_and_drop_specials() {
        assert_eq!(slug("株式会社NTTドコモ"), "株式会社nttドコモ");
        assert_eq!(slug("Example Networks Inc."), "example-networks-inc");
        assert_eq!(slug("a/b?c#d"), "a-b-c-d");
        assert_eq!(slug("a\"b<c>&'%\\d"), "a-b-c-d");
        assert_eq!(slug("x\u{200B}y"), "x-y");
        assert_eq!(slug("CON"), "con");
        assert_eq!(slug("con.json"), "con-json");
        assert!(slug(&"長".repeat(200)).len() <= MAX_SLUG_BYTES);
    }

    #[test]
    fn slugs_are_unique_and_stable() {
        let names = ["a 2", "A", "a", "Aux", "b", "Index.html"];
        let slugs = unique_slugs(names);
        // Sorted: "A", "Aux", "Index.html", "a", "a 2", "b".
        assert_eq!(slugs, ["a", "aux-2", "index.html-2", "a-3", "a-2", "b"]);
        let mut reversed = names;
        reversed.reverse();
        assert_eq!(unique_slugs(reversed), slugs);
        let lower: std::collections::HashSet<String> =
            slugs.iter().map(|s| s.to_lowercase()).collect();
        assert_eq!(lower.len(), slugs.len());
    }
}
