//! The search page, the header box of every page, and the search index's files: what they
//! hold (and what they must not: drafts), read back the way `search.js` reads them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gen::BuildOptions;

mod common;
use common::{index_keys, read, shipped, site, CONFIG, HEAD, INCIDENT};

fn build(root: &Path, drafts: bool) -> std::path::PathBuf {
    let mut opts = BuildOptions::new(root);
    opts.drafts = drafts;
    gen::build(&opts).unwrap_or_else(|e| panic!("build failed: {e}"));
    root.join("output")
}

/// The incidents (positions) that have every pair of `word`, as search.js finds them.
fn find(keys: &BTreeMap<String, BTreeSet<u64>>, word: &str) -> BTreeSet<u64> {
    let chars: Vec<char> = word.chars().collect();
    let mut hit: Option<BTreeSet<u64>> = None;
    for pair in chars.windows(2) {
        let key: String = pair.iter().collect();
        let ids = keys.get(&key).cloned().unwrap_or_default();
        hit = Some(match hit {
            None => ids,
            Some(h) => h.intersection(&ids).copied().collect(),
        });
    }
    hit.unwrap_or_default()
}

fn docs(out: &Path) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(&read(&out.join("search/data/docs-0.json"))).unwrap();
    v.as_array().unwrap().clone()
}

#[test]
fn the_shipped_site_finds_the_issues_queries_with_their_result_lines() {
    let dir = shipped();
    let out = build(dir.path(), false);
    for f in [
        "search/index.html",
        "search/search.js",
        "search/data/index.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let keys = index_keys(&out);
    let docs = docs(&out);
    assert_eq!(docs.len(), 7);
    let operators = |word: &str| -> Vec<String> {
        find(&keys, word)
            .into_iter()
            .map(|i| docs[i as usize][2].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        operators("ポリシー制御"),
        ["楽天株式会社、楽天コミュニケーションズ株式会社"]
    );
    let setting = operators("設定").join(" / ");
    assert!(setting.contains("株式会社朝日ネット"), "{setting}");
    assert!(setting.contains("株式会社ジュピターテレコム"), "{setting}");
    // ASCII is folded to lowercase, as search.js folds the query.
    assert_eq!(operators("dhcp"), ["株式会社キャッチネットワーク"]);
    // The result line as the pages write it: 約 stays 約, unknown stays unknown.
    let line = |id: &str| {
        docs.iter()
            .find(|d| d[0].as_str().unwrap() == format!("incidents/{id}/index.html"))
            .unwrap_or_else(|| panic!("{id} not in the index"))
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line("2017-07-03-jcom"),
        [
            "incidents/2017-07-03-jcom/index.html",
            "DNSサーバへの応答破棄によるウェブサイト接続障害",
            "株式会社ジュピターテレコム、株式会社ジェイコムウェスト",
            "2017年7月3日 11:50",
            "52,792",
            "人為ミス",
            "確定",
        ]
    );
    assert_eq!(line("2016-12-12-netforest")[4], "不明");
    assert_eq!(line("2023-11-09-catch-network")[4], "約48,000");
    // Filters: the labels the pages show, each with its incidents.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("search/data/index.json"))).unwrap();
    let labels = |f: &str| -> Vec<String> {
        manifest["filters"][f]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v[0].as_str().unwrap().to_string())
            .collect()
    };
    assert!(labels("cause").contains(&"人為ミス".to_string()));
    assert!(labels("operator").contains(&"株式会社朝日ネット".to_string()));
    assert_eq!(labels("year")[0], "2023年");
    assert_eq!(labels("status"), ["確定", "速報"]);
}

#[test]
fn every_page_has_a_search_box_that_leads_to_the_search_page() {
    let dir = shipped();
    let out = build(dir.path(), false);
    let site = gen::check(&BuildOptions::new(dir.path())).unwrap();
    let mut kinds = BTreeSet::new();
    // Web pages: not the printable documents, nor the feeds, sitemap and data exports.
    let pages = gen::render::routes(&site)
        .into_iter()
        .filter(|r| !r.print && r.path.ends_with(".html"));
    for r in pages {
        let html = read(&out.join(&r.path));
        let root = if r.path == "404.html" {
            // Served at any depth: its links are absolute.
            site.config.base_url.clone()
        } else {
            "../".repeat(r.path.matches('/').count())
        };
        let form = format!(
            "<form class=\"site-search\" role=\"search\" aria-label=\"サイト内検索\" method=\"get\" action=\"{root}search/index.html\">"
        );
        assert!(html.contains(&form), "{}: no {form}", r.path);
        assert!(
            html.contains("<input id=\"site-search-q\" type=\"search\" name=\"q\">"),
            "{}",
            r.path
        );
        kinds.insert(r.kind);
    }
    assert!(kinds.contains("search") && kinds.contains("incident") && kinds.contains("404"));
    let page = read(&out.join("search/index.html"));
    assert!(page.contains("<title>検索 | "), "{page}");
    assert!(page.contains("<script src=\"search.js\" defer></script>"));
    assert!(page.contains("data-root=\"../\""));
    assert!(page.contains("data-incidents-href=\"../incidents/index.html\""));
    // Said plainly, in the site's language, when the page is opened from disk.
    assert!(page.contains("data-file=\"ファイルとして開いたページ（file://）では検索できません。"));
}

#[test]
fn an_english_site_labels_its_search_in_english() {
    let dir = site(&[("content/incidents/a.md", INCIDENT)]);
    common::write(
        dir.path(),
        "config.toml",
        CONFIG.replace("language = \"ja\"", "language = \"en\""),
    );
    let out = build(dir.path(), false);
    let page = read(&out.join("search/index.html"));
    assert!(page.contains("<title>Search | T</title>"), "{page}");
    assert!(page.contains(
        "data-file=\"Search does not work in pages opened as files (file://): the browser refuses to load the search index."
    ));
    assert!(page.contains("<label for=\"search-q\">Search terms</label>"));
}

#[test]
fn drafts_are_not_indexed_unless_the_build_publishes_them() {
    let draft = HEAD.replace("title = \"A\"", "title = \"龘靐\"\nstatus = \"draft\"")
        + "\n本文に鱻麤という語。\n";
    let dir = site(&[
        ("content/incidents/a.md", INCIDENT),
        ("content/incidents/draft.md", &draft),
    ]);
    let out = build(dir.path(), false);
    let keys = index_keys(&out);
    for word in ["龘靐", "鱻麤", "龘", "鱻"] {
        assert!(
            !keys.contains_key(word),
            "the draft's {word} is in the index"
        );
    }
    assert!(
        keys.contains_key("bo"),
        "the published incident's body is indexed"
    );
    for (path, bytes) in common::tree(&out).files() {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("龘") && !text.contains("incidents/draft"),
            "{} leaks the draft",
            path.display()
        );
    }
    assert_eq!(docs(&out).len(), 1);
    // The same site built with --drafts indexes it: the check above can fail.
    let out = build(dir.path(), true);
    let keys = index_keys(&out);
    assert_eq!(find(&keys, "鱻麤").len(), 1);
    assert_eq!(find(&keys, "龘靐").len(), 1);
    assert_eq!(docs(&out).len(), 2);
}

#[test]
fn hostile_titles_reach_the_results_only_as_data() {
    let hostile = "</script><script>alert(1)</script>\\\"'<img src=x onerror=alert(2)>";
    let incident = HEAD
        .replace(
            "title = \"A\"",
            &format!(
                "title = \"{}\"\nsummary = \"{}\"",
                hostile.replace('\\', "\\\\").replace('"', "\\\""),
                hostile.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        )
        .replace("[\"Op\"]", "[\"<b>Op</b>\"]")
        + "\nBody.\n";
    let dir = site(&[("content/incidents/a.md", &incident)]);
    let out = build(dir.path(), false);
    // The result line holds the title as a JSON string, exactly as written.
    let docs = docs(&out);
    assert_eq!(docs[0][1].as_str().unwrap(), hostile);
    assert_eq!(docs[0][2].as_str().unwrap(), "<b>Op</b>");
    // Written with JSON escapes for `<`, `>` and `&`, so no file reads as a tag.
    let raw = read(&out.join("search/data/docs-0.json"));
    assert!(raw.contains("\\u003c/script\\u003e"), "{raw}");
    assert!(!raw.contains('<') && !raw.contains('>'), "{raw}");
    // The search page itself holds no incident data, so nothing of it is parsed as HTML.
    let page = read(&out.join("search/index.html"));
    assert!(!page.contains("alert"), "{page}");
    // And the script shows results as text: it never hands a string to the HTML parser.
    let script = read(&out.join("search/search.js"));
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ] {
        assert!(!script.contains(sink), "search.js uses {sink}");
    }
    assert!(script.contains("a.textContent = doc[1];"));
}
