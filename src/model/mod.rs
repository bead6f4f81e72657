//! Model stage: typed, validated incidents and meetings.
//!
//! Raw spanned TOML goes in, [`Incident`] and [`Meeting`] values come out; a value exists
//! only if every rule of the format held for it, so later stages never re-check fields.
//! Rules that need the whole site (ids that must exist) belong to the site stage.

pub(crate) mod decode;
pub mod incident;
pub mod meeting;
pub mod types;

pub use decode::Located;
pub use incident::{Countermeasure, Incident, Inquiries, Notice, Phase, TimelineEntry};
pub use meeting::Meeting;
pub use types::{
    Choice, Duration, Lang, MeasureStatus, NoticeKind, PartialDate, Scope, Status, Term, Timestamp,
};

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::{Document, Kind};

/// Decodes every document in parallel; returns what was valid and every diagnostic.
pub fn decode_all(
    docs: &[Document],
    config: &Config,
) -> (Vec<Incident>, Vec<Meeting>, Vec<Diagnostic>) {
    enum One {
        I(Option<Box<Incident>>),
        M(Option<Meeting>),
    }
    let results: Vec<(One, Vec<Diagnostic>)> = docs
        .par_iter()
        .map(|doc| {
            let mut diags = Vec::new();
            let one = match doc.kind {
                Kind::Incident => One::I(incident::decode(doc, config, &mut diags).map(Box::new)),
                Kind::Meeting => One::M(meeting::decode(doc, config, &mut diags)),
            };
            (one, diags)
        })
        .collect();
    let mut incidents = Vec::new();
    let mut meetings = Vec::new();
    let mut diags = Vec::new();
    for (one, mut d) in results {
        match one {
            One::I(Some(i)) => incidents.push(*i),
            One::M(Some(m)) => meetings.push(m),
            _ => {}
        }
        diags.append(&mut d);
    }
    (incidents, meetings, diags)
}
