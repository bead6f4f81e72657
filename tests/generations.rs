//! Rebuilds into an existing output: gen keeps the previous generation in `.output.gen/` and
//! writes only what changed, yet the output is always byte for byte what a build into an
//! empty folder writes, whatever happened to the previous generation or its manifest.

use std::fs;
use std::path::Path;

use gen::BuildOptions;
use tempfile::TempDir;

mod common;
use common::{gen_cmd, names, site, tree, write, Tree, INCIDENT};

fn incident(title: &str, body: &str) -> String {
    INCIDENT
        .replace("title = \"A\"", &format!("title = \"{title}\""))
        .replace("Body.", body)
}

/// Edits b's body and builds: that incident's page (and the search shards) is all it
/// writes, and the output is what a build into an empty folder writes.
fn edit_b_and_build(dir: &Path) {
    write(
        dir,
        "content/incidents/b.md",
        incident("B", "Body of b, edited."),
    );
    only_under(&build(dir), "incidents/b/");
    assert_eq!(output(dir), fresh(dir));
}

/// A site of three incidents, one with an image beside it.
fn three() -> TempDir {
    let dir = site(&[
        ("content/incidents/a.md", &incident("A", "Body of a.")),
        ("content/incidents/b.md", &incident("B", "Body of b.")),
        (
            "content/incidents/c/index.md",
            &incident("C", "![diagram](diagram.png)"),
        ),
    ]);
    write(dir.path(), "content/incidents/c/diagram.png", "PNG one");
    dir
}

/// Builds `dir` into `output/`; returns the files written.
fn build(dir: &Path) -> Vec<String> {
    gen::build(&BuildOptions::new(dir)).unwrap().written
}

/// What a build of `dir`'s content into an empty folder writes.
fn fresh(dir: &Path) -> Tree {
    let out = TempDir::new().unwrap();
    let mut opts = BuildOptions::new(dir);
    opts.output = Some(out.path().join("o"));
    gen::build(&opts).unwrap();
    tree(&out.path().join("o"))
}

fn output(dir: &Path) -> Tree {
    tree(&dir.join("output"))
}

fn previous(dir: &Path) -> std::path::PathBuf {
    dir.join(".output.gen/previous")
}

fn manifests(dir: &Path) -> Vec<std::path::PathBuf> {
    fs::read_dir(dir.join(".output.gen"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("manifest-")
        })
        .collect()
}

/// `written` holds the page under `folder` and nothing outside it but the search index's
/// files, which hold the words of every body (docs/search.md).
fn only_under(written: &[String], folder: &str) {
    assert!(
        written.contains(&format!("{folder}index.html")),
        "{written:?}"
    );
    assert!(
        written
            .iter()
            .all(|f| f.starts_with(folder) || f.starts_with("search/data/")),
        "{written:?}"
    );
    // Of the index, only shards (the body's words), not the result lines or the filters.
    assert!(
        written
            .iter()
            .filter(|f| f.starts_with("search/data/"))
            .all(|f| f.ends_with(".bin")),
        "{written:?}"
    );
}

#[test]
fn an_unchanged_rebuild_writes_nothing_and_one_edit_writes_only_what_it_changes() {
    let dir = three();
    let all = build(dir.path());
    assert!(
        all.contains(&"incidents/a/index.html".to_string()),
        "{all:?}"
    );
    // The second build has no previous generation to update: it hard-links every file the
    // output holds into the new one and writes nothing; from the third on, the previous
    // generation is brought up to date in place.
    assert_eq!(build(dir.path()), Vec::<String>::new());
    assert_eq!(build(dir.path()), Vec::<String>::new());
    // Not even the manifests change (a folder's change time moves at every swap, and is
    // not recorded).
    let state = tree(&dir.path().join(".output.gen"));
    assert_eq!(build(dir.path()), Vec::<String>::new());
    assert!(tree(&dir.path().join(".output.gen")) == state);
    assert_eq!(output(dir.path()), fresh(dir.path()));
    assert_eq!(
        names(dir.path()),
        [".output.gen", "config.toml", "content", "output"]
    );

    // A body edit changes that incident's page and nothing else.
    edit_b_and_build(dir.path());
    // The previous generation lacked the edit too: it is written once more, then never.
    only_under(&build(dir.path()), "incidents/b/");
    assert_eq!(build(dir.path()), Vec::<String>::new());

    // An asset's new bytes are copied; a title edit reaches every list that shows it.
    write(dir.path(), "content/incidents/c/diagram.png", "PNG two");
    let written = build(dir.path());
    assert!(
        written.contains(&"incidents/c/diagram.png".to_string()),
        "{written:?}"
    );
    // (A printable report, where there is one, embeds the image.)
    assert!(
        written
            .iter()
            .all(|f| f == "incidents/c/diagram.png" || f.ends_with("report.html")),
        "{written:?}"
    );
    assert_eq!(output(dir.path()), fresh(dir.path()));
    write(
        dir.path(),
        "content/incidents/a.md",
        incident("A2", "Body of a."),
    );
    let written = build(dir.path());
    for page in [
        "incidents/a/index.html",
        "incidents/index.html",
        "index.html",
    ] {
        assert!(written.contains(&page.to_string()), "{page}: {written:?}");
    }
    assert!(!written.contains(&"incidents/b/index.html".to_string()));
    assert_eq!(output(dir.path()), fresh(dir.path()));
}

#[test]
fn pages_and_folders_that_vanish_are_removed() {
    let dir = three();
    for _ in 0..3 {
        build(dir.path());
    }
    fs::remove_dir_all(dir.path().join("content/incidents/c")).unwrap();
    build(dir.path());
    assert!(!dir.path().join("output/incidents/c").exists());
    assert_eq!(output(dir.path()), fresh(dir.path()));
    build(dir.path());
    assert!(!previous(dir.path()).join("incidents/c").exists());
    assert_eq!(output(dir.path()), fresh(dir.path()));
    // And when it comes back, it is written again.
    let again = three();
    fs::rename(
        again.path().join("content/incidents/c"),
        dir.path().join("content/incidents/c"),
    )
    .unwrap();
    build(dir.path());
    assert_eq!(output(dir.path()), fresh(dir.path()));
}

#[test]
fn a_file_that_becomes_a_folder_and_back_is_written_whole() {
    let dir = three();
    for _ in 0..3 {
        build(dir.path());
    }
    // An asset named `extra`, then a folder `extra/` of assets, then the file again.
    let c = dir.path().join("content/incidents/c");
    for round in 0..3 {
        write(&c, "extra", "a file");
        build(dir.path());
        assert_eq!(
            output(dir.path()),
            fresh(dir.path()),
            "round {round}: a file"
        );
        fs::remove_file(c.join("extra")).unwrap();
        write(&c, "extra/inner.txt", "in a folder");
        write(&c, "extra/deeper/more.txt", "deeper");
        build(dir.path());
        assert_eq!(
            output(dir.path()),
            fresh(dir.path()),
            "round {round}: a folder"
        );
        fs::remove_dir_all(c.join("extra")).unwrap();
    }
}

#[test]
fn a_damaged_or_missing_manifest_costs_a_full_rewrite_never_a_wrong_page() {
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 6] = [
        ("deleted", |m| fs::remove_file(m).unwrap()),
        ("emptied", |m| fs::write(m, "").unwrap()),
        ("truncated", |m| {
            let text = fs::read(m).unwrap();
            fs::write(m, &text[..text.len() / 2]).unwrap();
        }),
        ("one hash changed", |m| {
            let text = fs::read_to_string(m).unwrap();
            let at = text.find("\tincidents/a/index.html").unwrap();
            let line = text[..at].rfind('\n').unwrap() + 3;
            let mut bytes = text.into_bytes();
            bytes[line] = if bytes[line] == b'0' { b'1' } else { b'0' };
            fs::write(m, bytes).unwrap();
        }),
        ("garbage", |m| {
            fs::write(m, "f\tzz\t1\n\u{0}\u{ff}").unwrap()
        }),
        ("a folder", |m| {
            fs::remove_file(m).unwrap();
            fs::create_dir(m).unwrap();
        }),
    ];
    for (what, damage) in damages {
        let dir = three();
        for _ in 0..3 {
            build(dir.path());
        }
        // The page the previous generation holds is not what the next build makes.
        write(
            dir.path(),
            "content/incidents/a.md",
            incident("A", "New body."),
        );
        for m in manifests(dir.path()) {
            damage(&m);
        }
        let written = build(dir.path());
        assert_eq!(output(dir.path()), fresh(dir.path()), "{what}");
        assert!(
            written.contains(&"incidents/b/index.html".to_string()),
            "{what}: a full rewrite, {written:?}"
        );
        // And the next rebuild is incremental again.
        build(dir.path());
        assert_eq!(build(dir.path()), Vec::<String>::new(), "{what}");
    }
}

#[test]
fn deleting_the_previous_generation_by_hand_costs_a_full_rewrite() {
    let dir = three();
    for _ in 0..3 {
        build(dir.path());
    }
    fs::remove_dir_all(dir.path().join(".output.gen")).unwrap();
    write(
        dir.path(),
        "content/incidents/a.md",
        incident("A", "New body."),
    );
    let all = build(dir.path());
    assert!(all.contains(&"incidents/b/index.html".to_string()));
    assert_eq!(output(dir.path()), fresh(dir.path()));
    // Only the previous generation's folder, not its manifest.
    build(dir.path());
    fs::remove_dir_all(previous(dir.path())).unwrap();
    build(dir.path());
    assert_eq!(output(dir.path()), fresh(dir.path()));
}

/// The output that is swapped out may have been edited by hand or by a deploy tool while it
/// was live: whatever gen finds in the previous generation that it did not write is
/// replaced, removed or left alone as the case needs, and nothing outside is touched.
#[cfg(unix)]
#[test]
fn a_previous_generation_edited_by_hand_is_brought_back_to_what_gen_writes() {
    let dir = three();
    for _ in 0..3 {
        build(dir.path());
    }
    let work = TempDir::new().unwrap();
    let victim = work.path().join("victim");
    write(&victim, "precious.txt", "precious");
    let out = dir.path().join("output");
    // The same length, and the modification time put back: the change time still tells.
    let page = out.join("incidents/a/index.html");
    let before = fs::metadata(&page).unwrap();
    let mut bytes = fs::read(&page).unwrap();
    let at = bytes.len() - 10;
    bytes[at] = b'X';
    fs::write(&page, &bytes).unwrap();
    fs::File::options()
        .write(true)
        .open(&page)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    // A stray file, a stray folder, a folder replaced by a link, a page replaced by a link,
    // and a page hard-linked into a backup.
    write(&out, "stray.txt", "stray");
    write(&out, "incidents/stray/x.html", "stray");
    fs::remove_dir_all(out.join("incidents/b")).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("incidents/b")).unwrap();
    fs::remove_file(out.join("index.html")).unwrap();
    std::os::unix::fs::symlink(victim.join("precious.txt"), out.join("index.html")).unwrap();
    fs::hard_link(
        out.join("incidents/index.html"),
        work.path().join("backup.html"),
    )
    .unwrap();
    let backup = fs::read(work.path().join("backup.html")).unwrap();
    // The next build swaps this output out; the one after updates it in place.
    write(
        dir.path(),
        "content/incidents/a.md",
        incident("A", "Edited."),
    );
    build(dir.path());
    write(
        dir.path(),
        "content/incidents/b.md",
        incident("B", "Edited too."),
    );
    build(dir.path());
    assert_eq!(output(dir.path()), fresh(dir.path()));
    assert_eq!(
        fs::read_to_string(victim.join("precious.txt")).unwrap(),
        "precious"
    );
    assert_eq!(names(&victim), ["precious.txt"]);
    assert_eq!(fs::read(work.path().join("backup.html")).unwrap(), backup);
    build(dir.path());
    assert_eq!(output(dir.path()), fresh(dir.path()));
}

#[test]
fn a_failed_rebuild_keeps_the_output_and_the_next_one_is_right() {
    let dir = three();
    for _ in 0..3 {
        build(dir.path());
    }
    let before = output(dir.path());
    write(
        dir.path(),
        "content/incidents/a.md",
        incident("A", "Changed."),
    );
    // A template error after some pages were written into the previous generation.
    write(
        dir.path(),
        "themes/broken/templates/incident.html",
        "{% if incident.row.title == \"B\" %}{{ nosuch | nosuchfilter }}{% endif %}{{ incident.row.title }}",
    );
    write(
        dir.path(),
        "config.toml",
        format!("{}theme = \"broken\"\n", common::CONFIG),
    );
    assert!(gen::build(&BuildOptions::new(dir.path())).is_err());
    assert_eq!(output(dir.path()), before);
    write(dir.path(), "config.toml", common::CONFIG);
    build(dir.path());
    assert_eq!(output(dir.path()), fresh(dir.path()));
    build(dir.path());
    assert_eq!(output(dir.path()), fresh(dir.path()));
}

/// SIGKILL at many moments of unchanged, one-edit and larger rebuilds: `output/` is always
/// the whole old site or the whole new one, and the build after a kill writes exactly what
/// a build into an empty folder writes.
#[cfg(unix)]
#[test]
fn a_kill_at_any_moment_of_a_rebuild_leaves_a_whole_output_and_the_next_build_is_right() {
    let dir = three();
    for n in 0..300 {
        let text = incident(&format!("N{n}"), &"本文。\n\n".repeat(150));
        write(dir.path(), &format!("content/incidents/n{n:03}.md"), &text);
    }
    for _ in 0..3 {
        build(dir.path());
    }
    let mut round = 0u64;
    let mut killed = 0;
    // Delays spread over a whole build (a debug build of this site takes about a second),
    // each moved by a random 0–19 ms; the seed is in every failure message.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let mut random = seed;
    for spread in [0u64, 10, 30, 80, 150, 300, 500, 800] {
        random = random
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay_ms = spread + (random >> 33) % 20;
        for change in ["none", "one edit", "many edits"] {
            round += 1;
            let old = output(dir.path());
            match change {
                "none" => {}
                "one edit" => write(
                    dir.path(),
                    "content/incidents/n007.md",
                    incident("N7", &format!("Edit {round}.")),
                ),
                _ => {
                    for n in (0..300).step_by(7) {
                        write(
                            dir.path(),
                            &format!("content/incidents/n{n:03}.md"),
                            incident(
                                &format!("N{n}"),
                                &format!("Edit {round}.\n\n{}", "本文。\n\n".repeat(150)),
                            ),
                        );
                    }
                }
            }
            let new = fresh(dir.path());
            killed += usize::from(kill_build_after(dir.path(), delay_ms));
            let now = output(dir.path());
            assert!(
                now == old || now == new,
                "a partial output after a kill at {delay_ms} ms during a rebuild with {change} (seed {seed})"
            );
            build(dir.path());
            assert_eq!(
                output(dir.path()),
                new,
                "the build after a kill at {delay_ms} ms ({change}, seed {seed})"
            );
        }
    }
    // The short delays kill during a build (the longest may find it finished).
    assert!(
        killed >= 12,
        "only {killed} of {round} builds were killed midway"
    );
}

/// Starts `gen build` in `dir`, kills it (SIGKILL) after `delay_ms`; whether it was still
/// running then.
#[cfg(unix)]
fn kill_build_after(dir: &Path, delay_ms: u64) -> bool {
    use std::os::unix::process::ExitStatusExt;
    let mut child = gen_cmd(["build"])
        .root(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    std::thread::sleep(std::time::Duration::from_millis(delay_ms));
    let _ = child.kill();
    child.wait().unwrap().signal() == Some(9)
}

/// Whether `a` and `b` are one file (two names of one inode).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::symlink_metadata(a).unwrap().ino() == fs::symlink_metadata(b).unwrap().ino()
}

/// The first rebuild after a build into an empty folder has no previous generation: it
/// links what did not change from the output instead of rendering and writing it again,
/// and what it links is only ever what a build into an empty folder writes.
#[cfg(unix)]
#[test]
fn the_first_rebuild_links_what_did_not_change_from_the_output() {
    use std::os::unix::fs::MetadataExt;
    let dir = three();
    let all = build(dir.path());
    let page = dir.path().join("output/incidents/a/index.html");
    assert_eq!(fs::metadata(&page).unwrap().nlink(), 1);
    // One body edited: its page is written, everything else is linked.
    edit_b_and_build(dir.path());
    let prev = previous(dir.path());
    assert!(same_file(&page, &prev.join("incidents/a/index.html")));
    assert!(same_file(
        &dir.path().join("output/incidents/c/diagram.png"),
        &prev.join("incidents/c/diagram.png")
    ));
    assert!(!same_file(
        &dir.path().join("output/incidents/b/index.html"),
        &prev.join("incidents/b/index.html")
    ));
    // The previous generation lacked the edit: written once more, the rest kept through
    // the shared names, then nothing.
    only_under(&build(dir.path()), "incidents/b/");
    assert_eq!(build(dir.path()), Vec::<String>::new());
    assert_eq!(output(dir.path()), fresh(dir.path()));

    // Deleting the previous generation by hand moves the change time of every file it
    // shared with the output: those are written again (never linked on a stale record),
    // the one it did not share is linked, and the builds after are incremental again.
    fs::remove_dir_all(previous(dir.path())).unwrap();
    assert_eq!(fs::metadata(&page).unwrap().nlink(), 1);
    let written = build(dir.path());
    assert!(
        written.contains(&"incidents/a/index.html".to_string()),
        "{written:?}"
    );
    assert!(
        !written.contains(&"incidents/b/index.html".to_string()),
        "{written:?}"
    );
    assert_eq!(output(dir.path()), fresh(dir.path()));
    build(dir.path());
    assert_eq!(build(dir.path()), Vec::<String>::new());
    assert_eq!(output(dir.path()), fresh(dir.path()));
    assert!(all.len() > 10, "{all:?}");
}

/// The output is live while the first rebuild reads it: a file edited there by hand (same
/// size, modification time put back) or given another name is not linked but written, and
/// a hard-linked backup keeps its bytes through every later build.
#[cfg(unix)]
#[test]
fn the_first_rebuild_links_only_files_as_gen_wrote_them_and_backups_keep_their_bytes() {
    let dir = three();
    build(dir.path());
    let out = dir.path().join("output");
    // Edited by hand, with the same size and modification time.
    let b = out.join("incidents/b/index.html");
    let mtime = fs::metadata(&b).unwrap().modified().unwrap();
    let text = fs::read_to_string(&b)
        .unwrap()
        .replace("Body of b.", "Body of X.");
    fs::write(&b, &text).unwrap();
    fs::File::options()
        .write(true)
        .open(&b)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    // Given another name: a backup made with `cp -al` or `rsync --link-dest`.
    let work = TempDir::new().unwrap();
    let backup = work.path().join("a.html");
    fs::hard_link(out.join("incidents/a/index.html"), &backup).unwrap();
    let saved = fs::read(&backup).unwrap();

    let written = build(dir.path());
    for page in ["incidents/a/index.html", "incidents/b/index.html"] {
        assert!(written.contains(&page.to_string()), "{page}: {written:?}");
    }
    assert!(
        !written.contains(&"incidents/c/index.html".to_string()),
        "{written:?}"
    );
    assert_eq!(output(dir.path()), fresh(dir.path()));
    // The backup is never written through, whatever the builds after do.
    write(
        dir.path(),
        "content/incidents/a.md",
        incident("A", "Body of a, edited."),
    );
    for _ in 0..3 {
        build(dir.path());
        assert_eq!(output(dir.path()), fresh(dir.path()));
    }
    assert_eq!(fs::read(&backup).unwrap(), saved);
}

/// A kill at any moment of a first rebuild (linking from the live output) leaves the whole
/// old output or the whole new one, and the next build is right.
#[cfg(unix)]
#[test]
fn a_kill_at_any_moment_of_the_first_rebuild_leaves_a_whole_output() {
    let dir = three();
    for n in 0..300 {
        let text = incident(&format!("N{n}"), &"本文。\n\n".repeat(150));
        write(dir.path(), &format!("content/incidents/n{n:03}.md"), &text);
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let mut random = seed;
    let mut round = 0;
    let mut killed = 0;
    // Delays spread over a whole first rebuild (a debug build of this site takes about a
    // second), each moved by a random 0–9 ms; the seed is in every failure message.
    for spread in [0u64, 10, 30, 80, 150, 300, 500, 700, 900] {
        random = random
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay_ms = spread + (random >> 33) % 10;
        for edit in [false, true] {
            round += 1;
            // A build into an empty folder first: no previous generation.
            let _ = fs::remove_dir_all(dir.path().join("output"));
            let _ = fs::remove_dir_all(dir.path().join(".output.gen"));
            build(dir.path());
            let old = output(dir.path());
            if edit {
                write(
                    dir.path(),
                    "content/incidents/n007.md",
                    incident("N7", &format!("Edit {round}.")),
                );
            }
            let new = fresh(dir.path());
            killed += usize::from(kill_build_after(dir.path(), delay_ms));
            let now = output(dir.path());
            assert!(
                now == old || now == new,
                "a partial output after a kill at {delay_ms} ms of a first rebuild (edit: {edit}, seed {seed})"
            );
            for _ in 0..2 {
                build(dir.path());
                assert_eq!(
                    output(dir.path()),
                    new,
                    "a build after a kill at {delay_ms} ms (edit: {edit}, seed {seed})"
                );
            }
        }
    }
    eprintln!("{killed} of {round} first rebuilds killed midway");
    // The short delays kill during the build (the longest may find it finished).
    assert!(
        killed >= 10,
        "only {killed} of {round} first rebuilds were killed midway"
    );
}
