//! Property tests: front matter splits where a line-by-line walk would, durations and dates round-trip, timestamps print as chrono prints them, `resolved - started` is right across
//! month and year ends and time zones, and no input makes the pipeline panic. The fuzzed
//! front matter and config are generated from the field tables the decoders read
//! (`gen::model::fields`), so every field and every table section is reached.
//!
//! `GEN_FUZZ_SECONDS=1800 cargo test --release --test properties -- --nocapture` runs the
//! panic search for half an hour instead of one batch.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration as ChronoDuration, FixedOffset, TimeZone};
use gen::config::Config;
use gen::diag::SourceFile;
use gen::load::{split, BodySource, Document, Kind, KnownIds};
use gen::model::fields::{self, Field, Kind as FieldKind};
use gen::model::{Duration, PartialDate, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

const CONFIG: &str = "title = \"P\"\ntimezone = \"+09:00\"\n";

fn config() -> Config {
    Config::parse(SourceFile::new("config.toml", CONFIG)).unwrap()
}

fn document(text: &str) -> Option<Document> {
    document_of(Kind::Incident, text)
}

fn document_of(kind: Kind, text: &str) -> Option<Document> {
    let path = match kind {
        Kind::Incident => "content/incidents/a.md",
        Kind::Meeting => "content/meetings/m.md",
    };
    let file: Arc<SourceFile> = SourceFile::new(path, text);
    let (front_matter, body) = split(&file).ok()?;
    Some(Document {
        id: match kind {
            Kind::Incident => "a".into(),
            Kind::Meeting => "m".into(),
        },
        kind,
        file: SourceFile::new(path, &text[..body.start]),
        front_matter,
        body: BodySource::Text(text[body.clone()].into()),
        body_hash: blake3::hash(text[body].as_bytes()),
        asset_dir: None,
        assets: Vec::new(),
    })
}

/// How many inputs got as far as rendering (a measure of the search's depth).
static RENDERED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Rendered incidents with phases, countermeasures, notices and a timeline, and rendered
/// meetings: proof that the search reaches the decoders of every table section.
static REACHED: [std::sync::atomic::AtomicU64; 5] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 5];

/// Runs one document through model → site → render, discarding the output.
fn pipeline(kind: Kind, text: &str) {
    let cfg = config();
    let Some(doc) = document_of(kind, text) else {
        return;
    };
    let mut diags = Vec::new();
    let (incidents, meetings) = match kind {
        Kind::Incident => {
            let Some(incident) = gen::model::incident::decode(&doc, &cfg, &mut diags) else {
                assert!(!diags.is_empty(), "a rejected incident must say why");
                return;
            };
            (vec![incident.into()], vec![])
        }
        Kind::Meeting => {
            let Some(meeting) = gen::model::meeting::decode(&doc, &cfg, &mut diags) else {
                assert!(!diags.is_empty(), "a rejected meeting must say why");
                return;
            };
            (vec![], vec![meeting])
        }
    };
    let known = KnownIds {
        incidents: vec!["a".into()],
        meetings: vec!["m".into()],
    };
    let Ok(site) = gen::site::Site::build(
        cfg,
        incidents,
        meetings,
        &known,
        true,
        chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
    ) else {
        return;
    };
    static THEME: std::sync::OnceLock<gen::render::theme::Theme> = std::sync::OnceLock::new();
    let theme = THEME.get_or_init(|| {
        gen::render::theme::Theme::load(Path::new("/nonexistent"), "default").unwrap()
    });
    RENDERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if gen::render::render_site(&site, theme, &|_| Ok(())).is_err() {
        return;
    }
    for i in &site.incidents {
        let parts = [
            !i.phases.is_empty(),
            !i.countermeasures.is_empty(),
            !i.notices.is_empty(),
            !i.timeline.is_empty(),
        ];
        for (n, has) in parts.into_iter().enumerate() {
            if has {
                REACHED[n].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
    if !site.meetings.is_empty() {
        REACHED[4].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

proptest! {
    #[test]
    fn durations_round_trip(minutes in 0i64..10_000_000) {
        let d = Duration::from_minutes(minutes);
        prop_assert_eq!(Duration::parse(&d.to_string()), Some(d));
    }

    #[test]
    fn partial_dates_round_trip(y in 1i32..9999, m in 1u32..=12, d in 1u32..=31, precision in 0u8..3) {
        let text = match precision {
            0 => format!("{y:04}"),
            1 => format!("{y:04}-{m:02}"),
            _ => format!("{y:04}-{m:02}-{d:02}"),
        };
        let valid = precision < 2 || chrono::NaiveDate::from_ymd_opt(y, m, d).is_some();
        let parsed = PartialDate::parse(&text);
        prop_assert_eq!(parsed.is_some(), valid);
        if let Some(p) = parsed {
            prop_assert_eq!(p.to_string(), text);
        }
    }

    /// A date from its parts is the date its text parses to, and absent for the same inputs.
    #[test]
    fn partial_dates_from_parts_match_parsing(y in 0i32..=9999, m in 1u32..=12, d in 1u32..=31) {
        prop_assert_eq!(
            PartialDate::new(y, Some(m), Some(d)),
            PartialDate::parse(&format!("{y:04}-{m:02}-{d:02}"))
        );
        prop_assert_eq!(PartialDate::new(y, Some(m), None), PartialDate::parse(&format!("{y:04}-{m:02}")));
        prop_assert_eq!(PartialDate::new(y, None, Some(d)), None);
    }

    /// The hand-written `<time datetime>` form is chrono's, seconds only when not zero.
    #[test]
    fn rfc3339_matches_chrono(
        secs in 0i64..253_402_300_799,
        off in -(23 * 60 + 59)..=(23 * 60 + 59),
        whole_minute in any::<bool>(),
    ) {
        let tz = FixedOffset::east_opt(off * 60).unwrap();
        let secs = if whole_minute { secs - secs % 60 } else { secs };
        let t = DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&tz);
        let pattern = if whole_minute { "%Y-%m-%dT%H:%M%:z" } else { "%Y-%m-%dT%H:%M:%S%:z" };
        let expected = t.format(pattern).to_string();
        // A zero second in a non-whole-minute draw is printed without seconds too.
        let expected = if !whole_minute && secs % 60 == 0 { t.format("%Y-%m-%dT%H:%M%:z").to_string() } else { expected };
        prop_assert_eq!(Timestamp(t).rfc3339(), expected);
    }

    /// started and resolved written in different offsets, around month and year ends.
    #[test]
    fn duration_is_resolved_minus_started_across_offsets(
        year in 1990i32..2100,
        month_end in prop::sample::select(vec![(1u32, 31u32), (2, 28), (6, 30), (12, 31)]),
        minute_of_day in 0i64..1440,
        length in 0i64..200_000,
        off_a in -48i32..=56,
        off_b in -48i32..=56,
    ) {
        let tz_a = FixedOffset::east_opt(off_a * 15 * 60).unwrap();
        let tz_b = FixedOffset::east_opt(off_b * 15 * 60).unwrap();
        let (m, d) = month_end;
        let start: DateTime<FixedOffset> = tz_a
            .with_ymd_and_hms(year, m, d, 0, 0, 0)
            .unwrap()
            + ChronoDuration::minutes(minute_of_day);
        let end = (start + ChronoDuration::minutes(length)).with_timezone(&tz_b);
        let text = format!(
            "+++\ntitle = \"t\"\noperators = [\"o\"]\nstarted = {}\nresolved = {}\ncauses = [\"overload\"]\n+++\n",
            start.format("%Y-%m-%dT%H:%M:%S%:z"),
            end.format("%Y-%m-%dT%H:%M:%S%:z"),
        );
        let doc = document(&text).unwrap();
        let mut diags = Vec::new();
        let incident = gen::model::incident::decode(&doc, &config(), &mut diags);
        prop_assert!(diags.is_empty(), "{:?}", diags.iter().map(|d| d.to_string()).collect::<Vec<_>>());
        prop_assert_eq!(incident.unwrap().duration(), Some(Duration::from_minutes(length)));
    }
}

/// The front matter split as the documentation states it, one line at a time: the first
/// line (after a BOM) must be `+++`, the closing fence is the next line that is `+++` with
/// trailing spaces allowed.
fn split_by_lines(text: &str) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = Vec::new();
    let mut pos = start;
    while pos < text.len() {
        let len = text[pos..].find('\n').map_or(text.len() - pos, |i| i + 1);
        lines.push((
            pos..pos + len,
            text[pos..pos + len].trim_end_matches(['\n', '\r']),
        ));
        pos += len;
    }
    let fence = |l: &str| l.trim_end() == "+++";
    let (first, rest) = lines.split_first()?;
    if !fence(first.1) {
        return None;
    }
    let close = rest.iter().find(|(_, l)| fence(l))?;
    Some((first.0.end..close.0.start, close.0.end..text.len()))
}

proptest! {
    /// `split` finds the same fences as a line-by-line walk, whatever the lines.
    #[test]
    fn split_agrees_with_a_line_by_line_walk(
        bom in any::<bool>(),
        lines in prop::collection::vec(
            prop::sample::select(vec![
                "+++", "+++ ", "+++\t", " +++", "+++x", "++", "++++", "title = \"+++\"",
                "a = 1", "", "本文", "\"\"\"", "+",
            ]),
            0..12,
        ),
        crlf in prop::collection::vec(any::<bool>(), 12),
        final_newline in any::<bool>(),
    ) {
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        for (k, line) in lines.iter().enumerate() {
            text.push_str(line);
            if k + 1 < lines.len() || final_newline {
                text.push_str(if crlf[k] { "\r\n" } else { "\n" });
            }
        }
        let file: Arc<SourceFile> = SourceFile::new("content/incidents/a.md", text.clone());
        prop_assert_eq!(split(&file).ok(), split_by_lines(&text));
    }
}

/// Values of every TOML shape, most of them wrong for any field, so that the search
/// reaches the error paths of every accessor.
const HOSTILE: &[&str] = &[
    "\"x\"",
    "\"\"",
    "[\"human-error\"]",
    "[\"a\", 1]",
    "[]",
    "-1",
    "0",
    "9223372036854775807",
    "9223372036854775808",
    "2024-01-15T11:50:00+09:00",
    "2024-01-15",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59-12:00",
    "\"23h08m\"",
    "\"99999999999999d\"",
    "true",
    "{ phone = 3 }",
    "{ a = -1 }",
    "1.5",
    "\"final\"",
    "\"draft\"",
    "\"2024-13\"",
    "[[1]]",
    "\"a\\u0000b\"",
];

/// A value for a field of `kind`: mostly a valid sample, else the wrong type or any shape.
fn value(kind: FieldKind) -> BoxedStrategy<String> {
    prop_oneof![
        4 => any::<bool>().prop_map(move |all| fields::sample(&kind, all)),
        1 => Just(fields::wrong_sample(&kind).to_string()),
        2 => prop::sample::select(HOSTILE).prop_map(str::to_string),
    ]
    .boxed()
}

/// `key = value` lines for a table with `fields`: known keys with values fitting their
/// kind, and now and then a misspelt or unknown key.
fn pairs(fields: &'static [Field], max: usize) -> BoxedStrategy<Vec<(String, String)>> {
    let plain: Vec<&'static Field> = fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Tables(_)))
        .collect();
    let n = plain.len();
    let one = (0..n + 2).prop_flat_map(move |i| match plain.get(i) {
        Some(f) => (Just(f.name.to_string()), value(f.kind)).boxed(),
        // A near miss of a known name (one letter dropped), or any name.
        None if i == n => {
            let plain = plain.clone();
            (0..n, any::<prop::sample::Index>())
                .prop_flat_map(move |(k, at)| {
                    let mut near: Vec<char> = plain[k].name.chars().collect();
                    near.remove(at.index(near.len()));
                    (
                        Just(near.into_iter().collect::<String>()),
                        value(plain[k].kind),
                    )
                })
                .boxed()
        }
        None => (
            "[a-z_]{1,12}",
            prop::sample::select(HOSTILE).prop_map(str::to_string),
        )
            .boxed(),
    });
    prop::collection::vec(one, 0..max).boxed()
}

/// Front matter generated from a top-level field table: plain keys first, then
/// `[[section]]` tables of its table fields.
fn front_matter_of(top: &'static [Field]) -> BoxedStrategy<String> {
    let tables: Vec<(&'static str, &'static [Field])> = top
        .iter()
        .filter_map(|f| match f.kind {
            FieldKind::Tables(sub) => Some((f.name, sub)),
            _ => None,
        })
        .collect();
    let sections = if tables.is_empty() {
        Just(Vec::new()).boxed()
    } else {
        prop::collection::vec(
            prop::sample::select(tables).prop_flat_map(|(name, sub)| (Just(name), pairs(sub, 7))),
            0..5,
        )
        .boxed()
    };
    (pairs(top, 14), sections)
        .prop_map(|(fields, tables)| {
            let mut s = String::new();
            for (n, v) in fields {
                s.push_str(&format!("{n} = {v}\n"));
            }
            for (t, kv) in tables {
                s.push_str(&format!("[[{t}]]\n"));
                for (k, v) in kv {
                    s.push_str(&format!("{k} = {v}\n"));
                }
            }
            s
        })
        .boxed()
}

/// Front matter of an incident.
fn front_matter() -> BoxedStrategy<String> {
    front_matter_of(fields::INCIDENT)
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "# 見出し\n",
            "## 発生原因\n",
            "- item\n",
            "1. one\n",
            "```toml\nx = 1\n",
            "```\n",
            "```nolang\n",
            "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "[^1]\n\n[^1]: note\n",
            "~~s~~ ",
            "- [x] done\n",
            "<script>alert(1)</script>\n",
            "<details><summary>s</summary>\n",
            "[l](../../../../x)\n",
            "![i](a b.png)\n",
            "[r](b.md#見出し)\n",
            "+++\n",
            "\r\n",
            "\u{feff}",
            "**問** ",
            "　",
        ]),
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

/// A valid incident's required fields from the table, with a title that needs escaping,
/// so that the optional ones and the body reach the renderer.
fn required() -> String {
    fields::sample_pairs(fields::INCIDENT, false)
        .into_iter()
        .map(|(k, v)| match k {
            "title" => format!("{k} = \"t <b>&amp;\"\n"),
            "operators" => format!("{k} = [\"株式会社\"]\n"),
            _ => format!("{k} = {v}\n"),
        })
        .collect()
}

/// Whether a front-matter line sets a required field of an incident.
fn sets_required(line: &str) -> bool {
    fields::INCIDENT
        .iter()
        .filter(|f| f.required)
        .any(|f| line.starts_with(&format!("{} ", f.name)))
}

/// A valid document: the required fields of `top` and a random subset of the others,
/// each with a sample of its kind (tables as inline arrays), so that the decoders and the
/// renderer see every field's valid path.
fn valid_front_matter(top: &'static [Field]) -> BoxedStrategy<String> {
    let optional: Vec<&'static Field> = top.iter().filter(|f| !f.required).collect();
    let n = optional.len();
    (
        prop::sample::subsequence(optional, 0..=n),
        prop::collection::vec(any::<bool>(), n),
    )
        .prop_map(move |(chosen, all)| {
            let mut s: String = fields::sample_pairs(top, false)
                .into_iter()
                .map(|(k, v)| format!("{k} = {v}\n"))
                .collect();
            for (f, all) in chosen.into_iter().zip(all) {
                s.push_str(&format!("{} = {}\n", f.name, fields::sample(&f.kind, all)));
            }
            s
        })
        .boxed()
}

fn fuzz_input() -> impl Strategy<Value = (Kind, String)> {
    prop_oneof![
        // Valid incidents and meetings with any subset of their fields.
        2 => (valid_front_matter(fields::INCIDENT), body())
            .prop_map(|(fm, b)| (Kind::Incident, format!("+++\n{fm}+++\n{b}"))),
        1 => (valid_front_matter(fields::MEETING), body())
            .prop_map(|(fm, b)| (Kind::Meeting, format!("+++\n{fm}+++\n{b}"))),
        // Valid required fields plus random optional ones: exercises rendering.
        4 => (front_matter(), body()).prop_map(|(fm, b)| {
            // Required keys come from `required()` only, and before any table header.
            let mut plain = String::new();
            let mut tables = String::new();
            let mut in_table = false;
            for l in fm.lines() {
                in_table |= l.starts_with("[[");
                if in_table {
                    tables.push_str(&format!("{l}\n"));
                } else if !sets_required(l) {
                    plain.push_str(&format!("{l}\n"));
                }
            }
            (Kind::Incident, format!("+++\n{}{plain}{tables}+++\n{b}", required()))
        }),
        // Whole-file noise.
        1 => ".{0,400}".prop_map(|t| (Kind::Incident, t)),
        // Plausible files: front matter, body, and now and then a broken delimiter.
        2 => (front_matter(), body(), any::<bool>()).prop_map(|(fm, b, closed)| {
            let text = if closed {
                format!("+++\n{fm}+++\n{b}")
            } else {
                format!("+++\n{fm}{b}")
            };
            (Kind::Incident, text)
        }),
        // Meetings with fields of any value.
        1 => (front_matter_of(fields::MEETING), body())
            .prop_map(|(fm, b)| (Kind::Meeting, format!("+++\n{fm}+++\n{b}"))),
    ]
}

#[test]
fn no_input_makes_the_pipeline_panic() {
    let seconds: u64 = std::env::var("GEN_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut runs = 0u64;
    loop {
        let mut runner = TestRunner::new(RunnerConfig {
            cases: 256,
            failure_persistence: None,
            ..RunnerConfig::default()
        });
        let result = runner.run(&fuzz_input(), |(kind, text)| {
            pipeline(kind, &text);
            Ok(())
        });
        runs += 256;
        if let Err(e) = result {
            panic!("after {runs} cases: {e}");
        }
        // Keep going until the deadline, and in any case until a few inputs went through
        // the whole renderer with every table section (random inputs rarely do; a cap
        // keeps a bad generator visible).
        let rendered = RENDERED.load(std::sync::atomic::Ordering::Relaxed);
        let deep = rendered >= 20 && reached_all();
        if std::time::Instant::now() >= deadline && (deep || runs >= 256 * 400) {
            break;
        }
    }
    let rendered = RENDERED.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        reached_all(),
        "some table sections never reached the renderer: {REACHED:?} (phases, countermeasures, notices, timeline, meetings)"
    );
    if seconds > 0 {
        println!(
            "fuzzed {runs} inputs in {seconds} s without a panic; {rendered} reached rendering; with phases, countermeasures, notices, timeline, meetings: {REACHED:?}"
        );
    }
    assert!(
        rendered >= 20,
        "only {rendered} inputs reached the renderer"
    );
}

fn reached_all() -> bool {
    REACHED
        .iter()
        .all(|n| n.load(std::sync::atomic::Ordering::Relaxed) > 0)
}

proptest! {
    /// Config files from the config's field table never panic the parser, and a refused
    /// one says why.
    #[test]
    fn no_config_makes_the_parser_panic(text in front_matter_of(gen::config::FIELDS)) {
        if let Err(diags) = Config::parse(SourceFile::new("config.toml", text.as_str())) {
            prop_assert!(!diags.is_empty(), "a rejected config must say why");
        }
    }
}
