//! What a build promises: output never lost, nothing unsafe published, no crash on input.

use std::fs;
use std::path::Path;

use gen::BuildOptions;
use tempfile::TempDir;

mod common;
use common::{gen_cmd, repo, site, tree, write, CONFIG, INCIDENT};

fn leftovers(root: &Path) -> Vec<String> {
    fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".gen-"))
        .collect()
}

#[test]
fn a_failed_build_leaves_output_intact_and_no_temp_folders() {
    let dir = site(&[("content/incidents/a.md", INCIDENT)]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let before = tree(&dir.path().join("output"));
    // A template error happens after staging began: the staging folder must go away.
    write(
        dir.path(),
        "config.toml",
        format!("{CONFIG}theme = \"broken\"\n"),
    );
    write(
        dir.path(),
        "themes/broken/templates/incident.html",
        "{{ incident.row.title | nosuchfilter }}",
    );
    assert!(gen::build(&BuildOptions::new(dir.path())).is_err());
    assert_eq!(before, tree(&dir.path().join("output")));
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn an_interrupted_swap_is_repaired_by_the_next_build() {
    // A kill between the two renames of the fallback swap leaves the old output aside.
    let dir = site(&[("content/incidents/a.md", INCIDENT)]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let before = tree(&dir.path().join("output"));
    fs::rename(
        dir.path().join("output"),
        dir.path().join(".output.gen-old"),
    )
    .unwrap();
    write(dir.path(), "content/incidents/a.md", "broken");
    assert!(gen::build(&BuildOptions::new(dir.path())).is_err());
    assert_eq!(
        before,
        tree(&dir.path().join("output")),
        "the previous output is back"
    );
}

#[test]
fn gen_never_replaces_a_folder_it_did_not_write() {
    let dir = site(&[("content/incidents/a.md", INCIDENT)]);
    // The site itself.
    let o = gen_cmd(["build"])
        .root(dir.path())
        .arg("--output")
        .arg(dir.path())
        .run();
    assert_eq!(o.code(), Some(2));
    assert!(o
        .stderr()
        .contains("it is the site or a folder that holds the site"));
    // A folder with someone's files.
    let mine = dir.path().join("mine");
    write(&mine, "thesis.txt", "precious");
    let o = gen_cmd(["build"])
        .root(dir.path())
        .arg("--output")
        .arg(&mine)
        .run();
    assert_eq!(o.code(), Some(2));
    let err = o.stderr();
    assert!(
        err.contains("the folder has files that gen did not write (no .gen-output marker)"),
        "{err}"
    );
    assert!(err.contains("pass --force"), "{err}");
    assert_eq!(
        fs::read_to_string(mine.join("thesis.txt")).unwrap(),
        "precious"
    );
    // The home folder, even when empty of gen's marker.
    let home = TempDir::new().unwrap();
    write(home.path(), ".bashrc", "x");
    let o = gen_cmd(["build"])
        .env("HOME", home.path())
        .root(dir.path())
        .arg("--output")
        .arg(home.path())
        .run();
    assert_eq!(o.code(), Some(2));
    assert!(o
        .stderr()
        .contains("it is the root folder, the home folder or a folder that holds it"));
    // --force replaces a foreign folder, but never the site.
    let o = gen_cmd(["build", "--force"])
        .root(dir.path())
        .arg("--output")
        .arg(&mine)
        .run();
    assert!(o.success());
    assert!(mine.join("index.html").is_file() && !mine.join("thesis.txt").exists());
}

const PAYLOADS: [&str; 4] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\\\"><svg onload=alert(1)>",
    "javascript:alert(1)",
];

#[test]
fn field_values_are_escaped_everywhere() {
    let mut incident = INCIDENT.to_string();
    for (field, p) in [
        ("title", PAYLOADS[0]),
        ("summary", PAYLOADS[1]),
        ("service_category", PAYLOADS[2]),
    ] {
        incident = incident.replace("causes = ", &format!("{field} = \"{p}\"\ncauses = "));
    }
    let incident = incident.replacen("title = \"A\"\n", "", 1).replace(
        "operators = [\"Op\"]",
        &format!(
            "operators = [\"{}\"]\ntags = [\"{}\"]",
            PAYLOADS[1], PAYLOADS[0]
        ),
    );
    let dir = site(&[("content/incidents/a.md", &incident)]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    for (path, bytes) in tree(&dir.path().join("output")).files() {
        // Lossy: the search index's shards are binary (and hold no `<`: only letters and
        // digits are indexed).
        let mut html = String::from_utf8_lossy(bytes).into_owned();
        // The CSV exports are data, each text as written (tests/exports.rs checks them
        // against formulas); no browser renders them as HTML.
        if path.extension().is_some_and(|x| x == "csv") {
            if path.ends_with("incidents.csv") {
                assert!(html.contains(PAYLOADS[0]), "the title as written");
            }
            continue;
        }
        if path == Path::new("search/index.html") {
            // The search page's own script, from the theme.
            html = html.replace("<script src=\"search.js\" defer></script>", "");
        }
        // Escaped text may still read `onerror=alert`; what must not appear is a tag.
        for bad in ["<script", "<img src=x", "<svg onload"] {
            assert!(!html.contains(bad), "{} contains {bad}", path.display());
        }
    }
    let page = fs::read_to_string(dir.path().join("output/incidents/a/index.html")).unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the title is shown, escaped"
    );
}

const BODY_XSS: &str = r#"
<script>alert(1)</script>
<img src="https://example.org/x.png" onerror="alert(1)">
<a href="javascript:alert(1)">click</a>
<details><summary>More</summary>kept <kbd>Ctrl</kbd> H<sub>2</sub>O</details>
"#;

#[test]
fn raw_html_in_bodies_is_sanitized_unless_trusted() {
    let incident = format!("{INCIDENT}{BODY_XSS}");
    let dir = site(&[("content/incidents/a.md", &incident)]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = fs::read_to_string(dir.path().join("output/incidents/a/index.html")).unwrap();
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("onerror"), "{page}");
    assert!(!page.contains("javascript:"), "{page}");
    assert!(
        page.contains(
            "<details><summary>More</summary>kept <kbd>Ctrl</kbd> H<sub>2</sub>O</details>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<img src=\"https://example.org/x.png\">"),
        "{page}"
    );
    // unsafe_html = true trusts the writer.
    write(
        dir.path(),
        "config.toml",
        format!("{CONFIG}unsafe_html = true\n"),
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = fs::read_to_string(dir.path().join("output/incidents/a/index.html")).unwrap();
    assert!(page.contains("<script>alert(1)</script>"));
}

#[test]
fn nothing_from_a_draft_is_published() {
    let draft = INCIDENT
        .replace("title = \"A\"", "title = \"SECRET-TITLE\"\nstatus = \"draft\"\naffected_users = 987654\ntags = [\"secret-tag\"]")
        .replace("[\"Op\"]", "[\"SECRET-OPERATOR\"]");
    let dir = site(&[
        ("content/incidents/a.md", INCIDENT),
        ("content/incidents/draft.md", &draft),
    ]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    for (path, bytes) in tree(&dir.path().join("output")).files() {
        let text = String::from_utf8_lossy(bytes);
        for secret in [
            "SECRET",
            "secret-tag",
            "987,654",
            "987654",
            "incidents/draft",
        ] {
            assert!(!text.contains(secret), "{} leaks {secret}", path.display());
        }
    }
    assert!(!dir.path().join("output/operators/secret-operator").exists());
}

#[test]
fn a_crash_is_reported_briefly_with_exit_code_101() {
    let dir = site(&[("content/incidents/a.md", INCIDENT)]);
    let o = gen_cmd(["build"])
        .env("GEN_DEBUG_PANIC", "1")
        .root(dir.path())
        .run();
    assert_eq!(o.code(), Some(101));
    let err = o.stderr();
    assert!(
        err.starts_with("gen crashed: GEN_DEBUG_PANIC is set at "),
        "{err}"
    );
    assert!(
        err.contains("This is a bug in gen, not in your content."),
        "{err}"
    );
    assert!(!err.contains("stack backtrace"), "{err}");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let out = TempDir::new().unwrap();
    let build = |threads: &str, dest: &Path| {
        let o = gen_cmd(["build"])
            .env("RAYON_NUM_THREADS", threads)
            .root(repo())
            .arg("--output")
            .arg(dest)
            .run();
        assert!(o.success(), "{}", o.stderr());
    };
    build("1", &out.path().join("one"));
    build("4", &out.path().join("four"));
    assert!(tree(&out.path().join("one")) == tree(&out.path().join("four")));
}

#[test]
fn crlf_line_endings_a_bom_and_plus_lines_in_code_blocks_are_fine() {
    let text = format!(
        "\u{feff}{}\n```toml\n+++\nx = 1\n+++\n```\n",
        INCIDENT.replace('\n', "\r\n")
    );
    let dir = site(&[("content/incidents/a.md", &text)]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = fs::read_to_string(dir.path().join("output/incidents/a/index.html")).unwrap();
    assert!(page.contains("<h1>A</h1>"), "{page}");
    assert!(page.contains("+++"), "the code block is kept");
}

#[test]
fn japanese_and_spaced_names_work() {
    let dir = site(&[
        ("content/incidents/障害 2024/index.md", INCIDENT),
        (
            "content/incidents/障害 2024/構成 図.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
    ]);
    let body = format!("{INCIDENT}\n![図](構成%20図.svg)\n");
    write(dir.path(), "content/incidents/障害 2024/index.md", &body);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    assert!(dir
        .path()
        .join("output/incidents/障害 2024/index.html")
        .is_file());
    assert!(dir
        .path()
        .join("output/incidents/障害 2024/構成 図.svg")
        .is_file());
    let list = fs::read_to_string(dir.path().join("output/incidents/index.html")).unwrap();
    assert!(
        list.contains("href=\"../incidents/障害%202024/index.html\""),
        "{list}"
    );
    // A link to it, written as editors encode a space, leads to its page.
    write(
        dir.path(),
        "content/incidents/b.md",
        format!("{INCIDENT}\n[see](障害%202024/index.md#top) [raw](<障害 2024/index.md>)\n"),
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = fs::read_to_string(dir.path().join("output/incidents/b/index.html")).unwrap();
    assert_eq!(
        page.matches("href=\"../../incidents/%E9%9A%9C%E5%AE%B3%202024/index.html")
            .count(),
        2,
        "{page}"
    );
}

#[test]
fn ids_that_differ_only_in_case_collide() {
    let dir = site(&[
        ("content/incidents/Outage.md", INCIDENT),
        ("content/incidents/outage.md", INCIDENT),
    ]);
    let o = gen_cmd(["check"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    assert!(
        err.contains("error[duplicate-id]: content/incidents/outage.md:1:1: incident ids \"outage\" and \"Outage\" (content/incidents/Outage.md) differ only in case"),
        "{err}"
    );
}

#[test]
fn links_out_of_the_site_and_symlinked_assets_are_refused() {
    let body = format!("{INCIDENT}\nSee [secrets](../../../../etc/passwd).\n");
    let dir = site(&[("content/incidents/a/index.md", &body)]);
    let o = gen_cmd(["build"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    assert!(
        err.contains("error[link-outside-site]: content/incidents/a/index.md:10:5: the link \"../../../../etc/passwd\" points outside the site"),
        "{err}"
    );
    assert!(!dir.path().join("output").exists());

    #[cfg(unix)]
    {
        let dir = site(&[("content/incidents/a/index.md", INCIDENT)]);
        std::os::unix::fs::symlink(
            "/etc/hostname",
            dir.path().join("content/incidents/a/host.txt"),
        )
        .unwrap();
        let o = gen_cmd(["build"]).root(dir.path()).run();
        assert_eq!(o.code(), Some(1));
        let err = o.stderr();
        assert!(
            err.contains(
                "error[symlink]: content/incidents/a/host.txt:1:1: this asset is a symbolic link"
            ),
            "{err}"
        );
        assert!(!dir.path().join("output").exists());
    }
}

/// Bodies are read again when their pages are rendered (only front matter is kept in
/// memory): an edit meanwhile, to the front matter that was checked or to the body whose
/// hash keys the page (src/render/reuse.rs), stops the build, and so does a file that
/// disappeared.
#[test]
fn a_document_edited_during_the_build_is_caught() {
    let dir = site(&[("content/incidents/a.md", INCIDENT)]);
    let opts = BuildOptions::new(dir.path());
    let site = gen::load_site(&opts).unwrap();
    let theme = gen::render::theme::Theme::load(dir.path(), &site.config.theme).unwrap();
    let render = || {
        let page = std::sync::Mutex::new(String::new());
        gen::render::render_site(&site, &theme, &|o| {
            if let gen::render::Output::Bytes { path, bytes } = o {
                if path == "incidents/a/index.html" {
                    *page.lock().unwrap() = String::from_utf8(bytes).unwrap();
                }
            }
            Ok(())
        })
        .map(|_| page.into_inner().unwrap())
    };
    assert!(render().unwrap().contains("<p>Body.</p>"));

    let file = "content/incidents/a.md";
    for edited in [
        INCIDENT.replace("Body.", "Edited body."),
        INCIDENT.replace("\"Op\"", "\"Other\""),
    ] {
        write(dir.path(), file, edited);
        let Err(gen::Error::Content(diags)) = render() else {
            panic!("an edit during the build must stop it")
        };
        let shown: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            shown,
            ["error[changed-during-build]: content/incidents/a.md:1:1: the file changed while the site was being built\n  help: run the command again once the file is saved"]
        );
    }

    fs::remove_file(dir.path().join(file)).unwrap();
    let err = render().unwrap_err().to_string();
    let expected = format!("cannot access {}: ", dir.path().join(file).display());
    assert!(err.starts_with(&expected), "{err}");
}

/// A 50 MB incident builds. Slow in a debug build: `.ci/run` runs it with `--release`.
#[test]
#[ignore = "large input; run with cargo test --release -- --ignored"]
fn a_fifty_megabyte_incident_builds() {
    let para = format!(
        "## 見出し\n\n{}\n\n```bash\nsystemctl restart x\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n",
        "障害の詳細な説明です。".repeat(100)
    );
    let body = para.repeat(50 * 1024 * 1024 / para.len() + 1);
    let dir = site(&[("content/incidents/big.md", &format!("{INCIDENT}{body}"))]);
    assert!(
        fs::metadata(dir.path().join("content/incidents/big.md"))
            .unwrap()
            .len()
            > 50 * 1024 * 1024
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = fs::metadata(dir.path().join("output/incidents/big/index.html")).unwrap();
    assert!(page.len() > 50 * 1024 * 1024);
}

/// SIGKILL at various moments of a build: `output/` is always the complete old site or
/// the complete new one, never a mixture or nothing.
#[cfg(unix)]
#[test]
fn a_kill_at_any_moment_leaves_a_complete_output() {
    let dir = site(&[("content/incidents/a.md", INCIDENT)]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let old = tree(&dir.path().join("output"));
    for n in 0..400 {
        let text = INCIDENT.replace("title = \"A\"", &format!("title = \"N{n}\""))
            + &"本文。\n\n".repeat(200);
        write(dir.path(), &format!("content/incidents/n{n:03}.md"), &text);
    }
    // What a complete build of the new content looks like.
    let mut opts = BuildOptions::new(dir.path());
    opts.output = Some(dir.path().join("complete"));
    gen::build(&opts).unwrap();
    let complete = tree(&dir.path().join("complete"));
    for delay_ms in [5u64, 20, 40, 80, 120, 200, 400, 800] {
        let mut child = gen_cmd(["build"])
            .root(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&dir.path().join("output"));
        // Either untouched, or the whole new site (the build finished before the kill).
        assert!(
            now == old || now == complete,
            "a partial output after a kill at {delay_ms} ms ({} files)",
            now.len()
        );
    }
}

/// A body just under the table limit builds (about 430 MB and under a second in a
/// release build: docs/guarantees.md).
#[test]
#[ignore = "large input; run with cargo test --release -- --ignored"]
fn a_table_at_the_cell_limit_builds() {
    let row = format!("|{}\n", "c|".repeat(19));
    let rows = row.repeat(gen::render::markdown::MAX_TABLE_BARS / 20 - 2);
    let body = format!("|{}\n|{}\n{rows}", "h|".repeat(19), "-|".repeat(19));
    assert!(body.matches('|').count() <= gen::render::markdown::MAX_TABLE_BARS);
    let dir = site(&[("content/incidents/t.md", &format!("{INCIDENT}{body}"))]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = fs::read_to_string(dir.path().join("output/incidents/t/index.html")).unwrap();
    let rows = gen::render::markdown::MAX_TABLE_BARS / 20 - 2;
    assert_eq!(page.matches("<td>c</td>").count(), rows * 19);
}
