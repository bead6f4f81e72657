//! How figures read: exact, approximate (約), unknown (不明), derived (①②の計), and
//! totals and medians that say what they cover. Every page formats figures through here,
//! so no page can show an unknown as 0 or drop a 約.

use super::i18n::Fmt;
use crate::model::{Count, Duration, Figure, Lang};
use crate::site::figures::{MedianOf, Total};

/// Circled numbers for phase marks (①–⑳); later phases are written `(21)`.
const CIRCLED: [char; 20] = [
    '①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨', '⑩', '⑪', '⑫', '⑬', '⑭', '⑮', '⑯', '⑰', '⑱', '⑲',
    '⑳',
];

/// The mark of the `n`-th phase (0-based): `①`.
pub fn phase_mark(n: usize) -> String {
    CIRCLED
        .get(n)
        .map_or_else(|| format!("({})", n + 1), |c| c.to_string())
}

impl Fmt {
    /// `ja` on a Japanese site, `en` on an English one: the words gen computes (不明,
    /// 対象外, 期限超過 …) rather than the labels of the table in `i18n`.
    pub fn pick(self, ja: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// A calendar date: `2017年8月2日` / `2 Aug 2017`.
    pub fn naive_date(self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        self.partial_date(crate::model::PartialDate {
            year: d.year(),
            month: Some(d.month()),
            day: Some(d.day()),
        })
    }

    /// `期限超過（123日）` / `overdue (123 days)`.
    pub fn overdue(self, days: i64) -> String {
        let mut n = String::new();
        super::i18n::push_number(&mut n, days.unsigned_abs());
        match self.lang {
            Lang::Ja => format!("期限超過（{n}日）"),
            Lang::En if days == 1 => "overdue (1 day)".to_string(),
            Lang::En => format!("overdue ({n} days)"),
        }
    }

    /// Which incidents a chart shows: `3件中2件を表示（1件は継続時間または影響利用者数が
    /// 不明）` / `Shows 2 of 3 incidents (1 without a known duration or user count)`.
    pub fn plotted(self, shown: usize, of: usize) -> String {
        let n = |k: usize| {
            let mut s = String::new();
            super::i18n::push_number(&mut s, k as u64);
            s
        };
        let left = of.saturating_sub(shown);
        match (self.lang, left) {
            (Lang::Ja, 0) => format!("{}件すべてを表示。", n(of)),
            (Lang::Ja, _) => format!(
                "{}件中{}件を表示（{}件は継続時間または影響利用者数が不明）。",
                n(of),
                n(shown),
                n(left)
            ),
            (Lang::En, 0) => format!("Shows all {} incidents.", n(of)),
            (Lang::En, _) => format!(
                "Shows {} of {} incidents ({} without a known duration or user count).",
                n(shown),
                n(of),
                n(left)
            ),
        }
    }

    /// `不明` / `unknown`.
    pub fn unknown(self) -> &'static str {
        self.pick("不明", "unknown")
    }

    /// A figure as stated: `約48,000` / `about 48,000`.
    pub fn figure(self, c: Count) -> String {
        self.users(c.value, c.approx)
    }

    /// A count of things with its unit: `約539件` / `about 539`.
    pub fn figure_count(self, c: Count) -> String {
        self.approx_count(c.value, c.approx)
    }

    /// A per-incident figure, or 不明; a derived one says what it sums:
    /// `190,633（①②の計）` / `190,633 (sum of ①②)`.
    pub fn incident_figure(self, f: Option<Figure>, phases: usize) -> String {
        let Some(f) = f else {
            return self.unknown().to_string();
        };
        let mut s = self.figure(f.count);
        if f.derived {
            let marks: String = (0..phases).map(phase_mark).collect();
            match self.lang {
                Lang::Ja => {
                    s.push('（');
                    s.push_str(&marks);
                    s.push_str("の計）");
                }
                Lang::En => {
                    s.push_str(" (sum of ");
                    s.push_str(&marks);
                    s.push(')');
                }
            }
        }
        s
    }

    /// A total over incidents: `約646,745以上（1件は不明）` / `at least about 646,745
    /// (1 unknown)`; `不明` when no incident states the figure, `–` over no incidents.
    pub fn total(self, t: Total, unit: bool) -> String {
        let (main, note) = self.total_parts(t, unit);
        main + &note
    }

    /// [`Fmt::total`] as the figure and its note: (`約646,745`, `以上（1件は不明）`), so
    /// that a page can set the note smaller.
    pub fn total_parts(self, t: Total, unit: bool) -> (String, String) {
        if t.known == 0 {
            let text = if t.unknown == 0 {
                "–"
            } else {
                self.unknown()
            };
            return (text.to_string(), String::new());
        }
        let c = Count {
            value: t.sum,
            approx: t.approx,
        };
        let base = if unit {
            self.figure_count(c)
        } else {
            self.figure(c)
        };
        if t.unknown == 0 {
            return (base, String::new());
        }
        let mut u = String::new();
        super::i18n::push_number(&mut u, t.unknown as u64);
        match self.lang {
            Lang::Ja => (base, format!("以上（{u}件は不明）")),
            Lang::En => (format!("at least {base}"), format!(" ({u} unknown)")),
        }
    }

    /// How many incidents a median covers: `（6件）` / ` (6 incidents)`.
    fn covers(self, n: usize) -> String {
        let mut num = String::new();
        super::i18n::push_number(&mut num, n as u64);
        match self.lang {
            Lang::Ja => format!("（{num}件）"),
            Lang::En if n == 1 => format!(" ({num} incident)"),
            Lang::En => format!(" ({num} incidents)"),
        }
    }

    /// A median of counts with its coverage: `約52,792（6件）`; `不明` when no incident
    /// of `of` states the figure, `–` over no incidents.
    pub fn median_count(self, m: MedianOf<u64>, of: usize, unit: bool) -> String {
        match m.value {
            None => self.none_known(of),
            Some(v) => {
                let c = Count {
                    value: v,
                    approx: m.approx,
                };
                let text = if unit {
                    self.figure_count(c)
                } else {
                    self.figure(c)
                };
                text + &self.covers(m.covers)
            }
        }
    }

    /// A median duration with its coverage: `4時間26分（6件）`.
    pub fn median_duration(self, m: MedianOf<Duration>, of: usize) -> String {
        let (main, note) = self.median_duration_parts(m, of);
        main + &note
    }

    /// [`Fmt::median_duration`] as the figure and its note: (`4時間26分`, `（6件）`).
    pub fn median_duration_parts(self, m: MedianOf<Duration>, of: usize) -> (String, String) {
        match m.value {
            None => (self.none_known(of), String::new()),
            Some(d) => (self.duration(d), self.covers(m.covers)),
        }
    }

    fn none_known(self, of: usize) -> String {
        if of == 0 {
            "–".to_string()
        } else {
            self.unknown().to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(lang: Lang) -> Fmt {
        Fmt {
            lang,
            tz: chrono::FixedOffset::east_opt(9 * 3600).unwrap(),
            year_start: 1,
            date_style: crate::config::DateStyle::Western,
        }
    }

    #[test]
    fn totals_say_what_they_miss() {
        let t = Total {
            sum: 646_745,
            approx: true,
            known: 6,
            unknown: 1,
        };
        assert_eq!(f(Lang::Ja).total(t, false), "約646,745以上（1件は不明）");
        assert_eq!(
            f(Lang::En).total(t, false),
            "at least about 646,745 (1 unknown)"
        );
        let exact = Total {
            sum: 543,
            approx: false,
            known: 2,
            unknown: 0,
        };
        assert_eq!(f(Lang::Ja).total(exact, true), "543件");
        let none = Total {
            unknown: 2,
            ..Total::default()
        };
        assert_eq!(f(Lang::Ja).total(none, true), "不明");
        assert_eq!(f(Lang::En).total(Total::default(), true), "–");
    }

    #[test]
    fn derived_figures_are_marked() {
        let fig = Some(Figure {
            count: Count::exact(190_633),
            derived: true,
        });
        assert_eq!(f(Lang::Ja).incident_figure(fig, 2), "190,633（①②の計）");
        assert_eq!(f(Lang::En).incident_figure(fig, 2), "190,633 (sum of ①②)");
        assert_eq!(f(Lang::Ja).incident_figure(None, 0), "不明");
        assert_eq!(phase_mark(20), "(21)");
    }

    #[test]
    fn medians_state_their_coverage() {
        let m = MedianOf {
            value: Some(Duration::from_minutes(266)),
            approx: false,
            covers: 6,
        };
        assert_eq!(f(Lang::Ja).median_duration(m, 7), "4時間26分（6件）");
        assert_eq!(f(Lang::En).median_duration(m, 7), "4h 26m (6 incidents)");
        assert_eq!(f(Lang::Ja).median_duration(MedianOf::default(), 3), "不明");
        let c = MedianOf {
            value: Some(370),
            approx: true,
            covers: 1,
        };
        assert_eq!(f(Lang::Ja).median_count(c, 1, true), "約370件（1件）");
        assert_eq!(
            f(Lang::En).median_count(c, 1, true),
            "about 370 (1 incident)"
        );
    }
}
