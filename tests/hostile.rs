//! Hostile sites, generated: file names, operator names, heading attributes, link URLs,
//! raw HTML and assets chosen by an attacker. Whatever the input, a build either fails with
//! a reported error or publishes nothing that runs script, nothing from a dotfile and one
//! page per incident and per operator; it never panics.
//!
//! `GEN_FUZZ_SECONDS=1800 cargo test --release --test hostile -- --nocapture` searches for
//! half an hour instead of one batch.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use tempfile::TempDir;

mod common;
use common::{write, CONFIG};

/// File names an attacker or a careless user might give an incident, that gen accepts.
const NAMES: &[&str] = &[
    "a",
    "b-2024",
    "日本語の障害",
    "a b",
    "caf\u{e9}",
    "trailing_",
    "v1.2",
    "ＡＢＣ",
];

/// File names gen refuses (a located error).
const BAD_NAMES: &[&str] = &[
    "A", // with `a`: ids differing only in case
    "x\"y",
    "x'><svg onload=alert(1)>",
    "q&amp;",
    "CON",
    "aux",
    "com1.txt",
    "nul",
    "%2e%2e",
    "a#b",
    "a?b",
    "back\\slash",
    "cafe\u{301}",
    "zero\u{200b}width",
    "tab\there",
    "-leading",
    "trailing.",
    "index",
    "output",
];

/// Operator names, some equal after slugging.
const OPERATORS: &[&str] = &[
    "A",
    "a",
    "a 2",
    "a-2",
    "株式会社例",
    "\"><script>alert(1)</script>",
    "caf\u{e9}",
    "CON",
    "index.html",
    "../..",
];

/// Operator names gen refuses.
const BAD_OPERATORS: &[&str] = &["株式会社\u{200b}例", "cafe\u{301}", " ", "x\u{0}y"];

/// Body fragments gen publishes (raw HTML is sanitized).
const BODY: &[&str] = &[
    "## 見出し {#ok .cls}\n\n",
    "## main\n\n## main {#main}\n\n",
    "<img src=x onerror=alert(1)>\n\n",
    "<a href=\"https://example.com/\" onclick=\"alert(1)\">a</a>\n\n",
    "<svg><script>alert(1)</script></svg>\n\n",
    "<iframe src=\"https://example.com\"></iframe>\n\n",
    "<div style=\"background:url(https://evil.example/)\">s</div>\n\n",
    "<!--><script>alert(1)</script><!-- -->\n\n",
    "[ok](https://example.com/a?b=c)\n\n",
    "[mail](mailto:a@example.com)\n\n",
    "[t](https://example.com \"x\\\" onmouseover=\\\"alert(1)\")\n\n",
    "gen-root-token/ and ../ text\n\n",
    "```log\nline\n```\n\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
    "[^n]\n\n[^n]: note {onclick=alert(1)}\n\n",
    "<p title=\"&quot;&gt;&lt;script&gt;\">x</p>\n\n",
];

/// Body fragments gen refuses with a located error.
const BAD_BODY: &[&str] = &[
    "## T {autofocus tabindex=0 onfocus=alert(1)}\n\n",
    "## U {#x\" onmouseover=\"alert(1)}\n\n",
    "## V {style=\"background:url(javascript:alert(1))\"}\n\n",
    "[x](javascript:alert(1))\n\n",
    "[x](JaVaScRiPt:alert(1))\n\n",
    "[x]( java\tscript:alert(1))\n\n",
    "[x](&#106;avascript:alert(1))\n\n",
    "[x](&#x6A;avascript&colon;alert(1))\n\n",
    "[x](vbscript:msgbox(1))\n\n",
    "[x](data:text/html,<script>alert(1)</script>)\n\n",
    "[x](DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n",
    "<javascript:alert(1)>\n\n",
    "[r]\n\n[r]: javascript:alert(1)\n\n",
    "![i](javascript:alert(1))\n\n",
    "![i](%2Fetc%2Fpasswd)\n\n",
    "![i](%2e%2e/%2e%2e/config.toml)\n\n",
    "<a href=\"javascript:alert(1)\">a</a>\n\n",
];

/// Assets beside a folder-form incident, and files in `static/`, that gen publishes (or,
/// for dotfiles, skips).
const ASSETS: &[(&str, &str)] = &[
    ("ok.txt", "plain"),
    (".env", "SECRET=1"),
    (".git/config", "[core]"),
    (".DS_Store", "x"),
    ("nice.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\" fill=\"red\"/></svg>"),
    ("page.html", "<!DOCTYPE html><p>A page <a href=\"/\">home</a></p>"),
    ("img/diagram.png", "PNG"),
];

/// Assets gen refuses.
const BAD_ASSETS: &[(&str, &str)] = &[
    ("evil.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(1)</script></svg>"),
    ("evil.html", "<html><body><script>alert(1)</script></body></html>"),
    ("evil.xhtml", "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>"),
];

#[derive(Debug, Clone)]
struct Incident {
    name: &'static str,
    folder: bool,
    title: String,
    operators: Vec<&'static str>,
    body: String,
    assets: Vec<(&'static str, &'static str)>,
}

/// Mostly from `good`, now and then from `bad`, so that most sites build and the output
/// is checked, while the refusals are exercised too.
fn mostly<T: Clone + std::fmt::Debug + 'static>(
    good: &'static [T],
    bad: &'static [T],
) -> impl Strategy<Value = T> + Clone {
    prop_oneof![
        12 => prop::sample::select(good),
        1 => prop::sample::select(bad),
    ]
}

fn incident() -> impl Strategy<Value = Incident> {
    (
        mostly(NAMES, BAD_NAMES),
        any::<bool>(),
        prop::sample::select(vec![
            "t",
            "</title><script>alert(1)</script>",
            "a\\\"c'\u{2028}y",
            "{{ site.title }} {% raw %}",
        ]),
        prop::collection::vec(mostly(OPERATORS, BAD_OPERATORS), 1..3),
        prop::collection::vec(mostly(BODY, BAD_BODY), 0..6),
        prop::collection::vec(mostly(ASSETS, BAD_ASSETS), 0..4),
    )
        .prop_map(|(name, folder, title, operators, body, assets)| Incident {
            name,
            folder,
            title: title.to_string(),
            operators,
            body: body.concat(),
            assets,
        })
}

/// TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes the site; returns false when the file system refuses a name (then there is
/// nothing to build).
fn write_site(root: &Path, incidents: &[Incident], statics: &[(&str, &str)]) -> bool {
    write(root, "config.toml", CONFIG);
    let dir = root.join("content/incidents");
    fs::create_dir_all(&dir).unwrap();
    for i in incidents {
        let ops: Vec<String> = i.operators.iter().map(|o| toml_str(o)).collect();
        let text = format!(
            "+++\ntitle = {}\noperators = [{}]\nstarted = 2024-01-15T11:50:00+09:00\ncauses = [\"human-error\"]\nstatus = \"final\"\n+++\n\n{}",
            toml_str(&i.title),
            ops.join(", "),
            i.body
        );
        let file = if i.folder {
            let folder = dir.join(i.name);
            if fs::create_dir_all(&folder).is_err() {
                return false;
            }
            for (p, t) in &i.assets {
                write(&folder, p, t);
            }
            folder.join("index.md")
        } else {
            dir.join(format!("{}.md", i.name))
        };
        if fs::write(file, text).is_err() {
            return false;
        }
    }
    for (p, t) in statics {
        write(&root.join("static"), p, t);
    }
    true
}

/// The attributes of every tag in `html`, by a small tokenizer: text never holds a raw
/// `<letter` (gen escapes it), so every such sequence starts a tag.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' && html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        if b[i] != b'<' || i + 1 >= b.len() || !b[i + 1].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[i + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'=' {
                j += 1;
            }
            let key = html[start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let end = html[j + 1..].find(q as char).map_or(b.len(), |e| j + 1 + e);
                    value = html[j + 1..end.min(b.len())].to_string();
                    j = end + 1;
                } else {
                    let s = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = html[s..j].to_string();
                }
            }
            attrs.push((key, value));
        }
        // Raw text elements: skip to their end tag.
        if name == "style" || name == "script" || name == "textarea" || name == "title" {
            let close = format!("</{name}");
            let k = html[j..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(b.len(), |e| j + e);
            out.push((name.clone(), attrs));
            out.push((
                format!("{name}#text"),
                vec![("text".into(), html[j.min(b.len())..k].to_string())],
            ));
            i = k + 1;
            continue;
        }
        out.push((name, attrs));
        i = j + 1;
    }
    out
}

/// An attribute value as the browser reads it: entities decoded, whitespace and control
/// characters dropped, lower case.
fn as_read(value: &str) -> String {
    let mut s = String::new();
    let mut rest = value;
    while let Some(k) = rest.find('&') {
        s.push_str(&rest[..k]);
        let after = &rest[k + 1..];
        let end = after.find(';').unwrap_or(0);
        let ent = &after[..end];
        let decoded = if let Some(hex) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        } else if let Some(dec) = ent.strip_prefix('#') {
            dec.parse().ok().and_then(char::from_u32)
        } else {
            match ent {
                "colon" => Some(':'),
                "amp" => Some('&'),
                "tab" => Some('\t'),
                "newline" => Some('\n'),
                _ => None,
            }
        };
        match decoded {
            Some(c) if end > 0 => {
                s.push(c);
                rest = &after[end + 1..];
            }
            _ => {
                s.push('&');
                rest = after;
            }
        }
    }
    s.push_str(rest);
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// What in one published HTML or SVG file could run script.
fn active_content(path: &str, html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (tag, attrs) in tags(html) {
        if [
            "script", "iframe", "object", "embed", "base", "frame", "applet",
        ]
        .contains(&tag.as_str())
            // The search page's own script, from the theme: no content reaches it.
            && !(path == "search/index.html"
                && tag == "script"
                && attrs == [("src".into(), "search.js".into()), ("defer".into(), String::new())])
        {
            found.push(format!("{path}: <{tag}>"));
        }
        for (k, v) in &attrs {
            if k.starts_with("on") {
                found.push(format!("{path}: <{tag} {k}=…>"));
            }
            let read = as_read(v);
            let url_attr = [
                "href",
                "src",
                "xlink:href",
                "action",
                "formaction",
                "srcset",
                "poster",
                "data",
            ]
            .contains(&k.as_str());
            if url_attr
                && (read.starts_with("javascript:")
                    || read.starts_with("vbscript:")
                    || (read.starts_with("data:")
                        && !(tag == "img" && read.starts_with("data:image/"))))
            {
                found.push(format!("{path}: <{tag} {k}={v}>"));
            }
            if k == "style" && (read.contains("url(") || read.contains("expression(")) {
                found.push(format!("{path}: <{tag} style={v}>"));
            }
            if tag == "meta" && k == "http-equiv" && read == "refresh" {
                found.push(format!("{path}: <meta http-equiv=refresh>"));
            }
            if tag == "style#text" {
                // Only the theme's own stylesheet text: no fetches.
                for bad in ["url(", "@import", "expression("] {
                    if read.contains(bad) && !v.contains("url(data:image/") {
                        found.push(format!("{path}: <style> with {bad}"));
                    }
                }
            }
        }
    }
    found
}

fn check_output(out: &Path, incidents: &[Incident]) -> Result<(), TestCaseError> {
    let mut pages = BTreeSet::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for part in rel.split('/') {
            prop_assert!(
                !part.starts_with('.') || rel == ".gen-output",
                "a dotfile was published: {rel}"
            );
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let lower = rel.to_ascii_lowercase();
        if [".html", ".htm", ".svg", ".xhtml", ".xml"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            let text = String::from_utf8_lossy(&fs::read(entry.path()).unwrap()).into_owned();
            let found = active_content(&rel, &text);
            prop_assert!(found.is_empty(), "script would run: {found:?}");
            prop_assert!(!text.contains('\0'), "{rel}: a NUL byte was published");
        }
        if rel.starts_with("incidents/") && rel.ends_with("/index.html") {
            pages.insert(rel);
        }
    }
    // One page per incident: none lost to another's id.
    let ids: BTreeSet<&str> = incidents.iter().map(|i| i.name).collect();
    prop_assert_eq!(pages.len(), ids.len() + 1, "incident pages: {:?}", pages);
    Ok(())
}

/// Sites that built (and whose output was checked).
static BUILT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn case(
    incidents: Vec<Incident>,
    statics: Vec<(&'static str, &'static str)>,
) -> Result<(), TestCaseError> {
    // Two incidents with one name: the file system keeps one; skip such draws.
    let names: BTreeSet<&str> = incidents.iter().map(|i| i.name).collect();
    if names.len() != incidents.len() {
        return Ok(());
    }
    let dir = TempDir::new().unwrap();
    if !write_site(dir.path(), &incidents, &statics) {
        return Ok(());
    }
    let mut opts = gen::BuildOptions::new(dir.path());
    opts.output = Some(dir.path().join("output"));
    match gen::build(&opts) {
        Ok(_) => {
            BUILT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            check_output(&dir.path().join("output"), &incidents)
        }
        Err(gen::Error::Content(diags)) => {
            prop_assert!(!diags.is_empty());
            for d in &diags {
                // Every problem points at a file.
                prop_assert!(!d.to_string().is_empty());
            }
            Ok(())
        }
        Err(gen::Error::Io { .. } | gen::Error::Usage { .. } | gen::Error::Walk { .. }) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("unexpected error: {e}"))),
    }
}

#[test]
fn no_hostile_site_publishes_script_or_dotfiles_or_loses_a_page() {
    let seconds: u64 = std::env::var("GEN_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut runs = 0u64;
    loop {
        let mut runner = TestRunner::new(RunnerConfig {
            cases: 64,
            failure_persistence: None,
            ..RunnerConfig::default()
        });
        let strategy = (
            prop::collection::vec(incident(), 1..5),
            prop::collection::vec(mostly(ASSETS, BAD_ASSETS), 0..3),
        );
        let result = runner.run(&strategy, |(incidents, statics)| case(incidents, statics));
        runs += 64;
        if let Err(e) = result {
            panic!("after {runs} cases: {e}");
        }
        if std::time::Instant::now() >= deadline {
            break;
        }
    }
    let built = BUILT.load(std::sync::atomic::Ordering::Relaxed);
    if seconds > 0 {
        println!("tried {runs} hostile sites in {seconds} s; {built} built and were checked");
    }
    // A generator whose every site is refused would check nothing.
    // About a third build; a tenth is far below what chance gives over 64 draws.
    assert!(built * 10 >= runs, "only {built} of {runs} sites built");
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    // The checker itself must not be blind: each of these is caught.
    for bad in [
        "<p><script>x</script></p>",
        "<h2 autofocus onfocus=alert(1)>T</h2>",
        "<a href=\"JaVa&#x53;cript:alert(1)\">x</a>",
        "<a href=\" java\tscript:x\">x</a>",
        "<a href='data:text/html,x'>x</a>",
        "<img src=x onerror=alert(1)>",
        "<div style=\"background:url(https://evil.example/)\">",
        "<style>h1::before{content:\"\u{c}\";background:url(https://evil.example)}</style>",
    ] {
        assert!(!active_content("t", bad).is_empty(), "missed: {bad}");
    }
    for good in [
        "<p>onclick=alert(1) as text</p>",
        "<a href=\"https://example.com/javascript:\">x</a>",
        "<img src=\"data:image/png;base64,AAAA\">",
        "<!-- <script> -->",
    ] {
        assert!(active_content("t", good).is_empty(), "false alarm: {good}");
    }
}
