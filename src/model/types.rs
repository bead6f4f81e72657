//! Small value types with meaning: durations, timestamps, partial dates, closed choices.

use std::fmt;

use crate::toml_read::choice;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use serde::Serialize;

pub use crate::toml_read::Choice;

/// A length of time in whole minutes (the precision of every official figure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Duration {
    minutes: i64,
}

impl Duration {
    /// A duration of `minutes` minutes.
    pub fn from_minutes(minutes: i64) -> Self {
        Self { minutes }
    }

    /// Whole minutes.
    pub fn minutes(self) -> i64 {
        self.minutes
    }

    /// The longest duration accepted in front matter: 36,500 days (100 years). Bounding
    /// it keeps every sum and median of durations far from integer overflow.
    pub const MAX_MINUTES: i64 = 36_500 * 24 * 60;

    /// Parses the front-matter form: `"23h08m"`, `"4h"`, `"45m"`, `"2d3h"`, with optional spaces.
    pub fn parse(s: &str) -> Option<Self> {
        Self::parse_checked(s).ok()
    }

    /// Parses like [`Duration::parse`], telling a duration beyond [`Duration::MAX_MINUTES`]
    /// from text that is not a duration at all.
    pub fn parse_checked(s: &str) -> Result<Self, DurationError> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(DurationError::Invalid);
        }
        // u128 and saturation: any run of digits is read without overflow, so a huge
        // number is "too large", never "not a duration".
        let mut total: u128 = 0;
        let mut num: Option<u128> = None;
        let mut last_unit = 0u8; // enforce d > h > m order
        for c in s.chars() {
            if let Some(digit) = c.to_digit(10) {
                num = Some(
                    num.unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(u128::from(digit)),
                );
                continue;
            }
            let (rank, factor) = match c {
                'd' => (3, 24 * 60),
                'h' => (2, 60),
                'm' => (1, 1),
                _ => return Err(DurationError::Invalid),
            };
            let Some(n) = num.take() else {
                return Err(DurationError::Invalid);
            };
            if last_unit != 0 && rank >= last_unit {
                return Err(DurationError::Invalid);
            }
            total = total.saturating_add(n.saturating_mul(factor));
            last_unit = rank;
        }
        if num.is_some() {
            return Err(DurationError::Invalid);
        }
        match i64::try_from(total) {
            Ok(minutes) if minutes <= Self::MAX_MINUTES => Ok(Self { minutes }),
            _ => Err(DurationError::TooLarge),
        }
    }
}

/// Why a duration in front matter was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not of the form `"23h08m"`.
    #[error("not a duration")]
    Invalid,
    /// Longer than [`Duration::MAX_MINUTES`].
    #[error("too large")]
    TooLarge,
}

impl fmt::Display for Duration {
    /// The canonical front-matter form, e.g. `23h08m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}h{:02}m", self.minutes / 60, self.minutes % 60)
    }
}

/// A count as the sources state it: exact, or approximate (約).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Count {
    /// The figure.
    pub value: u64,
    /// Whether the source gives it as approximate (`約48,000`).
    pub approx: bool,
}

impl Count {
    /// An exact count.
    pub fn exact(value: u64) -> Self {
        Self {
            value,
            approx: false,
        }
    }
}

/// A per-incident figure: a stated count, or one gen derived from parts (the sum of the
/// phases' figures), which every page marks as derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Figure {
    /// The value, and whether any part of it is approximate.
    pub count: Count,
    /// Computed by gen rather than stated by the source.
    pub derived: bool,
}

/// A point in time with the offset it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<FixedOffset>);

impl Timestamp {
    /// Time from `self` to `later`, rounded down to whole minutes.
    pub fn until(self, later: Timestamp) -> Duration {
        Duration::from_minutes((later.0 - self.0).num_minutes())
    }

    /// The same instant in another offset.
    pub fn in_offset(self, offset: FixedOffset) -> DateTime<FixedOffset> {
        self.0.with_timezone(&offset)
    }

    /// Calendar year in the given offset.
    pub fn year_in(self, offset: FixedOffset) -> i32 {
        self.in_offset(offset).year()
    }

    /// The year in the given offset when years start in month `start` (1–12): the
    /// fiscal year (年度) with `start = 4`, named by the calendar year it starts in.
    pub fn fiscal_year_in(self, offset: FixedOffset, start: u32) -> i32 {
        let d = self.in_offset(offset);
        crate::calendar::fiscal_year(d.year(), d.month(), start)
    }

    /// RFC 3339 form, for machine-readable attributes (`<time datetime>`): seconds only
    /// when not zero, e.g. `2017-07-03T11:50+09:00`.
    pub fn rfc3339(self) -> String {
        let d = self.0;
        let year = d.year();
        if !(0..=9999).contains(&year) {
            // chrono writes such years with a sign; front matter cannot hold them.
            let with_seconds = if d.second() == 0 { "" } else { ":%S" };
            return d
                .format(&format!("%Y-%m-%dT%H:%M{with_seconds}%:z"))
                .to_string();
        }
        // Written by hand: chrono's `format` interprets its pattern on every call, and
        // every incident row and notice carries a timestamp.
        let mut s = String::with_capacity(25);
        push_padded(&mut s, year as u32, 4);
        s.push('-');
        push_padded(&mut s, d.month(), 2);
        s.push('-');
        push_padded(&mut s, d.day(), 2);
        s.push('T');
        push_padded(&mut s, d.hour(), 2);
        s.push(':');
        push_padded(&mut s, d.minute(), 2);
        if d.second() != 0 {
            s.push(':');
            push_padded(&mut s, d.second(), 2);
        }
        let offset = d.offset().local_minus_utc();
        s.push(if offset < 0 { '-' } else { '+' });
        let offset = offset.unsigned_abs();
        push_padded(&mut s, offset / 3600, 2);
        s.push(':');
        push_padded(&mut s, offset / 60 % 60, 2);
        s
    }
}

/// Appends `n` in decimal, zero-padded to `width` digits.
pub(crate) fn push_padded(s: &mut String, n: u32, width: usize) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n);
    for _ in digits.len()..width {
        s.push('0');
    }
    s.push_str(digits);
}

/// A calendar date known to the year, the month or the day (`"2024"`, `"2024-03"`, `2024-03-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// Year.
    pub year: i32,
    /// Month 1-12, if known.
    pub month: Option<u32>,
    /// Day of month, if known (only with a month).
    pub day: Option<u32>,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking the calendar.
    pub fn parse(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| -> Option<u32> {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let year = num(parts.first()?, 4)? as i32;
        let d = match parts.len() {
            1 => Self {
                year,
                month: None,
                day: None,
            },
            2 => Self {
                year,
                month: Some(num(parts[1], 2)?),
                day: None,
            },
            3 => Self {
                year,
                month: Some(num(parts[1], 2)?),
                day: Some(num(parts[2], 2)?),
            },
            _ => return None,
        };
        d.is_valid().then_some(d)
    }

    /// A date at the given precision, if it exists in the calendar (a day needs a month).
    pub fn new(year: i32, month: Option<u32>, day: Option<u32>) -> Option<Self> {
        let d = Self { year, month, day };
        (month.is_some() || day.is_none())
            .then_some(d)
            .filter(Self::is_valid)
    }

    /// The last day the date covers: `"2024-03"` ends on 2024-03-31, `"2024"` on
    /// 2024-12-31.
    pub fn last_day(self) -> Option<NaiveDate> {
        match (self.month, self.day) {
            (Some(m), Some(day)) => NaiveDate::from_ymd_opt(self.year, m, day),
            (Some(m), None) => {
                let (y, next) = if m == 12 {
                    (self.year.checked_add(1)?, 1)
                } else {
                    (self.year, m + 1)
                };
                NaiveDate::from_ymd_opt(y, next, 1)?.pred_opt()
            }
            _ => NaiveDate::from_ymd_opt(self.year, 12, 31),
        }
    }

    fn is_valid(&self) -> bool {
        match (self.month, self.day) {
            (None, _) => true,
            (Some(m), None) => (1..=12).contains(&m),
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(self.year, m, d).is_some(),
        }
    }
}

impl fmt::Display for PartialDate {
    /// ISO form at the known precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

choice!(
    /// How far an incident report has got.
    Status {
        /// Not published without `--drafts`.
        Draft = "draft",
        /// 速報: published, figures may change.
        Preliminary = "preliminary",
        /// 確定: the reviewed figures.
        Final = "final",
    }
);

choice!(
    /// Where a countermeasure stands.
    MeasureStatus {
        /// 完了
        Done = "done",
        /// 実施中
        InProgress = "in-progress",
        /// 予定
        Planned = "planned",
    }
);

choice!(
    /// What a countermeasure addresses.
    Scope {
        /// 設備面: the equipment and its operation.
        Facility = "facility",
        /// 周知面: telling users.
        Communication = "communication",
    }
);

choice!(
    /// Whether a countermeasure is a stopgap or the lasting fix.
    Term {
        /// 暫定
        Interim = "interim",
        /// 恒久
        Permanent = "permanent",
    }
);

choice!(
    /// What a public notice announced.
    NoticeKind {
        /// 第1報
        Initial = "initial",
        /// 続報
        Update = "update",
        /// 復旧報
        Resolved = "resolved",
    }
);

choice!(
    /// Which edition of the site a document or an item belongs to.
    Visibility {
        /// In both editions (the default).
        Public = "public",
        /// Only in the internal edition.
        Internal = "internal",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(
            Duration::parse("23h08m").map(Duration::minutes),
            Some(23 * 60 + 8)
        );
        assert_eq!(Duration::parse("4h 26m").map(Duration::minutes), Some(266));
        assert_eq!(Duration::parse("45m").map(Duration::minutes), Some(45));
        assert_eq!(
            Duration::parse("1d2h").map(Duration::minutes),
            Some(26 * 60)
        );
        for bad in ["", "h", "23", "8m23h", "3x", "-5m", "2h2h"] {
            assert_eq!(Duration::parse(bad), None, "{bad}");
        }
        assert_eq!(Duration::from_minutes(1388).to_string(), "23h08m");
    }

    #[test]
    fn huge_durations_are_too_large_not_invalid() {
        assert_eq!(
            Duration::parse_checked("36500d").map(Duration::minutes),
            Ok(Duration::MAX_MINUTES)
        );
        for big in [
            "36500d1m",
            "99999999999999999999h",
            "9223372036854775807m",
            "1d99999999999999999999999999999999999999999m",
        ] {
            assert_eq!(
                Duration::parse_checked(big),
                Err(DurationError::TooLarge),
                "{big}"
            );
        }
        assert_eq!(
            Duration::parse_checked("99999999999999999999x"),
            Err(DurationError::Invalid)
        );
    }

    #[test]
    fn partial_dates_check_the_calendar() {
        assert_eq!(
            PartialDate::parse("2024-03").map(|d| d.to_string()),
            Some("2024-03".into())
        );
        assert!(PartialDate::parse("2024-02-29").is_some());
        assert!(PartialDate::parse("2023-02-29").is_none());
        assert!(PartialDate::parse("2024-13").is_none());
        assert!(PartialDate::parse("24-01").is_none());
    }
}
