//! The countermeasure ledger: every 再発防止策 across incidents with where it stands on
//! the as-of date, overdue first.

use chrono::NaiveDate;

use super::Site;
use crate::model::MeasureStatus;

/// Where a countermeasure stands on the as-of date, in the ledger's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// Not done and past its due date.
    Overdue,
    /// 実施中, not past due.
    InProgress,
    /// 予定, not past due.
    Planned,
    /// 完了.
    Done,
}

impl Standing {
    /// The CSS hook and the key of its label.
    pub fn key(self) -> &'static str {
        match self {
            Standing::Overdue => "overdue",
            Standing::InProgress => "in-progress",
            Standing::Planned => "planned",
            Standing::Done => "done",
        }
    }
}

/// One countermeasure in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Index into [`Site::incidents`].
    pub incident: usize,
    /// Index into that incident's countermeasures.
    pub measure: usize,
    /// Where it stands.
    pub standing: Standing,
    /// Days past due, when overdue.
    pub days_overdue: Option<i64>,
}

/// Counts by standing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Overdue.
    pub overdue: usize,
    /// In progress (not overdue).
    pub in_progress: usize,
    /// Planned (not overdue).
    pub planned: usize,
    /// Done.
    pub done: usize,
}

impl Tally {
    /// Counts one entry.
    pub fn add(&mut self, s: Standing) {
        match s {
            Standing::Overdue => self.overdue += 1,
            Standing::InProgress => self.in_progress += 1,
            Standing::Planned => self.planned += 1,
            Standing::Done => self.done += 1,
        }
    }

    /// Counts over the incidents at `list` (indexes into the site's) on `today`, and how
    /// many of them record no countermeasure: the ledger's counts without listing it.
    pub fn of(site: &Site, list: &[usize], today: NaiveDate) -> (Tally, usize) {
        let mut t = Tally::default();
        let mut unrecorded = 0;
        for &n in list {
            let measures = &site.incidents[n].countermeasures;
            unrecorded += usize::from(measures.is_empty());
            for m in measures {
                t.add(standing(m, today).0);
            }
        }
        (t, unrecorded)
    }

    /// Not done, overdue included.
    pub fn open(&self) -> usize {
        self.overdue + self.in_progress + self.planned
    }
}

/// The ledger of a site on a date.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Every countermeasure: overdue (most days first), in progress, planned, done; within
    /// one standing, newest incident first and in table order.
    pub entries: Vec<Entry>,
    /// Incidents that record no countermeasure at all (記録なし), newest first.
    pub unrecorded: Vec<usize>,
    /// Counts over all entries.
    pub tally: Tally,
}

/// Where countermeasure `m` of an incident stands on `today`.
pub fn standing(m: &crate::model::Countermeasure, today: NaiveDate) -> (Standing, Option<i64>) {
    if let Some(days) = m.days_overdue(today) {
        return (Standing::Overdue, Some(days));
    }
    let s = match m.status {
        MeasureStatus::Done => Standing::Done,
        MeasureStatus::InProgress => Standing::InProgress,
        MeasureStatus::Planned => Standing::Planned,
    };
    (s, None)
}

impl Ledger {
    /// The ledger over the incidents at `list` (indexes into the site's, newest first).
    pub fn of(site: &Site, list: impl Iterator<Item = usize>, today: NaiveDate) -> Ledger {
        let mut ledger = Ledger::default();
        for n in list {
            let i = &site.incidents[n];
            if i.countermeasures.is_empty() {
                ledger.unrecorded.push(n);
            }
            for (k, m) in i.countermeasures.iter().enumerate() {
                let (standing, days_overdue) = standing(m, today);
                ledger.tally.add(standing);
                ledger.entries.push(Entry {
                    incident: n,
                    measure: k,
                    standing,
                    days_overdue,
                });
            }
        }
        // Stable: incidents stay newest first within a standing.
        ledger
            .entries
            .sort_by_key(|e| (e.standing, std::cmp::Reverse(e.days_overdue.unwrap_or(0))));
        ledger
    }
}
