//! When an incident's record last changed: what feeds give as an entry's `updated` and the
//! sitemap as a page's `lastmod`.
//!
//! gen keeps no history, so the date is read from the record itself: the latest of every
//! date it holds (start, resolution, phases, notices, timeline, the reports to the
//! regulator — the detailed report is what turns a 速報 into a 確報 — countermeasure
//! completions, the inquiry count's date) and the `updated` the author gave. A record that
//! gains a completion or a report date so moves forward in the feeds.

use chrono::FixedOffset;

use crate::model::incident::start_of;
use crate::model::{Incident, PartialDate, Timestamp};

/// The incident's `updated`: the latest of its own dates and its `updated` field. Dates
/// without a time count from the start of their (last) day in `tz`: `"2017-07"` as
/// 2017-07-31T00:00.
pub fn updated(i: &Incident, tz: FixedOffset) -> Timestamp {
    let day = |p: &Option<PartialDate>| p.and_then(|p| start_of(p, tz));
    let times = [Some(i.started), i.resolved, i.updated]
        .into_iter()
        .chain(i.phases.iter().flat_map(|p| [p.started, p.resolved]))
        .chain(i.notices.iter().map(|n| Some(n.at)))
        .chain(i.timeline.iter().map(|e| Some(e.at)))
        .chain(i.countermeasures.iter().map(|m| day(&m.completed)))
        .chain([
            day(&i.reporting.reported_at),
            day(&i.reporting.detailed_report_at),
            day(&i.inquiries_as_of),
        ]);
    times.flatten().max().unwrap_or(i.started)
}
