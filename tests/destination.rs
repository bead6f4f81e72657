//! Where a build may write: the output folder is resolved before any check, never the site
//! or anything holding it, never through a planted link, one build at a time, and problems
//! after the swap are warnings. Also: a closed pipe or stream is not a crash, and running
//! out of memory is one line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

mod common;
use common::{gen_cmd, names, tree, write, Ran, CONFIG, GEN, INCIDENT};

/// A folder `work/` holding a site in `work/site`.
fn workspace() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let site = dir.path().join("site");
    write(&site, "config.toml", CONFIG);
    write(&site, "content/incidents/a.md", INCIDENT);
    (dir, site)
}

/// Runs `gen build --root SITE ARGS…` in `cwd`.
fn build(cwd: &Path, site: &Path, args: &[&str]) -> Ran {
    gen_cmd(["build"]).cwd(cwd).root(site).args(args).run()
}

#[test]
fn a_path_through_a_folder_that_does_not_exist_is_resolved_before_the_checks() {
    let (work, site) = workspace();
    let before = tree(work.path());
    // `nothere/..` is the work folder; `nothere/../site` the site itself.
    for (output, why) in [
        (
            "nothere/../site",
            "it is the site or a folder that holds the site",
        ),
        (
            "nothere/../site/./",
            "it is the site or a folder that holds the site",
        ),
        (
            "a/b/../../site",
            "it is the site or a folder that holds the site",
        ),
        (
            "nothere/..",
            "it is the site or a folder that holds the site",
        ),
        (
            "nothere/../site/content/x/..",
            "it is inside the site's content/ folder, which gen reads",
        ),
    ] {
        for force in [false, true] {
            let args: Vec<&str> = if force {
                vec!["--output", output, "--force"]
            } else {
                vec!["--output", output]
            };
            let o = build(work.path(), &site, &args);
            assert_eq!(o.code(), Some(2), "{output}: {}", o.stderr());
            assert!(
                o.stderr()
                    .starts_with(&format!("error: refusing to replace {output} (resolved: ")),
                "{}",
                o.stderr()
            );
            assert!(o.stderr().contains(why), "{output}: {}", o.stderr());
            assert_eq!(before, tree(work.path()), "{output}: nothing changed");
        }
    }
    // A foreign, non-empty folder reached through a folder that does not exist yet.
    let mine = work.path().join("mine");
    write(&mine, "thesis.txt", "precious");
    let o = build(work.path(), &site, &["--output", "nothere/../mine"]);
    assert_eq!(o.code(), Some(2), "{}", o.stderr());
    assert!(
        o.stderr().contains("no .gen-output marker"),
        "{}",
        o.stderr()
    );
    assert_eq!(names(&mine), ["thesis.txt"]);
    assert!(!work.path().join("nothere").exists());
}

#[test]
fn the_home_folder_and_its_ancestors_are_never_replaced_even_with_force() {
    let (work, site) = workspace();
    let home = work.path().join("home/me");
    write(&home, ".bashrc", "x");
    for output in ["nothere/../home/me", "home", "home/me/", "home/./me"] {
        let o = gen_cmd(["build", "--force"])
            .cwd(work.path())
            .env("HOME", &home)
            .root(&site)
            .args(["--output", output])
            .run();
        assert_eq!(o.code(), Some(2), "{output}");
        assert!(
            o.stderr()
                .contains("it is the root folder, the home folder or a folder that holds it"),
            "{output}: {}",
            o.stderr()
        );
        assert_eq!(names(&home), [".bashrc"]);
    }
}

#[test]
fn the_site_its_ancestors_and_its_sources_are_never_replaced_even_with_force() {
    let (work, site) = workspace();
    write(&site, "static/robots.txt", "User-agent: *\n");
    write(&site, "themes/mine/templates/.keep", "");
    let before = tree(work.path());
    for (output, why) in [
        (".", "it is the site or a folder that holds the site"),
        ("site", "it is the site or a folder that holds the site"),
        ("site/content", "inside the site's content/ folder"),
        (
            "site/content/incidents/b/out",
            "inside the site's content/ folder",
        ),
        ("site/static/out", "inside the site's static/ folder"),
        ("site/themes", "inside the site's themes/ folder"),
    ] {
        let o = build(work.path(), &site, &["--output", output, "--force"]);
        assert_eq!(o.code(), Some(2), "{output}");
        assert!(o.stderr().contains(why), "{output}: {}", o.stderr());
        assert_eq!(before, tree(work.path()), "{output}");
    }
    // Another site is not build output either.
    let other = work.path().join("other");
    write(&other, "config.toml", CONFIG);
    let o = build(work.path(), &site, &["--output", "other", "--force"]);
    assert_eq!(o.code(), Some(2));
    assert!(o
        .stderr()
        .contains("it is a site (it holds config.toml or content/)"));
}

#[test]
fn a_file_or_a_mount_point_is_not_an_output_folder() {
    let (work, site) = workspace();
    let o = build(work.path(), &site, &["--output", "site/config.toml"]);
    assert_eq!(o.code(), Some(2));
    let err = o.stderr();
    assert!(
        err.contains("site/config.toml (resolved: ") && err.contains("): it is a file, not a folder\n  help: pass --output with the folder the site should be written to"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(site.join("config.toml")).unwrap(),
        CONFIG
    );
    if Path::new("/proc/self").exists() {
        let o = build(work.path(), &site, &["--output", "/proc", "--force"]);
        assert_eq!(o.code(), Some(2));
        assert_eq!(
            o.stderr(),
            "error: refusing to replace /proc: it is a mount point, and gen replaces its output folder by renaming, which a mount point does not allow\n  help: build into a folder inside it, e.g. --output /proc/site\n"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_link_planted_under_a_staging_name_is_removed_not_followed() {
    let (work, site) = workspace();
    let victim = work.path().join("victim");
    write(&victim, "precious.txt", "precious");
    write(&victim, "sub/also.txt", "also");
    for planted in [".out.gen-new", ".out.gen-new-1", ".out.gen-old", ".out.gen"] {
        std::os::unix::fs::symlink(&victim, work.path().join(planted)).unwrap();
    }
    // A folder under a staging name without gen's marker is someone's: left alone.
    write(work.path(), ".out.gen-new-2/theirs.txt", "theirs");
    let o = build(work.path(), &site, &["--output", "out"]);
    assert!(o.success(), "{}", o.stderr());
    assert_eq!(
        fs::read_to_string(victim.join("precious.txt")).unwrap(),
        "precious"
    );
    assert_eq!(
        fs::read_to_string(victim.join("sub/also.txt")).unwrap(),
        "also"
    );
    assert!(work.path().join("out/index.html").is_file());
    assert!(o.stderr().contains("leaving "), "{}", o.stderr());
    assert_eq!(
        fs::read_to_string(work.path().join(".out.gen-new-2/theirs.txt")).unwrap(),
        "theirs"
    );
    assert!(!work.path().join(".out.gen-new").exists());
    assert!(!work.path().join(".out.gen-new-1").exists());
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_is_rebuilt_where_it_points_and_the_link_stays() {
    let (work, site) = workspace();
    fs::create_dir(work.path().join("real-v1")).unwrap();
    std::os::unix::fs::symlink("real-v1", work.path().join("live")).unwrap();
    for round in 0..3 {
        let o = build(work.path(), &site, &["--output", "live"]);
        assert!(o.success(), "round {round}: {}", o.stderr());
        let link = fs::symlink_metadata(work.path().join("live")).unwrap();
        assert!(link.file_type().is_symlink(), "round {round}");
        assert_eq!(
            fs::read_link(work.path().join("live")).unwrap(),
            PathBuf::from("real-v1")
        );
        assert!(
            work.path().join("real-v1/index.html").is_file(),
            "round {round}"
        );
        assert!(work.path().join("real-v1/.gen-output").is_file());
        // Beside the folder the link points at: gen's previous generation, nothing else.
        assert_eq!(
            names(work.path()),
            [".real-v1.gen", "live", "real-v1", "site"],
            "round {round}"
        );
    }
}

/// A site big enough that two builds overlap.
fn larger_site(site: &Path) {
    for n in 0..300 {
        let text = INCIDENT.replace("title = \"A\"", &format!("title = \"N{n}\""))
            + &"本文。\n\n".repeat(100);
        write(site, &format!("content/incidents/n{n:03}.md"), &text);
    }
}

#[test]
fn builds_into_the_same_output_at_once_take_turns_and_each_is_complete() {
    let (work, site) = workspace();
    larger_site(&site);
    let reference = build(work.path(), &site, &["--output", "reference"]);
    assert!(reference.success());
    let complete = tree(&work.path().join("reference"));
    for _ in 0..3 {
        let start = || {
            gen_cmd(["build"])
                .cwd(work.path())
                .root(&site)
                .args(["--output", "out"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
        };
        let (a, b) = (start(), start());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success() && b.status.success());
        assert_eq!(tree(&work.path().join("out")), complete);
        assert_eq!(
            names(work.path()),
            [".out.gen", ".reference.gen", "out", "reference", "site"]
        );
    }
    // The message when one build waits: exercised with a lock held by this test.
    let parent = fs::File::open(work.path()).unwrap();
    parent.lock().unwrap();
    let mut waiting = gen_cmd(["build"])
        .cwd(work.path())
        .root(&site)
        .args(["--output", "out"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(waiting.try_wait().unwrap().is_none(), "it waits");
    parent.unlock().unwrap();
    let o = Ran::from(waiting.wait_with_output().unwrap());
    assert!(o.success());
    // The wait is said first; the fixture's warnings follow (no countermeasures …).
    let err = o.stderr();
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some(
            format!(
                "waiting for another gen build writing into {} to finish…",
                fs::canonicalize(work.path()).unwrap().display()
            )
            .as_str()
        )
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("warning: ") && l.ends_with(" warnings")),
        "{err}"
    );
}

/// Runs `gen build` as an ordinary user when the test runs as root, so that a folder
/// without write permission stops it as it would stop a user.
#[cfg(unix)]
fn build_as_user(work: &Path, site: &Path) -> Ran {
    use std::os::unix::process::CommandExt;
    let mut cmd = gen_cmd(["build"])
        .cwd(work)
        .root(site)
        .args(["--output", "out"])
        .command();
    if rustix_is_root() {
        cmd.uid(65534).gid(65534);
    }
    Ran::from(cmd.output().unwrap())
}

#[cfg(unix)]
fn rustix_is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // The test's own files are owned by whoever runs it.
    let probe = TempDir::new().unwrap();
    fs::metadata(probe.path()).unwrap().uid() == 0
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_previous_generation_that_cannot_be_updated_is_a_warning_and_the_build_goes_on() {
    let (work, site) = workspace();
    for p in [work.path().to_path_buf(), site.clone()] {
        chmod(&p, 0o777);
    }
    chmod(&site.join("config.toml"), 0o644);
    let first = build_as_user(work.path(), &site);
    assert!(first.success(), "{}", first.stderr());
    // A folder of the output that cannot be written to or emptied.
    let locked = work.path().join("out/incidents");
    chmod(&locked, 0o555);
    write(&site, "content/incidents/b.md", INCIDENT);
    // The locked output is swapped out and becomes the previous generation.
    let second = build_as_user(work.path(), &site);
    assert_eq!(second.code(), Some(0), "{}", second.stderr());
    assert!(!second.stderr().contains("previous"), "{}", second.stderr());
    assert!(work.path().join("out/incidents/b/index.html").is_file());
    let previous = work.path().join(".out.gen/previous");
    // Updating it in place fails: the build is done again into a new folder.
    write(&site, "content/incidents/c.md", INCIDENT);
    let third = build_as_user(work.path(), &site);
    assert_eq!(third.code(), Some(0), "{}", third.stderr());
    assert!(
        third.stderr().starts_with(&format!(
            "warning: the previous generation {} could not be updated; building into a new folder (remove it to stop this warning)\n",
            previous.display()
        )),
        "{}",
        third.stderr()
    );
    assert!(work.path().join("out/incidents/c/index.html").is_file());
    // Still stuck: the next build warns again and builds.
    let fourth = build_as_user(work.path(), &site);
    assert_eq!(fourth.code(), Some(0), "{}", fourth.stderr());
    assert!(
        fourth.stderr().starts_with(&format!(
            "warning: the previous generation {} could not be removed (",
            previous.display()
        )),
        "{}",
        fourth.stderr()
    );
    assert!(work.path().join("out/.gen-output").is_file());
    // Once the folder can be emptied, the next build removes what was left.
    chmod(&previous.join("incidents"), 0o777);
    let fifth = build_as_user(work.path(), &site);
    assert!(fifth.success(), "{}", fifth.stderr());
    assert!(!fifth.stderr().contains("previous"), "{}", fifth.stderr());
    assert_eq!(names(work.path()), [".out.gen", "out", "site"]);
    assert_eq!(
        names(&work.path().join(".out.gen")).len(),
        3,
        "previous and two manifests"
    );
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    let (work, site) = workspace();
    let mut child = gen_cmd(["build", "--verbose"])
        .cwd(work.path())
        .root(&site)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    // `| head -0`: the reader is gone before gen prints.
    drop(child.stdout.take());
    let o = Ran::from(child.wait_with_output().unwrap());
    assert_eq!(o.code(), Some(141), "{}", o.stderr());
    assert_eq!(o.stderr(), "");
    assert!(site.join("output/index.html").is_file());
}

#[test]
fn a_standard_error_nobody_reads_is_not_a_crash() {
    let (work, site) = workspace();
    let run = |args: &[&str]| {
        let mut child = gen_cmd(["build"])
            .cwd(work.path())
            .root(&site)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        drop(child.stdout.take());
        drop(child.stderr.take());
        child.wait().unwrap().code()
    };
    // Content errors go to standard error: still exit 1, the build's verdict.
    write(&site, "content/incidents/bad.md", "+++\ntitle = 1\n+++\n");
    assert_eq!(run(&[]), Some(1));
    assert!(!site.join("output").exists());
    fs::remove_file(site.join("content/incidents/bad.md")).unwrap();
    assert_eq!(run(&["--verbose"]), Some(141));
    assert!(site.join("output/index.html").is_file());
}

#[cfg(target_os = "linux")]
#[test]
fn running_out_of_memory_is_one_line_and_leaves_the_output_as_it_was() {
    let (work, site) = workspace();
    let first = build(work.path(), &site, &["--output", "out"]);
    assert!(first.success());
    let before = tree(&work.path().join("out"));
    // A table takes far more memory than its size: 1.7 million cells (4 MB) need about
    // 400 MB, under the table limit.
    let rows = "|c|c|c|c|c|c|c|c|c|c|\n".repeat(170_000);
    write(
        &site,
        "content/incidents/table.md",
        format!("{INCIDENT}\n|h|h|h|h|h|h|h|h|h|h|\n|-|-|-|-|-|-|-|-|-|-|\n{rows}"),
    );
    let o = Ran::from(
        Command::new("sh")
            .current_dir(work.path())
            .arg("-c")
            .arg("ulimit -v 250000 && exec \"$0\" build --root \"$1\" --output out")
            .arg(GEN)
            .arg(&site)
            .output()
            .unwrap(),
    );
    assert_eq!(o.code(), Some(2), "{}", o.stderr());
    let err = o.stderr();
    assert!(
        err.starts_with("error: gen ran out of memory (an allocation of ")
            && err.contains(" bytes failed); the previous output was not touched\n  help: ")
            && err.lines().count() == 2,
        "{err}"
    );
    assert_eq!(before, tree(&work.path().join("out")));
    assert_eq!(names(work.path()), [".out.gen", "out", "site"]);
}
