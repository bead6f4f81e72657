//! Paginated lists (`page_size`, `<list>/page/2/`) and tag pages (`/tags/`,
//! `/tags/<slug>/`), on generated sites: exact hrefs, exact text, the files that must and
//! must not exist.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{gen_cmd, read, site, site_with_config, text, write, CONFIG};

const TODAY: &str = "2025-01-01";

/// Incident `n` of the generated site: started `n` hours after 2022-01-01 00:00 JST (so
/// the highest `n` is the newest), `n + 1` users affected, every fourth by `Op A`, even
/// ones `human-error` else `overload`; every incident is tagged `all`, every tenth `rare`.
fn incident(n: usize) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2022, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + chrono::Duration::hours(n as i64);
    let operator = if n.is_multiple_of(4) { "Op A" } else { "Op B" };
    let cause = if n.is_multiple_of(2) {
        "human-error"
    } else {
        "overload"
    };
    let tags = if n.is_multiple_of(10) {
        r#"["all", "rare"]"#
    } else {
        r#"["all"]"#
    };
    format!(
        "+++\ntitle = \"事故{n}\"\noperators = [\"{operator}\"]\nstarted = {}+09:00\nresolved = {}+09:00\naffected_users = {}\ncauses = [\"{cause}\"]\ntags = {tags}\n\n[[countermeasures]]\naction = \"x\"\nstatus = \"done\"\ncompleted = 2024-12-01\n+++\n\nBody.\n",
        start.format("%Y-%m-%dT%H:%M:%S"),
        (start + chrono::Duration::minutes(30)).format("%Y-%m-%dT%H:%M:%S"),
        n + 1,
    )
}

/// A site of `count` generated incidents with `extra` appended to the test config (a
/// Japanese site unless `extra` sets `language`), built.
fn built(count: usize, extra: &str) -> tempfile::TempDir {
    let config = if extra.contains("language") {
        CONFIG.replace("language = \"ja\"\n", "")
    } else {
        CONFIG.to_string()
    };
    let dir = site_with_config(&format!("{config}{extra}"), &[]);
    for n in 0..count {
        write(
            dir.path(),
            &format!("content/incidents/i{n:04}.md"),
            incident(n),
        );
    }
    let o = gen_cmd(["build", "--today", TODAY])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert!(o.success(), "{}", o.stderr());
    dir
}

/// Every `href` of `<a>` in the list table(s) that leads to an incident page.
fn incident_links(html: &str) -> Vec<String> {
    html.match_indices("<td class=\"title\"><a href=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// The first `<dl class="figures">…</dl>` of a page.
fn figures(html: &str) -> Option<&str> {
    let start = html.find("<dl class=\"figures\">")?;
    let end = html[start..].find("</dl>")? + start;
    Some(&html[start..end])
}

/// The pager's `<nav>` of a page.
fn pager(html: &str) -> &str {
    let start = html.find("<nav class=\"pager\"").expect("a pager");
    let end = html[start..].find("</nav>").unwrap() + start;
    &html[start..end]
}

#[test]
fn a_thousand_incidents_are_listed_in_pages_of_a_hundred() {
    let dir = built(1000, "");
    let out = dir.path().join("output");

    // Page 1 keeps its URL; pages 2 to 10 are under page/, and there is no page 1 or 11.
    assert!(out.join("incidents/index.html").is_file());
    for p in 2..=10 {
        assert!(out.join(format!("incidents/page/{p}/index.html")).is_file());
    }
    assert!(!out.join("incidents/page/1").exists());
    assert!(!out.join("incidents/page/11").exists());

    let page = |p: usize| {
        if p == 1 {
            read(&out.join("incidents/index.html"))
        } else {
            read(&out.join(format!("incidents/page/{p}/index.html")))
        }
    };

    // Every incident once, newest first, a hundred a page.
    let mut all = Vec::new();
    for p in 1..=10 {
        let links = incident_links(&page(p));
        assert_eq!(links.len(), 100, "page {p}");
        let root = if p == 1 { "../" } else { "../../../" };
        let first = 999 - (p - 1) * 100;
        assert_eq!(links[0], format!("{root}incidents/i{first:04}/index.html"));
        all.extend(
            links
                .into_iter()
                .map(|l| l.trim_start_matches("../").to_string()),
        );
    }
    let unique: BTreeSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 1000);

    // First page: next only, the figures of all 1,000, which part is shown.
    let first = page(1);
    assert!(first.contains("<link rel=\"next\" href=\"../incidents/page/2/index.html\">"));
    assert!(!first.contains("rel=\"prev\""));
    assert!(first.contains("<title>事故一覧 | T</title>"), "{first}");
    assert_eq!(
        pager(&first),
        "<nav class=\"pager\" aria-label=\"ページ\"><ol class=\"pager-pages\">\
         <li><a href=\"../incidents/index.html\" aria-current=\"page\">1</a></li>\
         <li><a href=\"../incidents/page/2/index.html\">2</a></li>\
         <li><a href=\"../incidents/page/3/index.html\">3</a></li>\
         <li><span class=\"pager-gap\">…</span></li>\
         <li><a href=\"../incidents/page/10/index.html\">10</a></li></ol>\
         <a rel=\"next\" href=\"../incidents/page/2/index.html\">次のページ →</a>\
         <span class=\"pager-at\">1,000件中 1–100件</span>"
    );
    // The figures are the whole list's: the same as the home page's, 1 + … + 1,000 users.
    let home = read(&out.join("index.html"));
    let figs = figures(&first).expect("figures on page 1");
    assert_eq!(Some(figs), figures(&home));
    assert!(text(figs).contains("事故件数 1,000件"), "{}", text(figs));
    assert!(text(figs).contains("500,500"), "{}", text(figs));

    // A middle page: both rel links, the pager around it, no figures.
    let fifth = page(5);
    assert!(fifth.contains("<link rel=\"prev\" href=\"../../../incidents/page/4/index.html\">"));
    assert!(fifth.contains("<link rel=\"next\" href=\"../../../incidents/page/6/index.html\">"));
    assert!(fifth.contains("<title>事故一覧（5/10） | T</title>"));
    assert_eq!(
        pager(&fifth),
        "<nav class=\"pager\" aria-label=\"ページ\">\
         <a rel=\"prev\" href=\"../../../incidents/page/4/index.html\">← 前のページ</a>\
         <ol class=\"pager-pages\">\
         <li><a href=\"../../../incidents/index.html\">1</a></li>\
         <li><span class=\"pager-gap\">…</span></li>\
         <li><a href=\"../../../incidents/page/3/index.html\">3</a></li>\
         <li><a href=\"../../../incidents/page/4/index.html\">4</a></li>\
         <li><a href=\"../../../incidents/page/5/index.html\" aria-current=\"page\">5</a></li>\
         <li><a href=\"../../../incidents/page/6/index.html\">6</a></li>\
         <li><a href=\"../../../incidents/page/7/index.html\">7</a></li>\
         <li><span class=\"pager-gap\">…</span></li>\
         <li><a href=\"../../../incidents/page/10/index.html\">10</a></li></ol>\
         <a rel=\"next\" href=\"../../../incidents/page/6/index.html\">次のページ →</a>\
         <span class=\"pager-at\">1,000件中 401–500件</span>"
    );
    assert_eq!(figures(&fifth), None);
    assert!(text(&fifth).contains("1,000件中 401–500件"));

    // The last page: prev only.
    let last = page(10);
    assert!(last.contains("<link rel=\"prev\" href=\"../../../incidents/page/9/index.html\">"));
    assert!(!last.contains("rel=\"next\""));
    assert!(pager(&last).contains("<span class=\"pager-at\">1,000件中 901–1,000件</span>"));
    assert!(pager(&last).contains(
        "<li><a href=\"../../../incidents/page/10/index.html\" aria-current=\"page\">10</a></li></ol><span"
    ));

    // Cause, year, operator and tag pages are split the same way.
    let exists = |p: &str| out.join(p).is_file();
    // 500 of each cause.
    assert!(exists("causes/human-error/page/5/index.html"));
    assert!(!exists("causes/human-error/page/6/index.html"));
    // 2022: 365 × 24 = 8,760 hours, so every incident started in 2022.
    assert!(exists("years/2022/page/10/index.html"));
    // Op A: 250; Op B: 750.
    assert!(exists("operators/op-a/page/3/index.html"));
    assert!(!exists("operators/op-a/page/4/index.html"));
    assert!(exists("operators/op-b/page/8/index.html"));
    // Tags: `all` on every incident, `rare` on 100 (one page, no pager).
    assert!(exists("tags/all/page/10/index.html"));
    assert!(exists("tags/rare/index.html"));
    assert!(!exists("tags/rare/page/2/index.html"));
    let rare = read(&out.join("tags/rare/index.html"));
    assert!(!rare.contains("class=\"pager"));
    assert!(!rare.contains("rel=\"next\""));
    let cause3 = read(&out.join("causes/overload/page/3/index.html"));
    assert!(cause3
        .contains("<link rel=\"prev\" href=\"../../../../causes/overload/page/2/index.html\">"));
    assert!(cause3.contains("<span class=\"pager-at\">500件中 201–300件</span>"));
    // The cause page's first row on page 3: the 201st newest odd incident, 999 − 2 × 200.
    assert_eq!(
        incident_links(&cause3)[0],
        "../../../../incidents/i0599/index.html"
    );

    // `gen routes` lists every page.
    let routes = gen_cmd(["routes"]).root(dir.path()).run();
    assert!(routes.success(), "{}", routes.stderr());
    let listed = routes.stdout();
    let count = |kind: &str| {
        listed
            .lines()
            .filter(|l| l.split('\t').next() == Some(kind))
            .count()
    };
    assert_eq!(count("incidents-index"), 10);
    let under = |folder: &str| listed.lines().filter(|l| l.contains(folder)).count();
    assert_eq!(under("\tcauses/human-error/"), 5);
    assert_eq!(under("\tyears/2022/"), 10);
    assert_eq!(count("tag"), 10 + 1);
    assert_eq!(count("tags-index"), 1);
    assert!(
        listed.contains("incidents-index\tincidents/page/10/index.html"),
        "{listed}"
    );
}

#[test]
fn page_size_sets_the_length_of_every_list_page() {
    let dir = built(30, "page_size = 7\n");
    let out = dir.path().join("output");
    assert!(out.join("incidents/page/5/index.html").is_file());
    assert!(!out.join("incidents/page/6").exists());
    let last = read(&out.join("incidents/page/5/index.html"));
    assert_eq!(incident_links(&last).len(), 2);
    assert!(last.contains("<span class=\"pager-at\">30件中 29–30件</span>"));
    // English: "29–30 of 30".
    let dir = built(30, "page_size = 7\nlanguage = \"en\"\n");
    let last = read(&dir.path().join("output/incidents/page/5/index.html"));
    assert!(
        last.contains("<span class=\"pager-at\">29–30 of 30</span>"),
        "{last}"
    );
    assert!(
        last.contains("<title>Incidents (5/5) | T</title>"),
        "{last}"
    );
}

/// `gen check`'s exit code and standard error.
fn check(dir: &Path) -> (Option<i32>, String) {
    let out = gen_cmd(["check"]).root(dir).env("NO_COLOR", "1").run();
    (out.code(), out.stderr())
}

#[test]
fn page_size_zero_or_not_a_whole_number_is_a_located_error() {
    for (value, found) in [("0", "0"), ("-3", "-3"), ("100001", "100001")] {
        let dir = site_with_config(&format!("{CONFIG}page_size = {value}\n"), &[]);
        let (code, err) = check(dir.path());
        assert_eq!(code, Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "error[invalid-value]: config.toml:4:13: `page_size` must be a whole number from 1 to 100000, found {found}\n"
            )),
            "{err}"
        );
        assert!(
            err.contains("help: write a positive number, e.g. page_size = 100"),
            "{err}"
        );
    }
    for (value, found) in [("\"10\"", "a string"), ("2.5", "a number with a fraction")] {
        let dir = site_with_config(&format!("{CONFIG}page_size = {value}\n"), &[]);
        let (code, err) = check(dir.path());
        assert_eq!(code, Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "error[wrong-type]: config.toml:4:13: `page_size` must be a whole number from 1 to 100000, found {found}\n"
            )),
            "{err}"
        );
    }
}

/// An incident with `tags` (a TOML array, on line 6).
fn tagged(title: &str, started: &str, tags: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\noperators = [\"Op\"]\nstarted = {started}+09:00\ncauses = [\"human-error\"]\ntags = {tags}\n+++\n\nBody.\n"
    )
}

#[test]
fn a_tag_page_lists_exactly_its_incidents_and_the_index_counts_them() {
    let dir = site(&[
        (
            "content/incidents/a.md",
            &tagged("甲", "2024-01-15T11:50:00", r#"["DNS", "ポリシー制御"]"#),
        ),
        (
            "content/incidents/b.md",
            &tagged("乙", "2024-02-15T11:50:00", r#"["dns"]"#),
        ),
        (
            "content/incidents/c.md",
            &tagged("丙", "2024-03-15T11:50:00", r#"["Dns", "ポリシー制御"]"#),
        ),
        (
            "content/incidents/d.md",
            &tagged("丁", "2024-04-15T11:50:00", "[]"),
        ),
    ]);
    let o = gen_cmd(["build", "--today", TODAY]).root(dir.path()).run();
    assert!(o.success(), "{}", o.stderr());
    let out = dir.path().join("output");
    // `DNS`, `dns` and `Dns` are one tag, named by its most used spelling (ties: by text,
    // so `DNS` before `Dns` and `dns`).
    let dns = read(&out.join("tags/dns/index.html"));
    assert_eq!(
        incident_links(&dns),
        [
            "../../incidents/c/index.html",
            "../../incidents/b/index.html",
            "../../incidents/a/index.html"
        ]
    );
    assert!(dns.contains("<h1>DNS</h1>"), "{dns}");
    assert!(dns.contains("<title>DNS | T</title>"));
    let policy = read(&out.join("tags/ポリシー制御/index.html"));
    assert_eq!(
        incident_links(&policy),
        [
            "../../incidents/c/index.html",
            "../../incidents/a/index.html"
        ]
    );
    // The index: most incidents first.
    let index = read(&out.join("tags/index.html"));
    assert!(text(&index).contains(" DNS 3件 "), "{}", text(&index));
    assert!(
        text(&index).contains(" ポリシー制御 2件 "),
        "{}",
        text(&index)
    );
    let dns_at = index.find("tags/dns/index.html").unwrap();
    let policy_at = index.find("tags/ポリシー制御/index.html").unwrap();
    assert!(dns_at < policy_at);
    // Tags on an incident's page link to their page, spelt as the incident spells them.
    let c = read(&out.join("incidents/c/index.html"));
    assert!(
        c.contains("<p class=\"tags\"><a href=\"../../tags/index.html\">タグ</a>：<a class=\"tag\" href=\"../../tags/dns/index.html\">Dns</a><a class=\"tag\" href=\"../../tags/ポリシー制御/index.html\">ポリシー制御</a></p>"),
        "{c}"
    );
    // An incident without tags shows none; the index is linked from the home page and
    // the incident list.
    assert!(!read(&out.join("incidents/d/index.html")).contains("class=\"tags\""));
    assert!(read(&out.join("index.html")).contains("<a href=\"tags/index.html\">タグ →</a>"));
    assert!(
        read(&out.join("incidents/index.html")).contains("<a href=\"../tags/index.html\">タグ</a>")
    );
    // Exactly these tag pages.
    let tags: BTreeSet<String> = std::fs::read_dir(out.join("tags"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        tags,
        BTreeSet::from(["dns".into(), "index.html".into(), "ポリシー制御".into()])
    );
}

#[test]
fn two_different_tags_with_one_page_are_a_located_error() {
    let dir = site(&[
        (
            "content/incidents/a.md",
            &tagged("甲", "2024-01-15T11:50:00", r#"["a/b"]"#),
        ),
        (
            "content/incidents/b.md",
            &tagged("乙", "2024-02-15T11:50:00", r#"["x", "a b"]"#),
        ),
    ]);
    let (code, err) = check(dir.path());
    assert_eq!(code, Some(1), "{err}");
    // "a b" sorts before "a/b": it keeps the page, "a/b" is reported where a.md uses it.
    assert!(
        err.contains("error[tag-collision]: content/incidents/a.md:6:9: the tag \"a/b\" would have the same page as the tag \"a b\" (tags/a-b/)\n"),
        "{err}"
    );
    assert!(
        err.contains("help: tags that differ only in case or spacing are one tag; these differ in other characters: write the tag as in content/incidents/b.md, or make them differ in letters or digits"),
        "{err}"
    );
    assert_eq!(err.matches("error[").count(), 1, "{err}");
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert!(!o.success());
    assert!(!dir.path().join("output").exists());
}

#[test]
fn hostile_tags_stay_in_their_folder_and_are_escaped() {
    let dir = site(&[(
        "content/incidents/a.md",
        &tagged(
            "甲",
            "2024-01-15T11:50:00",
            r#"["../../escaped", "<script>alert(1)</script>", "CON", "index.html", "?#%", "a\"b"]"#,
        ),
    )]);
    let o = gen_cmd(["build", "--today", TODAY]).root(dir.path()).run();
    assert!(o.success(), "{}", o.stderr());
    let out = dir.path().join("output");
    assert!(!dir.path().join("escaped").exists());
    assert!(!out.join("escaped").exists());
    let tags: BTreeSet<String> = std::fs::read_dir(out.join("tags"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        tags,
        BTreeSet::from([
            "-".into(),
            "a-b".into(),
            "con_".into(),
            "escaped".into(),
            "index.html".into(),
            "index.html_".into(),
            "script-alert-1-script".into(),
        ])
    );
    let page = read(&out.join("tags/script-alert-1-script/index.html"));
    assert!(!page.contains("<script>"));
    assert!(
        page.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"),
        "{page}"
    );
    let a = read(&out.join("incidents/a/index.html"));
    assert!(!a.contains("<script>"));
    assert!(
        a.contains("<a class=\"tag\" href=\"../../tags/escaped/index.html\">../../escaped</a>"),
        "{a}"
    );
    assert!(
        a.contains("href=\"../../tags/-/index.html\">?#%</a>"),
        "{a}"
    );
    assert!(
        a.contains("href=\"../../tags/a-b/index.html\">a&quot;b</a>"),
        "{a}"
    );
}

#[test]
fn an_incident_cannot_be_named_page() {
    let dir = site(&[("content/incidents/page.md", common::INCIDENT)]);
    let (code, err) = check(dir.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("error[invalid-id]: content/incidents/page.md:1:1: the file name \"page\" cannot be an incident id: `page` is the folder of the incident list's later pages (incidents/page/2/)\n"),
        "{err}"
    );
}
