//! The validated review meeting (電気通信事故検証会議).

use std::sync::Arc;

use super::fields::MEETING;
use super::types::{Timestamp, Visibility};
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
    /// Who attended, when the content does not divide them.
    pub attendees: Vec<String>,
    /// Attending members (構成員).
    pub members: Vec<String>,
    /// Attending secretariat (事務局).
    pub secretariat: Vec<String>,
    /// The meeting's number (第N回): the `number` field, else parsed from the title.
    pub number: Option<u64>,
    /// What handout numbers start with: `handout_prefix`, else `資料<number>-`.
    pub handout_prefix: String,
    /// The 議事次第 as the content writes it (`[[order]]`); empty: derived.
    pub order: Vec<OrderItem>,
    /// Incident ids in agenda order, checked by the site stage.
    pub incidents: Vec<Located<String>>,
    /// Public (both editions) or internal (only the internal edition).
    pub visibility: Visibility,
    /// Where the markdown body is; read when the page is rendered.
    pub body: crate::load::BodySource,
    /// The minutes are read with their internal blocks blanked: the public edition.
    pub redacted: bool,
    /// BLAKE3 of the body as loaded (see [`crate::load::Document::body_hash`]).
    pub body_hash: blake3::Hash,
}

/// One `[[order]]` item: a line of the 議事次第.
#[derive(Debug, Clone)]
pub struct OrderItem {
    /// When it is taken up.
    pub time: Option<Timestamp>,
    /// What is taken up.
    pub item: String,
    /// The incident (one of the meeting's `incidents`) whose handout goes with it.
    pub incident: Option<String>,
}

impl Meeting {
    /// Reads the minutes (markdown; see [`crate::load::BodySource`]), their
    /// `<!-- internal -->` blocks checked, and blanked in the public edition.
    pub fn read_body(&self) -> Result<crate::load::Body, crate::Error> {
        super::edition::read_body(&self.body, &self.file, &self.body_hash, self.redacted)
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
    let mut names =
        |key: &str| -> Vec<String> { d.strings(&t, key).into_iter().map(|s| s.value).collect() };
    let attendees = names("attendees");
    let members = names("members");
    let secretariat = names("secretariat");
    let incidents = d.strings(&t, "incidents");
    let number = match d.count(&t, "number") {
        Some((_, true)) => {
            let span = t.get("number").map_or(0..0, |v| d.abs(v.span()));
            d.error_abs(
                crate::diag::Code::InvalidValue,
                span,
                "`number` is approximate",
                Some("write the meeting's number as a whole number: number = 4".to_string()),
            );
            None
        }
        Some((n, false)) => Some(n),
        None => title.as_ref().and_then(|t| number_in_title(&t.value)),
    };
    let handout_prefix = d.string(&t, "handout_prefix").map_or_else(
        || match number {
            Some(n) => format!("資料{n}-"),
            None => "資料".to_string(),
        },
        |s| s.value,
    );
    let order = order(&mut d, &t, &incidents, config.timezone);
    let visibility = d
        .choice::<Visibility>(&t, "visibility")
        .unwrap_or(Visibility::Public);
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
        members,
        secretariat,
        number,
        handout_prefix,
        order,
        incidents,
        visibility,
        body: doc.body.clone(),
        redacted: config.edition == crate::config::Edition::Public,
        body_hash: doc.body_hash,
    })
}

/// The `[[order]]` tables: each an `item`, with its `time` and the `incident` (one of the
/// meeting's `incidents`) whose handout goes with it.
fn order(
    d: &mut Decoder<'_>,
    t: &crate::toml_read::Table<'_, '_>,
    incidents: &[Located<String>],
    tz: chrono::FixedOffset,
) -> Vec<OrderItem> {
    let mut out = Vec::new();
    for e in d.tables(t, "order") {
        let item = d.req_string(&e, "item");
        let time = d.datetime(&e, "time", tz).map(|t| t.value);
        let incident = d.string(&e, "incident");
        if let Some(i) = &incident {
            if !incidents.iter().any(|k| k.value == i.value) {
                let known: Vec<&str> = incidents.iter().map(|k| k.value.as_str()).collect();
                d.error_abs(
                    crate::diag::Code::InvalidValue,
                    i.span.clone(),
                    format!(
                        "`incident` \"{}\" is not on this meeting's `incidents`",
                        i.value
                    ),
                    Some(if known.is_empty() {
                        "add it to `incidents` first".to_string()
                    } else {
                        format!("name one of {}, or add it to `incidents`", known.join(", "))
                    }),
                );
            }
        }
        if let Some(item) = item {
            out.push(OrderItem {
                time,
                item: item.value,
                incident: incident.map(|i| i.value),
            });
        }
    }
    out
}

/// The N of `第N回` in a title (ASCII or full-width digits): `電気通信事故検証会議（第4回）`.
fn number_in_title(title: &str) -> Option<u64> {
    let (_, after) = title.split_once('第')?;
    let digits: String = after
        .chars()
        .map_while(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect();
    let rest = &after[after
        .char_indices()
        .nth(digits.chars().count())
        .map_or(after.len(), |(i, _)| i)..];
    if digits.is_empty() || !rest.starts_with('回') {
        // `第` without `N回` right after it: look further on.
        return number_in_title(after);
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::number_in_title;

    #[test]
    fn the_number_comes_from_dai_n_kai() {
        assert_eq!(number_in_title("電気通信事故検証会議（第4回）"), Some(4));
        assert_eq!(
            number_in_title("電気通信事故検証会議（第１２回）"),
            Some(12)
        );
        assert_eq!(number_in_title("第一回 第3回"), Some(3));
        assert_eq!(number_in_title("第3号"), None);
        assert_eq!(number_in_title("定例会議"), None);
    }
}
