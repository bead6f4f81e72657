//! The field tables of front matter: one per section, read by the decoders (which may read
//! only the keys listed) and by the unknown-field check (which suggests from them), and
//! public so that tests can generate input for every field.

pub use crate::toml_read::{Field, Kind};

use super::types::{Choice, MeasureStatus, NoticeKind, Scope, Status, Term, Visibility};

/// The top level of an incident's front matter, in the order `gen new incident` writes it.
pub const INCIDENT: &[Field] = &[
    Field::required("title", Kind::String, "The incident's title."),
    Field::required(
        "operators",
        Kind::Strings,
        "事業者名: the operators, at least one.",
    ),
    Field::required("started", Kind::Datetime, "発生日時: when it started."),
    Field::optional(
        "resolved",
        Kind::Datetime,
        "復旧日時: when it was resolved.",
    ),
    Field::optional("duration", Kind::Duration, "継続時間 as officially stated."),
    Field::optional("affected_users", Kind::Count, "影響利用者数."),
    Field::optional(
        "affected_users_approx",
        Kind::Bool,
        "Whether the user count is approximate (約).",
    ),
    Field::optional("regions", Kind::Strings, "影響地域."),
    Field::optional("services", Kind::Strings, "The affected services."),
    Field::optional(
        "service_category",
        Kind::String,
        "重大な事故に該当する電気通信役務の区分.",
    ),
    Field::optional(
        "inquiries",
        Kind::CountOrChannels,
        "問合せ件数: a total or counts by channel.",
    ),
    Field::optional(
        "inquiries_approx",
        Kind::Bool,
        "Whether the inquiry count is approximate (約).",
    ),
    Field::optional(
        "inquiries_as_of",
        Kind::Date,
        "The date the inquiry count was taken.",
    ),
    Field::required(
        "causes",
        Kind::CauseKeys,
        "Cause keys of the taxonomy, primary first.",
    ),
    Field::optional(
        "status",
        Kind::Choice(Status::NAMES),
        "Draft, preliminary or final (default final).",
    ),
    Field::optional("summary", Kind::String, "障害内容 in one paragraph."),
    Field::optional(
        "updated",
        Kind::Date,
        "When the record last changed in a way its own dates do not show (a corrected body), a date or a datetime; feeds and the sitemap take the latest of this and those dates.",
    ),
    Field::optional("meeting", Kind::String, "The id of the review meeting."),
    Field::optional("related", Kind::Strings, "Ids of related incidents."),
    Field::optional("tags", Kind::Strings, "Free tags."),
    Field::optional(
        "phases",
        Kind::Tables(PHASE),
        "Separate outages within the incident (①②).",
    ),
    Field::optional(
        "countermeasures",
        Kind::Tables(COUNTERMEASURE),
        "再発防止策, one table each.",
    ),
    Field::optional(
        "notices",
        Kind::Tables(NOTICE),
        "情報周知: public notices, one table each.",
    ),
    Field::optional(
        "timeline",
        Kind::Tables(TIMELINE),
        "The operational timeline.",
    ),
    Field::optional(
        "reporting",
        Kind::Table(REPORTING),
        "The report to the regulator: 重大な事故 or not, and when it was reported.",
    ),
    Field::optional(
        "visibility",
        Kind::Choice(Visibility::NAMES),
        "Public (default) or internal: an internal incident is only in the internal edition.",
    ),
    Field::optional(
        "internal",
        Kind::StringMap,
        "Free-form details (vendor, ticket, engineer …) shown only in the internal edition.",
    ),
];

/// `internal = true` on an item: only in the internal edition.
const INTERNAL_ITEM: Field = Field::optional(
    "internal",
    Kind::Bool,
    "Whether this item is only in the internal edition (default false).",
);

/// The `[reporting]` table.
pub const REPORTING: &[Field] = &[
    Field::optional(
        "serious",
        Kind::Bool,
        "Whether the incident is a 重大な事故 (the ministry designates it).",
    ),
    Field::optional(
        "reported_at",
        Kind::Date,
        "When the operator first reported it (速報), a date or a datetime.",
    ),
    Field::optional(
        "detailed_report_at",
        Kind::Date,
        "When the detailed report (詳細な報告) was submitted, a date or a datetime.",
    ),
];

/// One `[[phases]]` table.
pub const PHASE: &[Field] = &[
    Field::required("label", Kind::String, "What this phase was."),
    Field::optional("started", Kind::Datetime, "When it started."),
    Field::optional("resolved", Kind::Datetime, "When it was resolved."),
    Field::optional("duration", Kind::Duration, "The official duration."),
    Field::optional(
        "affected_users",
        Kind::Count,
        "Users affected in this phase.",
    ),
    INTERNAL_ITEM,
];

/// One `[[countermeasures]]` table.
pub const COUNTERMEASURE: &[Field] = &[
    Field::required("action", Kind::String, "What is done."),
    Field::optional(
        "status",
        Kind::Choice(MeasureStatus::NAMES),
        "Done, in progress or planned.",
    ),
    Field::optional("due", Kind::Date, "When it is due."),
    Field::optional("completed", Kind::Date, "When it was completed."),
    Field::optional(
        "scope",
        Kind::Choice(Scope::NAMES),
        "Facility or communication.",
    ),
    Field::optional("term", Kind::Choice(Term::NAMES), "Interim or permanent."),
    INTERNAL_ITEM,
];

/// One `[[notices]]` table.
pub const NOTICE: &[Field] = &[
    Field::required("at", Kind::Datetime, "When it was published."),
    Field::optional(
        "channel",
        Kind::String,
        "Where: website, press, email or another channel.",
    ),
    Field::optional("title", Kind::String, "Its title, e.g. 第1報."),
    Field::optional(
        "kind",
        Kind::Choice(NoticeKind::NAMES),
        "Initial, update or resolved.",
    ),
    INTERNAL_ITEM,
];

/// One `[[timeline]]` table.
pub const TIMELINE: &[Field] = &[
    Field::required("at", Kind::Datetime, "When."),
    Field::required("event", Kind::String, "What happened."),
    INTERNAL_ITEM,
];

/// A meeting's front matter.
pub const MEETING: &[Field] = &[
    Field::required("title", Kind::String, "The meeting's title."),
    Field::required("date", Kind::Datetime, "When it began."),
    Field::optional("ended", Kind::Datetime, "When it ended."),
    Field::optional("place", Kind::String, "Where it was held."),
    Field::optional("attendees", Kind::Strings, "Who attended (undivided)."),
    Field::optional("members", Kind::Strings, "Attending members (構成員)."),
    Field::optional(
        "secretariat",
        Kind::Strings,
        "Attending secretariat (事務局).",
    ),
    Field::optional("incidents", Kind::Strings, "Incident ids in agenda order."),
    Field::optional(
        "number",
        Kind::Count,
        "The meeting's number (第N回; default: parsed from the title).",
    ),
    Field::optional(
        "handout_prefix",
        Kind::String,
        "What handout numbers start with (default `資料<number>-`).",
    ),
    Field::optional(
        "order",
        Kind::Tables(ORDER),
        "The 議事次第 as written, item by item (default: derived from the agenda).",
    ),
    Field::optional(
        "visibility",
        Kind::Choice(Visibility::NAMES),
        "Public (default) or internal: an internal meeting is only in the internal edition.",
    ),
];

/// One `[[order]]` item of a meeting: a line of its 議事次第.
pub const ORDER: &[Field] = &[
    Field::required("item", Kind::String, "What is taken up, e.g. 開会."),
    Field::optional("time", Kind::Datetime, "When it is taken up."),
    Field::optional(
        "incident",
        Kind::String,
        "An incident of the meeting's `incidents`: its handout goes with the item.",
    ),
];

/// Every top-level table with the name of what it describes; nested sections are reached
/// through [`Kind::Tables`] and [`Kind::NamedTables`].
pub const ALL: &[(&str, &[Field])] = &[
    ("incident", INCIDENT),
    ("meeting", MEETING),
    ("config", crate::config::FIELDS),
];

/// A valid value of `kind` as TOML text, for generated input: with `all`, tables get
/// every field, else only the required ones.
pub fn sample(kind: &Kind, all: bool) -> String {
    match kind {
        Kind::String => "\"x\"".to_string(),
        Kind::Strings => "[\"x\"]".to_string(),
        Kind::CauseKeys => "[\"overload\"]".to_string(),
        Kind::Offset => "\"+09:00\"".to_string(),
        Kind::Datetime => "2024-01-15T11:50:00+09:00".to_string(),
        Kind::Date => "2024-03-31".to_string(),
        Kind::Duration => "\"23h08m\"".to_string(),
        Kind::Count => "5".to_string(),
        Kind::CountOrChannels => "{ phone = 5 }".to_string(),
        Kind::Bool => "true".to_string(),
        Kind::Month => "4".to_string(),
        Kind::Positive => "100".to_string(),
        Kind::Choice(names) => format!("\"{}\"", names.first().copied().unwrap_or_default()),
        Kind::Tables(fields) => format!("[{}]", inline_table(&sample_pairs(fields, all))),
        Kind::Table(fields) => inline_table(&sample_pairs(fields, all)),
        Kind::NamedTables(fields) => {
            format!("{{ x = {} }}", inline_table(&sample_pairs(fields, all)))
        }
        Kind::StringMap => "{ x = \"x\" }".to_string(),
    }
}

/// A value of the wrong type for `kind`, as TOML text.
pub fn wrong_sample(kind: &Kind) -> &'static str {
    match kind {
        Kind::String
        | Kind::Strings
        | Kind::CauseKeys
        | Kind::Offset
        | Kind::Duration
        | Kind::Choice(_)
        | Kind::Bool
        | Kind::Tables(_)
        | Kind::Table(_)
        | Kind::NamedTables(_)
        | Kind::StringMap => "1",
        Kind::Datetime
        | Kind::Date
        | Kind::Count
        | Kind::CountOrChannels
        | Kind::Month
        | Kind::Positive => "true",
    }
}

/// `(key, value)` pairs of `fields` with sample values: every field with `all`, else the
/// required ones.
pub fn sample_pairs(fields: &[Field], all: bool) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .filter(|f| all || f.required)
        .map(|f| (f.name, sample(&f.kind, all)))
        .collect()
}

/// `{ k = v, … }`.
pub fn inline_table(pairs: &[(&str, String)]) -> String {
    let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    //! The tables and the decoders agree: every listed field is read with the kind listed
    //! (a value of the wrong type is refused, naming it; a sample of its kind is accepted),
    //! every required field is required and nothing else is. A key read but not listed
    //! fails the decoder's debug assertion.

    use super::*;
    use crate::config::Config;
    use crate::diag::SourceFile;
    use crate::load::{split, BodySource, Document};

    /// The messages of the diagnostics from decoding `toml` as a section of kind `what`.
    fn messages(what: &str, toml: &str) -> Vec<String> {
        let config = || Config::parse(SourceFile::new("config.toml", "title = \"T\"\n"));
        if what == "config" {
            let file = SourceFile::new("config.toml", toml);
            return Config::parse(file)
                .err()
                .unwrap_or_default()
                .iter()
                .map(|d| d.message.clone())
                .collect();
        }
        let text = format!("+++\n{toml}\n+++\n");
        let file = SourceFile::new("content/a.md", text.as_str());
        let (front_matter, body) = split(&file).expect("the test writes both fences");
        let doc = Document {
            id: "a".into(),
            kind: if what == "meeting" {
                crate::load::Kind::Meeting
            } else {
                crate::load::Kind::Incident
            },
            file,
            front_matter,
            body: BodySource::Text(text[body.clone()].into()),
            body_hash: blake3::hash(text[body].as_bytes()),
            asset_dir: None,
            assets: Vec::new(),
        };
        let config = config().expect("the test config is valid");
        let mut diags = Vec::new();
        let decoded = super::super::decode(&doc, &config, &mut diags);
        assert_eq!(
            matches!(decoded, super::super::Decoded::Invalid),
            !diags.is_empty(),
            "{toml}"
        );
        diags.iter().map(|d| d.message.clone()).collect()
    }

    /// Top-level text: the required fields of `fields` with samples, `set` replacing or
    /// adding one.
    fn top(fields: &[Field], all: bool, set: Option<(&str, String)>) -> String {
        let mut pairs = sample_pairs(fields, all);
        if let Some((k, v)) = set {
            pairs.retain(|(n, _)| *n != k);
            pairs.push((k, v));
        }
        let lines: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        lines.join("\n")
    }

    /// Every section: its document kind, the path of its fields in messages, its fields,
    /// and how to make a whole document from one entry of it (as `k = v` pairs).
    fn sections() -> Vec<(&'static str, String, &'static [Field], Option<&'static str>)> {
        let mut out = Vec::new();
        for (what, fields) in ALL {
            out.push((*what, String::new(), *fields, None));
            for f in fields.iter() {
                match f.kind {
                    Kind::Tables(sub) => {
                        out.push((*what, format!("{}[0].", f.name), sub, Some(f.name)))
                    }
                    Kind::NamedTables(sub) => {
                        out.push((*what, format!("{}.x.", f.name), sub, Some(f.name)))
                    }
                    Kind::Table(sub) => {
                        out.push((*what, format!("{}.", f.name), sub, Some(f.name)))
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// A document whose section (`parent`'s field `within`, or the top level) holds the
    /// required fields and `set`.
    fn document(
        what: &str,
        within: Option<&str>,
        sub: &[Field],
        set: Option<(&str, String)>,
    ) -> String {
        let (_, fields) = ALL
            .iter()
            .find(|(w, _)| *w == what)
            .expect("a listed section");
        let Some(within) = within else {
            return top(fields, false, set);
        };
        let mut pairs = sample_pairs(sub, false);
        if let Some((k, v)) = set {
            pairs.retain(|(n, _)| *n != k);
            pairs.push((k, v));
        }
        let entry = inline_table(&pairs);
        let value = match fields.iter().find(|f| f.name == within).map(|f| f.kind) {
            Some(Kind::NamedTables(_)) => format!("{{ x = {entry} }}"),
            Some(Kind::Table(_)) => entry,
            _ => format!("[{entry}]"),
        };
        top(fields, false, Some((within, value)))
    }

    #[test]
    fn every_listed_field_is_read_with_its_kind() {
        for (what, path, fields, within) in sections() {
            for f in fields {
                let text = document(
                    what,
                    within,
                    fields,
                    Some((f.name, wrong_sample(&f.kind).to_string())),
                );
                let named = format!("`{path}{}", f.name);
                assert!(
                    messages(what, &text).iter().any(|m| m.contains(&named)),
                    "{what}: a wrong value of {path}{} is not refused:\n{text}",
                    f.name
                );
            }
        }
    }

    #[test]
    fn a_sample_of_every_field_is_accepted() {
        for (what, fields) in ALL {
            let text = top(fields, true, None);
            assert_eq!(
                messages(what, &text),
                Vec::<String>::new(),
                "{what}:\n{text}"
            );
        }
    }

    #[test]
    fn exactly_the_required_fields_are_required() {
        for (what, path, fields, within) in sections() {
            let text = document(what, within, fields, None);
            assert_eq!(
                messages(what, &text),
                Vec::<String>::new(),
                "{what}:\n{text}"
            );
            for f in fields.iter().filter(|f| f.required) {
                let mut pairs = sample_pairs(fields, false);
                pairs.retain(|(n, _)| *n != f.name);
                let text = match within {
                    None => pairs
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    Some(within) => {
                        let (_, top_fields) = ALL.iter().find(|(w, _)| *w == what).expect("listed");
                        top(
                            top_fields,
                            false,
                            Some((within, format!("[{}]", inline_table(&pairs)))),
                        )
                    }
                };
                let missing = format!("missing required field `{path}{}`", f.name);
                assert!(
                    messages(what, &text).iter().any(|m| m.contains(&missing)),
                    "{what}: {path}{} is not required:\n{text}",
                    f.name
                );
            }
        }
    }
}
