//! `gen serve`'s incremental rebuild against a full build, for an edit of every
//! front-matter field (generated from the field tables) and with every page kind of the
//! registry shown to change: a page kind or field added later is covered without editing
//! this file, and a page that forgets a dependency is caught serving a stale copy.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use gen::model::fields::{self, Field, Kind};
use gen::serve::session::{Served, Session};
use gen::BuildOptions;

mod common;
use common::{site_with_config, write};

/// The fixture's config: the test config with an absolute `base_url`, so that the feeds,
/// the sitemap and robots.txt are among the kinds checked.
fn config() -> String {
    format!("{}base_url = \"https://example.org/p/\"\n", common::CONFIG)
}

/// A valid value of `field` as TOML text; `edited` gives a second, different one.
fn value(section: &str, field: &Field, edited: bool) -> String {
    let pick = |a: &str, b: &str| if edited { b } else { a }.to_string();
    // Fields that name other documents or must stay in order get values that do.
    match (section, field.name) {
        (_, "operators") => return pick(r#"["事業者A"]"#, r#"["事業者A", "事業者B"]"#),
        ("incident", "started") => {
            return pick("2024-01-15T10:00:00+09:00", "2024-01-15T10:05:00+09:00")
        }
        ("incident", "resolved") => {
            return pick("2024-01-15T12:00:00+09:00", "2024-01-15T12:30:00+09:00")
        }
        // A draft is not published: the fixture's incident is final, then preliminary.
        ("incident", "status") => return pick(r#""final""#, r#""preliminary""#),
        ("incident", "meeting") => return pick(r#""m1""#, r#""m2""#),
        ("incident", "related") => return pick(r#"["b"]"#, r#"["b", "c"]"#),
        ("phase", "started") => {
            return pick("2024-01-15T10:00:00+09:00", "2024-01-15T10:10:00+09:00")
        }
        ("phase", "resolved") => {
            return pick("2024-01-15T11:00:00+09:00", "2024-01-15T11:20:00+09:00")
        }
        ("meeting", "date") => {
            return pick("2024-02-01T15:00:00+09:00", "2024-02-01T15:30:00+09:00")
        }
        ("meeting", "ended") => {
            return pick("2024-02-01T17:00:00+09:00", "2024-02-01T18:00:00+09:00")
        }
        ("meeting", "incidents") => return pick(r#"["a", "b"]"#, r#"["b", "a"]"#),
        // One of the meeting's `incidents`: its handout number goes with the item.
        ("order", "incident") => return pick(r#""a""#, r#""b""#),
        _ => {}
    }
    match &field.kind {
        Kind::String => pick(r#""甲""#, r#""乙""#),
        Kind::Strings => pick(r#"["甲"]"#, r#"["甲", "乙"]"#),
        Kind::CauseKeys => pick(r#"["overload"]"#, r#"["vendor-bug", "overload"]"#),
        Kind::Offset => pick(r#""+09:00""#, r#""+00:00""#),
        Kind::Datetime => pick("2024-01-15T10:30:00+09:00", "2024-01-15T10:45:00+09:00"),
        Kind::Date => pick("2024-03-31", "2024-04-30"),
        Kind::Duration => pick(r#""2h""#, r#""3h10m""#),
        Kind::Count => pick("5000", "7000"),
        Kind::CountOrChannels => pick("120", "{ phone = 100, email = 30 }"),
        Kind::Bool => pick("false", "true"),
        Kind::Month => pick("1", "4"),
        Kind::Positive => pick("100", "2"),
        Kind::Choice(names) => {
            let n = if edited { 1 } else { 0 };
            format!("\"{}\"", names[n.min(names.len() - 1)])
        }
        Kind::StringMap => pick(r#"{ vendor = "甲" }"#, r#"{ vendor = "乙" }"#),
        Kind::Tables(_) | Kind::Table(_) | Kind::NamedTables(_) => {
            unreachable!("tables are written as sections")
        }
    }
}

/// A document's front matter: every field of `section` with its first value, except
/// `edit` (a path of field names) which gets its second.
fn front_matter(section: &str, table: &[Field], edit: &[&str]) -> String {
    let mut top = String::new();
    let mut sections = String::new();
    for f in table {
        let edited = edit.first() == Some(&f.name);
        match &f.kind {
            Kind::Tables(sub) => {
                let inner = if edited { &edit[1..] } else { &[][..] };
                sections.push_str(&format!("\n[[{}]]\n", f.name));
                for g in *sub {
                    let this = inner.first() == Some(&g.name);
                    let name = match f.name {
                        "phases" => "phase",
                        "countermeasures" => "countermeasure",
                        "notices" => "notice",
                        "order" => "order",
                        _ => "timeline",
                    };
                    sections.push_str(&format!("{} = {}\n", g.name, value(name, g, this)));
                }
            }
            Kind::Table(sub) => {
                let inner = if edited { &edit[1..] } else { &[][..] };
                sections.push_str(&format!("\n[{}]\n", f.name));
                for g in *sub {
                    let this = inner.first() == Some(&g.name);
                    sections.push_str(&format!("{} = {}\n", g.name, value(f.name, g, this)));
                }
            }
            Kind::NamedTables(_) => {}
            _ => top.push_str(&format!("{} = {}\n", f.name, value(section, f, edited))),
        }
    }
    format!("+++\n{top}{sections}+++\n\n本文。\n")
}

/// Every field as a path of names (`["phases", "label"]`), nested tables included.
fn field_paths(table: &[Field]) -> Vec<Vec<&'static str>> {
    let mut out = Vec::new();
    for f in table {
        match &f.kind {
            Kind::Tables(sub) | Kind::Table(sub) => {
                out.extend(sub.iter().map(|g| vec![f.name, g.name]));
            }
            Kind::NamedTables(_) => {}
            _ => out.push(vec![f.name]),
        }
    }
    out
}

fn full(root: &Path) -> HashMap<String, Served> {
    let mut s = Session::new(BuildOptions::new(root));
    s.rebuild(&[]).unwrap();
    (*s.files()).clone()
}

/// Writes the fixture: incident `a` with every field, `b`, `c` and `d` beside it, meetings
/// `m1` and `m2`.
fn fixture(root: &Path, a: &str, m1: &str) {
    write(root, "content/incidents/a.md", a);
    let other = |id: &str, year: i32| {
        format!(
            "+++\ntitle = \"{id}\"\noperators = [\"事業者A\"]\nstarted = {year}-05-01T10:00:00+09:00\nresolved = {year}-05-01T11:00:00+09:00\ncauses = [\"human-error\"]\nrelated = [\"a\"]\n+++\n\n{id}\n"
        )
    };
    write(root, "content/incidents/b.md", other("b", 2024));
    write(root, "content/incidents/c.md", other("c", 2023));
    // Just older than `a` and of the cause `a`'s edit adds: with one incident a page, `d`
    // moves to the cause's second page, which the edit creates. Its tag is the one `a`'s
    // edit adds, so that edit changes two existing tag pages, not the site's structure.
    write(
        root,
        "content/incidents/d.md",
        "+++\ntitle = \"d\"\noperators = [\"事業者A\"]\nstarted = 2024-01-15T10:20:00+09:00\nresolved = 2024-01-15T11:00:00+09:00\ncauses = [\"vendor-bug\"]\ntags = [\"乙\"]\n+++\n\nd\n",
    );
    write(root, "content/meetings/m1.md", m1);
    write(
        root,
        "content/meetings/m2.md",
        "+++\ntitle = \"第2回\"\ndate = 2024-03-01T15:00:00+09:00\nincidents = [\"c\"]\n+++\n\n議事。\n",
    );
}

#[test]
fn an_edit_of_every_field_serves_what_a_full_build_gives_on_every_page_kind() {
    every_edit_serves_a_full_build("");
}

/// The same with one incident a page: every list is split, and an edit that moves an
/// incident (its start, causes, operators, tags) shifts it between pages.
#[test]
fn an_edit_of_every_field_serves_a_full_build_with_lists_in_pages() {
    every_edit_serves_a_full_build("page_size = 1\n");
}

/// The same with one entry a feed: an edit that changes an incident's dates (its
/// `updated`) swaps which incident each feed holds.
#[test]
fn an_edit_of_every_field_serves_a_full_build_with_feeds_of_one_entry() {
    every_edit_serves_a_full_build("feed_limit = 1\n");
}

/// The same in the internal edition, where an incident made internal stays, with its
/// badge. (In the public edition it leaves the site, and the fixture's references to it
/// become `internal-reference` errors: that edit is made only here.)
#[test]
fn an_edit_of_every_field_serves_a_full_build_in_the_internal_edition() {
    every_edit_serves_a_full_build("edition = \"internal\"\n");
}

fn every_edit_serves_a_full_build(extra: &str) {
    let internal = extra.contains("edition = \"internal\"");
    let config = format!("{}{extra}", config());
    let dir = site_with_config(&config, &[]);
    let root = dir.path();
    let incident = |edit: &[&str]| front_matter("incident", fields::INCIDENT, edit);
    let meeting = |edit: &[&str]| front_matter("meeting", fields::MEETING, edit);
    fixture(root, &incident(&[]), &meeting(&[]));
    let site = gen::check(&BuildOptions::new(root)).expect("the fixture builds");
    let routes = gen::render::routes(&site);
    let kind_of: BTreeMap<String, &str> = routes.iter().map(|r| (r.path.clone(), r.kind)).collect();

    let mut session = Session::new(BuildOptions::new(root));
    session.rebuild(&[]).unwrap();
    let mut before = full(root);
    let mut changed_kinds: BTreeSet<&str> = BTreeSet::new();
    let mut partial = 0;
    let mut edits: Vec<(String, PathBuf, String)> = Vec::new();
    for path in field_paths(fields::INCIDENT) {
        if path == ["visibility"] && !internal {
            continue;
        }
        let what = format!("incident field {}", path.join("."));
        edits.push((what, root.join("content/incidents/a.md"), incident(&path)));
    }
    for path in field_paths(fields::MEETING) {
        let what = format!("meeting field {}", path.join("."));
        edits.push((what, root.join("content/meetings/m1.md"), meeting(&path)));
    }
    edits.push((
        "the body".into(),
        root.join("content/incidents/a.md"),
        incident(&[]).replace("本文。", "本文を直した。"),
    ));
    edits.push((
        "the site's title".into(),
        root.join("config.toml"),
        config.replace("title = \"T\"", "title = \"U\""),
    ));
    edits.push((
        "the site's address".into(),
        root.join("config.toml"),
        config.replace("/p/", "/q/"),
    ));

    for (what, file, text) in &edits {
        // Each edit starts from the fixture, so that it changes exactly one field.
        let original = std::fs::read_to_string(file).unwrap();
        for (text, step) in [(text.as_str(), "edit"), (original.as_str(), "undo")] {
            std::fs::write(file, text).unwrap();
            let u = session
                .rebuild(std::slice::from_ref(file))
                .unwrap_or_else(|e| panic!("{what} ({step}): {e}"));
            partial += usize::from(!u.full);
            let want = full(root);
            let got = session.files();
            let wrong = common::serve::differing(&want, &got);
            assert!(
                wrong.is_empty(),
                "after the {step} of {what}: stale or missing {wrong:?}"
            );
            for (path, bytes) in &want {
                if before.get(path) != Some(bytes) {
                    changed_kinds.extend(kind_of.get(path).copied());
                }
            }
            before = want;
        }
    }
    let all_kinds: BTreeSet<&str> = routes.iter().map(|r| r.kind).collect();
    let unchanged: Vec<&&str> = all_kinds.difference(&changed_kinds).collect();
    assert!(
        unchanged.is_empty(),
        "no edit changed a page of these kinds, so their staleness is untested: {unchanged:?}"
    );
    // Most of the 2 × edits rebuilds must be incremental, or this proves nothing about them.
    assert!(
        partial > edits.len(),
        "only {partial} of {} rebuilds were incremental",
        edits.len() * 2
    );
}
