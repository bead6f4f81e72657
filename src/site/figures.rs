//! Figures over sets of incidents, computed once when the site is built: render only
//! formats them.

use chrono::Datelike;

use crate::config::CauseKey;
use crate::model::{Count, Duration, Incident, MeasureStatus};

/// A sum over incidents that knows what it is made of: an unknown figure is never
/// counted as 0, and one approximate term makes the whole sum approximate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Total {
    /// The sum of the known figures.
    pub sum: u64,
    /// Whether any known figure is approximate (約).
    pub approx: bool,
    /// Incidents whose figure is known.
    pub known: usize,
    /// Incidents whose figure is unknown: the true total is at least `sum`.
    pub unknown: usize,
}

impl Total {
    /// Adds one incident's figure, or an unknown.
    pub fn add(&mut self, figure: Option<Count>) {
        match figure {
            Some(c) => {
                // Each count is at most 10^12, and a site holds far fewer than 10^7
                // incidents; saturating all the same, so no input can wrap a total.
                self.sum = self.sum.saturating_add(c.value);
                self.approx |= c.approx;
                self.known += 1;
            }
            None => self.unknown += 1,
        }
    }

    /// The total over `figures`.
    pub fn of(figures: impl Iterator<Item = Option<Count>>) -> Total {
        let mut t = Total::default();
        for f in figures {
            t.add(f);
        }
        t
    }
}

/// A median that says how many incidents it covers and whether its value is approximate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MedianOf<T> {
    /// The median, `None` when no incident states the figure.
    pub value: Option<T>,
    /// Whether a middle value is approximate.
    pub approx: bool,
    /// Incidents with a known figure (the median is over these).
    pub covers: usize,
}

impl<T> Default for MedianOf<T> {
    fn default() -> Self {
        Self {
            value: None,
            approx: false,
            covers: 0,
        }
    }
}

impl MedianOf<u64> {
    /// The median of counts, approximate when a middle value is.
    pub fn of_counts(mut counts: Vec<Count>) -> Self {
        counts.sort_unstable_by_key(|c| c.value);
        let n = counts.len();
        let middle: &[Count] = match n {
            0 => &[],
            _ if n % 2 == 1 => &counts[n / 2..=n / 2],
            _ => &counts[n / 2 - 1..=n / 2],
        };
        let mut values: Vec<u64> = middle.iter().map(|c| c.value).collect();
        Self {
            value: median(&mut values),
            approx: middle.iter().any(|c| c.approx),
            covers: n,
        }
    }
}

impl MedianOf<Duration> {
    /// The median of durations (official figures and computed spans are exact).
    pub fn of_durations(mut durations: Vec<Duration>) -> Self {
        Self {
            covers: durations.len(),
            value: median(&mut durations),
            approx: false,
        }
    }
}

/// Counts and figures over a set of incidents.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Number of incidents.
    pub count: usize,
    /// Affected users over the incidents.
    pub users: Total,
    /// Median duration over incidents with a known duration.
    pub median_duration: MedianOf<Duration>,
    /// Incidents the content states are 重大な事故.
    pub serious: usize,
    /// Incidents under the quarterly report: the known ones count, the undecided are
    /// `unknown`.
    pub quarterly: Total,
}

impl Stats {
    /// The figures over `incidents`.
    pub fn of<'a>(incidents: impl Iterator<Item = &'a Incident>) -> Stats {
        let mut count = 0;
        let mut users = Total::default();
        let mut durations = Vec::new();
        let mut serious = 0;
        let mut quarterly = Total::default();
        for i in incidents {
            count += 1;
            users.add(i.users().map(|f| f.count));
            durations.extend(i.duration());
            serious += usize::from(i.reporting.serious == Some(true));
            quarterly.add(super::reporting::quarterly(i).map(|q| Count::exact(u64::from(q))));
        }
        Stats {
            count,
            users,
            median_duration: MedianOf::of_durations(durations),
            serious,
            quarterly,
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
    pub median_users: MedianOf<u64>,
    /// Total inquiries.
    pub inquiries: Total,
    /// Median inquiries, over incidents that state them.
    pub median_inquiries: MedianOf<u64>,
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
        let users: Vec<Count> = list
            .iter()
            .filter_map(|n| of(n).users().map(|f| f.count))
            .collect();
        let inquiries = Total::of(list.iter().map(|n| of(n).inquiry_total()));
        let inquiry_counts: Vec<Count> =
            list.iter().filter_map(|n| of(n).inquiry_total()).collect();
        let longest = list
            .iter()
            .filter(|n| of(n).duration().is_some())
            .max_by_key(|n| (of(n).duration(), std::cmp::Reverse(&of(n).id)))
            .copied();
        let largest = list
            .iter()
            .filter(|n| of(n).users().is_some())
            .max_by_key(|n| {
                let users = of(n).users().map(|f| f.count.value);
                (users, std::cmp::Reverse(&of(n).id))
            })
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
            median_users: MedianOf::of_counts(users),
            inquiries,
            median_inquiries: MedianOf::of_counts(inquiry_counts),
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

    #[test]
    fn totals_never_count_unknown_as_zero() {
        let about = |value| {
            Some(Count {
                value,
                approx: true,
            })
        };
        let t = Total::of([Some(Count::exact(10)), None, about(5)].into_iter());
        assert_eq!((t.sum, t.approx, t.known, t.unknown), (15, true, 2, 1));
        let none = Total::of([None, None].into_iter());
        assert_eq!((none.known, none.unknown), (0, 2));
    }

    #[test]
    fn a_median_is_approximate_only_when_a_middle_value_is() {
        let c = |value, approx| Count { value, approx };
        let m = MedianOf::of_counts(vec![c(1, true), c(5, false), c(9, true)]);
        assert_eq!((m.value, m.approx, m.covers), (Some(5), false, 3));
        let m = MedianOf::of_counts(vec![c(1, false), c(5, false), c(9, true), c(11, false)]);
        assert_eq!((m.value, m.approx, m.covers), (Some(7), true, 4));
        assert_eq!(MedianOf::of_counts(vec![]).covers, 0);
    }
}
