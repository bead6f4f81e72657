//! The validated incident and its parts.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::FixedOffset;

use super::fields::INCIDENT;
use super::types::{
    Count, Duration, Figure, MeasureStatus, NoticeKind, PartialDate, Scope, Status, Term,
    Timestamp, Visibility,
};
use crate::config::{CauseKey, Config};
use crate::diag::{Diagnostic, SourceFile};
use crate::load::Document;
use crate::toml_read::{Decoder, Located, Table};

/// Front-matter fields of an incident, in the order `gen new incident` writes them.
pub use super::fields::INCIDENT as FIELDS;

/// 問合せ件数: a total, or counts by channel, each exact or approximate.
#[derive(Debug, Clone)]
pub enum Inquiries {
    /// One figure.
    Total(Count),
    /// `channel = count` pairs, in the order written, and whether the total is
    /// approximate as a whole (`inquiries_approx = true`) beyond the channels marked 約.
    ByChannel(Vec<(String, Count)>, bool),
}

impl Inquiries {
    /// The total over all channels: approximate when any channel is.
    pub fn total(&self) -> Count {
        match self {
            Inquiries::Total(n) => *n,
            // Each count is at most 10^12 (`MAX_COUNT`); saturating all the same, so
            // that no input can wrap a total.
            Inquiries::ByChannel(v, approx) => Count {
                value: v.iter().fold(0u64, |t, (_, n)| t.saturating_add(n.value)),
                approx: *approx || v.iter().any(|(_, n)| n.approx),
            },
        }
    }
}

/// One of several outages or services within an incident (①②).
#[derive(Debug, Clone)]
pub struct Phase {
    /// What this phase was, e.g. `①個人向け電子メールサービス`.
    pub label: String,
    /// When it started.
    pub started: Option<Timestamp>,
    /// When it was resolved.
    pub resolved: Option<Timestamp>,
    /// The official figure, if given.
    pub official_duration: Option<Duration>,
    /// Users affected in this phase.
    pub affected_users: Option<Count>,
    /// Only in the internal edition (`internal = true`).
    pub internal: bool,
}

impl Phase {
    /// The official duration, or `resolved - started`.
    pub fn duration(&self) -> Option<Duration> {
        self.official_duration
            .or_else(|| Some(self.started?.until(self.resolved?)))
    }
}

/// 再発防止策: one action taken or planned to prevent a recurrence.
#[derive(Debug, Clone)]
pub struct Countermeasure {
    /// What is done.
    pub action: String,
    /// Done, in progress or planned (defaults to planned).
    pub status: MeasureStatus,
    /// When it is due.
    pub due: Option<PartialDate>,
    /// When it was completed.
    pub completed: Option<PartialDate>,
    /// Facility or communication.
    pub scope: Option<Scope>,
    /// Interim or permanent.
    pub term: Option<Term>,
    /// Where its `[[countermeasures]]` table is in the file (for warnings).
    pub span: std::ops::Range<usize>,
    /// Only in the internal edition (`internal = true`).
    pub internal: bool,
}

impl Countermeasure {
    /// Days past its due date on `today` (a due month or year ends on its last day), when
    /// it is not done; `None` when done, not yet due, or without a due date.
    pub fn days_overdue(&self, today: chrono::NaiveDate) -> Option<i64> {
        if self.status == MeasureStatus::Done {
            return None;
        }
        let due = self.due?.last_day()?;
        let days = (today - due).num_days();
        (days > 0).then_some(days)
    }
}

/// 情報周知: one public notice.
#[derive(Debug, Clone)]
pub struct Notice {
    /// When it was published.
    pub at: Timestamp,
    /// Where: website, press, email … or any other channel name.
    pub channel: Option<String>,
    /// Its title, e.g. `第1報`.
    pub title: Option<String>,
    /// Initial, update or resolved.
    pub kind: Option<NoticeKind>,
    /// Where its `at` is in the file (for warnings).
    pub span: std::ops::Range<usize>,
    /// Only in the internal edition (`internal = true`).
    pub internal: bool,
}

/// One entry of the operational timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    /// When.
    pub at: Timestamp,
    /// What happened.
    pub event: String,
    /// Only in the internal edition (`internal = true`).
    pub internal: bool,
}

/// `[reporting]`: what the content states about the report to the regulator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reporting {
    /// 重大な事故 or not, as the content states it (the ministry designates it);
    /// `None` when not stated.
    pub serious: Option<bool>,
    /// When the operator first reported it (速報).
    pub reported_at: Option<PartialDate>,
    /// When the detailed report (詳細な報告) was submitted.
    pub detailed_report_at: Option<PartialDate>,
}

/// A validated incident: every invariant of the format holds.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The file or folder name.
    pub id: String,
    /// The source file, for diagnostics in later stages.
    pub file: Arc<SourceFile>,
    /// Folder of assets copied beside the page.
    pub asset_dir: Option<PathBuf>,
    /// The assets in that folder, as the load stage listed them.
    pub assets: Vec<crate::load::assets::Asset>,
    /// Title.
    pub title: String,
    /// 事業者名, at least one.
    pub operators: Vec<String>,
    /// 発生日時.
    pub started: Timestamp,
    /// 復旧日時; `None` while ongoing.
    pub resolved: Option<Timestamp>,
    /// 継続時間 as officially stated, when given.
    pub official_duration: Option<Duration>,
    /// 影響利用者数 as given (約 from `"約48,000"` or `affected_users_approx`).
    pub affected_users: Option<Count>,
    /// 影響地域.
    pub regions: Vec<String>,
    /// Affected services.
    pub services: Vec<String>,
    /// 重大な事故に該当する電気通信役務の区分.
    pub service_category: Option<String>,
    /// 問合せ件数.
    pub inquiries: Option<Inquiries>,
    /// The date the inquiry count was taken.
    pub inquiries_as_of: Option<PartialDate>,
    /// Causes, primary first; never empty.
    pub causes: Vec<CauseKey>,
    /// Draft, preliminary or final.
    pub status: Status,
    /// 障害内容.
    pub summary: Option<String>,
    /// When the record last changed, as given (`updated`); see [`crate::site::updated::updated`].
    pub updated: Option<Timestamp>,
    /// The review meeting, checked against meetings by the site stage.
    pub meeting: Option<Located<String>>,
    /// Related incidents, checked by the site stage.
    pub related: Vec<Located<String>>,
    /// Free tags, located: the site stage reports two tags that would share a page.
    pub tags: Vec<Located<String>>,
    /// Separate outages within the incident.
    pub phases: Vec<Phase>,
    /// 再発防止策.
    pub countermeasures: Vec<Countermeasure>,
    /// 情報周知.
    pub notices: Vec<Notice>,
    /// Operational timeline.
    pub timeline: Vec<TimelineEntry>,
    /// The report to the regulator.
    pub reporting: Reporting,
    /// Public (both editions) or internal (only the internal edition).
    pub visibility: Visibility,
    /// The `[internal]` table: free-form details, in the order written, shown only in
    /// the internal edition (located, for the `quotes-internal` warning).
    pub internal: Vec<(String, Located<String>)>,
    /// Where the markdown body is; read when the page is rendered.
    pub body: crate::load::BodySource,
    /// The body is read with its internal blocks blanked: the public edition.
    pub redacted: bool,
    /// BLAKE3 of the body as loaded (see [`crate::load::Document::body_hash`]).
    pub body_hash: blake3::Hash,
}

impl Incident {
    /// Reads the markdown body (see [`crate::load::BodySource`]), its `<!-- internal -->`
    /// blocks checked, and blanked in the public edition ([`super::edition::read_body`]).
    pub fn read_body(&self) -> Result<crate::load::Body, crate::Error> {
        super::edition::read_body(&self.body, &self.file, &self.body_hash, self.redacted)
    }

    /// The primary cause.
    pub fn primary_cause(&self) -> &CauseKey {
        &self.causes[0]
    }

    /// 継続時間: the official figure, else `resolved - started`; `None` while ongoing.
    pub fn duration(&self) -> Option<Duration> {
        self.official_duration
            .or_else(|| Some(self.started.until(self.resolved?)))
    }

    /// Users affected: the figure given, else the sum over phases, marked derived. A sum
    /// over phases where some phase states no figure would understate it: unknown.
    pub fn users(&self) -> Option<Figure> {
        if let Some(count) = self.affected_users {
            return Some(Figure {
                count,
                derived: false,
            });
        }
        if self.phases.is_empty() || self.phases.iter().any(|p| p.affected_users.is_none()) {
            return None;
        }
        let parts = self.phases.iter().filter_map(|p| p.affected_users);
        let count = parts.fold(Count::exact(0), |t, n| Count {
            value: t.value.saturating_add(n.value),
            approx: t.approx || n.approx,
        });
        Some(Figure {
            count,
            derived: true,
        })
    }

    /// 問合せ件数 in all, if stated.
    pub fn inquiry_total(&self) -> Option<Count> {
        self.inquiries.as_ref().map(Inquiries::total)
    }
}

/// Reads and validates one incident document, appending every problem to `diags`.
pub fn decode(doc: &Document, config: &Config, diags: &mut Vec<Diagnostic>) -> Option<Incident> {
    let mut d = Decoder::new(&doc.file, doc.front_matter.start);
    let table = d.parse(doc.front_matter_text());
    let Some(table) = table else {
        diags.append(&mut d.diags);
        return None;
    };
    // A missing field is reported at the opening `+++`.
    let open = doc.file.text.find("+++").unwrap_or(0);
    let t = d.root(&table, open..open + 3, INCIDENT);
    let tz = config.timezone;

    let title = d.req_string(&t, "title");
    let operators = d.req_strings(&t, "operators");
    let operators_ok = check_operators(&mut d, &operators);
    let started = match d.datetime(&t, "started", tz) {
        None if !t.has("started") => {
            d.missing(&t, "started", "2017-07-03T11:50:00+09:00");
            None
        }
        s => s,
    };
    let resolved = d.datetime(&t, "resolved", tz);
    check_order(&mut d, &t, started.as_ref(), resolved.as_ref());
    let official_duration = d.duration(&t, "duration").map(|l| l.value);
    let affected_users_approx = d.bool(&t, "affected_users_approx").unwrap_or(false);
    let affected_users = d.count(&t, "affected_users").map(|(value, approx)| Count {
        value,
        approx: approx || affected_users_approx,
    });
    let regions = values(d.strings(&t, "regions"));
    let services = values(d.strings(&t, "services"));
    let service_category = d.string(&t, "service_category").map(|s| s.value);
    let inquiries_approx = d.bool(&t, "inquiries_approx").unwrap_or(false);
    let inquiries = d.counts_by_channel(&t, "inquiries").map(|r| match r {
        Ok((value, approx)) => Inquiries::Total(Count {
            value,
            approx: approx || inquiries_approx,
        }),
        Err(v) => Inquiries::ByChannel(
            v.into_iter()
                .map(|(k, (value, approx))| (k, Count { value, approx }))
                .collect(),
            inquiries_approx,
        ),
    });
    let inquiries_as_of = d.partial_date(&t, "inquiries_as_of");
    let causes = causes(&mut d, &t, config);
    let status = d.choice::<Status>(&t, "status").unwrap_or(Status::Final);
    let summary = d.string(&t, "summary").map(|s| s.value);
    let updated = date_or_datetime(&mut d, &t, "updated", tz);
    let meeting = d.string(&t, "meeting");
    let related = d.strings(&t, "related");
    let tags = d.strings(&t, "tags");
    let phases = phases(&mut d, &t, tz);
    let countermeasures = countermeasures(&mut d, &t);
    let notices = notices(&mut d, &t, tz);
    let timeline = timeline(&mut d, &t, tz);
    let reporting = reporting(&mut d, &t, tz);
    let visibility = d
        .choice::<Visibility>(&t, "visibility")
        .unwrap_or(Visibility::Public);
    let internal = d
        .string_map(&t, "internal")
        .into_iter()
        .map(|(k, v)| (k.value, v))
        .collect();

    let ok = d.diags.is_empty() && operators_ok;
    diags.append(&mut d.diags);
    if !ok {
        return None;
    }
    Some(Incident {
        id: doc.id.clone(),
        file: Arc::clone(&doc.file),
        asset_dir: doc.asset_dir.clone(),
        assets: doc.assets.clone(),
        title: title?.value,
        operators: values(operators),
        started: started?.value,
        resolved: resolved.map(|r| r.value),
        official_duration,
        affected_users,
        regions,
        services,
        service_category,
        inquiries,
        inquiries_as_of,
        causes,
        status,
        summary,
        updated,
        meeting,
        related,
        tags,
        phases,
        countermeasures,
        notices,
        timeline,
        reporting,
        visibility,
        internal,
        body: doc.body.clone(),
        redacted: config.edition == crate::config::Edition::Public,
        body_hash: doc.body_hash,
    })
}

/// Reports a `resolved` before the `started` of the same table.
fn check_order(
    d: &mut Decoder<'_>,
    t: &Table<'_, '_>,
    started: Option<&Located<Timestamp>>,
    resolved: Option<&Located<Timestamp>>,
) {
    let (Some(s), Some(r)) = (started, resolved) else {
        return;
    };
    if r.value < s.value {
        d.error_abs(
            crate::diag::Code::ResolvedBeforeStarted,
            r.span.clone(),
            format!(
                "`{}resolved` ({}) is before `{}started` ({})",
                t.path(),
                r.value.rfc3339(),
                t.path(),
                s.value.rfc3339()
            ),
            Some("check the date, the time and the UTC offset of both".to_string()),
        );
    }
}

/// The `causes` as keys of the site's taxonomy; unknown and repeated ones are reported.
fn causes(d: &mut Decoder<'_>, t: &Table<'_, '_>, config: &Config) -> Vec<CauseKey> {
    let keys: Vec<&str> = config.causes.all().iter().map(|c| c.key.as_str()).collect();
    let cause_names = if t.has("causes") {
        let help = format!(
            "write the primary cause first, like: causes = [\"{}\"]; valid causes: {}",
            keys.first().copied().unwrap_or("human-error"),
            keys.join(", ")
        );
        d.req_strings_help(t, "causes", Some(help))
    } else {
        d.missing(t, "causes", "[\"human-error\"]");
        Vec::new()
    };
    let mut causes = Vec::new();
    for c in &cause_names {
        match config.causes.key(&c.value) {
            Some(k) if causes.contains(&k) => d.error_abs(
                crate::diag::Code::DuplicateCause,
                c.span.clone(),
                format!("cause \"{}\" is listed twice", c.value),
                Some("list each cause once, the primary cause first".to_string()),
            ),
            Some(k) => causes.push(k),
            None => {
                let near = crate::diag::suggest(&c.value, keys.iter().copied())
                    .map(|s| format!("did you mean \"{s}\"? "))
                    .unwrap_or_default();
                d.error_abs(
                    crate::diag::Code::UnknownCause,
                    c.span.clone(),
                    format!("unknown cause \"{}\"", c.value),
                    Some(format!(
                        "{near}valid causes: {}; add your own under [causes.<key>] in config.toml",
                        keys.join(", ")
                    )),
                );
            }
        }
    }
    causes
}

/// The `[reporting]` table; its dates may be written as dates or datetimes.
fn reporting(d: &mut Decoder<'_>, t: &Table<'_, '_>, tz: FixedOffset) -> Reporting {
    let Some(r) = d.table(t, "reporting") else {
        return Reporting::default();
    };
    let date = |d: &mut Decoder<'_>, key: &str| match r.get(key).map(|v| v.get_ref()) {
        Some(toml::de::DeValue::Datetime(dt)) if dt.time.is_some() => d
            .datetime(&r, key, tz)
            .map(|l| l.value.in_offset(tz).date_naive())
            .and_then(|n| {
                use chrono::Datelike;
                PartialDate::new(n.year(), Some(n.month()), Some(n.day()))
            }),
        _ => d.partial_date(&r, key),
    };
    let reported_at = date(d, "reported_at");
    let detailed_report_at = date(d, "detailed_report_at");
    Reporting {
        serious: d.bool(&r, "serious"),
        reported_at,
        detailed_report_at,
    }
}

/// A field written as a datetime or as a date (`2024-03-31`, `"2024-03"`), the date read
/// as the start of the last day it covers in the site's time zone (see [`start_of`]).
fn date_or_datetime(
    d: &mut Decoder<'_>,
    t: &Table<'_, '_>,
    key: &str,
    tz: FixedOffset,
) -> Option<Timestamp> {
    match t.get(key).map(|v| v.get_ref()) {
        Some(toml::de::DeValue::Datetime(dt)) if dt.time.is_some() => {
            d.datetime(t, key, tz).map(|l| l.value)
        }
        _ => d.partial_date(t, key).and_then(|p| start_of(p, tz)),
    }
}

/// The start of the last day a date covers, in `tz` (`"2024-03"` → 2024-03-31T00:00): a
/// countermeasure completed in `"2017-07"` of an incident resolved on 2017-07-04 must
/// still move the incident's `updated` forward.
pub(crate) fn start_of(p: PartialDate, tz: FixedOffset) -> Option<Timestamp> {
    let day = p.last_day()?;
    let local = day.and_hms_opt(0, 0, 0)?.and_local_timezone(tz).single()?;
    Some(Timestamp(local))
}

/// The `[[phases]]` tables.
fn phases(d: &mut Decoder<'_>, t: &Table<'_, '_>, tz: FixedOffset) -> Vec<Phase> {
    let mut phases = Vec::new();
    for p in d.tables(t, "phases") {
        let label = d.req_string(&p, "label");
        let started = d.datetime(&p, "started", tz);
        let resolved = d.datetime(&p, "resolved", tz);
        check_order(d, &p, started.as_ref(), resolved.as_ref());
        let official_duration = d.duration(&p, "duration").map(|l| l.value);
        let affected_users = d
            .count(&p, "affected_users")
            .map(|(value, approx)| Count { value, approx });
        let internal = d.bool(&p, "internal").unwrap_or(false);
        phases.push(Phase {
            internal,
            label: label.map(|l| l.value).unwrap_or_default(),
            started: started.map(|l| l.value),
            resolved: resolved.map(|l| l.value),
            official_duration,
            affected_users,
        });
    }
    phases
}

/// The `[[countermeasures]]` tables; the status defaults to done when a completion date
/// is given, else to planned.
fn countermeasures(d: &mut Decoder<'_>, t: &Table<'_, '_>) -> Vec<Countermeasure> {
    let mut countermeasures = Vec::new();
    for m in d.tables(t, "countermeasures") {
        let action = d.req_string(&m, "action");
        let status = d.choice::<MeasureStatus>(&m, "status");
        let due = d.partial_date(&m, "due");
        let completed = d.partial_date(&m, "completed");
        let scope = d.choice::<Scope>(&m, "scope");
        let term = d.choice::<Term>(&m, "term");
        let internal = d.bool(&m, "internal").unwrap_or(false);
        if let Some(action) = action {
            let status = status.unwrap_or(if completed.is_some() {
                MeasureStatus::Done
            } else {
                MeasureStatus::Planned
            });
            countermeasures.push(Countermeasure {
                action: action.value,
                status,
                due,
                completed,
                scope,
                term,
                span: m.span(),
                internal,
            });
        }
    }
    countermeasures
}

/// The `[[notices]]` tables, in time order.
fn notices(d: &mut Decoder<'_>, t: &Table<'_, '_>, tz: FixedOffset) -> Vec<Notice> {
    let mut notices = Vec::new();
    for n in d.tables(t, "notices") {
        let at = d.datetime(&n, "at", tz);
        if at.is_none() && !n.has("at") {
            d.missing(&n, "at", "2017-07-03T13:27:00+09:00");
        }
        let channel = d.string(&n, "channel").map(|s| s.value);
        let title = d.string(&n, "title").map(|s| s.value);
        let kind = d.choice::<NoticeKind>(&n, "kind");
        let internal = d.bool(&n, "internal").unwrap_or(false);
        if let Some(at) = at {
            notices.push(Notice {
                internal,
                span: at.span.clone(),
                at: at.value,
                channel,
                title,
                kind,
            });
        }
    }
    notices.sort_by_key(|n| n.at);
    notices
}

/// The `[[timeline]]` tables, in time order.
fn timeline(d: &mut Decoder<'_>, t: &Table<'_, '_>, tz: FixedOffset) -> Vec<TimelineEntry> {
    let mut timeline = Vec::new();
    for e in d.tables(t, "timeline") {
        let at = d.datetime(&e, "at", tz);
        if at.is_none() && !e.has("at") {
            d.missing(&e, "at", "2017-07-03T11:50:00+09:00");
        }
        let event = d.req_string(&e, "event");
        let internal = d.bool(&e, "internal").unwrap_or(false);
        if let (Some(at), Some(event)) = (at, event) {
            timeline.push(TimelineEntry {
                at: at.value,
                event: event.value,
                internal,
            });
        }
    }
    timeline.sort_by_key(|e| e.at);
    timeline
}

/// Reports blank operator names and names with invisible, decomposed (NFD) or control
/// characters: each operator gets a page, and such a name would make a second page for
/// an operator that looks the same. Returns whether every name is usable.
fn check_operators(d: &mut Decoder<'_>, operators: &[Located<String>]) -> bool {
    let mut ok = true;
    for (n, o) in operators.iter().enumerate() {
        if o.value.trim().is_empty() {
            d.error_abs(
                crate::diag::Code::EmptyField,
                o.span.clone(),
                format!("`operators[{n}]` must not be empty"),
                Some(
                    "write the operator's name between the quotes, or remove the entry".to_string(),
                ),
            );
            ok = false;
        } else if let Some(problem) = crate::load::names::name_problem(&o.value) {
            d.error_abs(
                crate::diag::Code::InvalidName,
                o.span.clone(),
                format!("`operators[{n}]`: {problem}"),
                Some("retype the name: it would make a second operator page that looks like the first".to_string()),
            );
            ok = false;
        }
    }
    ok
}

fn values(v: Vec<Located<String>>) -> Vec<String> {
    v.into_iter().map(|l| l.value).collect()
}
