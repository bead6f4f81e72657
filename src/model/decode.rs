//! Model-typed accessors of the TOML reader: dates, times and durations.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use toml::de::DeValue;

use super::types::{Duration, DurationError, PartialDate, Timestamp};
use crate::toml_read::{Decoder, Located, Table};

impl Decoder<'_> {
    /// An optional date and time. A local datetime takes `tz`.
    pub(crate) fn datetime(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
        tz: FixedOffset,
    ) -> Option<Located<Timestamp>> {
        let v = t.get(key)?;
        let example = "2017-07-03T11:50:00+09:00";
        // Only for messages: built when one is needed.
        let help = || format!("write an unquoted date and time: {key} = {example}");
        let name = || format!("{}{key}", t.path());
        let dt = match v.get_ref() {
            DeValue::Datetime(dt) => *dt,
            DeValue::String(s) => match s.parse::<toml::value::Datetime>() {
                Ok(dt) => dt,
                Err(_) => {
                    self.error_at(
                        crate::diag::Code::InvalidDate,
                        v.span(),
                        format!("`{}` is not a date and time: \"{s}\"", name()),
                        Some(help()),
                    );
                    return None;
                }
            },
            _ => {
                self.wrong_type(t, key, v, "a date and time", example);
                return None;
            }
        };
        let (Some(date), Some(time)) = (dt.date, dt.time) else {
            self.error_at(
                crate::diag::Code::InvalidDate,
                v.span(),
                format!(
                    "`{}` needs both a date and a time of day, found `{dt}`",
                    name()
                ),
                Some(help()),
            );
            return None;
        };
        let naive = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
            .zip(NaiveTime::from_hms_opt(
                time.hour.into(),
                time.minute.into(),
                time.second.unwrap_or(0).into(),
            ))
            .map(|(d, t)| NaiveDateTime::new(d, t));
        let offset = match dt.offset {
            None => Some(tz),
            Some(toml::value::Offset::Z) => FixedOffset::east_opt(0),
            Some(toml::value::Offset::Custom { minutes }) => {
                FixedOffset::east_opt(i32::from(minutes) * 60)
            }
        };
        match (naive, offset) {
            (Some(n), Some(o)) if o.from_local_datetime(&n).single().is_some() => {
                o.from_local_datetime(&n).single().map(|d| Located {
                    value: Timestamp(d),
                    span: self.abs(v.span()),
                })
            }
            _ => {
                self.error_at(
                    crate::diag::Code::InvalidDate,
                    v.span(),
                    format!("`{}` is not a valid date and time: `{dt}`", name()),
                    Some(help()),
                );
                None
            }
        }
    }

    /// An optional date at year, month or day precision: a TOML date or `"YYYY-MM"`.
    pub(crate) fn partial_date(&mut self, t: &Table<'_, '_>, key: &str) -> Option<PartialDate> {
        let v = t.get(key)?;
        let parsed = match v.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() => dt.date.and_then(|d| {
                PartialDate::new(d.year.into(), Some(d.month.into()), Some(d.day.into()))
            }),
            DeValue::String(s) => PartialDate::parse(s),
            DeValue::Datetime(_) => None,
            _ => {
                self.wrong_type(t, key, v, "a date", "2024-03-31");
                return None;
            }
        };
        if parsed.is_none() {
            let name = format!("{}{key}", t.path());
            let help = format!(
                "write {key} = 2024-03-31, or {key} = \"2024-03\" when only the month is known"
            );
            let shown = match v.get_ref() {
                DeValue::String(s) => format!("\"{s}\""),
                DeValue::Datetime(dt) => dt.to_string(),
                _ => String::new(),
            };
            self.error_at(
                crate::diag::Code::InvalidDate,
                v.span(),
                format!("`{name}` is not a date: {shown}"),
                Some(help),
            );
        }
        parsed
    }

    /// An optional duration such as `"23h08m"`.
    pub(crate) fn duration(&mut self, t: &Table<'_, '_>, key: &str) -> Option<Located<Duration>> {
        let s = self.string(t, key)?;
        match Duration::parse_checked(&s.value) {
            Ok(d) => Some(Located {
                value: d,
                span: s.span,
            }),
            Err(DurationError::TooLarge) => {
                self.error_abs(
                    crate::diag::Code::DurationTooLarge,
                    s.span,
                    format!("`{}{key}` is too large: \"{}\"", t.path(), s.value),
                    Some(format!(
                        "durations go up to {} days (100 years); check the figure",
                        Duration::MAX_MINUTES / (24 * 60)
                    )),
                );
                None
            }
            Err(DurationError::Invalid) => {
                self.error_abs(
                    crate::diag::Code::InvalidDuration,
                    s.span,
                    format!("`{}{key}` is not a duration: \"{}\"", t.path(), s.value),
                    Some(format!(
                        "write hours and minutes like {key} = \"23h08m\" (or \"45m\", \"2d3h\")"
                    )),
                );
                None
            }
        }
    }
}
