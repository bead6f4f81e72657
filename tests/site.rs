//! Builds the shipped site and small fixture sites, and checks what readers see.

use std::fs;
use std::path::{Path, PathBuf};

use gen::BuildOptions;
use tempfile::TempDir;

mod common;
use common::{gen_cmd, read, shipped, site_with_config, text, tree, GEN};

fn build(dir: &Path) -> PathBuf {
    if let Err(e) = gen::build(&BuildOptions::new(dir)) {
        let detail = match &e {
            gen::Error::Content(diags) => diags.iter().map(|d| format!("{d}\n")).collect(),
            other => other.to_string(),
        };
        panic!("build failed: {detail}");
    }
    dir.join("output")
}

fn page(out: &Path, rel: &str) -> String {
    read(&out.join(rel))
}

#[test]
fn shipped_site_builds_every_page_type() {
    let dir = shipped();
    let out = build(dir.path());
    for rel in [
        "index.html",
        "404.html",
        "style.css",
        "incidents/index.html",
        "incidents/2017-07-03-jcom/index.html",
        "causes/index.html",
        "causes/vendor-bug/index.html",
        "years/index.html",
        "years/2017/index.html",
        "operators/index.html",
        "operators/株式会社ジュピターテレコム/index.html",
        "meetings/index.html",
        "meetings/2017-10-13-meeting-4/index.html",
    ] {
        assert!(out.join(rel).is_file(), "{rel} missing");
    }
    // Seven incidents, one page each.
    let incident_pages = fs::read_dir(out.join("incidents"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(incident_pages, 7);
}

#[test]
fn jcom_page_shows_the_official_figures() {
    let dir = shipped();
    let out = build(dir.path());
    let t = text(&page(&out, "incidents/2017-07-03-jcom/index.html"));
    assert!(t.contains("継続時間 23時間8分"), "{t}");
    assert!(t.contains("影響利用者数 52,792"), "{t}");
    assert!(t.contains("発生日時 2017年7月3日 11:50"), "{t}");
    assert!(t.contains("問合せ件数 1,573件 （2017年7月4日時点）"), "{t}");
    assert!(
        t.contains("事業者名 株式会社ジュピターテレコム 、 株式会社ジェイコムウェスト"),
        "{t}"
    );
    // The first web notice, 1h37m after the start.
    assert!(t.contains("+1時間37分"), "{t}");
    // Causes link to their pages; the meeting is linked.
    let html = page(&out, "incidents/2017-07-03-jcom/index.html");
    assert!(
        html.contains(r#"href="../../causes/human-error/index.html">人為ミス</a>"#),
        "{html}"
    );
    assert!(html.contains(
        r#"href="../../meetings/2017-10-13-meeting-4/index.html">電気通信事故検証会議（第4回）</a>"#
    ));
}

#[test]
fn docomo_and_catch_network_figures() {
    let dir = shipped();
    let out = build(dir.path());
    let t = text(&page(&out, "incidents/2023-10-31-docomo/index.html"));
    assert!(t.contains("継続時間 4時間26分"), "{t}");
    assert!(t.contains("影響利用者数 50,246"), "{t}");
    let t = text(&page(&out, "incidents/2023-11-09-catch-network/index.html"));
    // Two outages, each with its own official duration; users are approximate.
    assert!(t.contains("4時間49分") && t.contains("29分"), "{t}");
    assert!(t.contains("影響利用者数 約48,000"), "{t}");
    // 約 on the one channel the minutes mark, and so on the total.
    assert!(
        t.contains("問合せ件数 約539件 （電話 約370件、メール 137件、チャット 32件）"),
        "{t}"
    );
    assert!(t.contains("重大な事故 該当 四半期報告 対象"), "{t}");
    assert!(t.contains("詳細な報告の期限 2023年12月9日"), "{t}");
}

#[test]
fn cause_pages_list_their_incidents_with_their_role() {
    let dir = shipped();
    let out = build(dir.path());
    let t = text(&page(&out, "causes/vendor-bug/index.html"));
    assert!(t.contains("ニフティ株式会社"), "{t}");
    assert!(t.contains("株式会社キャッチネットワーク"), "{t}");
    assert!(t.contains("ベンダー製品の不具合"), "{t}");
    // 楽天: the unknown software defect is the primary cause (「メーカー及びベンダー未知
    // のもの」), the reconnection storm's overload a contributing one.
    let html = page(&out, "causes/vendor-bug/index.html");
    let rakuten = html
        .split("<tr>")
        .find(|r| r.contains("2017-04-07-rakuten"))
        .expect("楽天 row");
    assert!(rakuten.contains("role-primary"), "{rakuten}");
    let overload = page(&out, "causes/overload/index.html");
    let rakuten = overload
        .split("<tr>")
        .find(|r| r.contains("2017-04-07-rakuten"))
        .expect("楽天 row");
    assert!(rakuten.contains("role-contributing"), "{rakuten}");
    assert!(!page(&out, "causes/human-error/index.html").contains("2017-04-07-rakuten"));
    let nifty = html
        .split("<tr>")
        .find(|r| r.contains("2016-08-17-nifty"))
        .expect("ニフティ row");
    assert!(nifty.contains("role-primary"), "{nifty}");
    // The index counts every cause, including ones with no incidents.
    let t = text(&page(&out, "causes/index.html"));
    assert!(t.contains("サイバー攻撃"), "{t}");
}

#[test]
fn home_shows_key_figures_and_latest_first() {
    let dir = shipped();
    let out = build(dir.path());
    let t = text(&page(&out, "index.html"));
    assert!(t.contains("事故件数 7件"), "{t}");
    let docomo = t.find("株式会社NTTドコモ").unwrap();
    let nifty = t.find("ニフティ株式会社").unwrap();
    assert!(docomo < nifty, "newest first");
}

#[test]
fn year_and_operator_pages_have_stable_japanese_urls() {
    let dir = shipped();
    let out = build(dir.path());
    let t = text(&page(&out, "years/2017/index.html"));
    assert!(t.contains("事故件数 3件"), "{t}");
    let ops = page(&out, "operators/index.html");
    // Japanese names are kept in the path and in links, as they are.
    assert!(
        ops.contains("<a href=\"../operators/株式会社ジュピターテレコム/index.html\">"),
        "{ops}"
    );
    let t = text(&page(
        &out,
        "operators/株式会社ジュピターテレコム/index.html",
    ));
    assert!(t.contains("DNSサーバへの応答破棄"), "{t}");
}

/// Every relative href and src resolves to a file, and every `#fragment` to an id.
fn check_links(out: &Path) {
    let mut broken = Vec::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") || entry.file_name() == "404.html" {
            continue;
        }
        let html = fs::read_to_string(entry.path()).unwrap();
        for attr in ["href=\"", "src=\""] {
            for piece in html.split(attr).skip(1) {
                let target = &piece[..piece.find('"').unwrap()];
                if target.contains("://")
                    || target.starts_with("mailto:")
                    || target.starts_with("data:")
                {
                    continue;
                }
                let (file, frag) = target.split_once('#').unwrap_or((target, ""));
                let file = percent_encoding::percent_decode_str(file)
                    .decode_utf8()
                    .unwrap()
                    .replace("&amp;", "&");
                let dest = if file.is_empty() {
                    entry.path().to_path_buf()
                } else {
                    entry.path().parent().unwrap().join(&file)
                };
                if !dest.is_file() {
                    broken.push(format!("{}: {target}", entry.path().display()));
                    continue;
                }
                if !frag.is_empty() {
                    let frag = percent_encoding::percent_decode_str(frag)
                        .decode_utf8()
                        .unwrap()
                        .to_string();
                    let target_html = fs::read_to_string(&dest).unwrap();
                    if !target_html.contains(&format!("id=\"{frag}\"")) {
                        broken.push(format!("{}: #{frag}", entry.path().display()));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn links_resolve_on_disk_and_under_a_sub_path() {
    let dir = shipped();
    let out = build(dir.path());
    check_links(&out);
    // Links are relative and name index.html, so file:// works; the canonical URL uses base_url.
    let html = page(&out, "incidents/2017-07-03-jcom/index.html");
    assert!(html.contains(r#"<link rel="canonical" href="https://example.org/postmortems/incidents/2017-07-03-jcom/">"#), "{html}");
    assert!(!html.contains("href=\"/"), "no root-absolute links");
    let mut opts = BuildOptions::new(dir.path());
    opts.base_url = Some("https://example.com/a/b".into());
    gen::build(&opts).unwrap();
    let html = page(&out, "incidents/2017-07-03-jcom/index.html");
    assert!(html.contains(r#"href="https://example.com/a/b/incidents/2017-07-03-jcom/""#));
    check_links(&out);
}

#[test]
fn builds_are_byte_identical() {
    let dir = shipped();
    let out = build(dir.path());
    let first = tree(&out);
    build(dir.path());
    assert!(first == tree(&out), "second build differs");
}

/// A small site titled "Mini" in JST, with `config_extra` appended to its config.
fn mini_site(config_extra: &str, files: &[(&str, &str)]) -> TempDir {
    site_with_config(
        &format!("title = \"Mini\"\ntimezone = \"+09:00\"\n{config_extra}"),
        files,
    )
}

const MINI: &str = r#"+++
title = "Mail outage"
operators = ["Example Networks Inc."]
started = 2024-01-15T11:50:00
resolved = 2024-01-15T16:16:00
affected_users = 1234
causes = ["overload"]

[[notices]]
at = 2024-01-15T13:27:00
title = "First notice"
+++

## 原因と対策

Text with a footnote[^1] and ~~struck~~ text.

- [x] done task
- [ ] open task

| a | b |
|---|---|
| 1 | 2 |

```bash
systemctl restart dhcpd
```

See [the other one](b.md) and ![diagram](diagram.svg).

[^1]: The footnote.
"#;

/// [`MINI`] on its own: without the link to `b` and the image beside it, which only
/// `markdown_features_and_assets` provides (a broken link fails the build).
fn alone() -> String {
    MINI.replace(
        "See [the other one](b.md) and ![diagram](diagram.svg).\n",
        "",
    )
}

#[test]
fn english_ui_formats_figures_for_english() {
    let dir = mini_site(
        "language = \"en\"\n",
        &[("content/incidents/a.md", &alone())],
    );
    let out = build(dir.path());
    let t = text(&page(&out, "incidents/a/index.html"));
    assert!(t.contains("Duration 4h 26m"), "{t}");
    assert!(t.contains("Affected users 1,234"), "{t}");
    assert!(t.contains("Started 15 Jan 2024 11:50"), "{t}");
    assert!(t.contains("+1h 37m"), "{t}");
    assert!(page(&out, "index.html").starts_with("<!doctype html>\n<html lang=\"en\">"));
    // The scroll box of a markdown table is named in the site's language.
    assert!(page(&out, "incidents/a/index.html")
        .contains("role=\"group\" aria-label=\"Table (scrolls sideways)\"><table>"));
    let ja = mini_site("", &[("content/incidents/a.md", &alone())]);
    let out = build(ja.path());
    assert!(page(&out, "incidents/a/index.html")
        .contains("role=\"group\" aria-label=\"表（横にスクロールできます）\"><table>"));
}

#[test]
fn markdown_features_and_assets() {
    let b = MINI
        .replace("Mail outage", "Second")
        .replace("(b.md)", "(a/index.md#原因と対策)")
        .replace(" and ![diagram](diagram.svg)", "");
    let dir = mini_site(
        "",
        &[
            ("content/incidents/a/index.md", MINI),
            (
                "content/incidents/a/diagram.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            ),
            ("content/incidents/b.md", &b),
        ],
    );
    let out = build(dir.path());
    let html = page(&out, "incidents/a/index.html");
    assert!(
        html.contains("<h2 id=\"原因と対策\">原因と対策</h2>"),
        "{html}"
    );
    assert!(html.contains("<del>struck</del>"));
    assert!(html.contains("type=\"checkbox\""));
    assert!(html.contains("footnote-definition"));
    assert!(html.contains("<table>"));
    assert!(
        html.contains("<span class=\"hl"),
        "code is highlighted: {html}"
    );
    assert!(
        html.contains(r#"<a href="../../incidents/b/index.html">the other one</a>"#),
        "{html}"
    );
    assert!(
        out.join("incidents/a/diagram.svg").is_file(),
        "assets are copied beside the page"
    );
    let b = page(&out, "incidents/b/index.html");
    // pulldown-cmark percent-encodes the fragment; browsers decode it to the heading id.
    assert!(
        b.contains(
            r##"href="../../incidents/a/index.html#%E5%8E%9F%E5%9B%A0%E3%81%A8%E5%AF%BE%E7%AD%96""##
        ),
        "{b}"
    );
    assert!(
        page(&out, "style.css")
            .contains(".hl0{color:var(--hd1,#323232);background-color:var(--hd0,#ffffff)}"),
        "the stylesheet carries the highlighting classes, light colours as the fallbacks"
    );
    check_links(&out);
}

#[test]
fn drafts_are_left_out_unless_asked() {
    let draft = alone().replace(
        "causes = [\"overload\"]",
        "causes = [\"overload\"]\nstatus = \"draft\"",
    );
    let dir = mini_site(
        "",
        &[
            ("content/incidents/a.md", &alone()),
            ("content/incidents/secret.md", &draft),
        ],
    );
    let out = build(dir.path());
    assert!(!out.join("incidents/secret").exists());
    assert!(!page(&out, "index.html").contains("secret"));
    assert!(text(&page(&out, "index.html")).contains("1件"));
    let mut opts = BuildOptions::new(dir.path());
    opts.drafts = true;
    gen::build(&opts).unwrap();
    assert!(out.join("incidents/secret/index.html").is_file());
}

#[test]
fn a_theme_overrides_templates_one_by_one() {
    let dir = mini_site(
        "theme = \"mine\"\n",
        &[
            ("content/incidents/a.md", &alone()),
            (
                "themes/mine/templates/incident.html",
                "<p>custom {{ incident.row.title }} {{ incident.row.duration }}</p>",
            ),
        ],
    );
    let out = build(dir.path());
    assert_eq!(
        page(&out, "incidents/a/index.html"),
        "<p>custom Mail outage 4時間26分</p>"
    );
    // Templates the theme does not have come from the default theme.
    assert!(page(&out, "index.html").contains("<main id=\"main\""));
}

#[test]
fn a_theme_uses_the_default_components_and_its_own() {
    // The syntax docs/themes.md shows: the default theme's components are global, a
    // theme's own components too, and `@t` takes the labels from the calling page.
    let dir = mini_site(
        "theme = \"mine\"\n",
        &[
            ("content/incidents/a.md", &alone()),
            (
                "themes/mine/templates/parts.html",
                "{% component figure(label, value, @t) %}<b>{{ label }}</b>={{ value }} ({{ t.duration }}){% endcomponent figure %}",
            ),
            (
                "themes/mine/templates/incident.html",
                "{{<figure label=\"time\" value={incident.row.duration} />}}|{{ incident.phases | length }}|{{ incident.resolved | default(value=\"–\", boolean=true) }}",
            ),
            (
                "themes/mine/templates/incidents.html",
                "{{<stats s={stats} />}}",
            ),
        ],
    );
    let out = build(dir.path());
    assert_eq!(
        page(&out, "incidents/a/index.html"),
        "<b>time</b>=4時間26分 (継続時間)|0|2024年1月15日 16:16"
    );
    assert_eq!(
        text(&page(&out, "incidents/index.html")),
        "事故件数 1件 影響利用者数（合計） 1,234 継続時間（中央値） 4時間26分 （1件） 重大な事故 0件 四半期報告の対象 1件"
    );
}

#[test]
fn the_sites_static_folder_is_copied_as_it_is_over_the_themes() {
    let dir = mini_site(
        "theme = \"mine\"\n",
        &[
            ("content/incidents/a.md", &alone()),
            ("themes/mine/static/robots.txt", "from the theme"),
            ("themes/mine/static/logo.svg", "<svg/>"),
            ("static/robots.txt", "User-agent: *\nDisallow:\n"),
            ("static/downloads/手順書.txt", "手順"),
            ("static/style.css", "body { color: red }"),
        ],
    );
    let out = build(dir.path());
    assert_eq!(page(&out, "robots.txt"), "User-agent: *\nDisallow:\n");
    assert_eq!(page(&out, "logo.svg"), "<svg/>");
    assert_eq!(page(&out, "downloads/手順書.txt"), "手順");
    // The stylesheet stays the theme's: a site changes it through a theme.
    assert!(!page(&out, "style.css").contains("color: red"));
}

#[test]
fn an_unknown_theme_is_a_clear_error() {
    let dir = mini_site(
        "theme = \"nope\"\n",
        &[("content/incidents/a.md", &alone())],
    );
    let err = gen::build(&BuildOptions::new(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("theme \"nope\" not found: there is no folder themes/nope/"),
        "{err}"
    );
    assert!(!dir.path().join("output").exists());
}

#[test]
fn init_creates_a_site_that_builds() {
    let dir = TempDir::new().unwrap();
    let site = dir.path().join("new");
    let o = gen_cmd(["init"]).arg(&site).run();
    assert!(o.success(), "{}", o.stderr());
    assert!(site.join("content/meetings").is_dir());
    let out = build(&site);
    let t = text(&page(&out, "incidents/2024-01-15-example/index.html"));
    assert!(t.contains("Duration 23h 8m"), "{t}");
    // A second init refuses to overwrite.
    let again = gen_cmd(["init"]).arg(&site).run();
    assert_eq!(again.code(), Some(2));
}

#[test]
fn init_language_ja_makes_a_japanese_site() {
    let dir = TempDir::new().unwrap();
    let site = dir.path().join("ja");
    let o = gen_cmd(["init", "--language", "ja"]).arg(&site).run();
    assert!(o.success(), "{}", o.stderr());
    let config = read(&site.join("config.toml"));
    assert!(config.contains("\nlanguage = \"ja\"\n"), "{config}");
    // It checks clean: no warning to start with.
    let check = gen_cmd(["check"]).root(&site).run();
    assert_eq!(
        check.stdout(),
        "ok: 1 incident, 0 meetings, no errors, 0 warnings\n"
    );
    let out = build(&site);
    let html = page(&out, "incidents/2024-01-15-example/index.html");
    assert!(html.starts_with("<!doctype html>\n<html lang=\"ja\">"));
    let t = text(&html);
    assert!(t.contains("継続時間 23時間8分"), "{t}");
    assert!(t.contains("事業者名 株式会社サンプルネットワーク"), "{t}");
    // Any other language is refused before anything is written.
    let bad = gen_cmd(["init", "--language", "fr"])
        .arg(dir.path().join("fr"))
        .run();
    assert_eq!(bad.code(), Some(2));
    assert!(!dir.path().join("fr").exists());
}

#[test]
fn cli_build_prints_one_summary_line() {
    let dir = shipped();
    let o = gen_cmd(["build", "--today", "2023-12-20"])
        .root(dir.path())
        // Even a build past the progress threshold draws nothing off a terminal.
        .env("GEN_PROGRESS_AFTER_MS", "0")
        .env("NO_COLOR", "1")
        .run();
    assert!(o.success(), "{}", o.stderr());
    let stdout = o.stdout();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("built 74 pages (7 incidents) into "),
        "{stdout}"
    );
    // Standard error has the warnings only: the same two `gen check` lists below.
    let err = o.stderr();
    let heads: Vec<&str> = err.lines().filter(|l| l.starts_with("warning")).collect();
    assert_eq!(
        heads,
        [
            "warning: 2 warnings",
            "warning[countermeasure-overdue]: content/incidents/2016-08-17-nifty.md:70:1: a countermeasure was due 2017-03 and is not done (today is 2023-12-20)",
            "warning[countermeasure-overdue]: content/incidents/2016-08-17-nifty.md:76:1: a countermeasure was due 2017-03 and is not done (today is 2023-12-20)",
        ],
        "{err}"
    );
    assert!(!err.contains("building"), "{err}");
    let check = gen_cmd(["check", "--today", "2023-12-20"])
        .root(dir.path())
        .run();
    // The seeds record no completion for two of ニフティ's measures due 2017-03:
    // warnings, as of the last review meeting.
    assert_eq!(
        check.stdout(),
        "ok: 7 incidents, 4 meetings, no errors, 2 warnings\n"
    );
}

/// On a terminal a build that runs past the threshold (a second; 0 here) shows a spinner
/// with the count of files written, and clears it before the summary line.
#[test]
fn a_long_build_on_a_terminal_shows_progress() {
    let dir = shipped();
    let log = dir.path().join("typescript");
    // `script` gives the build a terminal (util-linux, in every Debian system).
    let o = std::process::Command::new("script")
        .args(["-qec"])
        .arg(format!("{GEN} build --root {}", dir.path().display()))
        .arg(&log)
        .env("GEN_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("script (util-linux) runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let seen = String::from_utf8_lossy(&fs::read(&log).unwrap()).into_owned();
    assert!(seen.contains("building: "), "{seen}");
    assert!(seen.contains("files written"), "{seen}");
    assert!(
        seen.contains("built 74 pages (7 incidents) into "),
        "{seen}"
    );
}

/// The summary table is the heart of an incident page: its exact markup is reviewed here.
#[test]
fn jcom_summary_table_snapshot() {
    let dir = shipped();
    let out = build(dir.path());
    let html = page(&out, "incidents/2017-07-03-jcom/index.html");
    let start = html.find("<table class=\"summary\">").unwrap();
    let end = start + html[start..].find("</table>").unwrap() + "</table>".len();
    insta::assert_snapshot!(&html[start..end]);
}

/// The default templates' indentation and blank lines stay in their sources: no line of a
/// page or printed document starts with white space, except inside code (`<pre>`).
#[test]
fn pages_carry_no_template_indentation() {
    let dir = shipped();
    let config = read(&dir.path().join("config.toml"));
    common::write(
        dir.path(),
        "config.toml",
        format!("{config}incident_reports = true\n"),
    );
    let out = build(dir.path());
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = read(&path);
        let mut in_pre = false;
        for line in html.lines() {
            if !in_pre {
                assert!(
                    !line.starts_with([' ', '\t']),
                    "{}: {line:?}",
                    path.display()
                );
            }
            // Code blocks open and close on lines of their own or inline.
            in_pre = (in_pre || line.contains("<pre")) && !line.contains("</pre>");
        }
    }
    assert!(pages > 40, "{pages}");
}

/// The long lists carry no `data-label` per cell: the site's stylesheet labels their
/// columns on a phone, in the site's language.
#[test]
fn the_long_lists_are_labelled_by_the_stylesheet_in_the_site_language() {
    let dir = shipped();
    let out = build(dir.path());
    let years = page(&out, "years/2017/index.html");
    assert!(
        years.contains("<table class=\"incidents cards\">"),
        "{years}"
    );
    assert!(!years.contains("data-label"), "{years}");
    let ledger = page(&out, "countermeasures/index.html");
    assert!(ledger.contains("<table class=\"measures ledger cards\">"));
    assert!(
        ledger.contains("<td class=\"date\">2017年3月</td>"),
        "{ledger}"
    );
    let css = page(&out, "style.css");
    let labels = &css[css.find("/* Card labels").unwrap()..];
    assert_eq!(
        labels,
        "/* Card labels of the long lists, in the site's language */
@media (max-width: 40rem) {
  table.incidents td:nth-child(1)::before { content: \"発生日時：\"; }
  table.incidents td:nth-child(3)::before { content: \"事業者名：\"; }
  table.incidents td:nth-child(4)::before { content: \"継続時間：\"; }
  table.incidents td:nth-child(5)::before { content: \"影響利用者数：\"; }
  table.incidents td:nth-child(6)::before { content: \"主因：\"; }
  table.ledger td:nth-child(1)::before { content: \"状況：\"; }
  table.ledger td:nth-child(3)::before { content: \"事故：\"; }
  table.ledger td:nth-child(4)::before { content: \"事業者名：\"; }
  table.ledger td:nth-child(5)::before { content: \"主因：\"; }
  table.ledger td:nth-child(6)::before { content: \"期限：\"; }
  table.ledger td:nth-child(7)::before { content: \"完了：\"; }
}
"
    );
    // Each rule labels a cell with its column's heading.
    for (html, table) in [(&years, "incidents"), (&ledger, "ledger")] {
        let html = &html[html
            .find(&format!("<table class=\"{table}"))
            .or_else(|| html.find(&format!(" {table} cards")))
            .unwrap()..];
        let head = &html[html.find("<thead>").unwrap()..html.find("</thead>").unwrap()];
        let headings: Vec<&str> = head
            .split("<th scope=\"col\"")
            .skip(1)
            .map(|th| &th[th.find('>').unwrap() + 1..th.find("</th>").unwrap()])
            .collect();
        for rule in labels
            .lines()
            .filter(|l| l.contains(&format!("table.{table} ")))
        {
            let n: usize = rule[rule.find("nth-child(").unwrap() + 10..rule.find(")::").unwrap()]
                .parse()
                .unwrap();
            assert!(
                rule.contains(&format!("\"{}：\"", headings[n - 1])),
                "{rule} {headings:?}"
            );
        }
    }
    let config =
        read(&dir.path().join("config.toml")).replace("language = \"ja\"", "language = \"en\"");
    common::write(dir.path(), "config.toml", config);
    let css = page(&build(dir.path()), "style.css");
    assert!(
        css.contains(
            "  table.incidents td:nth-child(5)::before { content: \"Affected users：\"; }\n"
        ),
        "{css}"
    );
}
