//! Fiscal years (`year_start`, 年度) and Japanese era dates (`date_style = "wareki"`): the
//! pages, reports and packets a reader sees, and the config errors a writer gets.

use std::path::{Path, PathBuf};

mod common;
use common::{gen_cmd, read, shipped, site_with_config, tree, write, CONFIG};

fn build(dir: &Path) -> PathBuf {
    let out = gen_cmd(["build"]).root(dir).env("NO_COLOR", "1").run();
    assert!(out.success(), "build failed:\n{}", out.stderr());
    dir.join("output")
}

fn page(out: &Path, rel: &str) -> String {
    read(&out.join(rel))
}

/// An incident titled `title` that started at `started` (a TOML datetime).
fn incident(title: &str, started: &str) -> String {
    incident_with(title, started, "")
}

/// Like [`incident`], with more front matter (`extra`) at its end.
fn incident_with(title: &str, started: &str, extra: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\noperators = [\"Op\"]\nstarted = {started}\ncauses = [\"human-error\"]\n{extra}+++\n\nBody.\n"
    )
}

/// The last hour of 2016年度 and the first of 2017年度, in JST; the third is written in
/// UTC, where it is still March 31, but the site's timezone puts it in April.
fn fiscal_site(config: &str) -> tempfile::TempDir {
    site_with_config(
        config,
        &[
            (
                "content/incidents/march.md",
                &incident("年度末の事故", "2017-03-31T23:00:00+09:00"),
            ),
            (
                "content/incidents/april.md",
                &incident("年度初めの事故", "2017-04-01T00:00:00+09:00"),
            ),
            (
                "content/incidents/utc.md",
                &incident("協定世界時で書いた事故", "2017-03-31T15:30:00Z"),
            ),
        ],
    )
}

#[test]
fn year_start_4_files_incidents_under_their_fiscal_year() {
    let dir = fiscal_site(&format!("{CONFIG}year_start = 4\n"));
    let out = build(dir.path());
    let y2016 = page(&out, "years/2016/index.html");
    let y2017 = page(&out, "years/2017/index.html");
    assert!(y2016.contains("年度末の事故"), "{y2016}");
    assert!(!y2016.contains("年度初めの事故"), "{y2016}");
    assert!(!y2016.contains("協定世界時で書いた事故"), "{y2016}");
    assert!(y2017.contains("年度初めの事故"), "{y2017}");
    assert!(y2017.contains("協定世界時で書いた事故"), "{y2017}");
    assert!(!y2017.contains("年度末の事故"), "{y2017}");

    assert!(y2016.contains("<h1>2016年度</h1>\n<p class=\"period\">2016年4月〜2017年3月</p>"));
    assert!(y2016.contains("<title>2016年度 | T</title>"), "{y2016}");
    let index = page(&out, "years/index.html");
    assert!(index.contains("<h1>年度別</h1>"), "{index}");
    assert!(index.contains("<th scope=\"col\">年度</th>"), "{index}");
    assert!(
        index.contains("<a href=\"../years/2017/index.html\">2017年度</a>"),
        "{index}"
    );
    assert!(
        index.contains("<a href=\"../years/2016/index.html\">2016年度</a>"),
        "{index}"
    );
    assert!(!out.join("years/2015").exists());
    assert!(!out.join("reports/2015").exists());
    // The breadcrumb of an incident names its fiscal year.
    let march = page(&out, "incidents/march/index.html");
    assert!(
        march.contains("<a href=\"../../years/2016/index.html\">2016年度</a></p>"),
        "{march}"
    );
}

#[test]
fn a_fiscal_annual_report_is_headed_by_its_year_and_states_its_months() {
    let dir = fiscal_site(&format!("{CONFIG}year_start = 4\n"));
    let out = build(dir.path());
    let report = page(&out, "reports/2016/index.html");
    assert!(
        report.contains("<h1>2016年度 年次報告</h1>\n<p class=\"period\">2016年4月〜2017年3月</p>"),
        "{report}"
    );
    // The months chart runs from April to March: the one incident is in the last bar.
    assert!(
        report.contains("<desc id=\"chart-months-desc\">4月: 0, 5月: 0, 6月: 0, 7月: 0, 8月: 0, 9月: 0, 10月: 0, 11月: 0, 12月: 0, 1月: 0, 2月: 0, 3月: 1</desc>"),
        "{report}"
    );
    let report = page(&out, "reports/2017/index.html");
    assert!(report.contains("<h1>2017年度 年次報告</h1>"), "{report}");
    assert!(
        report.contains("<desc id=\"chart-months-desc\">4月: 2, 5月: 0"),
        "{report}"
    );
    let reports = page(&out, "reports/index.html");
    assert!(reports.contains("年度ごとの事故の集計。"), "{reports}");
}

#[test]
fn fiscal_years_in_english_read_fy() {
    let config = "title = \"T\"\nlanguage = \"en\"\ntimezone = \"+09:00\"\nyear_start = 4\n";
    let dir = fiscal_site(config);
    let out = build(dir.path());
    let year = page(&out, "years/2016/index.html");
    assert!(
        year.contains("<h1>FY2016</h1>\n<p class=\"period\">Apr 2016 – Mar 2017</p>"),
        "{year}"
    );
    let report = page(&out, "reports/2016/index.html");
    assert!(
        report
            .contains("<h1>Annual report FY2016</h1>\n<p class=\"period\">Apr 2016 – Mar 2017</p>"),
        "{report}"
    );
    let index = page(&out, "years/index.html");
    assert!(index.contains("<h1>By fiscal year</h1>"), "{index}");
}

#[test]
fn a_fiscal_year_may_start_in_any_month() {
    let dir = fiscal_site(&format!("{CONFIG}year_start = 10\n"));
    let out = build(dir.path());
    // October 2016 – September 2017 holds all three.
    let year = page(&out, "years/2016/index.html");
    assert!(
        year.contains("<p class=\"period\">2016年10月〜2017年9月</p>"),
        "{year}"
    );
    assert!(year.contains("年度末の事故") && year.contains("年度初めの事故"));
    assert!(!out.join("years/2017").exists());
}

#[test]
fn without_year_start_years_are_calendar_years() {
    let dir = fiscal_site(CONFIG);
    let out = build(dir.path());
    let year = page(&out, "years/2017/index.html");
    assert!(
        year.contains("<h1>2017年</h1>\n<p class=\"doc-links\">"),
        "{year}"
    );
    assert!(!year.contains("class=\"period\""), "{year}");
    assert!(year.contains("年度末の事故") && year.contains("年度初めの事故"));
    assert!(!out.join("years/2016").exists());
    let report = page(&out, "reports/2017/index.html");
    assert!(report.contains("<h1>2017年 年次報告</h1>\n<dl"), "{report}");
    assert!(
        report.contains("<desc id=\"chart-months-desc\">1月: 0, 2月: 0, 3月: 1, 4月: 2,"),
        "{report}"
    );
}

/// The defaults written out build the same bytes as a config without them.
#[test]
fn the_defaults_written_out_change_nothing() {
    let plain = shipped();
    let explicit = shipped();
    let config = read(&explicit.path().join("config.toml"));
    write(
        explicit.path(),
        "config.toml",
        format!("{config}year_start = 1\ndate_style = \"western\"\nincident_reports = false\n"),
    );
    let a = tree(&build(plain.path()));
    let b = tree(&build(explicit.path()));
    assert!(a == b, "the explicit defaults changed the output");
    let jcom = page(
        &plain.path().join("output"),
        "incidents/2017-07-03-jcom/index.html",
    );
    assert!(jcom.contains("2017年7月3日 11:50"), "{jcom}");
}

#[test]
fn wareki_dates_on_the_shipped_site_pages_reports_and_packets() {
    let dir = shipped();
    let config = read(&dir.path().join("config.toml"));
    write(
        dir.path(),
        "config.toml",
        format!("{config}date_style = \"wareki\"\nincident_reports = true\n"),
    );
    let out = build(dir.path());
    let jcom = page(&out, "incidents/2017-07-03-jcom/index.html");
    assert!(
        jcom.contains("<time datetime=\"2017-07-03T11:50+09:00\">平成29年7月3日 11:50</time>"),
        "{jcom}"
    );
    assert!(!jcom.contains(">2017年7月3日"), "{jcom}");
    // The breadcrumb's year is an era year too.
    assert!(
        jcom.contains("<a href=\"../../years/2017/index.html\">平成29年</a></p>"),
        "{jcom}"
    );
    let report = page(&out, "incidents/2017-07-03-jcom/report.html");
    assert!(report.contains("平成29年7月3日 11:50"), "{report}");
    let packet = page(&out, "meetings/2017-10-13-meeting-4/packet/index.html");
    assert!(
        packet.contains("<dd>平成29年10月13日 16:55–19:16</dd>"),
        "{packet}"
    );
    let annual = page(&out, "reports/2023/index.html");
    assert!(annual.contains("<h1>令和5年 年次報告</h1>"), "{annual}");
    assert!(annual.contains("令和5年10月31日 02:24"), "{annual}");
    let years = page(&out, "years/index.html");
    assert!(
        years.contains("<a href=\"../years/2016/index.html\">平成28年</a>"),
        "{years}"
    );
}

fn era_site(config: &str) -> tempfile::TempDir {
    let reiwa = incident_with(
        "令和最初の事故",
        "2019-05-01T09:00:00+09:00",
        "[[countermeasures]]\naction = \"点検\"\ndue = \"2024-03\"\n",
    );
    site_with_config(
        config,
        &[
            ("content/incidents/reiwa.md", &reiwa),
            (
                "content/incidents/heisei.md",
                &incident("平成最後の事故", "2019-04-30T23:59:00+09:00"),
            ),
        ],
    )
}

#[test]
fn wareki_turns_to_reiwa_on_1_may_2019() {
    let dir = era_site(&format!("{CONFIG}date_style = \"wareki\"\n"));
    let out = build(dir.path());
    let list = page(&out, "incidents/index.html");
    assert!(
        list.contains("<time datetime=\"2019-05-01T09:00+09:00\">令和元年5月1日 09:00</time>"),
        "{list}"
    );
    assert!(
        list.contains("<time datetime=\"2019-04-30T23:59+09:00\">平成31年4月30日 23:59</time>"),
        "{list}"
    );
    let reiwa = page(&out, "incidents/reiwa/index.html");
    // A date known to the month.
    assert!(
        reiwa.contains("<td class=\"date\">令和6年3月</td>"),
        "{reiwa}"
    );
    // 2019 holds both eras; its label takes the era of its last day.
    let year = page(&out, "years/2019/index.html");
    assert!(year.contains("<h1>令和元年</h1>"), "{year}");
}

#[test]
fn wareki_fiscal_years_read_nendo_in_the_era() {
    let dir = era_site(&format!(
        "{CONFIG}year_start = 4\ndate_style = \"wareki\"\n"
    ));
    let out = build(dir.path());
    let year = page(&out, "years/2019/index.html");
    assert!(
        year.contains("<h1>令和元年度</h1>\n<p class=\"period\">平成31年4月〜令和2年3月</p>"),
        "{year}"
    );
    let report = page(&out, "reports/2019/index.html");
    assert!(report.contains("<h1>令和元年度 年次報告</h1>"), "{report}");
}

#[test]
fn english_pages_ignore_wareki() {
    let config =
        "title = \"T\"\nlanguage = \"en\"\ntimezone = \"+09:00\"\ndate_style = \"wareki\"\n";
    let dir = era_site(config);
    let out = build(dir.path());
    let list = page(&out, "incidents/index.html");
    assert!(list.contains(">1 May 2019 09:00</time>"), "{list}");
    assert!(
        !list.contains("令和元年") && !list.contains("平成31年"),
        "{list}"
    );
}

/// `gen check`'s report on a config, colours off.
fn check(config: &str) -> (Option<i32>, String) {
    let dir = site_with_config(config, &[]);
    let out = gen_cmd(["check"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    (out.code(), out.stderr())
}

#[test]
fn a_year_start_outside_1_to_12_is_a_located_error() {
    for (value, found) in [("13", "13"), ("0", "0"), ("-4", "-4")] {
        let (code, err) = check(&format!("{CONFIG}year_start = {value}\n"));
        assert_eq!(code, Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "error[invalid-value]: config.toml:4:14: `year_start` must be a month from 1 to 12, found {found}\n"
            )),
            "{err}"
        );
        assert!(
            err.contains(
                "help: write the month the year starts in, e.g. year_start = 4 for April (年度)"
            ),
            "{err}"
        );
    }
    let (code, err) = check(&format!("{CONFIG}year_start = \"4\"\n"));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("error[wrong-type]: config.toml:4:14: `year_start` must be a month number from 1 to 12, found a string\n"),
        "{err}"
    );
    assert!(err.contains("help: write it like: year_start = 4"), "{err}");
}

#[test]
fn an_unknown_date_style_is_a_located_error_with_the_choices() {
    let (code, err) = check(&format!("{CONFIG}date_style = \"wareky\"\n"));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("error[invalid-value]: config.toml:4:14: `date_style` has an unknown value \"wareky\"\n"),
        "{err}"
    );
    assert!(
        err.contains("help: did you mean \"wareki\"? expected one of: \"western\", \"wareki\""),
        "{err}"
    );
}
