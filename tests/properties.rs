//! Property tests: front matter splits where a line-by-line walk would, durations and dates round-trip, timestamps print as chrono prints them, `resolved - started` is right across
//! month and year ends and time zones, and no input makes the pipeline panic.
//!
//! `GEN_FUZZ_SECONDS=1800 cargo test --release --test properties -- --nocapture` runs the
//! panic search for half an hour instead of one batch.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration as ChronoDuration, FixedOffset, TimeZone};
use gen::config::Config;
use gen::diag::SourceFile;
use gen::load::{split, BodySource, Document, Kind, KnownIds};
use gen::model::{Duration, PartialDate, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

const CONFIG: &str = "title = \"P\"\ntimezone = \"+09:00\"\n";

fn config() -> Config {
    Config::parse(SourceFile::new("config.toml", CONFIG)).unwrap()
}

fn document(text: &str) -> Option<Document> {
    let file: Arc<SourceFile> = SourceFile::new("content/incidents/a.md", text);
    let (front_matter, body) = split(&file).ok()?;
    Some(Document {
        id: "a".into(),
        kind: Kind::Incident,
        file: SourceFile::new("content/incidents/a.md", &text[..body.start]),
        front_matter,
        body: BodySource::Text(text[body].into()),
        asset_dir: None,
    })
}

/// How many inputs got as far as rendering (a measure of the search's depth).
static RENDERED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs one document through model → site → render, discarding the output.
fn pipeline(text: &str) {
    let cfg = config();
    let Some(doc) = document(text) else { return };
    let mut diags = Vec::new();
    let Some(incident) = gen::model::incident::decode(&doc, &cfg, &mut diags) else {
        assert!(!diags.is_empty(), "a rejected incident must say why");
        return;
    };
    let known = KnownIds {
        incidents: vec!["a".into()],
        meetings: vec![],
    };
    let Ok(site) = gen::site::Site::build(cfg, vec![incident.into()], vec![], &known, true) else {
        return;
    };
    static THEME: std::sync::OnceLock<gen::render::theme::Theme> = std::sync::OnceLock::new();
    let theme = THEME.get_or_init(|| {
        gen::render::theme::Theme::load(Path::new("/nonexistent"), "default").unwrap()
    });
    RENDERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let _ = gen::render::render_site(&site, theme, &|_| Ok(()));
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

/// Front matter made of known and misspelt field names with values of every TOML shape,
/// so the search reaches the validation code rather than stopping at syntax errors.
fn front_matter() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "title",
        "operators",
        "started",
        "resolved",
        "duration",
        "affected_users",
        "affected_users_approx",
        "regions",
        "inquiries",
        "inquiries_as_of",
        "causes",
        "status",
        "summary",
        "meeting",
        "related",
        "tags",
        "titel",
        "cause",
    ]);
    let values = prop::sample::select(vec![
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
    ]);
    let table = prop::sample::select(vec!["phases", "countermeasures", "notices", "timeline"]);
    (
        prop::collection::vec((names, values.clone()), 0..12),
        prop::collection::vec(
            (table, prop::collection::vec(("[a-z_]{1,12}", values), 0..4)),
            0..3,
        ),
    )
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

/// A valid incident's required fields, so that the optional ones and the body reach the
/// renderer.
const REQUIRED: &str = "title = \"t <b>&amp;\"\noperators = [\"株式会社\"]\nstarted = 2024-01-15T11:50:00+09:00\ncauses = [\"overload\"]\n";

fn fuzz_input() -> impl Strategy<Value = String> {
    prop_oneof![
        // Valid required fields plus random optional ones: exercises rendering.
        (front_matter(), body()).prop_map(|(fm, b)| {
            let fm: String = fm
                .lines()
                .filter(|l| {
                    !["title", "operators", "started", "causes"]
                        .iter()
                        .any(|k| l.starts_with(&format!("{k} ")))
                })
                .map(|l| format!("{l}\n"))
                .collect();
            // Tables must come after plain keys: put the required ones first.
            format!("+++\n{REQUIRED}{fm}+++\n{b}")
        }),
        // Whole-file noise.
        ".{0,400}",
        // Plausible files: front matter, body, and now and then a broken delimiter.
        (front_matter(), body(), any::<bool>()).prop_map(|(fm, b, closed)| {
            if closed {
                format!("+++\n{fm}+++\n{b}")
            } else {
                format!("+++\n{fm}{b}")
            }
        }),
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
        let result = runner.run(&fuzz_input(), |text| {
            pipeline(&text);
            Ok(())
        });
        runs += 256;
        if let Err(e) = result {
            panic!("after {runs} cases: {e}");
        }
        // Keep going until the deadline, and in any case until a few inputs went through
        // the whole renderer (random inputs rarely do; a cap keeps a bad generator visible).
        let rendered = RENDERED.load(std::sync::atomic::Ordering::Relaxed);
        if std::time::Instant::now() >= deadline && (rendered >= 20 || runs >= 256 * 400) {
            break;
        }
    }
    let rendered = RENDERED.load(std::sync::atomic::Ordering::Relaxed);
    if seconds > 0 {
        println!(
            "fuzzed {runs} inputs in {seconds} s without a panic; {rendered} reached rendering"
        );
    }
    assert!(
        rendered >= 20,
        "only {rendered} inputs reached the renderer"
    );
}
