//! Years and eras: fiscal years (年度) and the Japanese era (和暦) of a Gregorian date.
//!
//! Pure calendar arithmetic, shared by the site stage (which groups incidents by year)
//! and the render stage (which writes dates and year labels).

/// The year that a date in `month` of `year` belongs to when years start in `start`
/// (1–12): with `start = 4`, March 2017 is in 2016 (2016年度) and April 2017 in 2017.
/// A year is named by the calendar year it starts in; `start = 1` is the calendar year.
pub fn fiscal_year(year: i32, month: u32, start: u32) -> i32 {
    if month < start {
        year - 1
    } else {
        year
    }
}

/// The eras since the Gregorian calendar, newest first, each with its first day.
const ERAS: &[(&str, (i32, u32, u32))] = &[
    ("令和", (2019, 5, 1)),
    ("平成", (1989, 1, 8)),
    ("昭和", (1926, 12, 25)),
    ("大正", (1912, 7, 30)),
    // Counted from 1868, but gen writes 明治 only from 明治6年1月1日 (below).
    ("明治", (1868, 1, 1)),
];

/// Japan took up the Gregorian calendar on 明治6年1月1日 (1873-01-01): earlier dates
/// were lunisolar, so a Gregorian day before it has no era date that reads true.
const GREGORIAN_SINCE: (i32, u32, u32) = (1873, 1, 1);

/// A year of a Japanese era: `令和` and 5 for 2023.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EraYear {
    /// The era's name.
    pub era: &'static str,
    /// The year within it, from 1 (元年).
    pub year: i32,
}

impl EraYear {
    /// `令和5年`, `令和元年`: the first year of an era is 元年.
    pub fn push_to(self, s: &mut String) {
        s.push_str(self.era);
        if self.year == 1 {
            s.push('元');
        } else {
            s.push_str(itoa::Buffer::new().format(self.year));
        }
        s.push('年');
    }
}

/// The era year of the day `year-month-day`, or `None` before 1873-01-01. A day need not
/// exist: `(2019, 4, 31)` stands for "the end of April 2019" (months compare as tuples),
/// which is how a date known only to the month or the year takes the era of its last
/// day (`2019-05` → 令和元年5月, 1989 → 平成元年).
pub fn era_year(year: i32, month: u32, day: u32) -> Option<EraYear> {
    let date = (year, month, day);
    if date < GREGORIAN_SINCE {
        return None;
    }
    ERAS.iter()
        .find(|(_, first)| *first <= date)
        .map(|&(era, first)| EraYear {
            era,
            year: year - first.0 + 1,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn era(y: i32, m: u32, d: u32) -> String {
        let mut s = String::new();
        match era_year(y, m, d) {
            Some(e) => e.push_to(&mut s),
            None => s.push('-'),
        }
        s
    }

    #[test]
    fn era_boundaries_to_the_day() {
        assert_eq!(era(2019, 4, 30), "平成31年");
        assert_eq!(era(2019, 5, 1), "令和元年");
        assert_eq!(era(2020, 1, 1), "令和2年");
        assert_eq!(era(2023, 10, 31), "令和5年");
        assert_eq!(era(1989, 1, 7), "昭和64年");
        assert_eq!(era(1989, 1, 8), "平成元年");
        assert_eq!(era(2017, 7, 3), "平成29年");
        assert_eq!(era(1926, 12, 24), "大正15年");
        assert_eq!(era(1926, 12, 25), "昭和元年");
        assert_eq!(era(1912, 7, 29), "明治45年");
        assert_eq!(era(1912, 7, 30), "大正元年");
        assert_eq!(era(1873, 1, 1), "明治6年");
        assert_eq!(era(1872, 12, 31), "-");
    }

    #[test]
    fn a_month_or_year_takes_the_era_of_its_last_day() {
        assert_eq!(era(2019, 4, 31), "平成31年");
        assert_eq!(era(2019, 5, 31), "令和元年");
        assert_eq!(era(1989, 1, 31), "平成元年");
        assert_eq!(era(2019, 12, 31), "令和元年");
        assert_eq!(era(1926, 12, 31), "昭和元年");
    }

    #[test]
    fn fiscal_years_start_in_their_month() {
        assert_eq!(fiscal_year(2017, 3, 4), 2016);
        assert_eq!(fiscal_year(2017, 4, 4), 2017);
        assert_eq!(fiscal_year(2017, 12, 4), 2017);
        assert_eq!(fiscal_year(2017, 1, 1), 2017);
        assert_eq!(fiscal_year(2017, 12, 1), 2017);
        assert_eq!(fiscal_year(2017, 9, 10), 2016);
    }
}
