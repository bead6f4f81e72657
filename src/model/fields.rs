//! The field tables of front matter: one per section, read by the decoders (which may read
//! only the keys listed) and by the unknown-field check (which suggests from them), and
//! public so that tests can generate input for every field.

pub use crate::toml_read::{Field, Kind};

use super::types::{Choice, MeasureStatus, NoticeKind, Scope, Status, Term};

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
        Kind::Strings,
        "Cause keys of the taxonomy, primary first.",
    ),
    Field::optional(
        "status",
        Kind::Choice(Status::NAMES),
        "Draft, preliminary or final (default final).",
    ),
    Field::optional("summary", Kind::String, "障害内容 in one paragraph."),
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
];

/// One `[[timeline]]` table.
pub const TIMELINE: &[Field] = &[
    Field::required("at", Kind::Datetime, "When."),
    Field::required("event", Kind::String, "What happened."),
];

/// A meeting's front matter.
pub const MEETING: &[Field] = &[
    Field::required("title", Kind::String, "The meeting's title."),
    Field::required("date", Kind::Datetime, "When it began."),
    Field::optional("ended", Kind::Datetime, "When it ended."),
    Field::optional("place", Kind::String, "Where it was held."),
    Field::optional("attendees", Kind::Strings, "Who attended."),
    Field::optional("incidents", Kind::Strings, "Incident ids in agenda order."),
];

/// Every top-level table with the name of what it describes; nested sections are reached
/// through [`Kind::Tables`] and [`Kind::NamedTables`].
pub const ALL: &[(&str, &[Field])] = &[
    ("incident", INCIDENT),
    ("meeting", MEETING),
    ("config", crate::config::FIELDS),
];
