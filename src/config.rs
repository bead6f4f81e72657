//! Site configuration (`config.toml`) and the cause taxonomy.
//!
//! Owns defaults: the built-in causes with ja/en labels and definitions, which a site may
//! relabel or extend under `[causes.<key>]`.

use std::path::Path;
use std::sync::Arc;

use chrono::FixedOffset;
use serde::Serialize;

use crate::diag::{Diagnostic, SourceFile};
use crate::error::Error;
use crate::toml_read::{Choice, Decoder, Field, Kind, Table};

crate::toml_read::choice!(
    /// The site's language.
    Lang {
        /// 日本語
        Ja = "ja",
        /// English
        En = "en",
    }
);

crate::toml_read::choice!(
    /// How Japanese pages write dates.
    DateStyle {
        /// 西暦: 2023年10月31日
        Western = "western",
        /// 和暦: 令和5年10月31日
        Wareki = "wareki",
    }
);

crate::toml_read::choice!(
    /// Which edition of the site a build writes (docs/format.md, "Editions").
    Edition {
        /// Without anything marked internal: what may be published.
        Public = "public",
        /// Everything, with internal material marked: not to be forwarded.
        Internal = "internal",
    }
);

/// A key of the cause taxonomy, e.g. `vendor-bug`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CauseKey(String);

impl CauseKey {
    /// The key as written in front matter.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One cause type with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct Cause {
    /// The key used in front matter and URLs.
    pub key: CauseKey,
    /// Japanese label.
    pub ja: String,
    /// English label.
    pub en: String,
    /// One-line definition in Japanese.
    pub description_ja: String,
    /// One-line definition in English.
    pub description_en: String,
}

impl Cause {
    /// The label in the site's language.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    /// The definition in the site's language.
    pub fn description(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.description_ja,
            Lang::En => &self.description_en,
        }
    }
}

/// The cause types of a site, in display order.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    causes: Vec<Cause>,
}

impl Taxonomy {
    /// Finds a cause by its key.
    pub fn get(&self, key: &str) -> Option<&Cause> {
        self.causes.iter().find(|c| c.key.0 == key)
    }

    /// Every cause, in display order.
    pub fn all(&self) -> &[Cause] {
        &self.causes
    }
}

const DEFAULT_CAUSES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "human-error",
        "人為ミス",
        "Human error",
        "誤った設定、誤った手順、手順外の作業",
        "A wrong setting, a wrong procedure, or work outside the procedure",
    ),
    (
        "vendor-bug",
        "ベンダー製品の不具合",
        "Vendor defect",
        "購入したソフトウェアやファームウェアの欠陥",
        "A defect in purchased software or firmware",
    ),
    (
        "overload",
        "高負荷・輻輳",
        "Overload",
        "処理能力を超える需要、再接続の集中",
        "Demand beyond capacity, including reconnection storms",
    ),
    (
        "hardware-failure",
        "ハードウェア故障",
        "Hardware failure",
        "機器・部品の物理的な故障",
        "A physical failure of equipment or a component",
    ),
    (
        "upstream-provider",
        "他事業者設備",
        "Upstream provider",
        "他事業者の設備・サービスの障害",
        "A failure in another operator's facilities or service",
    ),
    (
        "design-flaw",
        "設計・構成の不備",
        "Design flaw",
        "設計・構成の不備（設計資料の欠落を含む）",
        "A flaw in design or configuration, including missing design documentation",
    ),
    (
        "natural-disaster",
        "自然災害",
        "Natural disaster",
        "地震、台風、豪雨、停電などの災害",
        "Earthquake, typhoon, flood, power outage and other disasters",
    ),
    (
        "cyber-attack",
        "サイバー攻撃",
        "Cyber attack",
        "DDoS、不正アクセス、マルウェアなどの攻撃",
        "DDoS, intrusion, malware and other attacks",
    ),
];

impl Default for Taxonomy {
    fn default() -> Self {
        Self {
            causes: DEFAULT_CAUSES
                .iter()
                .map(|(key, ja, en, dja, den)| Cause {
                    key: CauseKey((*key).to_string()),
                    ja: (*ja).to_string(),
                    en: (*en).to_string(),
                    description_ja: (*dja).to_string(),
                    description_en: (*den).to_string(),
                })
                .collect(),
        }
    }
}

impl Taxonomy {
    /// Checks a cause key against the taxonomy.
    pub fn key(&self, key: &str) -> Option<CauseKey> {
        self.get(key).map(|c| c.key.clone())
    }
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Where the site is published, always ending in `/`.
    pub base_url: String,
    /// UI language.
    pub language: Lang,
    /// Offset for local datetimes and for display.
    pub timezone: FixedOffset,
    /// Theme folder name under `themes/` (`default` is built in).
    pub theme: String,
    /// Cause types.
    pub causes: Taxonomy,
    /// Trust raw HTML in markdown bodies instead of sanitizing it.
    pub unsafe_html: bool,
    /// The month (1–12) years start in: 1 for calendar years, 4 for 年度.
    pub year_start: u32,
    /// How Japanese pages write dates.
    pub date_style: DateStyle,
    /// Who issues the meeting packets (`総務省 総合通信基盤局`), shown on their cover.
    pub issuer: Option<String>,
    /// Write every incident's self-contained `report.html` beside its page (off by
    /// default: the page itself prints, and packets and `gen pdf` carry the report).
    pub incident_reports: bool,
    /// Incidents per page of a paginated list (1 to 100,000; default [`DEFAULT_PAGE_SIZE`]).
    pub page_size: usize,
    /// Entries per Atom feed: the most recently updated; every incident when unset.
    pub feed_limit: Option<usize>,
    /// The edition built: `edition` in config.toml, overridden by `--edition`.
    pub edition: Edition,
    /// BLAKE3 of `config.toml` as read: part of every page's key for a rebuild
    /// ([`crate::render::reuse`]).
    pub source_hash: blake3::Hash,
}

/// Incidents per page of a list when `config.toml` sets no `page_size`.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The fields of `config.toml`.
pub const FIELDS: &[Field] = &[
    Field::required("title", Kind::String, "The site's title."),
    Field::optional(
        "base_url",
        Kind::String,
        "Where the site is published (default `/`).",
    ),
    Field::optional(
        "language",
        Kind::Choice(Lang::NAMES),
        "The UI language (default `ja`).",
    ),
    Field::optional(
        "timezone",
        Kind::Offset,
        "The UTC offset of local datetimes (default `+09:00`).",
    ),
    Field::optional(
        "theme",
        Kind::String,
        "A theme folder under `themes/` (default `default`).",
    ),
    Field::optional(
        "unsafe_html",
        Kind::Bool,
        "Trust raw HTML in markdown bodies.",
    ),
    Field::optional(
        "year_start",
        Kind::Month,
        "The month years start in: 4 groups by 年度 (default 1, calendar years).",
    ),
    Field::optional(
        "date_style",
        Kind::Choice(DateStyle::NAMES),
        "How Japanese pages write dates: `western` (default) or `wareki` (和暦).",
    ),
    Field::optional(
        "issuer",
        Kind::String,
        "Who issues the meeting packets, on their cover (default: none).",
    ),
    Field::optional(
        "incident_reports",
        Kind::Bool,
        "Write every incident's printable `report.html` beside its page (default false).",
    ),
    Field::optional(
        "page_size",
        Kind::Positive,
        "Incidents per page of a list (`/incidents/`, cause, year, operator, tag pages; default 100).",
    ),
    Field::optional(
        "feed_limit",
        Kind::Positive,
        "Entries per Atom feed, the most recently updated (default: every incident).",
    ),
    Field::optional(
        "edition",
        Kind::Choice(Edition::NAMES),
        "Which edition `gen build` writes: `public` (default, without internal material) or `internal`.",
    ),
    Field::optional(
        "causes",
        Kind::NamedTables(CAUSE_FIELDS),
        "Cause types to add or relabel, as `[causes.<key>]`.",
    ),
];

/// The fields of one `[causes.<key>]` section.
pub const CAUSE_FIELDS: &[Field] = &[
    Field::optional("ja", Kind::String, "The Japanese label."),
    Field::optional("en", Kind::String, "The English label."),
    Field::optional(
        "description_ja",
        Kind::String,
        "The definition in Japanese.",
    ),
    Field::optional("description_en", Kind::String, "The definition in English."),
];

/// The timezone of a site whose config sets none: +09:00.
pub fn default_timezone() -> FixedOffset {
    // 9 hours is within a day, which is all `east_opt` asks.
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid UTC offset")
}

/// Parses `"+09:00"`, `"-05:30"`, `"Z"` or `"UTC"`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s == "Z" || s.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

impl Config {
    /// Reads `root/config.toml`. Content problems are [`Error::Content`]; a missing file is
    /// a usage error.
    pub fn load(root: &Path) -> Result<Config, Error> {
        let path = root.join("config.toml");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::usage_help(
                    format!(
                        "no config.toml in {}: this is not a gen site",
                        root.display()
                    ),
                    "run `gen init` to create one, or pass --root DIR",
                ))
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                // Shift_JIS or EUC-JP: point at the first byte that is not UTF-8, as for
                // documents; the lossy text keeps the bytes before it.
                let valid = e.utf8_error().valid_up_to();
                return Err(Error::Content(vec![crate::diag::not_utf8(
                    "config.toml",
                    e.as_bytes(),
                    valid,
                )]));
            }
        };
        Self::parse(SourceFile::new("config.toml", text)).map_err(Error::Content)
    }

    /// Parses config text.
    pub fn parse(file: Arc<SourceFile>) -> Result<Config, Vec<Diagnostic>> {
        let text = file.text.trim_start_matches('\u{feff}');
        let mut d = Decoder::new(&file, file.text.len() - text.len());
        let Some(table) = d.parse(text) else {
            return Err(d.diags);
        };
        let t = d.root(&table, 0..0, FIELDS);
        let title = d.req_string(&t, "title").map(|s| s.value);
        let mut base_url = d
            .string(&t, "base_url")
            .map_or_else(|| "/".to_string(), |s| s.value);
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        let language = d.choice::<Lang>(&t, "language").unwrap_or(Lang::Ja);
        let timezone = match d.string(&t, "timezone") {
            None => Some(default_timezone()),
            Some(s) => {
                let tz = parse_offset(&s.value);
                if tz.is_none() {
                    d.error_abs(
                        crate::diag::Code::InvalidValue,
                        s.span,
                        format!("`timezone` is not a UTC offset: \"{}\"", s.value),
                        Some("write it like timezone = \"+09:00\"".to_string()),
                    );
                }
                tz
            }
        };
        let theme = d
            .string(&t, "theme")
            .map_or_else(|| "default".to_string(), |s| s.value);
        let unsafe_html = d.bool(&t, "unsafe_html").unwrap_or(false);
        let year_start = d.month(&t, "year_start").unwrap_or(1);
        let date_style = d
            .choice::<DateStyle>(&t, "date_style")
            .unwrap_or(DateStyle::Western);
        let issuer = d.string(&t, "issuer").map(|s| s.value);
        let incident_reports = d.bool(&t, "incident_reports").unwrap_or(false);
        let page_size = d.positive(&t, "page_size").unwrap_or(DEFAULT_PAGE_SIZE);
        let feed_limit = d.positive(&t, "feed_limit");
        let edition = d
            .choice::<Edition>(&t, "edition")
            .unwrap_or(Edition::Public);
        let causes = causes(&mut d, &t);
        match (title, timezone, d.diags.is_empty()) {
            (Some(title), Some(timezone), true) => Ok(Config {
                title,
                base_url,
                language,
                timezone,
                theme,
                causes,
                unsafe_html,
                year_start,
                date_style,
                issuer,
                incident_reports,
                page_size,
                feed_limit,
                edition,
                source_hash: blake3::hash(file.text.as_bytes()),
            }),
            _ => Err(d.diags),
        }
    }
}

/// The built-in causes, relabelled and extended by the `[causes.<key>]` sections of `t`.
fn causes(d: &mut Decoder<'_>, t: &Table<'_, '_>) -> Taxonomy {
    let mut causes = Taxonomy::default();
    for (name, sub) in d.named_tables(t, "causes") {
        let key = name.value.clone();
        if crate::load::names::is_windows_reserved(&key) {
            d.error_abs(
                crate::diag::Code::InvalidValue,
                name.span.clone(),
                format!("cause key `{key}` is a reserved device name on Windows"),
                Some("it becomes a folder of the site; choose another key".to_string()),
            );
            continue;
        }
        if !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || key.is_empty()
        {
            d.error_abs(
                crate::diag::Code::InvalidValue,
                name.span.clone(),
                format!("cause key `{key}` must be lowercase ASCII letters, digits and `-`"),
                Some("it appears in URLs; write it like [causes.power-outage]".to_string()),
            );
            continue;
        }
        let ja = d.string(&sub, "ja").map(|s| s.value);
        let en = d.string(&sub, "en").map(|s| s.value);
        let dja = d.string(&sub, "description_ja").map(|s| s.value);
        let den = d.string(&sub, "description_en").map(|s| s.value);
        if let Some(c) = causes.causes.iter_mut().find(|c| c.key.0 == key) {
            // Relabel a built-in cause; unspecified labels keep their defaults.
            c.ja = ja.unwrap_or_else(|| c.ja.clone());
            c.en = en.unwrap_or_else(|| c.en.clone());
            c.description_ja = dja.unwrap_or_else(|| c.description_ja.clone());
            c.description_en = den.unwrap_or_else(|| c.description_en.clone());
        } else {
            let label = ja
                .clone()
                .or_else(|| en.clone())
                .unwrap_or_else(|| key.clone());
            causes.causes.push(Cause {
                key: CauseKey(key.clone()),
                ja: ja.unwrap_or_else(|| label.clone()),
                en: en.unwrap_or(label),
                description_ja: dja.or_else(|| den.clone()).unwrap_or_default(),
                description_en: den.unwrap_or_default(),
            });
        }
    }
    causes
}
