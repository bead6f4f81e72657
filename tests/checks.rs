//! One run reports everything, body links are checked, and `gen build` tells its
//! warnings: links that lead somewhere pass, broken ones fail with file:line:col, and
//! `--deny-warnings`, `--today` and `SOURCE_DATE_EPOCH` decide what a warning is.

use std::fs;

mod common;
use common::{gen_cmd, read, site, site_with_config, write, CONFIG, HEAD, INCIDENT};

/// An incident with `extra` front matter and `body`.
fn incident(extra: &str, body: &str) -> String {
    HEAD.replace(
        "causes = [\"human-error\"]\n",
        &format!("causes = [\"human-error\"]\n{extra}"),
    ) + "\n"
        + body
}

/// Countermeasures and `resolved`, so that an incident has no warning of its own.
const QUIET: &str = "resolved = 2024-01-15T12:50:00+09:00\n\n[[countermeasures]]\naction = \"x\"\nstatus = \"done\"\n";

#[test]
fn links_to_existing_incidents_meetings_and_files_pass() {
    let body_b = "\
[a](a.md) [a again](../incidents/a/index.md#x) [a's page](../a/)
[its diagram](../a/diagram.png) [m](../meetings/m.md) [m's page](../../meetings/m/)
[causes](../../causes/) [home](../../) [style](../../style.css) ![logo](../../img/logo.png)
[outside](https://example.org/nope.png) [mail](mailto:a@example.org) [here](#top) [root](/nope/)
";
    let dir = site(&[
        ("content/incidents/a/index.md", &incident(QUIET, "![構成図](diagram.png) [data](data.csv) [a](./)\n")),
        ("content/incidents/a/diagram.png", "png"),
        ("content/incidents/a/data.csv", "1,2\n"),
        ("content/incidents/b.md", &incident(QUIET, body_b)),
        ("content/meetings/m.md", "+++\ntitle = \"M\"\ndate = 2024-02-20T10:00:00+09:00\n+++\n\n[b](../incidents/b.md) [a's diagram](../../incidents/a/diagram.png)\n"),
        ("static/img/logo.png", "png"),
    ]);
    let o = gen_cmd(["check"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert_eq!(o.stderr(), "");
    assert_eq!(
        o.stdout(),
        "ok: 2 incidents, 1 meeting, no errors, 0 warnings\n"
    );
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert_eq!(o.stderr(), "");
    let page = read(&dir.path().join("output/incidents/b/index.html"));
    assert!(
        page.contains("<a href=\"../../incidents/a/index.html\">a</a>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../../meetings/m/index.html\">m</a>"),
        "{page}"
    );
    assert!(
        page.contains("<img src=\"../../img/logo.png\" alt=\"logo\" />"),
        "{page}"
    );
}

#[test]
fn a_link_to_a_report_is_broken_unless_the_config_writes_reports() {
    let files = [
        ("content/incidents/a.md", incident(QUIET, "Body.\n")),
        (
            "content/incidents/b.md",
            incident(QUIET, "[a's report](../a/report.html)\n"),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = site(&files);
    let o = gen_cmd(["check"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    assert_eq!(
        o.stderr(),
        "\
error[broken-link]: content/incidents/b.md:13:1: the link \"../a/report.html\" leads to incidents/a/report.html, which the site does not have
   |
13 | [a's report](../a/report.html)
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: incidents have no report.html unless config.toml sets incident_reports = true: link to the incident's page (incidents/a/index.html), or turn the reports on

error: 1 error found; nothing was written
"
    );
    let dir = site_with_config(&format!("{CONFIG}incident_reports = true\n"), &files);
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert_eq!(o.stderr(), "");
    assert!(dir.path().join("output/incidents/a/report.html").is_file());
}

#[test]
fn a_broken_link_fails_the_build_and_keeps_the_previous_output() {
    let dir = site(&[("content/incidents/a.md", &incident(QUIET, "Body.\n"))]);
    assert!(gen_cmd(["build"]).root(dir.path()).run().success());
    let before = read(&dir.path().join("output/incidents/a/index.html"));
    write(
        dir.path(),
        "content/incidents/a.md",
        incident(QUIET, "See [b](../2099-nope/).\n\n![図](diagram.png)\n"),
    );
    let o = gen_cmd(["build"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    assert_eq!(
        o.stderr(),
        "\
error[broken-link]: content/incidents/a.md:13:5: the link \"../2099-nope/\" leads to the incident \"2099-nope\", but there is no content/incidents/2099-nope.md
   |
13 | See [b](../2099-nope/).
   |     ^^^^^^^^^^^^^^^^^^
  = help: link to an incident by its file name in content/incidents/, as [text](../incidents/ID.md), or remove the link

error[missing-file]: content/incidents/a.md:15:1: the image \"diagram.png\" leads to incidents/a/diagram.png, which the site does not have
   |
15 | ![図](diagram.png)
   | ^^^^^^^^^^^^^^^^^^
  = help: only an incident in a folder has files beside it: move content/incidents/a.md to content/incidents/a/index.md and put the file in that folder, or correct the path

error: 2 errors found; nothing was written
"
    );
    assert_eq!(
        read(&dir.path().join("output/incidents/a/index.html")),
        before
    );
}

#[test]
fn check_lists_warnings_beside_errors_of_other_files() {
    let dir = site(&[
        (
            "content/incidents/a.md",
            &INCIDENT.replace("title = \"A\"", "titel = \"A\""),
        ),
        (
            "content/incidents/b.md",
            &incident("related = [\"zz\"]\n", "[c](c.md)\n"),
        ),
    ]);
    let o = gen_cmd(["check"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    let heads: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("warning"))
        .collect();
    assert_eq!(
        heads,
        [
            "error[missing-field]: content/incidents/a.md:1:1: missing required field `title` in the front matter",
            "error[unknown-field]: content/incidents/a.md:2:1: unknown field `titel`",
            "warning[no-countermeasures]: content/incidents/b.md:1:1: this incident lists no countermeasures",
            "warning[final-without-resolved]: content/incidents/b.md:1:1: the incident is final but has no `resolved` time",
            "error[unknown-incident]: content/incidents/b.md:6:12: `related` names \"zz\", but there is no such incident",
            "error[broken-link]: content/incidents/b.md:9:1: the link \"c.md\" leads to the incident \"c\", but there is no content/incidents/c.md",
            "error: 4 errors and 2 warnings found; nothing was written",
        ],
        "{err}"
    );
    // JSON lists the same, errors and warnings.
    let o = gen_cmd(["check", "--format", "json"])
        .root(dir.path())
        .run();
    assert_eq!(o.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 6);
}

#[test]
fn a_link_to_a_draft_is_a_warning_and_fine_with_drafts() {
    let dir = site(&[
        ("content/incidents/a.md", &incident(QUIET, "[b](b.md)\n")),
        (
            "content/incidents/b.md",
            &incident(&format!("status = \"draft\"\n{QUIET}"), "Draft.\n"),
        ),
    ]);
    let o = gen_cmd(["build"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert_eq!(
        o.stderr(),
        "\
warning: 1 warning
warning[link-to-draft]: content/incidents/a.md:13:1: the link \"b.md\" leads to the incident \"b\", a draft this build leaves out: the published link would lead nowhere
   |
13 | [b](b.md)
   | ^^^^^^^^^
  = help: publish the draft (status = \"preliminary\" or \"final\"), or remove the link until it is

"
    );
    let o = gen_cmd(["check", "--drafts"]).root(dir.path()).run();
    assert_eq!(
        o.stdout(),
        "ok: 2 incidents, 0 meetings, no errors, 0 warnings\n"
    );
}

/// Seven incidents with a warning each: no countermeasures.
fn seven_warnings() -> tempfile::TempDir {
    let files: Vec<(String, String)> = (1..=7)
        .map(|n| {
            (
                format!("content/incidents/i{n}.md"),
                incident("resolved = 2024-01-15T12:50:00+09:00\n", "Body.\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    site(&refs)
}

#[test]
fn build_prints_its_first_five_warnings_and_counts_the_rest() {
    let dir = seven_warnings();
    let o = gen_cmd(["build"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    let err = o.stderr();
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| {
            !l.starts_with(' ') && !l.is_empty() && !l.chars().next().unwrap().is_ascii_digit()
        })
        .collect();
    assert_eq!(
        lines,
        [
            "warning: 7 warnings",
            "warning[no-countermeasures]: content/incidents/i1.md:1:1: this incident lists no countermeasures",
            "warning[no-countermeasures]: content/incidents/i2.md:1:1: this incident lists no countermeasures",
            "warning[no-countermeasures]: content/incidents/i3.md:1:1: this incident lists no countermeasures",
            "warning[no-countermeasures]: content/incidents/i4.md:1:1: this incident lists no countermeasures",
            "warning[no-countermeasures]: content/incidents/i5.md:1:1: this incident lists no countermeasures",
            "… and 2 more; run `gen check` for all",
        ],
        "{err}"
    );
    assert!(o.stdout().starts_with("built "), "{}", o.stdout());
    assert!(dir.path().join("output/incidents/i7/index.html").is_file());
}

#[test]
fn deny_warnings_fails_and_leaves_the_previous_output() {
    let dir = seven_warnings();
    fs::create_dir_all(dir.path().join("output")).unwrap();
    assert!(gen_cmd(["build"]).root(dir.path()).run().success());
    let before = read(&dir.path().join("output/incidents/i1/index.html"));
    write(
        dir.path(),
        "content/incidents/i1.md",
        incident("resolved = 2024-01-15T12:50:00+09:00\n", "Edited.\n"),
    );
    let o = gen_cmd(["build", "--deny-warnings"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    assert!(
        o.stderr()
            .ends_with("error: 7 warnings and --deny-warnings is set; nothing was written\n"),
        "{}",
        o.stderr()
    );
    assert_eq!(o.stdout(), "");
    assert_eq!(
        read(&dir.path().join("output/incidents/i1/index.html")),
        before
    );
    let o = gen_cmd(["check", "--deny-warnings"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    assert_eq!(o.stderr().matches("warning[no-countermeasures]").count(), 7);
    assert!(o
        .stderr()
        .ends_with("error: 7 warnings and --deny-warnings is set; nothing was written\n"));
    let o = gen_cmd(["check", "--deny-warnings", "--format", "json"])
        .root(dir.path())
        .run();
    assert_eq!(o.code(), Some(1));
    // Without warnings, --deny-warnings builds.
    let quiet = site(&[("content/incidents/a.md", &incident(QUIET, "Body.\n"))]);
    let o = gen_cmd(["build", "--deny-warnings"])
        .root(quiet.path())
        .run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
}

#[test]
fn the_as_of_date_is_today_else_source_date_epoch_in_the_site_timezone() {
    let measure = "resolved = 2024-01-15T12:50:00+09:00\n\n[[countermeasures]]\naction = \"x\"\ndue = \"2024-03\"\n";
    let text = incident(measure, "Body.\n");
    let jst = site(&[("content/incidents/a.md", &text)]);
    let utc = site_with_config(
        "title = \"T\"\ntimezone = \"+00:00\"\n",
        &[("content/incidents/a.md", &text)],
    );
    // 2024-03-31T15:00:00Z: already April 1 in Japan, still March 31 in UTC.
    let epoch = "1711897200";
    let overdue = "a countermeasure was due 2024-03 and is not done (today is 2024-04-01)";
    let o = gen_cmd(["build"])
        .root(jst.path())
        .env("SOURCE_DATE_EPOCH", epoch)
        .run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert!(o.stderr().contains(overdue), "{}", o.stderr());
    let o = gen_cmd(["build"])
        .root(utc.path())
        .env("SOURCE_DATE_EPOCH", epoch)
        .run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert!(
        !o.stderr().contains("countermeasure-overdue"),
        "{}",
        o.stderr()
    );
    // --today wins over SOURCE_DATE_EPOCH, in build and check alike.
    for cmd in ["build", "check"] {
        let o = gen_cmd([cmd, "--today", "2024-04-01"])
            .root(utc.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .run();
        assert!(o.stderr().contains(overdue), "{cmd}: {}", o.stderr());
        let o = gen_cmd([cmd, "--today", "2024-03-31"])
            .root(jst.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .run();
        assert!(
            !o.stderr().contains("countermeasure-overdue"),
            "{cmd}: {}",
            o.stderr()
        );
    }
    let o = gen_cmd(["build"])
        .root(jst.path())
        .env("SOURCE_DATE_EPOCH", "soon")
        .run();
    assert_eq!(o.code(), Some(2));
    assert_eq!(
        o.stderr(),
        "error: SOURCE_DATE_EPOCH is not a number of seconds since 1970-01-01: \"soon\"\n  help: set it to a whole number such as 1704067200, unset it, or pass --today YYYY-MM-DD\n"
    );
}

#[test]
fn raw_html_links_are_checked_and_made_page_addresses_like_markdown_links() {
    let good = "<p><a href=\"a.md\">a</a> <a href='../a/'>its page</a> <img src=\"../a/diagram.png\" alt=\"図\"></p>\n";
    let dir = site(&[
        ("content/incidents/a/index.md", &incident(QUIET, "A.\n")),
        ("content/incidents/a/diagram.png", "png"),
        ("content/incidents/b.md", &incident(QUIET, good)),
    ]);
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    let page = read(&dir.path().join("output/incidents/b/index.html"));
    assert!(
        page.contains("<p><a href=\"../../incidents/a/index.html\">a</a> <a href=\"../a/\">its page</a> <img src=\"../a/diagram.png\" alt=\"図\"></p>"),
        "{page}"
    );
    // Read as a browser reads them: upper case, no quotes, character references.
    let bad = "<a HREF=&#46;&#46;/2099-nope/>x</a>\n\n<div><img\n  src=\"nope.png\"></div>\n\n<a href=a.md>a</a>\n";
    write(dir.path(), "content/incidents/b.md", incident(QUIET, bad));
    let o = gen_cmd(["check"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    let stderr = o.stderr();
    let heads: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(
        heads,
        [
            "error[broken-link]: content/incidents/b.md:13:1: the link \"../2099-nope/\" leads to the incident \"2099-nope\", but there is no content/incidents/2099-nope.md",
            "error[missing-file]: content/incidents/b.md:16:1: the image \"nope.png\" leads to incidents/b/nope.png, which the site does not have",
            "error[broken-link]: content/incidents/b.md:18:1: the raw HTML link \"a.md\" names a document by its file, written so that gen cannot give it the page's address",
            "error: 3 errors found; nothing was written",
        ],
        "{stderr}"
    );
    assert!(
        stderr.contains("  = help: write the address in double quotes, exactly as href=\"a.md\", or use a markdown link [text](a.md)\n"),
        "{stderr}"
    );
}
