//! Feeds, the sitemap, robots.txt, the favicon and the tags of every page's head, on the
//! shipped site and on fixtures: parsed as XML (quick-xml), checked against RELAX NG
//! schemas with jing where it is installed (.ci/run installs it), and grepped for drafts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gen::BuildOptions;

mod common;
use common::{gen_cmd, read, repo, shipped, site_with_config, write, CONFIG, HEAD};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const BASE: &str = "https://example.org/postmortems/";

/// The test config with an absolute address under a sub-path.
fn config() -> String {
    format!("{CONFIG}base_url = \"https://example.org/p/\"\n")
}

fn build(dir: &Path, drafts: bool) -> PathBuf {
    let mut opts = BuildOptions::new(dir);
    opts.drafts = drafts;
    if let Err(e) = gen::build(&opts) {
        let detail = match &e {
            gen::Error::Content(diags) => diags.iter().map(|d| format!("{d}\n")).collect(),
            other => other.to_string(),
        };
        panic!("build failed: {detail}");
    }
    dir.join("output")
}

/// An XML element: its name as written, attributes, child elements and its own text
/// (entities resolved).
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&El> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    /// The one child of that name; fails when there are none or several.
    fn one(&self, name: &str) -> &El {
        let found = self.all(name);
        assert_eq!(
            found.len(),
            1,
            "<{}> has {} <{name}>",
            self.name,
            found.len()
        );
        found[0]
    }

    fn text_of(&self, name: &str) -> &str {
        &self.one(name).text
    }
}

/// Parses a whole document (well-formedness checked by quick-xml) into its root element.
fn parse(xml: &str) -> El {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<El> = vec![El::default()];
    let open = |e: &quick_xml::events::BytesStart<'_>| El {
        name: e.name().into_inner().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                (
                    a.key.into_inner().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("a well-formed attribute value")
                        .into_owned(),
                )
            })
            .collect(),
        ..El::default()
    };
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"))
        {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let el = open(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::CData(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .unwrap()
                        .expect("a character")
                        .to_string()
                } else {
                    match r.xml10_content().as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("undefined entity &{other};"),
                    }
                    .to_string()
                };
                stack.last_mut().unwrap().text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().unwrap();
    assert!(stack.is_empty(), "unclosed elements");
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

/// Whether `s` is an RFC 3339 date-time with seconds, as Atom requires.
fn is_rfc3339(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok() && s.as_bytes().get(16) == Some(&b':')
}

/// Checks a feed as RFC 4287 states what the schema cannot: formats of ids, links and
/// dates, the `self` and `alternate` links, an author on the feed.
fn check_atom(feed: &El) {
    assert_eq!(feed.name, "feed");
    assert_eq!(feed.attr("xmlns"), Some(ATOM));
    assert!(feed.text_of("id").starts_with("https://"));
    assert!(
        is_rfc3339(feed.text_of("updated")),
        "{}",
        feed.text_of("updated")
    );
    let rels: Vec<Option<&str>> = feed.all("link").iter().map(|l| l.attr("rel")).collect();
    assert_eq!(rels, [Some("self"), Some("alternate")]);
    assert!(!feed.one("author").text_of("name").is_empty());
    for e in feed.all("entry") {
        assert!(e.text_of("id").starts_with("https://"));
        assert!(is_rfc3339(e.text_of("updated")));
        assert!(is_rfc3339(e.text_of("published")));
        assert_eq!(e.one("link").attr("rel"), Some("alternate"));
        assert_eq!(e.one("link").attr("href"), Some(e.text_of("id")));
    }
}

/// Validates `file` against `schema` (tests/schemas/) with jing. Without jing the check
/// is skipped, except in CI (`CI` set), where .ci/run installs it.
fn jing(schema: &str, file: &Path) {
    let schema = repo().join("tests/schemas").join(schema);
    match std::process::Command::new("jing")
        .arg("-c")
        .arg(&schema)
        .arg(file)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "{} is not valid against {}:\n{}",
            file.display(),
            schema.display(),
            String::from_utf8_lossy(&o.stdout)
        ),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("jing not run ({e}): install it with apt-get install jing");
        }
        Err(e) => panic!("jing is needed in CI: {e}"),
    }
}

#[test]
fn the_shipped_feed_lists_the_seven_incidents_newest_first_with_their_dates() {
    let dir = shipped();
    let out = build(dir.path(), false);
    let feed = parse(&read(&out.join("atom.xml")));
    check_atom(&feed);
    jing("atom.rnc", &out.join("atom.xml"));
    assert_eq!(feed.text_of("id"), format!("{BASE}atom.xml"));
    assert_eq!(feed.text_of("title"), "電気通信事故アーカイブ");
    assert_eq!(feed.attr("xml:lang"), Some("ja"));
    // The latest entry: キャッチネットワーク's countermeasure completed on 2024-01-30.
    assert_eq!(feed.text_of("updated"), "2024-01-30T00:00:00+09:00");
    let links: Vec<(&str, &str)> = feed
        .all("link")
        .iter()
        .map(|l| (l.attr("rel").unwrap(), l.attr("href").unwrap()))
        .collect();
    assert_eq!(
        links,
        [("self", &*format!("{BASE}atom.xml")), ("alternate", BASE)]
    );
    let entries: Vec<(String, &str, &str, &str)> = feed
        .all("entry")
        .iter()
        .map(|e| {
            (
                e.text_of("id").replace(BASE, ""),
                e.text_of("title"),
                e.text_of("published"),
                e.text_of("updated"),
            )
        })
        .collect();
    let want = [
        ("incidents/2023-11-09-catch-network/", "サーバ集約SWのソフトウェア不具合によるDHCPサーバとの通信断（IPアドレスの払い出し・更新停止）", "2023-11-09T03:11:00+09:00", "2024-01-30T00:00:00+09:00"),
        ("incidents/2023-10-31-docomo/", "仮想化基盤のメンテナンス作業における設定情報の誤入力によるSMS等のサービス障害", "2023-10-31T02:24:00+09:00", "2023-12-05T00:00:00+09:00"),
        ("incidents/2017-07-03-jcom/", "DNSサーバへの応答破棄によるウェブサイト接続障害", "2017-07-03T11:50:00+09:00", "2017-07-31T00:00:00+09:00"),
        ("incidents/2017-04-13-asahi-net/", "メール配信ソフトの設定誤りによる受信メールの消失", "2017-04-13T20:06:00+09:00", "2017-05-09T00:00:00+09:00"),
        ("incidents/2017-04-07-rakuten/", "ポリシー制御装置の高負荷とソフトウェア不具合によるデータ通信の接続障害", "2017-04-07T19:53:00+09:00", "2017-04-09T00:00:00+09:00"),
        ("incidents/2016-12-12-netforest/", "上位回線事業者の認証システム不具合によるフレッツ接続大規模障害", "2016-12-12T18:45:00+09:00", "2016-12-15T14:30:00+09:00"),
        ("incidents/2016-08-17-nifty/", "ストレージ機器のファームウェア不具合による電子メールサービス障害", "2016-08-17T18:24:00+09:00", "2016-10-31T00:00:00+09:00"),
    ];
    let got: Vec<(&str, &str, &str, &str)> = entries
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), *b, *c, *d))
        .collect();
    assert_eq!(got, want);

    // Operators are the authors, causes the categories; the summary opens with the status.
    let jcom = feed.all("entry")[2];
    let authors: Vec<&str> = jcom
        .all("author")
        .iter()
        .map(|a| a.text_of("name"))
        .collect();
    assert_eq!(
        authors,
        ["株式会社ジュピターテレコム", "株式会社ジェイコムウェスト"]
    );
    let terms: Vec<(&str, &str)> = jcom
        .all("category")
        .iter()
        .map(|c| (c.attr("term").unwrap(), c.attr("label").unwrap()))
        .collect();
    assert_eq!(
        terms,
        [
            ("human-error", "人為ミス"),
            ("design-flaw", "設計・構成の不備")
        ]
    );
    assert!(jcom.text_of("summary").starts_with(
        "状況：確定 · 事業者名：株式会社ジュピターテレコム、株式会社ジェイコムウェスト · 発生日時：2017年7月3日 11:50\n"
    ));
    let netforest = feed.all("entry")[5];
    assert!(netforest.text_of("summary").starts_with("状況：速報 · "));
}

#[test]
fn cause_and_operator_feeds_list_their_incidents_and_their_pages_link_them() {
    let dir = shipped();
    let out = build(dir.path(), false);
    let feed = parse(&read(&out.join("causes/overload/atom.xml")));
    check_atom(&feed);
    jing("atom.rnc", &out.join("causes/overload/atom.xml"));
    assert_eq!(
        feed.text_of("id"),
        format!("{BASE}causes/overload/atom.xml")
    );
    assert_eq!(
        feed.text_of("title"),
        "高負荷・輻輳 | 電気通信事故アーカイブ"
    );
    let ids: Vec<&str> = feed.all("entry").iter().map(|e| e.text_of("id")).collect();
    assert_eq!(
        ids,
        [
            format!("{BASE}incidents/2017-04-07-rakuten/"),
            format!("{BASE}incidents/2016-12-12-netforest/")
        ]
    );
    let page = read(&out.join("causes/overload/index.html"));
    assert!(page.contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../../causes/overload/atom.xml\" title=\"このページの更新情報（Atom）\">"), "{page}");
    assert!(page.contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../../atom.xml\" title=\"すべての事故の更新情報（Atom）\">"));
    assert!(page.contains("<p class=\"feed-link\"><a href=\"../../causes/overload/atom.xml\" type=\"application/atom+xml\">このページの更新情報（Atom）</a></p>"));

    // A cause no incident has still has a valid feed, dated by the site's latest change.
    let empty = parse(&read(&out.join("causes/hardware-failure/atom.xml")));
    check_atom(&empty);
    assert!(empty.all("entry").is_empty());
    assert_eq!(empty.text_of("updated"), "2024-01-30T00:00:00+09:00");

    let rel = "operators/株式会社ジェイコムウェスト/atom.xml";
    let feed = parse(&read(&out.join(rel)));
    check_atom(&feed);
    jing("atom.rnc", &out.join(rel));
    // The URL is percent-encoded, as XML readers expect a URI.
    assert_eq!(
        feed.text_of("id"),
        format!("{BASE}operators/%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%E3%82%B8%E3%82%A7%E3%82%A4%E3%82%B3%E3%83%A0%E3%82%A6%E3%82%A7%E3%82%B9%E3%83%88/atom.xml")
    );
    assert_eq!(feed.all("entry").len(), 1);
    let page = read(&out.join("operators/株式会社ジェイコムウェスト/index.html"));
    assert!(page.contains("href=\"../../operators/株式会社ジェイコムウェスト/atom.xml\" title=\"このページの更新情報（Atom）\">"));

    // The home page's own feed is the site's, linked once in the head and shown.
    let home = read(&out.join("index.html"));
    assert_eq!(
        home.matches("type=\"application/atom+xml\" href=\"atom.xml\"")
            .count(),
        1
    );
    assert!(home.contains("<p class=\"feed-link\"><a href=\"atom.xml\" type=\"application/atom+xml\">すべての事故の更新情報（Atom）</a></p>"));
    // Other pages name the site's feed in the head only.
    let incident = read(&out.join("incidents/2017-07-03-jcom/index.html"));
    assert!(incident
        .contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../../atom.xml\""));
    assert!(!incident.contains("feed-link"));
}

/// An incident reported as 速報 on `reported`, with `extra` front matter.
fn tracked(extra: &str) -> String {
    format!(
        "+++\ntitle = \"A\"\noperators = [\"Op\"]\nstarted = 2024-01-15T11:50:00+09:00\nresolved = 2024-01-15T13:00:00+09:00\ncauses = [\"human-error\"]\n{extra}\n+++\n\nBody.\n"
    )
}

fn entry_updated(out: &Path) -> String {
    let feed = parse(&read(&out.join("atom.xml")));
    feed.one("entry").text_of("updated").to_string()
}

#[test]
fn an_entry_is_updated_by_its_status_reports_completions_and_an_explicit_date() {
    let dir = site_with_config(&config(), &[]);
    let root = dir.path();
    let file = "content/incidents/a.md";
    let steps = [
        // Only the incident's own times: its resolution.
        ("status = \"preliminary\"", "2024-01-15T13:00:00+09:00"),
        // 速報 to the regulator.
        (
            "status = \"preliminary\"\n[reporting]\nreported_at = 2024-01-16",
            "2024-01-16T00:00:00+09:00",
        ),
        // 確報: the detailed report, at a time.
        (
            "status = \"final\"\n[reporting]\nreported_at = 2024-01-16\ndetailed_report_at = 2024-02-20T15:00:00+09:00",
            "2024-02-20T00:00:00+09:00",
        ),
        // A countermeasure completed in a month counts from its last day.
        (
            "status = \"final\"\n[reporting]\ndetailed_report_at = 2024-02-20\n[[countermeasures]]\naction = \"x\"\ncompleted = \"2024-03\"",
            "2024-03-31T00:00:00+09:00",
        ),
        // `updated` moves it later still …
        (
            "updated = 2024-05-01T09:30:00+09:00\n[[countermeasures]]\naction = \"x\"\ncompleted = \"2024-03\"",
            "2024-05-01T09:30:00+09:00",
        ),
        // … but never earlier than the record's own dates.
        (
            "updated = 2024-01-01\n[[countermeasures]]\naction = \"x\"\ncompleted = 2024-03-10",
            "2024-03-10T00:00:00+09:00",
        ),
    ];
    for (extra, want) in steps {
        write(root, file, tracked(extra));
        let out = build(root, false);
        assert_eq!(entry_updated(&out), want, "with {extra}");
        // The sitemap's lastmod of the page and of the list follow.
        let sitemap = read(&out.join("sitemap.xml"));
        assert!(
            sitemap.contains(&format!(
                "<url><loc>https://example.org/p/incidents/a/</loc><lastmod>{want}</lastmod></url>"
            )),
            "{sitemap}"
        );
        assert!(sitemap.contains(&format!(
            "<url><loc>https://example.org/p/incidents/</loc><lastmod>{want}</lastmod></url>"
        )));
    }
    // `updated` is checked like any date.
    write(root, file, tracked("updated = \"soon\""));
    let o = gen_cmd(["build"]).root(root).run();
    assert_eq!(o.code(), Some(1));
    assert!(
        o.stderr().contains("content/incidents/a.md:7:11"),
        "{}",
        o.stderr()
    );
}

/// An incident of operator `Op` with cause `human-error`, started at `started`, with
/// `extra` front matter.
fn dated(started: &str, extra: &str) -> String {
    format!(
        "+++\ntitle = \"T\"\noperators = [\"Op\"]\nstarted = {started}\nresolved = {started}\ncauses = [\"human-error\"]\n{extra}\n+++\n\nBody.\n"
    )
}

/// The ids of a feed's entries, in order.
fn entry_ids(feed: &El) -> Vec<String> {
    feed.all("entry")
        .iter()
        .map(|e| e.text_of("id").to_string())
        .collect()
}

#[test]
fn feed_limit_keeps_the_incidents_updated_last_newest_first_in_every_feed() {
    let dir = site_with_config(&format!("{}feed_limit = 2\n", config()), &[]);
    let root = dir.path();
    write(
        root,
        "content/incidents/a.md",
        dated("2024-01-10T10:00:00+09:00", ""),
    );
    write(
        root,
        "content/incidents/b.md",
        dated("2024-02-10T10:00:00+09:00", ""),
    );
    write(
        root,
        "content/incidents/c.md",
        dated("2024-03-10T10:00:00+09:00", ""),
    );
    // The oldest incident, whose record changed last: a feed reader must hear of it.
    write(
        root,
        "content/incidents/d.md",
        dated("2023-05-01T10:00:00+09:00", "updated = 2024-06-01"),
    );
    let out = build(root, false);
    let want = [
        "https://example.org/p/incidents/c/",
        "https://example.org/p/incidents/d/",
    ];
    for path in [
        "atom.xml",
        "causes/human-error/atom.xml",
        "operators/op/atom.xml",
    ] {
        let feed = parse(&read(&out.join(path)));
        check_atom(&feed);
        assert_eq!(entry_ids(&feed), want, "{path}");
        assert_eq!(
            feed.text_of("updated"),
            "2024-06-01T00:00:00+09:00",
            "{path}"
        );
    }
    // The limit is only of the feeds: every page and the sitemap still have all four.
    let sitemap = read(&out.join("sitemap.xml"));
    for id in ["a", "b", "c", "d"] {
        assert!(sitemap.contains(&format!("<loc>https://example.org/p/incidents/{id}/</loc>")));
        assert!(out.join(format!("incidents/{id}/index.html")).is_file());
    }

    // A limit at or above the number of incidents leaves every entry in.
    write(root, "config.toml", format!("{}feed_limit = 4\n", config()));
    let feed = parse(&read(&build(root, false).join("atom.xml")));
    assert_eq!(entry_ids(&feed).len(), 4);

    // 0 is not "no limit": it is a located error (leave feed_limit out for every entry).
    write(root, "config.toml", format!("{}feed_limit = 0\n", config()));
    let o = gen_cmd(["build"]).root(root).run();
    assert_eq!(o.code(), Some(1));
    assert!(
        o.stderr().contains(
            "error[invalid-value]: config.toml:5:14: `feed_limit` must be a whole number from 1 to 100000, found 0"
        ),
        "{}",
        o.stderr()
    );
}

#[test]
fn the_sitemap_lists_every_html_page_once_and_robots_names_it() {
    let dir = shipped();
    // The printable reports are published pages too.
    let config = read(&dir.path().join("config.toml")) + "incident_reports = true\n";
    write(dir.path(), "config.toml", config);
    let out = build(dir.path(), false);
    let xml = read(&out.join("sitemap.xml"));
    jing("sitemap.rnc", &out.join("sitemap.xml"));
    let urlset = parse(&xml);
    assert_eq!(urlset.name, "urlset");
    assert_eq!(
        urlset.attr("xmlns"),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let mut listed: Vec<String> = Vec::new();
    for u in urlset.all("url") {
        listed.push(u.text_of("loc").to_string());
        if let Some(m) = u.all("lastmod").first() {
            assert!(is_rfc3339(&m.text), "{}", m.text);
        }
    }
    let mut files: Vec<String> = walkdir::WalkDir::new(&out)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p.ends_with(".html") && p != "404.html")
        .map(|p| {
            let pretty = p.strip_suffix("index.html").unwrap_or(&p).to_string();
            let encoded: String =
                percent_encoding::utf8_percent_encode(&pretty, percent_encoding::CONTROLS)
                    .to_string();
            format!("{BASE}{encoded}")
        })
        .collect();
    files.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, listed, "the sitemap is sorted by URL");
    assert_eq!(listed, files, "every HTML file but 404.html, each once");
    assert!(files.len() > 40);
    assert!(listed.contains(&format!("{BASE}incidents/2017-07-03-jcom/report.html")));

    // lastmod: the latest of what the page shows: an incident's updated, a list's
    // incidents, a meeting's time (jcom's page shows its review meeting of 2017-10-13).
    for (loc, lastmod) in [
        ("incidents/2017-07-03-jcom/", "2017-10-13T16:55:00+09:00"),
        (
            "incidents/2017-07-03-jcom/report.html",
            "2017-10-13T16:55:00+09:00",
        ),
        (
            "meetings/2017-10-13-meeting-4/",
            "2017-10-13T16:55:00+09:00",
        ),
        (
            "incidents/2017-04-13-asahi-net/",
            "2017-06-20T16:56:00+09:00",
        ),
        ("", "2024-01-30T00:00:00+09:00"),
        ("years/2017/", "2017-07-31T00:00:00+09:00"),
        ("causes/overload/", "2017-04-09T00:00:00+09:00"),
    ] {
        let want = format!("<url><loc>{BASE}{loc}</loc><lastmod>{lastmod}</lastmod></url>");
        assert!(xml.contains(&want), "{want}\n{xml}");
    }
    // A cause without incidents shows nothing dated.
    assert!(xml.contains(&format!(
        "<url><loc>{BASE}causes/hardware-failure/</loc></url>"
    )));

    assert_eq!(
        read(&out.join("robots.txt")),
        format!("# Every page may be crawled; the sitemap lists them. A robots.txt in the site's static/\n# folder replaces this file (e.g. \"Disallow: /\" for an internal site).\nUser-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n")
    );
}

#[test]
fn a_draft_is_in_no_feed_sitemap_or_page() {
    let dir = shipped();
    let draft = "+++\ntitle = \"未公開ドラフト固有題名\"\noperators = [\"秘密事業者固有名\"]\nstarted = 2030-01-01T00:00:00+09:00\ncauses = [\"overload\"]\nstatus = \"draft\"\nsummary = \"下書き固有の概要\"\n+++\n\n本文。\n";
    write(dir.path(), "content/incidents/zz-draft.md", draft);
    let out = build(dir.path(), false);
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert!(
            !rel.contains("zz-draft") && !rel.contains("秘密事業者固有名"),
            "{rel}"
        );
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for needle in [
                "未公開ドラフト固有題名",
                "秘密事業者固有名",
                "下書き固有の概要",
                "zz-draft",
            ] {
                assert!(!text.contains(needle), "{rel} contains {needle}");
            }
        }
    }
    // With --drafts the draft's pages are built, but feeds and the sitemap stay as
    // publishing would give them.
    let out = build(dir.path(), true);
    assert!(out.join("incidents/zz-draft/index.html").is_file());
    for rel in ["atom.xml", "sitemap.xml", "causes/overload/atom.xml"] {
        let text = read(&out.join(rel));
        assert!(
            !text.contains("zz-draft") && !text.contains("未公開ドラフト固有題名"),
            "{rel}"
        );
    }
    // The operator page of the draft exists in this build; its feed lists nothing.
    let feed = parse(&read(&out.join("operators/秘密事業者固有名/atom.xml")));
    check_atom(&feed);
    assert!(feed.all("entry").is_empty());
}

#[test]
fn hostile_text_is_escaped_in_feeds_and_in_the_head() {
    let title = "A <b>&amp; ]]> \"q\" 'a'";
    let summary = "\"><script>alert(1)</script> & ]]> <![CDATA[x]]>\tタブ";
    let incident = format!(
        "+++\ntitle = {title:?}\noperators = [\"Op & <Co>\"]\nstarted = 2024-01-15T11:50:00+09:00\ncauses = [\"human-error\"]\nsummary = {summary:?}\n+++\n\nBody.\n"
    );
    let dir = site_with_config(&config(), &[("content/incidents/a.md", &incident)]);
    let out = build(dir.path(), false);
    for rel in [
        "atom.xml",
        "causes/human-error/atom.xml",
        "operators/op-co/atom.xml",
    ] {
        let xml = read(&out.join(rel));
        assert!(
            !xml.contains("<script>") && !xml.contains("<b>"),
            "{rel}: {xml}"
        );
        let feed = parse(&xml);
        check_atom(&feed);
        jing("atom.rnc", &out.join(rel));
        let e = feed.one("entry");
        assert_eq!(e.text_of("title"), title);
        assert_eq!(e.one("author").text_of("name"), "Op & <Co>");
        assert!(e.text_of("summary").ends_with(&format!("\n{summary}")));
    }
    let page = read(&out.join("incidents/a/index.html"));
    // The tab is white space, collapsed like the line breaks of a summary.
    let escaped =
        "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; &lt;![CDATA[x]]&gt; タブ";
    assert!(
        page.contains(&format!(
            "<meta name=\"description\" content=\"{escaped}\">"
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<meta property=\"og:description\" content=\"{escaped}\">"
    )));
    assert!(page.contains("<meta property=\"og:title\" content=\"A &lt;b&gt;&amp;amp; ]]&gt; &quot;q&quot; &#39;a&#39;\">"));
    assert!(!page.contains("\"><script>"));
}

/// The `content` of `<meta {attr}="{key}" …>` in a page, if there is one.
fn meta<'a>(page: &'a str, attr: &str, key: &str) -> Option<&'a str> {
    let open = format!("<meta {attr}=\"{key}\" content=\"");
    let start = page.find(&open)? + open.len();
    Some(&page[start..start + page[start..].find('"')?])
}

#[test]
fn every_page_kind_has_a_description_and_link_preview_tags() {
    let dir = shipped();
    let out = build(dir.path(), false);
    let site = gen::check(&BuildOptions::new(dir.path())).unwrap();
    let mut kinds: BTreeMap<&str, String> = BTreeMap::new();
    for r in gen::render::routes(&site) {
        if r.path.ends_with(".html") && !r.print {
            kinds.entry(r.kind).or_insert(r.path);
        }
    }
    assert!(kinds.len() >= 14, "{kinds:?}");
    for (kind, rel) in &kinds {
        let page = read(&out.join(rel));
        let description =
            meta(&page, "name", "description").unwrap_or_else(|| panic!("{kind}: no description"));
        assert!(
            !description.is_empty() && description.chars().count() <= 120,
            "{kind}: {description}"
        );
        assert_eq!(
            meta(&page, "property", "og:description"),
            Some(description),
            "{kind}"
        );
        assert!(
            meta(&page, "property", "og:title").is_some_and(|t| !t.is_empty()),
            "{kind}"
        );
        let og_type = if *kind == "incident" {
            "article"
        } else {
            "website"
        };
        assert_eq!(meta(&page, "property", "og:type"), Some(og_type), "{kind}");
        assert_eq!(
            meta(&page, "property", "og:site_name"),
            Some("電気通信事故アーカイブ")
        );
        assert_eq!(meta(&page, "property", "og:locale"), Some("ja_JP"));
        assert_eq!(meta(&page, "name", "twitter:card"), Some("summary"));
        // og:url is the canonical URL.
        let canonical = page
            .split("<link rel=\"canonical\" href=\"")
            .nth(1)
            .map(|s| &s[..s.find('"').unwrap()]);
        assert_eq!(meta(&page, "property", "og:url"), canonical, "{kind}");
        assert!(canonical.is_some(), "{kind}");
        assert!(
            page.contains("favicon.svg\" type=\"image/svg+xml\">"),
            "{kind}"
        );
    }
    let rakuten = read(&out.join("incidents/2017-04-07-rakuten/index.html"));
    assert_eq!(
        meta(&rakuten, "name", "description"),
        Some("楽天コミュニケーションズ株式会社が楽天株式会社に卸提供を行い、楽天株式会社が利用者に提供する仮想移動電気通信サービス（携帯電話に係わるもの）において、データ通信が接続しづらい状況が発生した。")
    );
    assert_eq!(
        meta(&rakuten, "property", "og:title"),
        Some("ポリシー制御装置の高負荷とソフトウェア不具合によるデータ通信の接続障害")
    );
    let home = read(&out.join("index.html"));
    assert_eq!(
        meta(&home, "name", "description"),
        Some("電気通信事故アーカイブ：事故7件の事後検証（原因・影響・再発防止策）の記録。")
    );
    assert_eq!(
        meta(&home, "property", "og:title"),
        Some("電気通信事故アーカイブ")
    );
    let cause = read(&out.join("causes/human-error/index.html"));
    assert_eq!(
        meta(&cause, "name", "description"),
        Some("人為ミス：電気通信事故アーカイブに記録された事故3件。")
    );
    let not_found = read(&out.join("404.html"));
    assert_eq!(
        meta(&not_found, "name", "description"),
        Some("お探しのページは見つかりませんでした。")
    );
}

#[test]
fn a_long_summary_is_cut_by_characters_and_english_sites_say_en_us() {
    let long = format!("{}。{}", "障".repeat(70), "害".repeat(100));
    let incident = HEAD.replace(
        "causes = [\"human-error\"]\n",
        &format!("causes = [\"human-error\"]\nsummary = \"{long}\"\n"),
    ) + "\nBody.\n";
    let config = config().replace("language = \"ja\"", "language = \"en\"");
    let dir = site_with_config(&config, &[("content/incidents/a.md", &incident)]);
    let out = build(dir.path(), false);
    let page = read(&out.join("incidents/a/index.html"));
    let want = format!("{}。", "障".repeat(70));
    assert_eq!(meta(&page, "name", "description"), Some(want.as_str()));
    assert_eq!(meta(&page, "property", "og:locale"), Some("en_US"));
    let home = read(&out.join("index.html"));
    assert_eq!(
        meta(&home, "name", "description"),
        Some("T: postmortems of 1 incidents, with their causes, impact and countermeasures.")
    );
}

#[test]
fn without_an_absolute_base_url_there_are_no_feeds_and_the_build_says_so() {
    let dir = site_with_config(CONFIG, &[("content/incidents/a.md", common::INCIDENT)]);
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    // Information, not a problem: on standard output, after the summary.
    assert!(!o.stderr().contains("note:"), "{}", o.stderr());
    assert!(o.stdout().ends_with("\nnote: no atom.xml, sitemap.xml or robots.txt: base_url (\"/\") is not an absolute URL such as \"https://example.org/\"\n"), "{}", o.stdout());
    let out = dir.path().join("output");
    for rel in [
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "causes/human-error/atom.xml",
        "operators/op/atom.xml",
    ] {
        assert!(!out.join(rel).exists(), "{rel}");
    }
    let page = read(&out.join("causes/human-error/index.html"));
    assert!(!page.contains("application/atom+xml"));
    assert!(!page.contains("og:url"));
    assert!(meta(&page, "name", "description").is_some());
    // With an address, the same build is quiet about it.
    let dir = site_with_config(&config(), &[("content/incidents/a.md", common::INCIDENT)]);
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert!(!o.stdout().contains("note:"), "{}", o.stdout());
}

#[test]
fn the_favicon_is_the_themes_and_a_site_can_replace_it() {
    let dir = site_with_config(&config(), &[("content/incidents/a.md", common::INCIDENT)]);
    let out = build(dir.path(), false);
    let icon = read(&out.join("favicon.svg"));
    assert!(icon.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(icon.len() < 1024);
    // Relative, so that it works under a sub-path and from disk.
    let page = read(&out.join("incidents/a/index.html"));
    assert!(page.contains("<link rel=\"icon\" href=\"../../favicon.svg\" type=\"image/svg+xml\">"));
    let home = read(&out.join("index.html"));
    assert!(home.contains("<link rel=\"icon\" href=\"favicon.svg\" type=\"image/svg+xml\">"));

    write(
        dir.path(),
        "static/favicon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    write(
        dir.path(),
        "static/robots.txt",
        "User-agent: *\nDisallow: /\n",
    );
    let out = build(dir.path(), false);
    assert_eq!(
        read(&out.join("favicon.svg")),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    );
    // A site's robots.txt replaces the generated one.
    assert_eq!(
        read(&out.join("robots.txt")),
        "User-agent: *\nDisallow: /\n"
    );
}

#[test]
fn a_static_file_where_a_feed_or_the_sitemap_goes_is_an_error() {
    let dir = site_with_config(
        &config(),
        &[
            ("content/incidents/a.md", common::INCIDENT),
            ("static/sitemap.xml", "<urlset/>"),
            ("static/causes/overload/atom.xml", "<feed/>"),
            // Where the parts of a sitemap of more than 50,000 URLs go, even on a small site.
            ("static/sitemap-2.xml", "<urlset/>"),
            // Not a part's name: published as it is.
            ("static/sitemap-2.xml.bak", "x"),
        ],
    );
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    assert!(err.contains("static/sitemap.xml:1:1: this file would be published as sitemap.xml, where gen writes a page"), "{err}");
    assert!(err.contains("static/causes/overload/atom.xml:1:1: this file would be published as causes/overload/atom.xml, where gen writes a page"), "{err}");
    assert!(err.contains("static/sitemap-2.xml:1:1: this file would be published as sitemap-2.xml, where gen writes a page"), "{err}");
    assert!(!err.contains("sitemap-2.xml.bak"), "{err}");
}
