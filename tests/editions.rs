//! Public and internal editions from one source (docs/format.md, "Editions"): every kind of
//! internal marking carries a planted string `ZZLEAK-<n>`; the public edition's output,
//! read byte for byte (every file, the search index decoded), holds none of them, and the
//! internal edition's holds every one. Redaction mistakes are located errors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

mod common;
use common::{gen_cmd, index_keys, read, site_with_config, text, write, HEAD};

/// The fixture's config: raw HTML published as written (so that no sanitizer hides an
/// HTML comment that leaks), absolute addresses (feeds, sitemap, robots.txt) and every
/// incident's printable report.
const CONFIG: &str = "title = \"T\"\nlanguage = \"ja\"\ntimezone = \"+09:00\"\nbase_url = \"https://example.org/p/\"\nunsafe_html = true\nincident_reports = true\n";

/// The planted strings, by number.
const PLANTED: std::ops::RangeInclusive<u32> = 1..=21;

/// A public incident with every kind of internal item, an internal incident, a public and
/// an internal meeting.
fn fixture() -> tempfile::TempDir {
    let pub_a = r#"+++
title = "公開の事故"
operators = ["事業者A"]
started = 2024-01-15T11:50:00+09:00
resolved = 2024-01-15T13:50:00+09:00
causes = ["human-error"]
summary = "公開の概要"
meeting = "m-pub"

[internal]
vendor = "ZZLEAK-3"

[[phases]]
label = "公開の区間"
affected_users = 100

[[phases]]
label = "ZZLEAK-7"
affected_users = 5000
internal = true

[[countermeasures]]
action = "公開の対策"
status = "done"
completed = 2024-02-01

[[countermeasures]]
action = "ZZLEAK-4"
internal = true

[[notices]]
at = 2024-01-15T12:00:00+09:00
title = "第1報"

[[notices]]
at = 2024-01-15T12:30:00+09:00
title = "ZZLEAK-5"
internal = true

[[timeline]]
at = 2024-01-15T11:50:00+09:00
event = "検知"

[[timeline]]
at = 2024-01-15T12:10:00+09:00
event = "ZZLEAK-6"
internal = true
+++

## 障害内容

公開の本文。

<!-- internal -->
社内だけの話 ZZLEAK-8。

## ZZLEAK-9 の見出し

![ZZLEAK-10](internal/secret.png)
[ZZLEAK-11](https://example.org/ZZLEAK-12)
<!-- ZZLEAK-13 -->
[資料](only-internal.txt)
<p><img src="raw-only.png" alt="生のHTML"></p>
<!-- /internal -->

## 発生原因

公開の原因。

## 再発防止策

公開の対策。

![構成図](diagram.png)
"#;
    let int_c = r#"+++
title = "ZZLEAK-1 社内だけの事故"
operators = ["ZZLEAK-17 株式会社"]
started = 2024-03-01T10:00:00+09:00
resolved = 2024-03-01T11:00:00+09:00
causes = ["vendor-bug"]
tags = ["ZZLEAK-18"]
affected_users = 7
visibility = "internal"
related = ["pub-a"]

[[countermeasures]]
action = "社内の対策"
+++

社内の事故。
"#;
    let m_pub = r#"+++
title = "検証会議（第1回）"
date = 2024-02-10T15:00:00+09:00
incidents = ["pub-a"]
+++

## 議事模様

公開の議事。

<!-- internal -->
社内の議事 ZZLEAK-14。
<!-- /internal -->
"#;
    let m_int = r#"+++
title = "ZZLEAK-2 社内会議"
date = 2024-03-10T15:00:00+09:00
incidents = ["int-c", "pub-b"]
visibility = "internal"
+++

社内会議。
"#;
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/pub-a/index.md", pub_a),
            // Reviewed at the internal meeting, whose id (its file name) is planted too.
            (
                "content/incidents/pub-b.md",
                &format!(
                    "{}\n公開の事故B。\n",
                    HEAD.replacen(
                        "causes = [\"human-error\"]\n",
                        "causes = [\"human-error\"]\nmeeting = \"zzleak-21\"\n",
                        1,
                    )
                ),
            ),
            ("content/incidents/int-c.md", int_c),
            ("content/meetings/m-pub.md", m_pub),
            ("content/meetings/zzleak-21.md", m_int),
        ],
    );
    write(
        dir.path(),
        "content/incidents/pub-a/diagram.png",
        b"PUBLIC-DIAGRAM",
    );
    write(
        dir.path(),
        "content/incidents/pub-a/internal/secret.png",
        b"\x89PNG\r\n\x1a\nZZLEAK-15",
    );
    write(
        dir.path(),
        "content/incidents/pub-a/only-internal.txt",
        "ZZLEAK-16\n",
    );
    // Named only by raw HTML inside the internal block.
    write(dir.path(), "content/incidents/pub-a/raw-only.png", RAW_ONLY);
    // An internal image that raw HTML in public text names: the public report must not
    // embed it (base64 would hide the planted string from a plain search).
    write(
        dir.path(),
        "content/incidents/pub-a/internal/raw-secret.png",
        RAW_SECRET,
    );
    dir
}

/// The bytes of the asset only raw HTML in an internal block names.
const RAW_ONLY: &[u8] = b"\x89PNG\r\n\x1a\nZZLEAK-19";
/// The bytes of the internal image raw HTML in public text names.
const RAW_SECRET: &[u8] = b"\x89PNG\r\n\x1a\nZZLEAK-20";

/// Builds `root` into `out` with `args` (`--edition …`).
fn build(root: &Path, out: &Path, edition: &str) {
    let o = gen_cmd(["build", "--today", "2024-06-01", "--edition", edition])
        .root(root)
        .arg("--output")
        .arg(out)
        .run();
    assert!(o.success(), "{edition}: {}", o.stderr());
}

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// The planted numbers `bytes` contains (`ZZLEAK-<n>` with no digit after it, in any case:
/// ids and slugs are lower case).
fn planted(bytes: &[u8]) -> BTreeSet<u32> {
    let text = String::from_utf8_lossy(bytes).to_ascii_uppercase();
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("ZZLEAK-") {
        let digits: String = text[at + 7..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse() {
            found.insert(n);
        }
    }
    found
}

/// The index keys only the planted strings make: `ZZLEAK` has the pairs `zz`, `zl`, `le`,
/// `ea`, `ak`; no other text of the fixture has `zz` or `zl`.
fn leak_keys(keys: &BTreeMap<String, BTreeSet<u64>>) -> Vec<&String> {
    keys.keys()
        .filter(|k| ["zz", "zl"].contains(&k.to_lowercase().as_str()))
        .collect()
}

#[test]
fn the_public_edition_holds_no_internal_byte_and_the_internal_one_all() {
    let dir = fixture();
    let public = dir.path().join("out-public");
    let internal = dir.path().join("out-internal");
    build(dir.path(), &public, "public");
    build(dir.path(), &internal, "internal");

    // Every file of the public edition, as bytes: HTML, JSON, CSV, XML, JS, the search
    // index, copied assets, robots.txt …
    let public_files = files(&public);
    assert!(public_files.len() > 40, "{:?}", public_files.keys());
    for (path, bytes) in &public_files {
        assert!(
            !String::from_utf8_lossy(bytes)
                .to_ascii_uppercase()
                .contains("ZZLEAK"),
            "the public edition's {path} leaks {:?}",
            planted(bytes)
        );
    }
    assert_eq!(leak_keys(&index_keys(&public)), Vec::<&String>::new());
    // Nor embedded in a printed document as a data URI.
    use base64::Engine as _;
    for secret in [RAW_ONLY, RAW_SECRET, b"\x89PNG\r\n\x1a\nZZLEAK-15"] {
        let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
        for (path, bytes) in &public_files {
            assert!(
                !String::from_utf8_lossy(bytes).contains(&encoded),
                "the public edition's {path} embeds an internal image"
            );
        }
    }
    // Internal assets, and assets only internal text links to or names, are not copied;
    // the public text's own asset is.
    assert!(!public.join("incidents/pub-a/internal").exists());
    assert!(!public.join("incidents/pub-a/only-internal.txt").exists());
    assert!(!public.join("incidents/pub-a/raw-only.png").exists());
    assert_eq!(
        std::fs::read(public.join("incidents/pub-a/diagram.png")).unwrap(),
        b"PUBLIC-DIAGRAM"
    );
    // No page of the internal incident, meeting, operator or tag.
    for gone in [
        "incidents/int-c/index.html",
        "meetings/zzleak-21/index.html",
        "meetings/zzleak-21/packet/index.html",
        "tags/zzleak-18/index.html",
    ] {
        assert!(!public.join(gone).exists(), "{gone}");
    }
    assert!(!public_files.keys().any(|p| p.contains("zzleak")));

    // The internal edition has every planted string, the search index included.
    let internal_files = files(&internal);
    let mut found = BTreeSet::new();
    for bytes in internal_files.values() {
        found.extend(planted(bytes));
    }
    assert_eq!(found, PLANTED.collect::<BTreeSet<u32>>());
    assert!(!leak_keys(&index_keys(&internal)).is_empty());
    assert_eq!(
        std::fs::read(internal.join("incidents/pub-a/internal/secret.png")).unwrap(),
        b"\x89PNG\r\n\x1a\nZZLEAK-15"
    );
}

#[test]
fn public_totals_count_public_incidents_only() {
    let dir = fixture();
    let public = dir.path().join("out-public");
    let internal = dir.path().join("out-internal");
    build(dir.path(), &public, "public");
    build(dir.path(), &internal, "internal");
    let count = |out: &Path| {
        let json: serde_json::Value =
            serde_json::from_str(&read(&out.join("incidents.json"))).unwrap();
        json["incidents"].as_array().unwrap().len()
    };
    assert_eq!(count(&public), 2);
    assert_eq!(count(&internal), 3);
    let csv = read(&public.join("incidents.csv"));
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // The list's count, and the home page's.
    let list = text(&read(&public.join("incidents/index.html")));
    assert!(list.contains("2件"), "{list}");
    assert!(!list.contains("3件"), "{list}");
    let list = text(&read(&internal.join("incidents/index.html")));
    assert!(list.contains("3件"), "{list}");
    // The public incident's users: its public phase only (the internal one said 5,000).
    let json: serde_json::Value =
        serde_json::from_str(&read(&public.join("incidents.json"))).unwrap();
    let a = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "pub-a")
        .unwrap();
    assert_eq!(a["affected_users"]["value"], 100);
    assert_eq!(a["countermeasures"].as_array().unwrap().len(), 1);
    // The meetings list: one public meeting.
    let meetings = read(&public.join("meetings/index.html"));
    assert_eq!(meetings.matches("<tr>").count() - 1, 1, "{meetings}");
}

#[test]
fn the_internal_edition_marks_what_must_not_be_forwarded() {
    let dir = fixture();
    let internal = dir.path().join("out-internal");
    let public = dir.path().join("out-public");
    build(dir.path(), &internal, "internal");
    build(dir.path(), &public, "public");
    // A landmark of its own, so that no content of the page is outside landmarks.
    let band = "<div role=\"region\" aria-labelledby=\"edition-band\"><p class=\"edition-band\" id=\"edition-band\">社内版 — 転送禁止</p></div>";
    for page in [
        "index.html",
        "incidents/index.html",
        "incidents/pub-a/index.html",
        "incidents/pub-a/report.html",
        "meetings/m-pub/packet/index.html",
    ] {
        assert!(read(&internal.join(page)).contains(band), "{page}");
        assert!(!read(&public.join(page)).contains("edition-band"), "{page}");
    }
    let a = read(&internal.join("incidents/pub-a/index.html"));
    let badge = "<span class=\"badge badge-internal\">社内限定</span>";
    // The countermeasure, the notice, the timeline entry and the phase.
    assert_eq!(a.matches(badge).count(), 4 + 1, "{a}");
    assert!(a.contains("<h2 id=\"internal-details\">社内情報 <span class=\"badge badge-internal\">社内限定</span></h2>"));
    assert!(a.contains("<tr><th scope=\"row\">vendor</th><td>ZZLEAK-3</td></tr>"));
    assert!(a.contains("<div class=\"internal-block\"><p class=\"internal-label\">社内限定</p>"));
    let c = read(&internal.join("incidents/int-c/index.html"));
    assert!(
        c.contains(&format!("<h1>ZZLEAK-1 社内だけの事故 {badge}</h1>")),
        "{c}"
    );
    let list = read(&internal.join("incidents/index.html"));
    assert!(
        list.contains(&format!("ZZLEAK-1 社内だけの事故</a> {badge}")),
        "{list}"
    );
    // The countermeasure ledger marks the internal countermeasure and the internal
    // incident's.
    let ledger = read(&internal.join("countermeasures/index.html"));
    assert!(
        ledger.contains(&format!("<td>ZZLEAK-4 {badge}</td>")),
        "{ledger}"
    );
    assert!(
        ledger.contains(&format!("<td>社内の対策 {badge}</td>")),
        "{ledger}"
    );
    assert!(!read(&public.join("countermeasures/index.html")).contains("badge-internal"));
    // The stylesheet: the marks' rules in the internal edition only, in print and in dark mode.
    let css = read(&internal.join("style.css"));
    assert!(css.contains(".edition-band {"));
    assert!(
        css.contains(".edition-band, .badge.badge-internal { background: #9b1c1c; color: #fff; }")
    );
    assert!(!read(&public.join("style.css")).contains("edition-band"));
    // English sites say it in English.
    let en = dir.path().join("en");
    std::fs::create_dir_all(&en).unwrap();
    write(&en, "config.toml", CONFIG.replace("\"ja\"", "\"en\""));
    write(&en, "content/incidents/pub-b.md", format!("{HEAD}\nB.\n"));
    let out = en.join("out");
    build(&en, &out, "internal");
    assert!(read(&out.join("index.html")).contains(
        "<p class=\"edition-band\" id=\"edition-band\">Internal edition — do not forward</p>"
    ));
}

/// The error lines of `gen check`'s output.
fn check_heads(root: &Path) -> Vec<String> {
    let o = gen_cmd(["check", "--today", "2024-06-01"])
        .root(root)
        .env("NO_COLOR", "1")
        .run();
    o.stderr()
        .lines()
        .filter(|l| l.starts_with("error"))
        .map(str::to_string)
        .collect()
}

#[test]
fn redaction_mistakes_are_located_errors_of_the_public_edition() {
    let incident = |extra: &str, body: &str| {
        HEAD.replace("+++\n\n", "").replacen(
            "causes = [\"human-error\"]\n",
            &format!("causes = [\"human-error\"]\n{extra}"),
            1,
        ) + "\n"
            + body
    };
    let dir = site_with_config(
        common::CONFIG,
        &[
            ("content/incidents/int.md", &incident("visibility = \"internal\"\n", "社内。\n")),
            (
                "content/incidents/a/index.md",
                &incident(
                    "related = [\"int\"]\n",
                    "[社内](../int.md)\n![図](internal/x.png)\n[会議](../../meetings/mi.md)\n\n<p><img src=\"internal/x.png\" alt=\"図\"></p>\n\n<a HREF=&#46;&#46;/int/>社内</a> <a href='../../meetings/mi.md'>会議</a>\n\n<!-- internal -->\n[社内](../int.md) ![図](internal/x.png)\n<p><img src=\"internal/x.png\"> <a href=\"../int.md\">社内</a></p>\n<!-- /internal -->\n",
                ),
            ),
            (
                "content/meetings/mp.md",
                "+++\ntitle = \"M\"\ndate = 2024-02-10T15:00:00+09:00\nincidents = [\"a\", \"int\"]\n+++\n",
            ),
            (
                "content/meetings/mi.md",
                "+++\ntitle = \"MI\"\ndate = 2024-02-10T15:00:00+09:00\nvisibility = \"internal\"\n+++\n",
            ),
        ],
    );
    write(dir.path(), "content/incidents/a/internal/x.png", b"png");
    assert_eq!(
        check_heads(dir.path()),
        [
            "error[internal-reference]: content/incidents/a/index.md:6:12: `related` names \"int\", an internal incident, which the public edition leaves out",
            "error[link-to-internal]: content/incidents/a/index.md:9:1: the link \"../int.md\" leads to the incident \"int\", which is internal: the public edition leaves it out",
            "error[internal-asset]: content/incidents/a/index.md:10:1: the image \"internal/x.png\" leads to incidents/a/internal/x.png, an internal asset: the public edition does not publish it",
            "error[link-to-internal]: content/incidents/a/index.md:11:1: the link \"../../meetings/mi.md\" leads to the meeting \"mi\", which is internal: the public edition leaves it out",
            // Raw HTML is read as a browser reads it: case, quotes and character
            // references do not hide where it leads.
            "error[internal-asset]: content/incidents/a/index.md:13:1: the image \"internal/x.png\" leads to incidents/a/internal/x.png, an internal asset: the public edition does not publish it",
            "error[link-to-internal]: content/incidents/a/index.md:15:1: the link \"../int/\" leads to the incident \"int\", which is internal: the public edition leaves it out",
            "error[link-to-internal]: content/incidents/a/index.md:15:32: the link \"../../meetings/mi.md\" leads to the meeting \"mi\", which is internal: the public edition leaves it out",
            "error[internal-reference]: content/meetings/mp.md:4:19: the agenda lists \"int\", an internal incident, which the public edition leaves out",
            "error: 8 errors and 4 warnings found; nothing was written",
        ]
    );
    // The internal edition builds; the public one reports the same errors.
    let o = gen_cmd(["build", "--edition", "internal"])
        .root(dir.path())
        .run();
    assert!(o.success(), "{}", o.stderr());
    let o = gen_cmd(["build", "--edition", "public"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    assert!(
        o.stderr()
            .contains("error: 8 errors found; nothing was written"),
        "{}",
        o.stderr()
    );
}

#[test]
fn wrong_markers_are_located_errors_in_both_editions() {
    let dir = site_with_config(
        common::CONFIG,
        &[
            (
                "content/incidents/a.md",
                &format!(
                    "{HEAD}\n<!-- internal -->\nx\n<!-- internal -->\ny\n<!-- /internal -->\n"
                ),
            ),
            (
                "content/incidents/b.md",
                &format!("{HEAD}\ntext <!-- internal -->\n\n<!-- /internal -->\n"),
            ),
            (
                "content/incidents/c.md",
                &format!("{HEAD}\n  <!-- internal -->\nsecret\n"),
            ),
        ],
    );
    let heads = check_heads(dir.path());
    assert_eq!(
        heads,
        [
            "error[internal-marker]: content/incidents/a.md:10:1: <!-- internal --> inside the internal block opened on line 8: internal blocks do not nest",
            "error[internal-marker]: content/incidents/b.md:8:6: `<!-- internal -->` shares its line with other text: an internal marker must be alone on its line",
            "error[internal-marker]: content/incidents/b.md:10:1: <!-- /internal --> closes no block: there is no <!-- internal --> before it",
            "error[internal-marker]: content/incidents/c.md:8:3: <!-- internal --> is not closed: there is no <!-- /internal --> after it",
            "error: 4 errors and 6 warnings found; nothing was written",
        ]
    );
    for edition in ["public", "internal"] {
        let o = gen_cmd(["build", "--edition", edition])
            .root(dir.path())
            .run();
        assert_eq!(o.code(), Some(1), "{edition}");
    }
}

#[test]
fn edition_and_visibility_values_are_checked() {
    let dir = site_with_config(
        &format!("{}edition = \"secret\"\n", common::CONFIG),
        &[("content/incidents/a.md", &format!("{HEAD}\nx\n"))],
    );
    let o = gen_cmd(["check"])
        .root(dir.path())
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(o.code(), Some(1));
    assert!(
        o.stderr().contains(
            "error[invalid-value]: config.toml:4:11: `edition` has an unknown value \"secret\""
        ),
        "{}",
        o.stderr()
    );
    let dir = site_with_config(
        common::CONFIG,
        &[(
            "content/incidents/a.md",
            &HEAD.replacen("+++\n", "+++\nvisibility = \"intern\"\n", 1),
        )],
    );
    let heads = check_heads(dir.path());
    assert_eq!(
        heads,
        [
            "error[invalid-value]: content/incidents/a.md:2:14: `visibility` has an unknown value \"intern\"",
            "error: 1 error found; nothing was written",
        ]
    );
}

#[test]
fn config_sets_the_edition_and_the_flag_overrides_it() {
    let dir = fixture();
    write(
        dir.path(),
        "config.toml",
        format!("{CONFIG}edition = \"internal\"\n"),
    );
    let o = gen_cmd(["build", "--today", "2024-06-01"])
        .root(dir.path())
        .run();
    assert!(o.success(), "{}", o.stderr());
    assert!(read(&dir.path().join("output/index.html")).contains("edition-band"));
    assert!(dir
        .path()
        .join("output/incidents/int-c/index.html")
        .exists());
    // The public edition over the internal one's output: a rebuild keeps only pages
    // rendered for this edition (the edition is part of every page's key).
    build(dir.path(), &dir.path().join("output"), "public");
    assert!(!dir
        .path()
        .join("output/incidents/int-c/index.html")
        .exists());
    for (path, bytes) in files(&dir.path().join("output")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.to_ascii_uppercase().contains("ZZLEAK") && !text.contains("edition-band"),
            "{path} kept from the internal edition"
        );
    }
}

fn pdftotext(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is needed for this test (apt-get install poppler-utils)");
    assert!(o.status.success());
    String::from_utf8(o.stdout).unwrap()
}

/// `gen pdf --all` of the public edition prints no internal text; the internal edition's
/// PDFs carry the band and the internal text.
#[test]
fn printed_pdfs_honour_the_edition() {
    let dir = fixture();
    let pdfs = dir.path().join("pdf-public");
    let o = gen_cmd(["pdf", "--all", "--edition", "public"])
        .root(dir.path())
        .arg("--output")
        .arg(&pdfs)
        .run();
    assert!(o.success(), "{}", o.stderr());
    let names: Vec<String> = std::fs::read_dir(&pdfs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.is_empty());
    assert!(
        !names
            .iter()
            .any(|n| n.contains("int-c") || n.to_ascii_uppercase().contains("ZZLEAK")),
        "{names:?}"
    );
    for name in &names {
        let t = pdftotext(&pdfs.join(name));
        assert!(
            !t.to_ascii_uppercase().contains("ZZLEAK") && !t.contains("転送禁止"),
            "{name}: {t}"
        );
    }
    let pdfs = dir.path().join("pdf-internal");
    let o = gen_cmd(["pdf", "--incident", "pub-a", "--edition", "internal"])
        .root(dir.path())
        .arg("--output")
        .arg(&pdfs)
        .run();
    assert!(o.success(), "{}", o.stderr());
    let t = pdftotext(&pdfs.join("incident-pub-a.pdf"));
    for n in [3, 4, 5, 6, 7, 8, 9] {
        assert!(t.contains(&format!("ZZLEAK-{n}")), "ZZLEAK-{n}: {t}");
    }
    assert!(t.contains("社内版 — 転送禁止"), "{t}");
}

/// `gen serve` in the public edition: an incident made internal leaves every page, list,
/// count and feed as a full build leaves it, and comes back when made public again.
#[test]
fn serve_follows_an_incident_made_internal() {
    use gen::serve::session::Session;
    let dir = fixture();
    let root = dir.path();
    let full = || {
        let mut s = Session::new(gen::BuildOptions::new(root));
        s.rebuild(&[]).unwrap();
        (*s.files()).clone()
    };
    let mut session = Session::new(gen::BuildOptions::new(root));
    session.rebuild(&[]).unwrap();
    let file = root.join("content/incidents/pub-b.md");
    let original = read(&file);
    let internal = original.replacen("+++\n", "+++\nvisibility = \"internal\"\n", 1);
    for (text, gone) in [(&internal, true), (&original, false)] {
        std::fs::write(&file, text).unwrap();
        session.rebuild(std::slice::from_ref(&file)).unwrap();
        let want = full();
        let got = session.files();
        let wrong = common::serve::differing(&want, &got);
        assert!(wrong.is_empty(), "stale or missing {wrong:?}");
        assert_eq!(got.contains_key("incidents/pub-b/index.html"), !gone);
    }
}

/// Switching editions over one output folder renders every page again: with no internal
/// document, the two editions' sites differ only in the edition (and the blanked bodies),
/// which is part of every page's key.
#[test]
fn a_rebuild_in_the_other_edition_keeps_no_page_of_the_first() {
    let dir = site_with_config(
        CONFIG,
        &[(
            "content/incidents/a.md",
            &format!("{HEAD}\n公開。\n\n<!-- internal -->\nZZLEAK-1\n<!-- /internal -->\n"),
        )],
    );
    let out = dir.path().join("output");
    // Twice: the second build has a previous generation whose pages it may keep.
    build(dir.path(), &out, "internal");
    build(dir.path(), &out, "internal");
    assert!(read(&out.join("incidents/a/index.html")).contains("ZZLEAK-1"));
    build(dir.path(), &out, "public");
    for (path, bytes) in files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.to_ascii_uppercase().contains("ZZLEAK") && !text.contains("edition-band"),
            "{path} kept from the internal edition"
        );
    }
}

/// `gen routes --edition` lists the pages of the edition asked for: the qa scripts learn the
/// internal edition's page kinds from it.
#[test]
fn routes_list_the_pages_of_the_edition_asked_for() {
    let dir = fixture();
    let listing = |edition: &str| {
        let o = gen_cmd(["routes", "--edition", edition])
            .root(dir.path())
            .run();
        assert!(o.success(), "{}", o.stderr());
        o.stdout()
    };
    let internal = listing("internal");
    assert!(
        internal.contains("incident\tincidents/int-c/index.html"),
        "{internal}"
    );
    assert!(
        internal.contains("meeting\tmeetings/zzleak-21/index.html"),
        "{internal}"
    );
    let public = listing("public");
    assert!(!public.contains("int-c"), "{public}");
    assert!(!public.to_ascii_uppercase().contains("ZZLEAK"), "{public}");
}

/// Printed documents are always light: they carry the internal marks' colours, not their
/// dark-mode ones (a light label on a white page failed axe's contrast check in qa).
#[test]
fn printed_documents_carry_no_dark_mode_marks() {
    let dir = fixture();
    let out = dir.path().join("out-internal");
    build(dir.path(), &out, "internal");
    let css = read(&out.join("style.css"));
    assert!(css.contains(".internal-label { color: #ffb4ab; }"), "{css}");
    for doc in [
        "incidents/pub-a/report.html",
        "meetings/m-pub/packet/index.html",
    ] {
        let html = read(&out.join(doc));
        assert!(html.contains(".internal-label {"), "{doc}");
        assert!(!html.contains("#ffb4ab"), "{doc}");
        assert!(!html.contains("prefers-color-scheme"), "{doc}");
    }
}
