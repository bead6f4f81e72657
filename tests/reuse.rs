//! Rebuilds that skip rendering: a page whose inputs did not change since the previous
//! generation was built is kept without being rendered (src/render/reuse.rs). Whatever
//! changes between builds, the output is byte for byte what a build into an empty folder
//! writes, and the pages kept are exactly the ones the change does not reach.

use std::fs;
use std::path::Path;

use gen::{BuildOptions, BuildReport};
use tempfile::TempDir;

mod common;
use common::{shipped, tree, write, Tree};

const RAKUTEN: &str = "content/incidents/2017-04-07-rakuten.md";

fn day(d: &str) -> chrono::NaiveDate {
    d.parse().unwrap()
}

fn options(dir: &Path, today: &str) -> BuildOptions {
    let mut opts = BuildOptions::new(dir);
    opts.today = day(today);
    opts
}

/// Builds into `output/`, checks the output against a build into an empty folder, and
/// returns the report.
fn build(dir: &Path, today: &str) -> BuildReport {
    let report = gen::build(&options(dir, today)).unwrap();
    assert!(
        tree(&dir.join("output")) == fresh(dir, today),
        "the rebuild differs from a fresh build"
    );
    report
}

fn fresh(dir: &Path, today: &str) -> Tree {
    let out = TempDir::new().unwrap();
    let mut opts = options(dir, today);
    opts.output = Some(out.path().join("o"));
    gen::build(&opts).unwrap();
    tree(&out.path().join("o"))
}

/// The shipped site with printable reports on, and one more incident with an image beside
/// it that its report embeds.
fn site() -> TempDir {
    let dir = shipped();
    let config = fs::read_to_string(dir.path().join("config.toml")).unwrap();
    write(
        dir.path(),
        "config.toml",
        format!("{config}incident_reports = true\n"),
    );
    write(
        dir.path(),
        "content/incidents/2024-01-15-diagram/index.md",
        "+++\ntitle = \"図の障害\"\noperators = [\"図通信\"]\nstarted = 2024-01-15T11:50:00+09:00\ncauses = [\"human-error\"]\n+++\n\n![構成図](diagram.png)\n",
    );
    write(
        dir.path(),
        "content/incidents/2024-01-15-diagram/diagram.png",
        b"\x89PNG\r\n\x1a\n one",
    );
    dir
}

/// Builds until the previous generation is in step (the first build fills nothing, the
/// second fills the previous generation from nothing); returns how many pages a build has.
fn settle(dir: &Path, today: &str) -> usize {
    build(dir, today);
    build(dir, today);
    let all = build(dir, today);
    assert_eq!(all.written, Vec::<String>::new());
    all.kept_pages
}

/// Appends a line to a document's body, as an editor saves it.
fn append(dir: &Path, file: &str, line: &str) {
    let text = fs::read_to_string(dir.join(file)).unwrap();
    write(dir, file, format!("{text}\n{line}\n"));
}

#[test]
fn a_body_edit_renders_only_the_pages_that_show_that_body() {
    let dir = site();
    let d = dir.path();
    let all = settle(d, "2026-12-01");
    // Every page of the registry and the search index.
    let routes = gen::render::routes(&gen::load_site(&options(d, "2026-12-01")).unwrap());
    assert!(all > 60, "{all}");
    assert!(all <= routes.len() + 1, "{all} of {}", routes.len());

    append(d, RAKUTEN, "追記した一文。");
    let edited = build(d, "2026-12-01");
    // The incident's page (with its report), its meeting's page (with the packet that binds
    // the report), its year's annual report and the search index; not the lists, feeds or
    // exports, which show front matter only.
    let shows_it = [
        "incidents/2017-04-07-rakuten/index.html",
        "meetings/2017-06-20-meeting-2/index.html",
        "reports/2017/index.html",
        "search/data/",
    ];
    assert_eq!(edited.rendered_pages, shows_it);
    assert_eq!(edited.kept_pages, all - shows_it.len());
    assert!(edited
        .written
        .contains(&"incidents/2017-04-07-rakuten/index.html".to_string()));
    assert!(!edited.written.contains(&"incidents/index.html".to_string()));
    // The previous generation lacked the edit too; then nothing is rendered.
    assert_eq!(build(d, "2026-12-01").rendered_pages, shows_it);
    assert_eq!(build(d, "2026-12-01").kept_pages, all);

    // Edited and put back: the previous generation is the output of two builds ago, which
    // holds the text put back, so everything is kept; the next build updates the other
    // generation, which holds the edit, and renders what shows it.
    let text = fs::read_to_string(d.join(RAKUTEN)).unwrap();
    append(d, RAKUTEN, "もう一文。");
    assert_eq!(build(d, "2026-12-01").rendered_pages, shows_it);
    write(d, RAKUTEN, &text);
    assert_eq!(build(d, "2026-12-01").kept_pages, all);
    assert_eq!(build(d, "2026-12-01").rendered_pages, shows_it);
    assert_eq!(build(d, "2026-12-01").kept_pages, all);

    // A meeting's minutes: the pages that show the meeting (its own with the packet, the
    // meeting list, the pages of the incidents on its agenda) and the sitemap.
    append(
        d,
        "content/meetings/2017-06-20-meeting-2.md",
        "追記した議事。",
    );
    let meeting = build(d, "2026-12-01");
    assert_eq!(
        meeting.rendered_pages,
        [
            "incidents/2017-04-07-rakuten/index.html",
            "incidents/2017-04-13-asahi-net/index.html",
            "meetings/2017-06-20-meeting-2/index.html",
            "meetings/index.html",
            "sitemap.xml"
        ]
    );
}

#[test]
fn what_every_page_shows_renders_every_page_again() {
    let dir = site();
    let d = dir.path();
    let all = settle(d, "2026-12-01");
    let again = |d: &Path, today: &str| {
        let first = build(d, today);
        assert_eq!(first.kept_pages, 0, "{:?}", first.written);
        // The previous generation is a build older still: rendered again too.
        assert_eq!(build(d, today).kept_pages, 0);
        assert_eq!(build(d, today).kept_pages, all);
    };

    // Front matter: the lists, counts and feeds show it.
    let text = fs::read_to_string(d.join(RAKUTEN)).unwrap();
    write(
        d,
        RAKUTEN,
        text.replace("affected_users = 220300", "affected_users = 220301"),
    );
    again(d, "2026-12-01");
    // The day overdue countermeasures are judged against.
    again(d, "2026-12-02");
    // config.toml.
    let config = fs::read_to_string(d.join("config.toml")).unwrap();
    write(
        d,
        "config.toml",
        config.replace("電気通信事故アーカイブ", "事故アーカイブ"),
    );
    again(d, "2026-12-02");
    // A template of the site's own, overriding a built-in one.
    let years =
        fs::read_to_string(common::repo().join("themes/default/templates/years.html")).unwrap();
    write(
        d,
        "themes/default/templates/years.html",
        years.replace("<h1>", "<h1 class=\"years\">"),
    );
    again(d, "2026-12-02");
    // A new static file: body links to it would now resolve.
    write(d, "static/logo.txt", "logo");
    again(d, "2026-12-02");
}

#[test]
fn an_image_changed_renders_the_documents_that_embed_it() {
    let dir = site();
    let d = dir.path();
    let all = settle(d, "2026-12-01");
    write(
        d,
        "content/incidents/2024-01-15-diagram/diagram.png",
        b"\x89PNG\r\n\x1a\n two",
    );
    let changed = build(d, "2026-12-01");
    // The page (and its report, which embeds the image) and the annual report of 2024; the
    // image itself is copied.
    assert_eq!(
        changed.rendered_pages,
        [
            "incidents/2024-01-15-diagram/index.html",
            "reports/2024/index.html"
        ]
    );
    assert_eq!(changed.kept_pages, all - 2);
    for f in [
        "incidents/2024-01-15-diagram/diagram.png",
        "incidents/2024-01-15-diagram/report.html",
    ] {
        assert!(
            changed.written.contains(&f.to_string()),
            "{f}: {:?}",
            changed.written
        );
    }
}

#[test]
fn a_page_with_warnings_is_rendered_by_every_build_and_warns_every_time() {
    let dir = site();
    let d = dir.path();
    write(
        d,
        "content/incidents/2024-02-01-draft.md",
        "+++\ntitle = \"下書き\"\noperators = [\"図通信\"]\nstarted = 2024-02-01T11:50:00+09:00\ncauses = [\"human-error\"]\nstatus = \"draft\"\n+++\n\n本文。\n",
    );
    append(d, RAKUTEN, "[下書き](2024-02-01-draft.md)");
    let all = settle(d, "2026-12-01");
    for _ in 0..2 {
        let report = build(d, "2026-12-01");
        assert_eq!(report.kept_pages, all);
        // Its page, its meeting's (the packet binds it) and its year's annual report.
        assert!(report
            .rendered_pages
            .contains(&"incidents/2017-04-07-rakuten/index.html".to_string()));
        let warned: Vec<&gen::Diagnostic> = report
            .warnings
            .iter()
            .filter(|w| w.file.path == Path::new(RAKUTEN) && w.message.contains("draft"))
            .collect();
        assert_eq!(warned.len(), 1, "{:?}", report.warnings);
    }
}

#[test]
fn a_previous_generation_edited_by_hand_or_a_failed_build_never_leaves_a_stale_page() {
    let dir = site();
    let d = dir.path();
    let all = settle(d, "2026-12-01");
    // A kept page changed by hand in the previous generation is rendered again.
    let page = d.join(".output.gen/previous/incidents/2017-04-07-rakuten/index.html");
    let html = fs::read_to_string(&page).unwrap();
    fs::write(&page, html.replace("楽天", "偽物")).unwrap();
    let report = build(d, "2026-12-01");
    assert_eq!(report.kept_pages, all - 1);
    assert_eq!(report.written, ["incidents/2017-04-07-rakuten/index.html"]);

    // A build that fails after writing some pages: the next one renders everything it
    // cannot vouch for, and the output is right.
    append(d, RAKUTEN, "[どこにもない](nowhere.md)");
    assert!(gen::build(&options(d, "2026-12-01")).is_err());
    let text = fs::read_to_string(d.join(RAKUTEN)).unwrap();
    write(
        d,
        RAKUTEN,
        text.replace("[どこにもない](nowhere.md)", "直した。"),
    );
    build(d, "2026-12-01");
    build(d, "2026-12-01");
    assert_eq!(build(d, "2026-12-01").kept_pages, all);
}
