//! Meeting packets in the ministry's shape (会議資料): a cover with the 年度 title, date,
//! time, place, issuer, 出席者, 議事次第 and 配布資料一覧; a 資料番号 on each handout; the
//! agenda and minutes stages; and the meeting page without an empty 議事要旨 heading.

use std::path::Path;

use gen::render::documents::{packet_html, Stage};
use gen::BuildOptions;

mod common;
use common::{gen_cmd, read, shipped, site_with_config, CONFIG, HEAD};

const JCOM: &str = "meetings/2017-10-13-meeting-4";

fn built(dir: &Path, rel: &str) -> String {
    read(&dir.join("output").join(rel))
}

/// The text between `from` and the next `to` after it.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} missing in:\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// The packet of the shipped meeting `id` at `stage`, as `gen pdf` prints it.
fn packet_at(dir: &Path, id: &str, stage: Stage) -> String {
    let (_, site, theme) = gen::build_site(&BuildOptions::new(dir)).unwrap();
    let n = site.meeting_index(id).unwrap();
    packet_html(&site, &theme, n, stage, None, None).unwrap()
}

#[test]
fn the_site_packet_has_the_order_of_business_handouts_and_numbered_handouts() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = built(dir.path(), &format!("{JCOM}/packet/index.html"));
    let cover = between(&html, "<section class=\"cover\">", "</section>");
    assert!(
        cover.contains("<h1>2017年度 電気通信事故検証会議（第4回）</h1>"),
        "{cover}"
    );
    assert!(
        cover.contains("<dt>日時</dt><dd>2017年10月13日 16:55–19:16</dd>"),
        "{cover}"
    );
    assert!(
        cover.contains("<dt>場所</dt><dd>総務省 10階 共用会議室1</dd>"),
        "{cover}"
    );
    let order = between(cover, "<h2>議事次第</h2>", "</ol>");
    let items: Vec<&str> = order
        .split("<li>")
        .skip(1)
        .map(|l| l.split("</li>").next().unwrap())
        .collect();
    assert_eq!(
        items,
        [
            "<span class=\"order-time\">16:55</span> 開会",
            "株式会社ジュピターテレコム及び株式会社ジェイコムウェストから2017年7月に発生した重大な事故について（資料4-1）",
            "その他",
            "<span class=\"order-time\">19:16</span> 閉会",
        ]
    );
    let handouts = between(cover, "<h2>配布資料一覧</h2>", "</ul>");
    assert!(
        handouts.contains("<li><a href=\"#incident-2017-07-03-jcom\"><span class=\"handout-ref\">資料4-1</span> DNSサーバへの応答破棄によるウェブサイト接続障害</a></li>"),
        "{handouts}"
    );
    // No issuer in the shipped config: no line for it.
    assert!(!cover.contains("class=\"issuer\""), "{cover}");
    // The first handout opens with its number, before its title.
    let section = between(&html, "<section class=\"doc-section\">", "</h1>");
    assert!(
        section.starts_with("<section class=\"doc-section\">\n<p class=\"handout-no\">資料4-1</p>"),
        "{section}"
    );
    assert!(section.contains("id=\"incident-2017-07-03-jcom\""));
    // The contents name the handouts by number.
    assert!(html.contains(
        "<a href=\"#incident-2017-07-03-jcom\">資料4-1 DNSサーバへの応答破棄によるウェブサイト接続障害</a>"
    ));
    // The meeting has minutes: the site's packet is the minutes stage.
    assert!(html.contains("<section class=\"minutes\" id=\"minutes\">\n<h1>議事要旨</h1>"));
    assert!(html.contains("<a href=\"#minutes\">議事要旨</a>"));
}

#[test]
fn the_agenda_stage_binds_no_minutes_and_the_minutes_stage_does() {
    let dir = shipped();
    let agenda = packet_at(dir.path(), "2017-10-13-meeting-4", Stage::Agenda);
    // (The report itself quotes 「第4回議事要旨」 in its text.)
    assert!(!agenda.contains("<h1>議事要旨</h1>"), "{agenda}");
    assert!(!agenda.contains(">議事要旨</a>"));
    assert!(!agenda.contains("議事模様"));
    assert!(!agenda.contains("id=\"minutes\""));
    assert!(agenda.contains("<h2>議事次第</h2>") && agenda.contains("<h2>配布資料一覧</h2>"));
    assert!(agenda.contains("<p class=\"handout-no\">資料4-1</p>"));
    let minutes = packet_at(dir.path(), "2017-10-13-meeting-4", Stage::Minutes);
    assert!(minutes.contains("<h1>議事要旨</h1>"));
    assert!(minutes.contains("議事模様"));
}

#[test]
fn members_and_secretariat_are_listed_apart_on_the_page_and_the_cover() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let expected = "<dt>出席者</dt><dd class=\"attendees\"><p><span class=\"group\">構成員</span>：相田座長、内田座長代理、加藤構成員、黒坂構成員、妙中構成員、長谷川構成員、堀越構成員、森井構成員</p><p><span class=\"group\">事務局</span>：木村 電気通信事業部長、大塚 安全・信頼性対策課長、竹淵 安全・信頼性対策課課長補佐</p>\n</dd>";
    let page = built(dir.path(), "meetings/2023-12-20-meeting-8/index.html");
    assert!(page.contains(expected), "{page}");
    let packet = built(
        dir.path(),
        "meetings/2023-12-20-meeting-8/packet/index.html",
    );
    let cover = between(&packet, "<section class=\"cover\">", "</section>");
    assert!(cover.contains(expected), "{cover}");
    assert!(
        cover.contains("（資料8-1）") && cover.contains("（資料8-2）"),
        "{cover}"
    );
    // Before the meeting nobody has attended yet.
    let agenda = packet_at(dir.path(), "2023-12-20-meeting-8", Stage::Agenda);
    assert!(!agenda.contains("出席者"));
}

fn meeting(front: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"検証会議（第2回）\"\ndate = 2018-02-20T10:00:00+09:00\nincidents = [\"a\", \"b\"]\n{front}+++\n{body}"
    )
}

#[test]
fn the_cover_title_takes_the_fiscal_year_in_the_era_and_the_issuer() {
    let config = format!("{CONFIG}date_style = \"wareki\"\nissuer = \"総務省 総合通信基盤局\"\n");
    let dir = site_with_config(
        &config,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            ("content/meetings/m.md", &meeting("", "")),
        ],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = built(dir.path(), "meetings/m/packet/index.html");
    // February 2018 is in 平成29年度, though the site's own year pages are calendar
    // years (no year_start).
    assert!(
        html.contains("<h1>平成29年度 検証会議（第2回）</h1>"),
        "{html}"
    );
    assert!(
        html.contains("<dt>日時</dt><dd>平成30年2月20日 10:00</dd>"),
        "{html}"
    );
    assert!(html.contains("<p class=\"issuer\">総務省 総合通信基盤局</p>"));
    assert!(html.contains("Opから令和6年1月に発生した重大な事故について（資料2-1）"));
    assert!(html.contains("<p class=\"handout-no\">資料2-2</p>"));
    // No minutes written yet: the site's packet is the agenda stage, and so is its page.
    assert!(!html.contains("議事要旨"), "{html}");
    let page = built(dir.path(), "meetings/m/index.html");
    assert!(
        !page.contains("議事要旨") && !page.contains("class=\"prose\""),
        "{page}"
    );
}

#[test]
fn a_body_of_headings_alone_is_no_minutes() {
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            ("content/meetings/m.md", &meeting("", "\n## 議事\n\n")),
            (
                "content/meetings/n.md",
                &meeting("", "\n## 議事\n\n承認された。\n"),
            ),
        ],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let m = built(dir.path(), "meetings/m/packet/index.html");
    assert!(!m.contains("id=\"minutes\""), "{m}");
    let n = built(dir.path(), "meetings/n/packet/index.html");
    assert!(n.contains("<h1>議事要旨</h1>\n<div class=\"prose\"><h2 id=\"議事\">議事</h2>\n<p>承認された。</p>"), "{n}");
}

#[test]
fn a_title_that_states_its_year_is_kept_and_numbering_is_configurable() {
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            (
                "content/meetings/m.md",
                &meeting("handout_prefix = \"参考資料\"\n", "")
                    .replace("検証会議（第2回）", "平成29年度 検証会議（第2回）"),
            ),
            (
                "content/meetings/n.md",
                &meeting("number = 7\n", "").replace("（第2回）", ""),
            ),
        ],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let m = built(dir.path(), "meetings/m/packet/index.html");
    assert!(m.contains("<h1>平成29年度 検証会議（第2回）</h1>"), "{m}");
    assert!(m.contains("<p class=\"handout-no\">参考資料1</p>"));
    assert!(m.contains("<p class=\"handout-no\">参考資料2</p>"));
    let n = built(dir.path(), "meetings/n/packet/index.html");
    assert!(n.contains("<h1>2017年度 検証会議</h1>"), "{n}");
    assert!(n.contains("<p class=\"handout-no\">資料7-1</p>"), "{n}");
    assert!(n.contains("<p class=\"handout-no\">資料7-2</p>"));
}

#[test]
fn a_meeting_without_a_number_numbers_its_handouts_alone() {
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            (
                "content/meetings/m.md",
                &meeting("", "").replace("（第2回）", ""),
            ),
        ],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let m = built(dir.path(), "meetings/m/packet/index.html");
    assert!(m.contains("<p class=\"handout-no\">資料1</p>"), "{m}");
    assert!(m.contains("<p class=\"handout-no\">資料2</p>"), "{m}");
}

#[test]
fn an_approximate_number_is_an_error() {
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            ("content/meetings/m.md", &meeting("number = \"約4\"\n", "")),
        ],
    );
    let o = gen_cmd(["check"]).root(dir.path()).run();
    assert!(!o.success());
    assert!(
        o.stderr().contains("content/meetings/m.md:5:10")
            && o.stderr().contains("`number` is approximate"),
        "{}",
        o.stderr()
    );
}

#[test]
fn the_meeting_page_has_no_empty_minutes_heading() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = built(dir.path(), &format!("{JCOM}/index.html"));
    // The body opens with its own 議事模様: no 議事要旨 heading above it.
    assert!(!page.contains("<h2 id=\"minutes\">"), "{page}");
    assert!(!page.contains(">議事要旨</h2>"));
    assert!(page.contains("<div class=\"prose\" id=\"minutes\"><h2 id=\"議事模様\">議事模様</h2>"));

    // A body that starts with text gets the heading.
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            ("content/meetings/m.md", &meeting("", "\n承認された。\n")),
        ],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = built(dir.path(), "meetings/m/index.html");
    assert!(
        page.contains("<h2 id=\"minutes\">議事要旨</h2>\n<div class=\"prose\" id=\"minutes-text\"><p>承認された。</p>"),
        "{page}"
    );
}

#[test]
fn gen_pdf_stage_agenda_prints_no_minutes() {
    let dir = shipped();
    let out = dir.path().join("pdfs");
    let o = gen_cmd([
        "pdf",
        "--meeting",
        "2017-10-13-meeting-4",
        "--stage",
        "agenda",
        "--output",
        out.to_str().unwrap(),
    ])
    .root(dir.path())
    .run();
    assert!(o.success(), "{}", o.stderr());
    let pdf = out.join("meeting-2017-10-13-meeting-4.pdf");
    let text = |first: &str, last: &str| {
        let o = std::process::Command::new("pdftotext")
            .args(["-layout", "-f", first, "-l", last])
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext is needed for this test (apt-get install poppler-utils)");
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap()
    };
    let cover = text("1", "1");
    for needle in [
        "議事次第",
        "配布資料一覧",
        "資料4-1",
        "16:55",
        "開会",
        "閉会",
    ] {
        assert!(
            cover.contains(needle),
            "{needle} not on the cover:\n{cover}"
        );
    }
    let all = text("1", "999");
    // No minutes section, nor its line in the contents (the report's own text quotes
    // 「第4回議事要旨」).
    assert!(
        !all.lines().any(|l| l.trim().starts_with("議事要旨")),
        "{all}"
    );
    assert!(!all.contains("議事模様"));
    // The handout's first page carries its number.
    let contents = text("2", "2");
    let line = contents
        .lines()
        .find(|l| l.contains("DNSサーバへの応答破棄"))
        .unwrap_or_else(|| panic!("contents:\n{contents}"));
    let start = line.split_whitespace().last().unwrap();
    let first = text(start, start);
    assert!(
        first.contains("資料4-1") && first.contains("事故の概要"),
        "{first}"
    );
}

#[test]
fn an_explicit_order_of_business_is_shown_as_written() {
    let order = "\n[[order]]\ntime = 2018-02-20T10:00:00+09:00\nitem = \"開会\"\n\n[[order]]\ntime = 2018-02-20T10:05:00\nitem = \"B社の事故について\"\nincident = \"b\"\n\n[[order]]\nitem = \"A社の事故について\"\nincident = \"a\"\n\n[[order]]\nitem = \"閉会\"\n";
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            ("content/meetings/m.md", &meeting(order, "")),
        ],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = built(dir.path(), "meetings/m/packet/index.html");
    let order = between(&html, "<h2>議事次第</h2>", "</ol>");
    let items: Vec<&str> = order
        .split("<li>")
        .skip(1)
        .map(|l| l.split("</li>").next().unwrap())
        .collect();
    assert_eq!(
        items,
        [
            "<span class=\"order-time\">10:00</span> 開会",
            "<span class=\"order-time\">10:05</span> B社の事故について（資料2-2）",
            "A社の事故について（資料2-1）",
            "閉会",
        ]
    );
}

#[test]
fn an_order_item_names_an_incident_of_the_meeting_and_says_what_it_is() {
    let order = "\n[[order]]\nitem = \"C社\"\nincident = \"c\"\n\n[[order]]\ntime = 2018-02-20T10:05:00+09:00\n";
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            ("content/meetings/m.md", &meeting(order, "")),
        ],
    );
    let o = gen_cmd(["check"]).root(dir.path()).run();
    assert!(!o.success());
    let err = o.stderr();
    for needle in [
        "content/meetings/m.md:8:12",
        "`incident` \"c\" is not on this meeting's `incidents`",
        "name one of a, b, or add it to `incidents`",
        "content/meetings/m.md:10:1",
        "missing required field `order[1].item` in `order[1]`",
    ] {
        assert!(err.contains(needle), "{needle} missing in:\n{err}");
    }
}

#[test]
fn an_english_packet_reads_in_english() {
    let config = CONFIG.replace("language = \"ja\"", "language = \"en\"");
    let dir = site_with_config(
        &config,
        &[
            ("content/incidents/a.md", HEAD),
            ("content/incidents/b.md", HEAD),
            (
                "content/meetings/m.md",
                &meeting(
                    "members = [\"相田座長\"]\nhandout_prefix = \"Handout 2-\"\n",
                    "\nApproved.\n",
                ),
            ),
        ],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = built(dir.path(), "meetings/m/packet/index.html");
    for needle in [
        "<h1>FY2017 検証会議（第2回）</h1>",
        "<dt>Time</dt><dd>20 Feb 2018 10:00</dd>",
        "<h2>Order of business</h2>",
        "<li><span class=\"order-time\">10:00</span> Opening</li>",
        "<li>The serious incident at Op in Jan 2024 (Handout 2-1)</li>",
        "<li>Other business</li>",
        "<li>Closing</li>",
        "<h2>Handouts</h2>",
        "<p class=\"handout-no\">Handout 2-2</p>",
        "<dt>Attendees</dt><dd class=\"attendees\"><p><span class=\"group\">Members</span>: 相田座長</p>",
        "<h1>Minutes</h1>",
    ] {
        assert!(html.contains(needle), "{needle} missing in:\n{html}");
    }
}
