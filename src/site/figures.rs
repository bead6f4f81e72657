//! Figures over sets of incidents, computed once when the site is built: render only
//! formats them.

use chrono::Datelike;

use crate::config::CauseKey;
use crate::model::{Duration, Incident, MeasureStatus};

/// Counts and figures over a set of incidents.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Number of incidents.
    pub count: usize,
    /// Sum of affected users over incidents that state them.
    pub total_users: u64,
    /// Median duration over incidents with a known duration.
    pub median_duration: Option<Duration>,
}

impl Stats {
    /// The figures over `incidents`.
    pub fn of<'a>(incidents: impl Iterator<Item = &'a Incident>) -> Stats {
        let mut count = 0;
        let mut total_users = 0u64;
        let mut durations = Vec::new();
        for i in incidents {
            count += 1;
            total_users = total_users.saturating_add(i.users().unwrap_or(0));
            durations.extend(i.duration());
        }
        Stats {
            count,
            total_users,
            median_duration: median(&mut durations),
        }
    }
}

/// A value with a median: the two middle values of an even count are averaged (rounded
/// down).
pub trait Median: Ord + Copy {
    /// The mean of two values, rounded down, without overflow.
    fn midpoint(a: Self, b: Self) -> Self;
}

impl Median for Duration {
    fn midpoint(a: Self, b: Self) -> Self {
        // In i128: the sum of two durations must not wrap, whatever they are.
        let sum = i128::from(a.minutes()) + i128::from(b.minutes());
        Duration::from_minutes(i64::try_from(sum.div_euclid(2)).unwrap_or(i64::MAX))
    }
}

impl Median for u64 {
    fn midpoint(a: Self, b: Self) -> Self {
        // Both halves fit: the sum of two u64 does in u128.
        u64::try_from((u128::from(a) + u128::from(b)) / 2).unwrap_or(u64::MAX)
    }
}

/// The median of `values` (sorted in place), or `None` when there are none.
pub fn median<T: Median>(values: &mut [T]) -> Option<T> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        T::midpoint(values[n / 2 - 1], values[n / 2])
    })
}

/// A cause's count in a year.
#[derive(Debug, Clone)]
pub struct CauseCount {
    /// The cause.
    pub key: CauseKey,
    /// Incidents with it, primary or contributing.
    pub count: usize,
    /// Incidents with it as the primary cause.
    pub primary: usize,
}

/// A countermeasure not done yet: (index into the site's incidents, index into its
/// countermeasures).
pub type OpenMeasure = (usize, usize);

/// The figures of a year's annual report.
#[derive(Debug, Clone)]
pub struct YearFigures {
    /// Median affected users, over incidents that state them.
    pub median_users: Option<u64>,
    /// Total inquiries, over incidents that state them.
    pub total_inquiries: u64,
    /// Median inquiries, over incidents that state them.
    pub median_inquiries: Option<u64>,
    /// The longest incident (ties: the first id).
    pub longest: Option<usize>,
    /// The incident with the most affected users (ties: the first id).
    pub largest: Option<usize>,
    /// Every cause of the taxonomy with its counts, in taxonomy order.
    pub by_cause: Vec<CauseCount>,
    /// Incidents started in each month (January first), in the site's time zone.
    pub by_month: [usize; 12],
    /// The year's operators, by name, with their figures for the year.
    pub by_operator: Vec<(String, Stats)>,
    /// Countermeasures not done, in list order.
    pub open_measures: Vec<OpenMeasure>,
}

impl YearFigures {
    /// The figures over the incidents at `list` (indexes into `incidents`), newest first.
    pub fn of(
        incidents: &[std::sync::Arc<Incident>],
        list: &[usize],
        causes: &[CauseKey],
        tz: chrono::FixedOffset,
    ) -> YearFigures {
        let of = |n: &usize| &*incidents[*n];
        let mut users: Vec<u64> = list.iter().filter_map(|n| of(n).users()).collect();
        let mut inquiries: Vec<u64> = list
            .iter()
            .filter_map(|n| of(n).inquiries.as_ref().map(|q| q.total()))
            .collect();
        let total_inquiries = inquiries.iter().sum();
        let longest = list
            .iter()
            .filter(|n| of(n).duration().is_some())
            .max_by_key(|n| (of(n).duration(), std::cmp::Reverse(&of(n).id)))
            .copied();
        let largest = list
            .iter()
            .filter(|n| of(n).users().is_some())
            .max_by_key(|n| (of(n).users(), std::cmp::Reverse(&of(n).id)))
            .copied();
        let by_cause = causes
            .iter()
            .map(|key| CauseCount {
                key: key.clone(),
                count: list.iter().filter(|n| of(n).causes.contains(key)).count(),
                primary: list.iter().filter(|n| of(n).primary_cause() == key).count(),
            })
            .collect();
        let mut by_month = [0; 12];
        for n in list {
            by_month[of(n).started.in_offset(tz).month0() as usize] += 1;
        }
        let mut names: Vec<&str> = list
            .iter()
            .flat_map(|n| of(n).operators.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        let by_operator = names
            .iter()
            .map(|name| {
                let stats = Stats::of(
                    list.iter()
                        .map(of)
                        .filter(|i| i.operators.iter().any(|o| o == name)),
                );
                ((*name).to_string(), stats)
            })
            .collect();
        let open_measures = list
            .iter()
            .flat_map(|&n| {
                incidents[n]
                    .countermeasures
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.status != MeasureStatus::Done)
                    .map(move |(k, _)| (n, k))
            })
            .collect();
        YearFigures {
            median_users: median(&mut users),
            total_inquiries,
            median_inquiries: median(&mut inquiries),
            longest,
            largest,
            by_cause,
            by_month,
            by_operator,
            open_measures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_count_averages() {
        let mut v: Vec<Duration> = [10, 40, 20, 30]
            .into_iter()
            .map(Duration::from_minutes)
            .collect();
        assert_eq!(median(&mut v), Some(Duration::from_minutes(25)));
        assert_eq!(median(&mut [u64::MAX, u64::MAX - 2]), Some(u64::MAX - 1));
        assert_eq!(median::<u64>(&mut []), None);
        assert_eq!(median(&mut [3u64, 1, 2]), Some(2));
    }
}
