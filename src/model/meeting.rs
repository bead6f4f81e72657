//! The validated review meeting (電気通信事故検証会議).

use std::sync::Arc;

use super::fields::MEETING;
use super::types::Timestamp;
use crate::config::Config;
use crate::diag::{Diagnostic, SourceFile};
use crate::load::Document;
use crate::toml_read::{Decoder, Located};

/// Front-matter fields of a meeting.
pub use super::fields::MEETING as FIELDS;

/// A review meeting and its agenda.
#[derive(Debug, Clone)]
pub struct Meeting {
    /// The file name.
    pub id: String,
    /// The source file.
    pub file: Arc<SourceFile>,
    /// Title, e.g. `電気通信事故検証会議（第4回）`.
    pub title: String,
    /// When it began.
    pub date: Timestamp,
    /// When it ended, if recorded.
    pub ended: Option<Timestamp>,
    /// Where it was held.
    pub place: Option<String>,
    /// Who attended.
    pub attendees: Vec<String>,
    /// Incident ids in agenda order, checked by the site stage.
    pub incidents: Vec<Located<String>>,
    /// Where the markdown body is; read when the page is rendered.
    pub body: crate::load::BodySource,
}

impl Meeting {
    /// Reads the minutes (markdown; see [`crate::load::BodySource`]).
    pub fn read_body(&self) -> Result<crate::load::Body, crate::Error> {
        self.body.read(&self.file)
    }
}

/// Reads and validates one meeting document, appending every problem to `diags`.
pub fn decode(doc: &Document, config: &Config, diags: &mut Vec<Diagnostic>) -> Option<Meeting> {
    let mut d = Decoder::new(&doc.file, doc.front_matter.start);
    let Some(table) = d.parse(doc.front_matter_text()) else {
        diags.append(&mut d.diags);
        return None;
    };
    let open = doc.file.text.find("+++").unwrap_or(0);
    let t = d.root(&table, open..open + 3, MEETING);
    let title = d.req_string(&t, "title");
    let date = d.datetime(&t, "date", config.timezone);
    if date.is_none() && !t.has("date") {
        d.missing(&t, "date", "2017-10-13T16:55:00+09:00");
    }
    let ended = d.datetime(&t, "ended", config.timezone);
    if let (Some(s), Some(e)) = (&date, &ended) {
        if e.value < s.value {
            d.error_abs(
                crate::diag::Code::EndedBeforeDate,
                e.span.clone(),
                "`ended` is before `date`",
                Some("check the date and time of both".to_string()),
            );
        }
    }
    let place = d.string(&t, "place").map(|s| s.value);
    let attendees = d
        .strings(&t, "attendees")
        .into_iter()
        .map(|s| s.value)
        .collect();
    let incidents = d.strings(&t, "incidents");
    let ok = d.diags.is_empty();
    diags.append(&mut d.diags);
    if !ok {
        return None;
    }
    Some(Meeting {
        id: doc.id.clone(),
        file: Arc::clone(&doc.file),
        title: title?.value,
        date: date?.value,
        ended: ended.map(|e| e.value),
        place,
        attendees,
        incidents,
        body: doc.body.clone(),
    })
}
