//! Validation rules: every content error is reported as a diagnostic with a stable code,
//! a clear message, help, and the exact file, line and column; and a failed build writes
//! nothing.
//!
//! Each test writes a minimal valid site, plants exactly one fault, and checks the
//! diagnostic that `gen::build` returns.

use std::path::{Path, PathBuf};
use std::process::Command;

use gen::{BuildOptions, Diagnostic};
use tempfile::TempDir;

mod common;
use common::{gen_cmd, names, site, tree, write, CONFIG, INCIDENT};

const CAUSES_LINE: &str = "causes = [\"human-error\"]\n";

/// The minimal incident with `extra` added from line 6, just before the closing `+++`.
fn with(extra: &str) -> String {
    INCIDENT.replacen(CAUSES_LINE, &format!("{CAUSES_LINE}{extra}"), 1)
}

/// The minimal incident with one line replaced (`from` must include its newline).
fn replaced(from: &str, to: &str) -> String {
    assert!(INCIDENT.contains(from), "{from:?} is not in the incident");
    INCIDENT.replacen(from, to, 1)
}

fn show(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| format!("  {d}\n")).collect::<String>()
}

/// Builds the site, expecting content errors and no output folder; returns the diagnostics.
#[track_caller]
fn errors(dir: &TempDir) -> Vec<Diagnostic> {
    let result = gen::build(&BuildOptions::new(dir.path()));
    let diags = match result {
        Err(gen::Error::Content(diags)) => diags,
        Err(e) => panic!("expected content errors, got another error: {e}"),
        Ok(r) => panic!("expected content errors, but the build succeeded: {r:?}"),
    };
    assert!(!diags.is_empty(), "Error::Content with no diagnostics");
    assert!(
        !dir.path().join("output").exists(),
        "a failed build wrote output/"
    );
    diags
}

/// Builds the site, expecting exactly one diagnostic (the planted fault, nothing else).
#[track_caller]
fn only_error(dir: &TempDir) -> Diagnostic {
    let diags = errors(dir);
    assert_eq!(
        diags.len(),
        1,
        "expected exactly one diagnostic, got:\n{}",
        show(&diags)
    );
    diags.into_iter().next().unwrap()
}

/// Checks every part of a diagnostic.
#[track_caller]
fn assert_diag(
    d: &Diagnostic,
    code: &str,
    path: &str,
    line_col: (usize, usize),
    message: &str,
    help: &str,
) {
    let ctx = format!("diagnostic: {d}");
    assert_eq!(d.code.as_str(), code, "code; {ctx}");
    assert_eq!(d.message, message, "message; {ctx}");
    assert_eq!(d.help.as_deref(), Some(help), "help; {ctx}");
    assert_eq!(d.path(), Path::new(path), "path; {ctx}");
    assert_eq!(d.line_col(), line_col, "line:col; {ctx}");
    assert_eq!(
        d.location(),
        format!("{path}:{}:{}", line_col.0, line_col.1),
        "location; {ctx}"
    );
}

const A: &str = "content/incidents/a.md";

#[test]
fn the_minimal_site_builds() {
    let dir = site(&[(A, INCIDENT)]);
    let report = gen::build(&BuildOptions::new(dir.path())).expect("the baseline site builds");
    assert_eq!(report.incidents, 1);
    assert!(dir.path().join("output/index.html").is_file());
}

#[test]
fn invalid_toml_is_toml_syntax() {
    let dir = site(&[(A, &replaced("title = \"A\"\n", "title = \"unterminated\n"))]);
    let d = only_error(&dir);
    // The toml parser reports the unterminated string where it expected the closing quote:
    // the end of line 2.
    assert_diag(
        &d,
        "toml-syntax",
        A,
        (2, 22),
        "this string is never closed",
        "add the closing `\"` at the end of the value",
    );
}

#[test]
fn front_matter_must_be_opened_and_closed() {
    // Never closed: the whole file after the opening `+++` is front matter.
    let unclosed = INCIDENT.replacen("+++\n\nBody.", "\nBody.", 1);
    let dir = site(&[(A, &unclosed)]);
    assert_diag(
        &only_error(&dir),
        "frontmatter-unclosed",
        A,
        (1, 1),
        "the front matter opened here is never closed",
        "add a line containing only `+++` after the last field",
    );

    // No opening `+++`.
    let missing = INCIDENT.strip_prefix("+++\n").unwrap();
    let dir = site(&[(A, missing)]);
    assert_diag(
        &only_error(&dir),
        "frontmatter-missing",
        A,
        (1, 1),
        "expected the file to start with a `+++` line opening the TOML front matter",
        "start the file with `+++`, the fields (title = \"…\" …), then `+++` and the body",
    );
}

#[test]
fn required_fields_are_reported_at_the_opening_fence() {
    let cases = [
        ("title = \"A\"\n", "title", "title = \"…\""),
        ("operators = [\"Op\"]\n", "operators", "operators = [\"…\"]"),
        (
            "started = 2024-01-15T11:50:00+09:00\n",
            "started",
            "started = 2017-07-03T11:50:00+09:00",
        ),
        (CAUSES_LINE, "causes", "causes = [\"human-error\"]"),
    ];
    for (line, field, help_line) in cases {
        let dir = site(&[(A, &replaced(line, ""))]);
        assert_diag(
            &only_error(&dir),
            "missing-field",
            A,
            (1, 1),
            &format!("missing required field `{field}` in the front matter"),
            &format!("add a line: {help_line}"),
        );
    }
}

#[test]
fn wrong_types_are_reported_at_the_value() {
    let dir = site(&[(A, &with("affected_users = \"many\"\n"))]);
    assert_diag(
        &only_error(&dir),
        "wrong-type",
        A,
        (6, 18),
        "`affected_users` is not a count: \"many\"",
        "write digits, e.g. affected_users = 52792, or \"約48,000\" for a figure the source gives as approximate",
    );
    let dir = site(&[(A, &with("affected_users = 1.5\n"))]);
    assert_diag(
        &only_error(&dir),
        "wrong-type",
        A,
        (6, 18),
        "`affected_users` must be a whole number, found a number with a fraction",
        "write digits without quotes or commas, e.g. affected_users = 52792 (or \"約48,000\" when approximate)",
    );

    let dir = site(&[(
        A,
        &replaced("operators = [\"Op\"]\n", "operators = \"x\"\n"),
    )]);
    assert_diag(
        &only_error(&dir),
        "wrong-type",
        A,
        (3, 13),
        "`operators` must be an array of strings, found a string",
        "write it like: operators = [\"…\", \"…\"]",
    );
}

#[test]
fn unknown_field_suggests_the_nearest_name() {
    let dir = site(&[(A, &with("affected_user = 52792\n"))]);
    assert_diag(
        &only_error(&dir),
        "unknown-field",
        A,
        (6, 1),
        "unknown field `affected_user`",
        "did you mean `affected_users`?",
    );
}

#[test]
fn unknown_cause_lists_the_valid_keys() {
    let dir = site(&[(A, &replaced(CAUSES_LINE, "causes = [\"human-eror\"]\n"))]);
    let d = only_error(&dir);
    assert_diag(
        &d,
        "unknown-cause",
        A,
        (5, 11),
        "unknown cause \"human-eror\"",
        "did you mean \"human-error\"? valid causes: human-error, vendor-bug, overload, \
         hardware-failure, upstream-provider, design-flaw, natural-disaster, cyber-attack; \
         add your own under [causes.<key>] in config.toml",
    );
}

#[test]
fn resolved_before_started_is_reported_at_resolved() {
    let dir = site(&[(A, &with("resolved = 2024-01-15T10:00:00+09:00\n"))]);
    assert_diag(
        &only_error(&dir),
        "resolved-before-started",
        A,
        (6, 12),
        "`resolved` (2024-01-15T10:00+09:00) is before `started` (2024-01-15T11:50+09:00)",
        "check the date, the time and the UTC offset of both",
    );
}

#[test]
fn unparsable_durations_and_dates() {
    let dir = site(&[(A, &with("duration = \"23時間\"\n"))]);
    assert_diag(
        &only_error(&dir),
        "invalid-duration",
        A,
        (6, 12),
        "`duration` is not a duration: \"23時間\"",
        "write hours and minutes like duration = \"23h08m\" (or \"45m\", \"2d3h\")",
    );

    let measure = "[[countermeasures]]\naction = \"x\"\ndue = \"2024-13\"\n";
    let dir = site(&[(A, &with(measure))]);
    assert_diag(
        &only_error(&dir),
        "invalid-date",
        A,
        (8, 7),
        "`countermeasures[0].due` is not a date: \"2024-13\"",
        "write due = 2024-03-31, or due = \"2024-03\" when only the month is known",
    );

    let dir = site(&[(
        A,
        &replaced(
            "started = 2024-01-15T11:50:00+09:00\n",
            "started = 2024-01-15\n",
        ),
    )]);
    assert_diag(
        &only_error(&dir),
        "invalid-date",
        A,
        (4, 11),
        "`started` needs both a date and a time of day, found `2024-01-15`",
        "write an unquoted date and time: started = 2017-07-03T11:50:00+09:00",
    );
}

#[test]
fn negative_counts() {
    let help = "a count of users or inquiries is 0 or more";
    let dir = site(&[(A, &with("affected_users = -5\n"))]);
    assert_diag(
        &only_error(&dir),
        "negative-count",
        A,
        (6, 18),
        "`affected_users` must not be negative, found -5",
        help,
    );

    let dir = site(&[(A, &with("inquiries = { phone = -1 }\n"))]);
    assert_diag(
        &only_error(&dir),
        "negative-count",
        A,
        (6, 23),
        "`inquiries.phone` must not be negative, found -1",
        help,
    );
}

#[test]
fn values_outside_closed_sets() {
    let cases = [
        (
            "status = \"fnal\"\n",
            (6, 10),
            "`status` has an unknown value \"fnal\"",
            "did you mean \"final\"? expected one of: \"draft\", \"preliminary\", \"final\"",
        ),
        (
            "[[countermeasures]]\naction = \"x\"\nstatus = \"complete\"\n",
            (8, 10),
            "`countermeasures[0].status` has an unknown value \"complete\"",
            "expected one of: \"done\", \"in-progress\", \"planned\"",
        ),
        (
            "[[countermeasures]]\naction = \"x\"\nscope = \"network\"\n",
            (8, 9),
            "`countermeasures[0].scope` has an unknown value \"network\"",
            "expected one of: \"facility\", \"communication\"",
        ),
        (
            "[[countermeasures]]\naction = \"x\"\nterm = \"forever\"\n",
            (8, 8),
            "`countermeasures[0].term` has an unknown value \"forever\"",
            "expected one of: \"interim\", \"permanent\"",
        ),
    ];
    for (extra, at, message, help) in cases {
        let dir = site(&[(A, &with(extra))]);
        assert_diag(&only_error(&dir), "invalid-value", A, at, message, help);
    }
}

#[test]
fn references_to_missing_incidents_and_meetings() {
    let dir = site(&[(A, &with("related = [\"b\"]\n"))]);
    assert_diag(
        &only_error(&dir),
        "unknown-incident",
        A,
        (6, 12),
        "`related` names \"b\", but there is no such incident",
        "use the id of an incident: its file name in content/incidents/ without .md",
    );

    let dir = site(&[(A, &with("meeting = \"m\"\n"))]);
    assert_diag(
        &only_error(&dir),
        "unknown-meeting",
        A,
        (6, 11),
        "`meeting` names \"m\", but there is no content/meetings/m.md",
        "use the file name of a meeting in content/meetings/, without .md",
    );
}

#[test]
fn meeting_agenda_naming_a_missing_incident() {
    let meeting = "+++
title = \"Review\"
date = 2024-02-01T10:00:00+09:00
incidents = [\"2024-01-15-example\", \"2024-01-15-exmaple\"]
+++
";
    let dir = site(&[
        ("content/incidents/2024-01-15-example.md", INCIDENT),
        ("content/meetings/m.md", meeting),
    ]);
    assert_diag(
        &only_error(&dir),
        "unknown-incident",
        "content/meetings/m.md",
        (4, 36),
        "the agenda lists \"2024-01-15-exmaple\", but there is no such incident",
        "did you mean \"2024-01-15-example\"?",
    );
}

#[test]
fn two_incidents_with_the_same_id() {
    let dir = site(&[(A, INCIDENT), ("content/incidents/a/index.md", INCIDENT)]);
    // Sources are ordered by path (`a/index.md` before `a.md`): the later one is reported,
    // as a whole-file problem.
    assert_diag(
        &only_error(&dir),
        "duplicate-id",
        A,
        (1, 1),
        "two incidents have the id \"a\": this file and content/incidents/a/index.md",
        "ids come from file or folder names; rename one of them",
    );
}

#[test]
fn non_utf8_file_points_at_the_first_bad_byte() {
    let dir = site(&[]);
    let mut bytes = b"+++\ntitle = \"\x82\xa0\"\n".to_vec();
    bytes.extend_from_slice(
        INCIDENT
            .strip_prefix("+++\ntitle = \"A\"\n")
            .unwrap()
            .as_bytes(),
    );
    write(dir.path(), A, &bytes);
    assert_diag(
        &only_error(&dir),
        "not-utf8",
        A,
        (2, 10),
        "the file is not valid UTF-8",
        "save the file as UTF-8 (without Shift_JIS or EUC-JP encoding)",
    );
}

#[test]
fn check_reports_every_error_at_once_sorted_by_file() {
    // Written in reverse order of their paths; each file has a different fault.
    let dir = site(&[
        ("content/meetings/m.md", "title = \"no fence\"\n"),
        ("content/incidents/c.md", &with("affected_users = -5\n")),
        ("content/incidents/b.md", &with("affected_user = 5\n")),
        ("content/incidents/a.md", &with("duration = \"23時間\"\n")),
    ]);
    let diags = match gen::check(&BuildOptions::new(dir.path())) {
        Err(gen::Error::Content(diags)) => diags,
        Err(e) => panic!("expected content errors, got another error: {e}"),
        Ok(_) => panic!("expected content errors, but the check passed"),
    };
    assert!(diags.len() >= 3, "expected every error:\n{}", show(&diags));
    let found: Vec<(PathBuf, &str)> = diags
        .iter()
        .map(|d| (d.path().to_path_buf(), d.code.as_str()))
        .collect();
    let expected: Vec<(PathBuf, &str)> = [
        ("content/incidents/a.md", "invalid-duration"),
        ("content/incidents/b.md", "unknown-field"),
        ("content/incidents/c.md", "negative-count"),
        ("content/meetings/m.md", "frontmatter-missing"),
    ]
    .into_iter()
    .map(|(p, c)| (PathBuf::from(p), c))
    .collect();
    assert_eq!(found, expected, "diagnostics:\n{}", show(&diags));
    assert!(
        diags.windows(2).all(|w| w[0].path() <= w[1].path()),
        "not sorted by file:\n{}",
        show(&diags)
    );
    assert!(!dir.path().join("output").exists(), "check wrote output/");
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let dir = site(&[(A, INCIDENT)]);
    let opts = BuildOptions::new(dir.path());
    gen::build(&opts).expect("the first build succeeds");
    let output = dir.path().join("output");
    let index = std::fs::read(output.join("index.html")).unwrap();
    let before = tree(&output);
    let root_before = names(dir.path());

    write(dir.path(), A, with("affected_user = 5\n").as_bytes());
    match gen::build(&opts) {
        Err(gen::Error::Content(diags)) => {
            assert_eq!(diags.len(), 1, "{}", show(&diags));
            assert_eq!(diags[0].code.as_str(), "unknown-field");
        }
        other => panic!("expected content errors, got {other:?}"),
    }

    assert_eq!(
        std::fs::read(output.join("index.html")).unwrap(),
        index,
        "output/index.html changed"
    );
    assert!(tree(&output) == before, "output/ changed");
    assert_eq!(
        names(dir.path()),
        root_before,
        "the failed build left files beside output/"
    );
}

#[test]
fn cli_build_prints_diagnostics_and_exits_1() {
    let dir = site(&[(A, &with("affected_user = 5\n"))]);
    let out = gen_cmd(["build"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    let stderr = out.stderr();
    assert_eq!(out.code(), Some(1), "stderr:\n{stderr}");
    assert!(
        stderr.contains(
            "error[unknown-field]: content/incidents/a.md:6:1: unknown field `affected_user`"
        ),
        "stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("help: did you mean `affected_users`?"),
        "stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("error: 1 error found; nothing was written"),
        "stderr:\n{stderr}"
    );
    assert!(out.out.is_empty(), "stdout: {:?}", out.out);
    assert!(!dir.path().join("output").exists());
}

#[test]
fn cli_build_without_config_exits_2_and_suggests_init() {
    let dir = TempDir::new().unwrap();
    let out = gen_cmd(["build"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    let stderr = out.stderr();
    assert_eq!(out.code(), Some(2), "stderr:\n{stderr}");
    assert!(stderr.contains("no config.toml"), "stderr:\n{stderr}");
    assert!(stderr.contains("gen init"), "stderr:\n{stderr}");
    assert!(!dir.path().join("output").exists());
}

#[test]
fn a_broken_incident_does_not_break_references_to_it() {
    // `a` fails to decode; `b` relates to it and a meeting lists it. Only `a` is wrong.
    let b = with("related = [\"a\"]\nmeeting = \"m\"\n");
    let dir = site(&[
        (A, &with("affected_user = 5\n")),
        ("content/incidents/b.md", &b),
        (
            "content/meetings/m.md",
            "+++\ntitle = \"M\"\ndate = 2024-02-01T15:00:00+09:00\nincidents = [\"a\"]\n+++\n",
        ),
    ]);
    let diags = errors(&dir);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    assert_eq!(diags[0].code.as_str(), "unknown-field");
}

#[test]
fn cli_underlines_japanese_text_at_the_right_width() {
    let dir = site(&[(
        A,
        &replaced("operators = [\"Op\"]\n", "operators = [\"株式会社\", 5]\n"),
    )]);
    let out = gen_cmd(["check"]).root(dir.path()).run();
    assert_eq!(out.code(), Some(1));
    let stderr = out.stderr();
    // Column 22 counts characters; the caret sits under `5` (株式会社 is 8 cells wide).
    let expected = "error[wrong-type]: content/incidents/a.md:3:22: `operators[1]` must be a string, found an integer\n  |\n3 | operators = [\"株式会社\", 5]\n  |                          ^\n  = help: put each entry in quotes: operators = [\"…\", \"…\"]\n";
    assert!(stderr.starts_with(expected), "{stderr}");
}

#[test]
fn a_byte_order_mark_is_not_a_column() {
    let dir = site(&[(A, "\u{feff}title = \"x\"\n")]);
    let diags = errors(&dir);
    assert_eq!(diags[0].code.as_str(), "frontmatter-missing");
    assert_eq!(diags[0].line_col(), (1, 1));
}

// ---- Hardening: ids, names, figures, spans, files (load / model / site) ----

/// Every diagnostic of a check, rendered as the CLI prints them (rendering must not panic).
fn rendered(dir: &TempDir) -> String {
    errors(dir).iter().map(gen::diag::render).collect()
}

#[test]
fn crlf_file_with_an_unclosed_string_is_an_error_not_a_crash() {
    let dir = site(&[(A, "+++\r\ntitle = \"T\r\n+++\r\nbody\r\n")]);
    assert_eq!(
        rendered(&dir),
        "error[toml-syntax]: content/incidents/a.md:2:12: this string is never closed\n  |\n2 | title = \"T\n  |           ^\n  = help: add the closing `\"` at the end of the value\n"
    );
}

#[test]
fn no_span_can_make_rendering_panic() {
    let texts = [
        "",
        "\r\n",
        "a\r\nb",
        "+++\r\ntitle = \"T\r\n",
        "\u{feff}x",
        "株式会社\r\n\r\n",
        "é\n\u{1F600}\r",
    ];
    for text in texts {
        let file = gen::diag::SourceFile::new("a.md", text);
        let n = text.len() + 3;
        for start in 0..n {
            for end in 0..n {
                let d =
                    Diagnostic::error(gen::diag::Code::InvalidValue, &file, Some(start..end), "m");
                let out = gen::diag::render(&d);
                assert!(
                    out.starts_with("error[invalid-value]: a.md:"),
                    "{text:?} {start}..{end}"
                );
            }
        }
    }
}

#[test]
fn file_names_that_cannot_be_ids_are_refused() {
    let dir = site(&[
        ("content/incidents/a\"onmouseover=alert(1) x.md", INCIDENT),
        ("content/incidents/b<i>/index.md", INCIDENT),
        ("content/incidents/c%2F.md", INCIDENT),
        ("content/incidents/CON.md", INCIDENT),
        ("content/incidents/lpt1.txt/index.md", INCIDENT),
        ("content/incidents/ok 障害-1.md", INCIDENT),
        (
            "content/meetings/m#1.md",
            "+++\ntitle = \"M\"\ndate = 2024-02-01T15:00:00+09:00\n+++\n",
        ),
    ]);
    let diags = errors(&dir);
    let got: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.location(), d.message))
        .collect();
    assert_eq!(
        got,
        [
            "invalid-id content/incidents/CON.md:1:1: the file name \"CON\" cannot be an incident id: `CON` is a reserved device name on Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension)",
            "invalid-id content/incidents/a\"onmouseover=alert(1) x.md:1:1: the file name \"a\\\"onmouseover=alert(1) x\" cannot be an incident id: `\"` (U+0022) is not allowed in an id",
            "invalid-id content/incidents/b<i>/index.md:1:1: the folder name \"b<i>\" cannot be an incident id: `<` (U+003C) is not allowed in an id",
            "invalid-id content/incidents/c%2F.md:1:1: the file name \"c%2F\" cannot be an incident id: `%` (U+0025) is not allowed in an id",
            "invalid-id content/incidents/lpt1.txt/index.md:1:1: the folder name \"lpt1.txt\" cannot be an incident id: `lpt1.txt` is a reserved device name on Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension)",
            "invalid-id content/meetings/m#1.md:1:1: the file name \"m#1\" cannot be a meeting id: `#` (U+0023) is not allowed in an id",
        ],
        "{}",
        show(&diags)
    );
    assert_eq!(
        diags[0].help.as_deref(),
        Some("the id becomes the page's URL; rename the file using letters and digits (any script), `-`, `_`, `.` and single spaces, e.g. 2024-03-01-example")
    );
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_refused_not_made_an_empty_id() {
    use std::os::unix::ffi::OsStrExt;
    let dir = site(&[("content/incidents/b.md", INCIDENT)]);
    let name = std::ffi::OsStr::from_bytes(b"\x83e\x83X\x83g.md");
    std::fs::write(dir.path().join("content/incidents").join(name), INCIDENT).unwrap();
    let d = only_error(&dir);
    assert_eq!(d.code.as_str(), "invalid-id");
    assert_eq!(
        d.message,
        "this name is not valid UTF-8, so it cannot be an id"
    );
    assert_eq!(d.path(), Path::new("content/incidents").join(name));
}

#[test]
fn ids_differing_by_an_invisible_or_decomposed_character_are_refused() {
    let dir = site(&[
        ("content/incidents/ガス.md", INCIDENT),
        ("content/incidents/カ\u{3099}ス.md", INCIDENT),
        ("content/incidents/a\u{200B}.md", INCIDENT),
    ]);
    let got: Vec<String> = errors(&dir).iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        got,
        [
            "the file name \"a\\u{200b}\" cannot be an incident id: U+200B (an invisible character) is not allowed in an id",
            "the file name \"カ\u{3099}ス\" cannot be an incident id: U+3099 (a combining mark: the name is in decomposed Unicode form, NFD) is not allowed in an id",
        ]
    );
}

#[test]
fn operators_that_give_the_same_slug_get_distinct_stable_pages() {
    let inc = |op: &str| {
        replaced(
            "operators = [\"Op\"]\n",
            &format!("operators = [\"{op}\"]\n"),
        )
    };
    let dir = site(&[
        (A, &inc("A")),
        ("content/incidents/b.md", &inc("a")),
        ("content/incidents/c.md", &inc("a 2")),
        ("content/incidents/d.md", &inc("Aux")),
    ]);
    gen::build(&BuildOptions::new(dir.path())).expect("builds");
    let page = |slug: &str| {
        std::fs::read_to_string(
            dir.path()
                .join(format!("output/operators/{slug}/index.html")),
        )
        .unwrap_or_else(|e| panic!("operators/{slug}/: {e}"))
    };
    // Sorted names: "A", "Aux", "a", "a 2". `aux` is a Windows device name.
    for (slug, name) in [("a", "A"), ("aux-2", "Aux"), ("a-3", "a"), ("a-2", "a 2")] {
        assert!(
            page(slug).contains(&format!("<h1>{name}"))
                || page(slug).contains(&format!(">{name}<")),
            "operators/{slug}/ is not {name}'s page"
        );
    }
    let pages: Vec<_> = names(&dir.path().join("output/operators"));
    assert_eq!(pages.len(), 5, "{pages:?}");
    let first = tree(&dir.path().join("output"));
    gen::build(&BuildOptions::new(dir.path())).expect("builds again");
    assert!(
        first == tree(&dir.path().join("output")),
        "two builds differ"
    );
}

#[test]
fn an_operator_name_of_300_bytes_gets_a_short_slug() {
    let long = "長".repeat(100);
    let dir = site(&[(
        A,
        &replaced(
            "operators = [\"Op\"]\n",
            &format!("operators = [\"{long}\"]\n"),
        ),
    )]);
    gen::build(&BuildOptions::new(dir.path())).expect("a long operator name builds");
    let slugs = names(&dir.path().join("output/operators"));
    assert!(
        slugs.iter().all(|s| s.len() <= gen::site::MAX_SLUG_BYTES),
        "{slugs:?}"
    );
}

#[test]
fn blank_invisible_and_decomposed_operator_names_are_errors() {
    let dir = site(&[(
        A,
        &replaced(
            "operators = [\"Op\"]\n",
            "operators = [\"Op\", \" \", \"Op\\u200B\", \"カ\u{3099}ス\"]\n",
        ),
    )]);
    let got: Vec<String> = errors(&dir)
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.location(), d.message))
        .collect();
    assert_eq!(
        got,
        [
            "empty-field content/incidents/a.md:3:20: `operators[1]` must not be empty",
            "invalid-name content/incidents/a.md:3:25: `operators[2]`: U+200B (an invisible character) is not allowed in a name",
            "invalid-name content/incidents/a.md:3:37: `operators[3]`: U+3099 (a combining mark: the name is in decomposed Unicode form, NFD) is not allowed in a name",
        ]
    );
}

#[test]
fn control_characters_in_front_matter_strings_are_errors() {
    let dir = site(&[(
        A,
        &with("summary = \"a\\u0000b\"\ntags = [\"ok\", \"x\\u001b[31m\"]\ninquiries = { \"p\\u0007\" = 1 }\n"),
    )]);
    let got: Vec<String> = errors(&dir)
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.location(), d.message))
        .collect();
    assert_eq!(
        got,
        [
            "control-character content/incidents/a.md:6:11: `summary` contains the control character U+0000",
            "control-character content/incidents/a.md:7:15: `tags[1]` contains the control character U+001B",
            "control-character content/incidents/a.md:8:15: `inquiries.p\u{7}` contains the control character U+0007",
        ]
    );
    // Line breaks and tabs in a multi-line string are text.
    let dir = site(&[(A, &with("summary = \"\"\"\na\tb\nc\"\"\"\n"))]);
    gen::build(&BuildOptions::new(dir.path())).expect("a multi-line summary builds");
}

#[test]
fn figures_beyond_the_bounds_are_too_large() {
    let dir = site(&[(
        A,
        &with("duration = \"99999999999999999999h\"\naffected_users = 1000000000001\ninquiries = { phone = 1000000000001 }\n[[phases]]\nlabel = \"x\"\nduration = \"36501d\"\n"),
    )]);
    let got: Vec<String> = errors(&dir)
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.location(), d.message))
        .collect();
    assert_eq!(
        got,
        [
            "duration-too-large content/incidents/a.md:6:12: `duration` is too large: \"99999999999999999999h\"",
            "count-too-large content/incidents/a.md:7:18: `affected_users` is too large",
            "count-too-large content/incidents/a.md:8:23: `inquiries.phone` is too large",
            "duration-too-large content/incidents/a.md:11:12: `phases[0].duration` is too large: \"36501d\"",
        ]
    );
}

#[test]
fn the_largest_figures_sum_and_median_without_wrapping() {
    let big = with(
        "duration = \"36500d\"\naffected_users = 1000000000000\ninquiries = { a = 1000000000000, b = 1000000000000 }\n",
    );
    let dir = site(&[(A, &big), ("content/incidents/b.md", &big)]);
    let site = gen::check(&BuildOptions::new(dir.path())).expect("bounded figures are valid");
    assert_eq!(site.stats.users.sum, 2_000_000_000_000);
    assert_eq!(
        site.stats.median_duration.value.map(|d| d.minutes()),
        Some(36_500 * 24 * 60)
    );
    assert_eq!(
        site.incidents[0].inquiry_total().map(|q| q.value),
        Some(2_000_000_000_000)
    );
}

#[cfg(unix)]
#[test]
fn symlinked_and_fifo_documents_are_errors_not_skipped() {
    let dir = site(&[("content/incidents/real.md", INCIDENT)]);
    let incidents = dir.path().join("content/incidents");
    std::os::unix::fs::symlink(incidents.join("real.md"), incidents.join("link.md")).unwrap();
    let status = Command::new("mkfifo")
        .arg(incidents.join("pipe.md"))
        .status()
        .unwrap();
    assert!(status.success());
    let got: Vec<String> = errors(&dir)
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.location(), d.message))
        .collect();
    assert_eq!(
        got,
        [
            "symlink content/incidents/link.md:1:1: this document is a symbolic link; gen reads only files inside the site",
            "not-a-file content/incidents/pipe.md:1:1: this document is not a regular file (a named pipe, socket or device)",
        ]
    );
}

#[test]
fn assets_and_static_files_where_pages_go_are_errors() {
    let dir = site(&[
        ("content/incidents/a/index.md", INCIDENT),
        ("content/incidents/a/Report.html", "x"),
        ("static/index.html", "x"),
        ("static/incidents/index.html", "x"),
        ("static/fine/index.html", "x"),
    ]);
    let got: Vec<String> = errors(&dir)
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.location(), d.message))
        .collect();
    assert_eq!(
        got,
        [
            "page-collision content/incidents/a/Report.html:1:1: this file would be published as incidents/a/Report.html, where gen writes a page",
            "page-collision static/incidents/index.html:1:1: this file would be published as incidents/index.html, where gen writes a page",
            "page-collision static/index.html:1:1: this file would be published as index.html, where gen writes a page",
        ]
    );
}

#[cfg(unix)]
#[test]
fn dotfiles_links_and_pipes_among_assets_are_never_listed() {
    let dir = site(&[
        ("content/incidents/a/index.md", INCIDENT),
        ("content/incidents/a/diagram.png", "png"),
        ("content/incidents/a/.env", "SECRET=1"),
        ("content/incidents/a/.git/config", "[core]"),
        ("content/incidents/a/sub/.DS_Store", "x"),
        ("content/incidents/a/sub/b.png", "png"),
    ]);
    let folder = dir.path().join("content/incidents/a");
    std::os::unix::fs::symlink("/etc/passwd", folder.join("passwd")).unwrap();
    let status = Command::new("mkfifo")
        .arg(folder.join("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    let (assets, diags) =
        gen::load::assets::incident(&folder, Path::new("content/incidents/a"), "a", false);
    let paths: Vec<&str> = assets.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["incidents/a/diagram.png", "incidents/a/sub/b.png"]);
    let got: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.location()))
        .collect();
    assert_eq!(
        got,
        [
            "symlink content/incidents/a/passwd:1:1",
            "not-a-file content/incidents/a/pipe:1:1",
        ]
    );
    // `check` reports them too.
    let codes: Vec<&str> = errors(&dir).iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["symlink", "not-a-file"]);

    let dir = site(&[
        ("static/.env", "SECRET=1"),
        ("static/.git/HEAD", "ref"),
        ("static/logo.svg", "<svg/>"),
    ]);
    let (assets, diags) =
        gen::load::assets::static_files(&dir.path().join("static"), Path::new("static"), false);
    let paths: Vec<&str> = assets.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["logo.svg"]);
    assert!(diags.is_empty());
}

#[test]
fn dotfiles_are_not_published() {
    let dir = site(&[
        ("content/incidents/a/index.md", INCIDENT),
        ("content/incidents/a/.env", "SECRET=1"),
        ("content/incidents/a/.git/config", "[core]"),
        ("static/.DS_Store", "x"),
        ("static/.env", "SECRET=1"),
        ("static/logo.svg", "<svg/>"),
    ]);
    gen::build(&BuildOptions::new(dir.path())).expect("builds");
    let out = dir.path().join("output");
    assert!(out.join("logo.svg").is_file());
    for private in ["incidents/a/.env", "incidents/a/.git", ".DS_Store", ".env"] {
        assert!(!out.join(private).exists(), "{private} was published");
    }
}

#[test]
fn many_errors_in_one_file_are_reported_in_linear_time_and_capped() {
    let mut extra = String::new();
    for n in 0..40_000 {
        extra.push_str(&format!("field{n} = 1\n"));
    }
    let dir = site(&[(A, &with(&extra))]);
    let start = std::time::Instant::now();
    let mut diags = errors(&dir);
    assert_eq!(diags.len(), 40_000, "every error is found");
    gen::diag::cap_per_file(&mut diags);
    let text: String = diags.iter().map(gen::diag::render).collect();
    assert_eq!(diags.len(), gen::diag::MAX_PER_FILE + 1);
    let last = diags.last().unwrap();
    assert_eq!(last.code.as_str(), "too-many-errors");
    assert_eq!(
        last.message,
        "… and 39950 more errors in content/incidents/a.md"
    );
    assert!(text.contains("unknown field `field49`"));
    // Quadratic reporting took 24 s here; linear takes well under a second in release.
    assert!(
        start.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_shift_jis_config_points_at_the_first_bad_byte() {
    let dir = site(&[(A, INCIDENT)]);
    write(dir.path(), "config.toml", b"title = \"\x93\xfa\x96\x7b\"\n");
    let d = only_error(&dir);
    assert_eq!(d.location(), "config.toml:1:10");
    assert_eq!(d.code.as_str(), "not-utf8");
}

#[test]
fn a_key_nested_too_deeply_is_reported_at_its_line() {
    let dir = site(&[(A, INCIDENT)]);
    let config = format!("{CONFIG}# deep\n{}b = 1\n", "a.".repeat(50_000));
    write(dir.path(), "config.toml", config.as_bytes());
    let d = only_error(&dir);
    assert_eq!(d.location(), "config.toml:5:1");
    assert_eq!(d.message, "keys, tables or arrays are nested too deeply");
}

/// A folder of `static/` that cannot be read is an error naming it, not skipped. Tests
/// run as root, so permissions cannot make it unreadable: a path longer than the system
/// allows (`ENAMETOOLONG`) can.
#[cfg(unix)]
#[test]
fn an_unreadable_static_folder_is_an_error_not_skipped() {
    let dir = site(&[(A, INCIDENT), ("static/logo.svg", "<svg/>")]);
    let name = "d".repeat(250);
    // `cd` one level at a time: each step is short, the whole path is not.
    let script =
        format!("cd static && for i in $(seq 1 18); do mkdir {name} && cd {name} || exit 0; done");
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let d = only_error(&dir);
    assert_eq!(d.code.as_str(), "unreadable");
    assert!(
        d.message.starts_with("cannot read this folder: "),
        "{}",
        d.message
    );
    assert!(d.path().starts_with(format!("static/{name}/{name}")));
}

#[test]
fn a_cause_key_windows_reserves_is_an_error() {
    let dir = site(&[(A, INCIDENT)]);
    let config = format!("{CONFIG}[causes.aux]\nja = \"補助\"\n");
    write(dir.path(), "config.toml", config.as_bytes());
    assert_diag(
        &only_error(&dir),
        "invalid-value",
        "config.toml",
        (4, 9),
        "cause key `aux` is a reserved device name on Windows",
        "it becomes a folder of the site; choose another key",
    );
}

#[test]
fn operators_differing_only_in_case_are_a_warning() {
    let inc = |op: &str| {
        replaced(
            "operators = [\"Op\"]\n",
            &format!("operators = [\"{op}\"]\n"),
        )
    };
    let dir = site(&[(A, &inc("NTT")), ("content/incidents/b.md", &inc("ntt"))]);
    let site = gen::check(&BuildOptions::new(dir.path())).expect("a warning is not an error");
    let today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let warnings: Vec<String> = site
        .warnings(today)
        .iter()
        .filter(|d| d.code.as_str() == "operator-case")
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect();
    assert_eq!(
        warnings,
        ["content/incidents/b.md:3:14: operator \"ntt\" differs from \"NTT\" only in case: they get two pages"]
    );
}

#[test]
fn an_id_or_operator_named_like_the_list_page_does_not_replace_it() {
    let dir = site(&[("content/incidents/index.html.md", INCIDENT)]);
    let d = only_error(&dir);
    assert_eq!(d.code.as_str(), "invalid-id");
    assert_eq!(
        d.message,
        "the file name \"index.html\" cannot be an incident id: `index.html` is the file name of the list page the id's folder would sit beside"
    );
    let dir = site(&[(
        A,
        &replaced("operators = [\"Op\"]\n", "operators = [\"index.html\"]\n"),
    )]);
    gen::build(&BuildOptions::new(dir.path())).expect("builds");
    let out = dir.path().join("output/operators");
    assert!(out.join("index.html").is_file());
    assert!(out.join("index.html-2/index.html").is_file());
}

#[test]
fn the_terminal_shows_fifty_errors_a_file_and_counts_them_all() {
    let mut extra = String::new();
    for n in 0..200 {
        extra.push_str(&format!("field{n} = 1\n"));
    }
    let dir = site(&[(A, &with(&extra))]);
    let o = gen_cmd(["check"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    assert_eq!(err.matches("error[unknown-field]").count(), 50, "{err}");
    assert!(
        err.contains("… and 150 more errors in content/incidents/a.md"),
        "{err}"
    );
    assert!(
        err.ends_with("error: 200 errors found; nothing was written\n"),
        "{err}"
    );
}

#[test]
fn assets_that_would_run_script_are_errors_unless_html_is_trusted() {
    let evil_svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <rect onload=\"alert(1)\"/>\n</svg>\n";
    let files = [
        ("content/incidents/a/index.md", INCIDENT),
        ("content/incidents/a/evil.svg", evil_svg),
        (
            "content/incidents/a/plain.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>",
        ),
        ("static/page.html", "<p>ok</p>\n<script>alert(1)</script>\n"),
        ("static/verify.html", "<p>site verification</p>"),
    ];
    let dir = site(&files);
    let got: Vec<String> = errors(&dir)
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.location(), d.message))
        .collect();
    assert_eq!(
        got,
        [
            "active-asset content/incidents/a/evil.svg:2:9: the attribute onload is an event handler: it runs script",
            "active-asset static/page.html:2:1: this file contains a <script> element, which can run script or change a link",
        ]
    );
    assert!(!dir.path().join("output").exists());
    // Trusted writers may publish them as they are.
    write(
        dir.path(),
        "config.toml",
        format!("{CONFIG}unsafe_html = true\n").as_bytes(),
    );
    gen::build(&BuildOptions::new(dir.path())).expect("builds");
    let out = dir.path().join("output");
    assert_eq!(
        std::fs::read_to_string(out.join("incidents/a/evil.svg")).unwrap(),
        evil_svg
    );
    assert!(out.join("page.html").is_file() && out.join("verify.html").is_file());
    assert!(out.join("incidents/a/plain.svg").is_file());
}

#[test]
fn a_body_with_more_table_cells_than_gen_renders_is_an_error() {
    let rows = "| x |\n".repeat(gen::render::markdown::MAX_TABLE_BARS / 2);
    let dir = site(&[(A, &format!("{INCIDENT}\nText.\n\n| h |\n|---|\n{rows}"))]);
    let d = only_error(&dir);
    assert_eq!(d.code.as_str(), "table-too-large");
    assert_eq!(d.location(), "content/incidents/a.md:12:1");
    assert_eq!(
        d.message,
        "this body has 2000004 `|` characters (table cells); gen renders up to 2000000"
    );
}

#[test]
fn a_template_that_includes_or_extends_itself_is_located() {
    let theme = format!("{CONFIG}theme = \"mine\"\n");
    for (files, location, chain) in [
        (
            vec![(
                "incident.html",
                "<p>x</p>\n{% include \"incident.html\" %}\n",
            )],
            "themes/mine/templates/incident.html:2:12",
            "Include chain: `[\"incident.html\", \"incident.html\"]`",
        ),
        (
            vec![("index.html", "{% extends 'index.html' %}\n")],
            "themes/mine/templates/index.html:1:12",
            "Inheritance chain: `[\"index.html\"]`",
        ),
        (
            vec![
                ("incident.html", "{% include \"a.html\" %}"),
                ("a.html", "{% include \"b.html\" %}"),
                ("b.html", "<b>\n{% include \"a.html\" %}"),
            ],
            "themes/mine/templates/a.html:1:12",
            "Include chain: `[\"a.html\", \"b.html\", \"a.html\"]`",
        ),
    ] {
        let dir = site(&[(A, INCIDENT), ("config.toml", &theme)]);
        for (name, text) in &files {
            write(
                dir.path(),
                &format!("themes/mine/templates/{name}"),
                text.as_bytes(),
            );
        }
        let d = only_error(&dir);
        assert_eq!(d.code.as_str(), "template-render");
        assert_eq!(d.location(), location);
        assert!(d.message.ends_with(chain), "{}", d.message);
        assert!(d
            .help
            .unwrap()
            .starts_with("a template may not include or extend itself"));
    }
}

#[test]
fn control_characters_from_content_never_reach_the_terminal() {
    let stderr = |front: &str| {
        let dir = site(&[(A, &with(front))]);
        let o = gen_cmd(["check"]).root(dir.path()).run();
        assert_eq!(o.code(), Some(1));
        let err = o.stderr();
        assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
        err
    };
    // A raw escape sequence in the file, shown on the source line.
    let err = stderr("summary = \"red \u{1b}[31m text\"\n");
    assert!(err.contains("summary = \"red ␛[31m text\""), "{err}");
    // One in a key name, quoted in the message.
    let err = stderr("inquiries = { \"p\\u001b]0;owned\\u0007\" = 1 }\n");
    assert!(err.contains("`inquiries.p␛]0;owned␇`"), "{err}");
}
