//! Report obligations derived from an incident's figures and its `[reporting]` table.
//!
//! - 電気通信事業報告規則 第7条の3: an accident that affected 30,000 users or more, or
//!   lasted 2 hours or more, is reported quarterly.
//! - 電気通信事業法施行規則 第57条: for a 重大な事故 the operator reports at once (速報)
//!   and sends the detailed report within 30 days of the start.

use chrono::{Datelike, FixedOffset, NaiveDate};

use crate::model::{Incident, PartialDate};

/// Users from which an accident falls under the quarterly report.
pub const QUARTERLY_USERS: u64 = 30_000;
/// Minutes from which an accident falls under the quarterly report (2 hours).
pub const QUARTERLY_MINUTES: i64 = 120;
/// Days after the start within which a 重大な事故's detailed report is due.
pub const DETAILED_REPORT_DAYS: u64 = 30;

/// What an incident owes the regulator, as far as the content tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Obligations {
    /// 重大な事故, as stated; `None` when the content does not say.
    pub serious: Option<bool>,
    /// Under the quarterly report; `None` when a figure it depends on is unknown.
    pub quarterly: Option<bool>,
    /// The detailed report's deadline, for a 重大な事故.
    pub deadline: Option<NaiveDate>,
    /// Whether the detailed report met it; `None` unless both dates are known to the day
    /// (or the month settles it).
    pub deadline_met: Option<bool>,
}

impl Obligations {
    /// The obligations of `i`, with dates in `tz`.
    pub fn of(i: &Incident, tz: FixedOffset) -> Obligations {
        let quarterly = quarterly(i);
        let serious = i.reporting.serious;
        let deadline = (serious == Some(true))
            .then(|| {
                i.started
                    .in_offset(tz)
                    .date_naive()
                    .checked_add_days(chrono::Days::new(DETAILED_REPORT_DAYS))
            })
            .flatten();
        let deadline_met = deadline
            .zip(i.reporting.detailed_report_at)
            .and_then(|(deadline, at)| on_or_before(at, deadline));
        Obligations {
            serious,
            quarterly,
            deadline,
            deadline_met,
        }
    }
}

/// Whether `i` falls under the quarterly report; `None` when a figure that would decide
/// it is unknown (one figure over its threshold decides it alone).
pub fn quarterly(i: &Incident) -> Option<bool> {
    let users = i.users().map(|f| f.count.value);
    let minutes = i.duration().map(|d| d.minutes());
    let over = users.is_some_and(|u| u >= QUARTERLY_USERS)
        || minutes.is_some_and(|m| m >= QUARTERLY_MINUTES);
    if over {
        Some(true)
    } else if users.is_some() && minutes.is_some() {
        Some(false)
    } else {
        None
    }
}

/// Whether a date known to the day, month or year is on or before `deadline`; `None`
/// when its precision leaves it open.
fn on_or_before(at: PartialDate, deadline: NaiveDate) -> Option<bool> {
    let key = (at.year, at.month, at.day);
    let (y, m, d) = (deadline.year(), deadline.month(), deadline.day());
    match key {
        (year, Some(month), Some(day)) => Some((year, month, day) <= (y, m, d)),
        (year, Some(month), None) if (year, month) != (y, m) => Some((year, month) < (y, m)),
        (year, None, _) if year != y => Some(year < y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_date_settles_the_deadline_only_when_it_can() {
        let deadline = NaiveDate::from_ymd_opt(2017, 8, 2).unwrap();
        let p = |s| PartialDate::parse(s).unwrap();
        assert_eq!(on_or_before(p("2017-08-02"), deadline), Some(true));
        assert_eq!(on_or_before(p("2017-08-03"), deadline), Some(false));
        assert_eq!(on_or_before(p("2017-07"), deadline), Some(true));
        assert_eq!(on_or_before(p("2017-08"), deadline), None);
        assert_eq!(on_or_before(p("2017-09"), deadline), Some(false));
        assert_eq!(on_or_before(p("2017"), deadline), None);
        assert_eq!(on_or_before(p("2016"), deadline), Some(true));
    }
}
