//! `gen new` and machine-readable checks with warnings.

use std::fs;

use tempfile::TempDir;

mod common;
use common::{gen_cmd, site_with_config};

/// A site made by `gen init .`.
fn new_site() -> TempDir {
    let dir = TempDir::new().unwrap();
    assert!(gen_cmd(["init", "."]).cwd(dir.path()).run().success());
    dir
}

#[test]
fn new_incident_builds_as_it_is_and_never_overwrites() {
    let dir = new_site();
    let o = gen_cmd([
        "new",
        "incident",
        "DNS outage in Osaka",
        "--operator",
        "株式会社テスト",
        "--started",
        "2024-02-01T10:00:00+09:00",
    ])
    .cwd(dir.path())
    .run();
    assert!(o.success(), "{}", o.stderr());
    assert_eq!(
        o.stdout(),
        "created ./content/incidents/2024-02-01-dns-outage-in-osaka.md\n"
    );
    let text = fs::read_to_string(
        dir.path()
            .join("content/incidents/2024-02-01-dns-outage-in-osaka.md"),
    )
    .unwrap();
    for field in gen::model::incident::FIELDS {
        assert!(
            text.contains(&format!("{field} = "))
                || text.contains(&format!("[[{field}]]"))
                || text.contains(&format!("[{field}]")),
            "{field} is in the template"
        );
    }
    assert!(text.contains("status = \"draft\""));
    assert!(text.contains("operators = [\"株式会社テスト\"]"));
    // No cause is guessed: the check says what to fill in, at its line.
    let o = gen_cmd(["check"])
        .cwd(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    let heads: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(
        heads,
        [
            "error[empty-field]: content/incidents/2024-02-01-dns-outage-in-osaka.md:15:10: `causes` must list at least one entry",
            "error: 1 error found; nothing was written",
        ]
    );
    assert!(o.stderr().contains("  = help: write the primary cause first, like: causes = [\"human-error\"]; valid causes: human-error, vendor-bug, overload,"));
    let file = dir
        .path()
        .join("content/incidents/2024-02-01-dns-outage-in-osaka.md");
    fs::write(
        &file,
        text.replacen("causes = []", "causes = [\"overload\"]", 1),
    )
    .unwrap();
    // A draft: left out of a default build, in with --drafts.
    assert!(gen_cmd(["build"]).cwd(dir.path()).run().success());
    assert!(!dir
        .path()
        .join("output/incidents/2024-02-01-dns-outage-in-osaka")
        .exists());
    assert!(gen_cmd(["build", "--drafts"])
        .cwd(dir.path())
        .run()
        .success());
    let page = fs::read_to_string(
        dir.path()
            .join("output/incidents/2024-02-01-dns-outage-in-osaka/index.html"),
    )
    .unwrap();
    assert!(page.contains("株式会社テスト"));
    // Never overwrites.
    fs::write(
        dir.path()
            .join("content/incidents/2024-02-01-dns-outage-in-osaka.md"),
        "mine",
    )
    .unwrap();
    let again = gen_cmd([
        "new",
        "incident",
        "DNS outage in Osaka",
        "--started",
        "2024-02-01T10:00:00+09:00",
    ])
    .cwd(dir.path())
    .run();
    assert_eq!(again.code(), Some(2));
    assert!(again
        .stderr()
        .contains("already exists; nothing was changed"));
    assert_eq!(
        fs::read_to_string(
            dir.path()
                .join("content/incidents/2024-02-01-dns-outage-in-osaka.md")
        )
        .unwrap(),
        "mine"
    );
}

#[test]
fn a_new_incident_fails_check_naming_what_to_fill_in_and_passes_once_filled() {
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("config.toml"),
        "title = \"T\"\nlanguage = \"ja\"\n",
    )
    .unwrap();
    let o = gen_cmd([
        "new",
        "incident",
        "DNS障害",
        "--started",
        "2024-02-01T10:00:00+09:00",
    ])
    .cwd(dir.path())
    .run();
    assert!(o.success(), "{}", o.stderr());
    let file = dir.path().join("content/incidents/2024-02-01-dns.md");
    let text = fs::read_to_string(&file).unwrap();
    // No heading for countermeasures in the body: they have their own table.
    assert!(!text.contains("## 再発防止策"), "{text}");
    // The body's outline is a comment, never published as written.
    let body = text.split("+++\n").nth(2).unwrap().trim();
    assert!(
        body.starts_with("<!--\n") && body.ends_with("-->"),
        "{body}"
    );
    let o = gen_cmd(["check"])
        .cwd(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    let heads: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(
        heads,
        [
            "error[empty-field]: content/incidents/2024-02-01-dns.md:3:13: `operators` must list at least one entry",
            "error[empty-field]: content/incidents/2024-02-01-dns.md:15:10: `causes` must list at least one entry",
            "error: 2 errors found; nothing was written",
        ]
    );
    let filled = text
        .replacen("operators = []", "operators = [\"株式会社テスト\"]", 1)
        .replacen("causes = []", "causes = [\"human-error\"]", 1)
        .replacen("status = \"draft\"", "status = \"preliminary\"", 1);
    fs::write(&file, filled).unwrap();
    let o = gen_cmd(["check"]).cwd(dir.path()).run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert!(gen_cmd(["build"]).cwd(dir.path()).run().success());
    let page = fs::read_to_string(
        dir.path()
            .join("output/incidents/2024-02-01-dns/index.html"),
    )
    .unwrap();
    // Nothing of the outline is published.
    assert!(!page.contains("議事要旨の順"), "{page}");
    assert!(!page.contains("<h2 id=\"障害内容\""), "{page}");
}

#[test]
fn japanese_titles_get_a_sequence_number_not_a_transliteration() {
    let dir = new_site();
    let o = gen_cmd([
        "new",
        "incident",
        "大規模通信障害",
        "--started",
        "2024-02-01T10:00:00+09:00",
    ])
    .cwd(dir.path())
    .run();
    assert_eq!(o.stdout(), "created ./content/incidents/2024-02-01-1.md\n");
    let o = gen_cmd([
        "new",
        "incident",
        "別の通信障害",
        "--started",
        "2024-02-01T12:00:00+09:00",
    ])
    .cwd(dir.path())
    .run();
    assert_eq!(o.stdout(), "created ./content/incidents/2024-02-01-2.md\n");
    let o = gen_cmd([
        "new",
        "meeting",
        "第9回 電気通信事故検証会議",
        "--date",
        "2024-03-01T15:00:00+09:00",
    ])
    .cwd(dir.path())
    .run();
    assert_eq!(o.stdout(), "created ./content/meetings/2024-03-01-9.md\n");
    // Only the two fields gen new leaves to the author fail, in each new incident.
    let o = gen_cmd(["check", "--drafts"]).cwd(dir.path()).run();
    assert_eq!(o.code(), Some(1));
    assert_eq!(
        o.stderr().matches("error[empty-field]").count(),
        4,
        "{}",
        o.stderr()
    );
    assert!(o
        .stderr()
        .ends_with("error: 4 errors found; nothing was written\n"));
    let bad = gen_cmd(["new", "meeting", "x", "--date", "tomorrow"])
        .cwd(dir.path())
        .run();
    assert_eq!(bad.code(), Some(2));
    assert!(bad
        .stderr()
        .contains("--date \"tomorrow\" is not a date and time"));
}

const INCIDENT: &str = "+++
title = \"A\"
operators = [\"Op\"]
started = 2024-01-15T11:50:00+09:00
causes = [\"human-error\"]
status = \"final\"

[[countermeasures]]
action = \"fix\"
status = \"planned\"
due = \"2024-03\"

[[notices]]
at = 2024-01-15T11:00:00+09:00
title = \"early\"
+++
";

#[test]
fn check_reports_warnings_as_json_and_text() {
    let dir = site_with_config("title = \"T\"\n", &[("content/incidents/a.md", INCIDENT)]);
    let o = gen_cmd(["check", "--format", "json", "--today", "2024-04-01"])
        .cwd(dir.path())
        .run();
    assert_eq!(o.code(), Some(0), "warnings do not fail a check");
    let v: serde_json::Value = serde_json::from_slice(&o.out).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "final-without-resolved",
            "countermeasure-overdue",
            "notice-before-start"
        ]
    );
    let overdue = &v[1];
    assert_eq!(overdue["file"], "content/incidents/a.md");
    assert_eq!(overdue["line"], 8);
    assert_eq!(overdue["column"], 1);
    assert_eq!(overdue["severity"], "warning");
    assert_eq!(
        overdue["message"],
        "a countermeasure was due 2024-03 and is not done (today is 2024-04-01)"
    );
    // Not overdue until the month is over.
    let o = gen_cmd(["check", "--format", "json", "--today", "2024-03-31"])
        .cwd(dir.path())
        .run();
    assert!(!o.stdout().contains("countermeasure-overdue"));
    // Text: the warnings with their source lines, then the summary.
    let o = gen_cmd(["check", "--today", "2024-04-01"])
        .cwd(dir.path())
        .run();
    assert!(o.stderr().contains("warning[notice-before-start]: content/incidents/a.md:14:6: this notice (2024-01-15T11:00+09:00) is before the incident started (2024-01-15T11:50+09:00)"));
    assert_eq!(
        o.stdout(),
        "ok: 1 incident, 0 meetings, no errors, 3 warnings\n"
    );
    // An incident with no countermeasures.
    fs::write(
        dir.path().join("content/incidents/b.md"),
        INCIDENT
            .split("\n[[countermeasures]]")
            .next()
            .unwrap()
            .to_string()
            + "\n+++\n",
    )
    .unwrap();
    let o = gen_cmd(["check", "--format", "json", "--today", "2024-01-01"])
        .cwd(dir.path())
        .run();
    assert!(o.stdout().contains(
        "\"code\":\"no-countermeasures\",\"column\":1,\"file\":\"content/incidents/b.md\""
    ));
}

#[test]
fn check_json_lists_errors_and_exits_1() {
    let dir = site_with_config(
        "title = \"T\"\n",
        &[(
            "content/incidents/a.md",
            &INCIDENT.replace("title = \"A\"", "titel = \"A\""),
        )],
    );
    let o = gen_cmd(["check", "--format", "json"]).cwd(dir.path()).run();
    assert_eq!(o.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.out).unwrap();
    // In file order: the missing title is reported at the opening `+++`.
    assert_eq!(v[0]["code"], "missing-field");
    assert_eq!(v[1]["code"], "unknown-field");
    assert_eq!(v[1]["line"], 2);
    assert_eq!(v[1]["severity"], "error");
    assert_eq!(v[1]["help"], "did you mean `title`?");
}
