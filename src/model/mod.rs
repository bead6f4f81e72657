//! Model stage: typed, validated incidents and meetings.
//!
//! Raw spanned TOML goes in, [`Incident`] and [`Meeting`] values come out; a value exists
//! only if every rule of the format held for it, so later stages never re-check fields.
//! Rules that need the whole site (ids that must exist) belong to the site stage.

mod decode;
pub mod edition;
pub mod fields;
pub mod incident;
pub mod meeting;
pub mod types;

pub use crate::config::Lang;
pub use crate::toml_read::Located;
pub use incident::{Countermeasure, Incident, Inquiries, Notice, Phase, Reporting, TimelineEntry};
pub use meeting::Meeting;
pub use types::{
    Choice, Count, Duration, DurationError, Figure, MeasureStatus, NoticeKind, PartialDate, Scope,
    Status, Term, Timestamp, Visibility,
};

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::{Document, Kind};

/// One decoded document: the value if it was valid.
#[derive(Debug, Clone)]
pub(crate) enum Decoded {
    /// A valid incident (shared: `gen serve` keeps it across rebuilds).
    Incident(std::sync::Arc<Incident>),
    /// A valid meeting (boxed: it is much larger than the other variants).
    Meeting(Box<Meeting>),
    /// The document had errors (reported as diagnostics).
    Invalid,
}

/// Decodes one document, adding its problems to `diags`.
pub(crate) fn decode(doc: &Document, config: &Config, diags: &mut Vec<Diagnostic>) -> Decoded {
    let one = match doc.kind {
        Kind::Incident => {
            incident::decode(doc, config, diags).map(|i| Decoded::Incident(std::sync::Arc::new(i)))
        }
        Kind::Meeting => meeting::decode(doc, config, diags).map(|m| Decoded::Meeting(Box::new(m))),
    };
    one.unwrap_or(Decoded::Invalid)
}

/// Decodes every document in parallel; returns what was valid and every diagnostic.
pub(crate) fn decode_all(
    docs: &[Document],
    config: &Config,
) -> (Vec<std::sync::Arc<Incident>>, Vec<Meeting>, Vec<Diagnostic>) {
    let results: Vec<(Decoded, Vec<Diagnostic>)> = docs
        .par_iter()
        .map(|doc| {
            let mut diags = Vec::new();
            let decoded = decode(doc, config, &mut diags);
            crate::diag::sort(&mut diags);
            (decoded, diags)
        })
        .collect();
    let mut incidents = Vec::new();
    let mut meetings = Vec::new();
    let mut diags = Vec::new();
    for (one, mut d) in results {
        match one {
            Decoded::Incident(i) => incidents.push(i),
            Decoded::Meeting(m) => meetings.push(*m),
            Decoded::Invalid => {}
        }
        diags.append(&mut d);
    }
    (incidents, meetings, diags)
}
