//! `gen serve`: the incremental build gives exactly what a full build gives, and the
//! server answers, reloads, shows errors and refuses paths outside the site.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gen::serve::session::{Served, Session};
use gen::BuildOptions;
use tempfile::TempDir;

mod common;
use common::serve::{wait_event, Server};
use common::{gen_cmd, shipped};

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The files a from-scratch session builds for the same sources.
fn full(root: &Path) -> HashMap<String, Served> {
    let mut s = Session::new(BuildOptions::new(root));
    s.rebuild(&[]).unwrap();
    (*s.files()).clone()
}

fn assert_same(session: &Session, root: &Path, what: &str) {
    let got = session.files();
    let want = full(root);
    let mut missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let mut stale: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    let mut differ: Vec<&String> = want
        .iter()
        .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
        .map(|(k, _)| k)
        .collect();
    missing.sort();
    stale.sort();
    differ.sort();
    assert!(
        missing.is_empty() && stale.is_empty() && differ.is_empty(),
        "after {what}: missing {missing:?}, stale {stale:?}, different {differ:?}"
    );
}

fn page(session: &Session, path: &str) -> String {
    match session.files().get(path) {
        Some(Served::Bytes(b)) => String::from_utf8(b.to_vec()).unwrap(),
        other => panic!("{path}: {other:?}"),
    }
}

#[test]
fn every_kind_of_edit_gives_what_a_full_build_gives() {
    let dir = shipped();
    let root = dir.path();
    let inc = |id: &str| root.join(format!("content/incidents/{id}.md"));
    let meeting = |id: &str| root.join(format!("content/meetings/{id}.md"));
    let mut s = Session::new(BuildOptions::new(root));
    let first = s.rebuild(&[]).unwrap();
    assert!(first.full);
    let total = s.files().len();

    // Each step: change the sources, rebuild with the changed paths, compare.
    let step = |s: &mut Session, what: &str, changed: Vec<PathBuf>, expect_partial: bool| {
        let u = s.rebuild(&changed).unwrap();
        assert_eq!(!u.full, expect_partial, "{what}: {u:?}");
        if expect_partial {
            assert!(
                u.files < total / 2,
                "{what} re-rendered {} of {total}",
                u.files
            );
        }
        assert_same(s, root, what);
    };

    edit(&inc("2017-07-03-jcom"), "## 発生原因", "## 発生の原因");
    step(&mut s, "a body edit", vec![inc("2017-07-03-jcom")], true);

    edit(
        &inc("2017-07-03-jcom"),
        "affected_users = 52792",
        "affected_users = 61234",
    );
    step(
        &mut s,
        "a user count edit",
        vec![inc("2017-07-03-jcom")],
        true,
    );

    edit(
        &inc("2017-04-13-asahi-net"),
        "causes = [\"human-error\"]",
        "causes = [\"vendor-bug\", \"human-error\"]",
    );
    step(
        &mut s,
        "a cause change",
        vec![inc("2017-04-13-asahi-net")],
        true,
    );

    edit(
        &inc("2017-04-07-rakuten"),
        "started = 2017-04-07T19:53:00+09:00",
        "started = 2016-04-07T19:53:00+09:00",
    );
    step(
        &mut s,
        "a start moved to another year",
        vec![inc("2017-04-07-rakuten")],
        true,
    );

    edit(
        &inc("2016-12-12-netforest"),
        "causes = ",
        "related = [\"2016-08-17-nifty\"]\ncauses = ",
    );
    step(
        &mut s,
        "a related link added",
        vec![inc("2016-12-12-netforest")],
        true,
    );
    edit(&inc("2016-08-17-nifty"), "title = \"", "title = \"(改) ");
    step(
        &mut s,
        "a related incident's title",
        vec![inc("2016-08-17-nifty")],
        true,
    );

    edit(
        &meeting("2017-06-20-meeting-2"),
        "incidents = [\"2017-04-07-rakuten\", \"2017-04-13-asahi-net\"]",
        "incidents = [\"2017-04-13-asahi-net\"]",
    );
    step(
        &mut s,
        "an agenda change",
        vec![meeting("2017-06-20-meeting-2")],
        true,
    );
    edit(
        &meeting("2017-10-13-meeting-4"),
        "title = \"",
        "title = \"臨時 ",
    );
    step(
        &mut s,
        "a meeting title",
        vec![meeting("2017-10-13-meeting-4")],
        true,
    );

    // Folders with assets: moving a file into <id>/index.md and adding a figure.
    let folder = root.join("content/incidents/2023-10-31-docomo");
    fs::create_dir(&folder).unwrap();
    fs::rename(inc("2023-10-31-docomo"), folder.join("index.md")).unwrap();
    step(
        &mut s,
        "a file moved into its folder",
        vec![inc("2023-10-31-docomo"), folder.join("index.md")],
        true,
    );
    fs::write(
        folder.join("figure.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    step(
        &mut s,
        "an asset added",
        vec![folder.join("figure.svg")],
        true,
    );
    assert!(s
        .files()
        .contains_key("incidents/2023-10-31-docomo/figure.svg"));
    fs::remove_file(folder.join("figure.svg")).unwrap();
    step(
        &mut s,
        "an asset removed",
        vec![folder.join("figure.svg")],
        true,
    );

    // Structural changes render everything.
    fs::write(
        inc("2024-01-15-new"),
        "+++\ntitle = \"New\"\noperators = [\"新しい事業者\"]\nstarted = 2024-01-15T11:50:00+09:00\ncauses = [\"overload\"]\n+++\n\nBody.\n",
    )
    .unwrap();
    step(&mut s, "a new incident", vec![inc("2024-01-15-new")], false);
    fs::remove_file(inc("2024-01-15-new")).unwrap();
    step(
        &mut s,
        "a deleted incident",
        vec![inc("2024-01-15-new")],
        false,
    );
    edit(&root.join("config.toml"), "title = \"", "title = \"新 ");
    step(
        &mut s,
        "a config change",
        vec![root.join("config.toml")],
        false,
    );
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Custom 404</h1>{% endblock content %}",
    )
    .unwrap();
    step(
        &mut s,
        "a template override",
        vec![templates.join("404.html")],
        false,
    );
    assert!(page(&s, "404.html").contains("Custom 404"));
}

#[test]
fn a_broken_edit_keeps_the_last_good_files_and_a_fix_recovers() {
    let dir = shipped();
    let root = dir.path();
    let jcom = root.join("content/incidents/2017-07-03-jcom.md");
    let mut s = Session::new(BuildOptions::new(root));
    s.rebuild(&[]).unwrap();
    let before = s.files();

    edit(&jcom, "affected_users = 52792", "affected_users = \"many\"");
    let err = s.rebuild(std::slice::from_ref(&jcom)).unwrap_err();
    match err {
        gen::Error::Content(d) => {
            assert_eq!(d.len(), 1);
            assert_eq!(
                d[0].file.path,
                Path::new("content/incidents/2017-07-03-jcom.md")
            );
            assert_eq!(d[0].location(), "content/incidents/2017-07-03-jcom.md:8:18");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(*s.files(), *before, "the last good files are kept");

    edit(&jcom, "affected_users = \"many\"", "affected_users = 52793");
    s.rebuild(std::slice::from_ref(&jcom)).unwrap();
    assert!(page(&s, "incidents/2017-07-03-jcom/index.html").contains("52,793"));
    assert_same(&s, root, "the fix");
}

// ---------------------------------------------------------------------------------
// The server, as a user runs it.

const JCOM: &str = "/incidents/2017-07-03-jcom/";

/// Edits jcom's `affected_users` from 52792 to 61234, waits for the reload event on
/// `events` and returns jcom's page once it shows 61,234.
fn raise_jcom_users(root: &Path, server: &Server, events: &mpsc::Receiver<String>) -> String {
    edit(
        &root.join("content/incidents/2017-07-03-jcom.md"),
        "affected_users = 52792",
        "affected_users = 61234",
    );
    wait_event(events);
    server.wait_for(JCOM, "61,234", |b| b.contains("61,234"))
}

/// The build generation a served page carries (`var g=N;` in the reload script).
fn generation_of(page: &str) -> u64 {
    let at = page
        .find("var g=")
        .expect("the reload script carries a generation")
        + 6;
    let end = at + page[at..].find(';').expect("var g=N;");
    page[at..end].parse().expect("a number")
}

/// The `hello` event that opens an event stream: the generation served at that moment.
fn hello(rx: &mpsc::Receiver<String>) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen_hello = false;
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("a hello event arrived");
        if line == "event: hello" {
            seen_hello = true;
        } else if let Some(n) = line.strip_prefix("data: ").filter(|_| seen_hello) {
            return n.parse().expect("a number");
        } else {
            assert!(
                !line.starts_with("event: "),
                "hello comes first, not {line}"
            );
        }
    }
}

/// What `/__gen/changed?since=N` answers: `[current, paths]`.
fn changed_since(server: &Server, since: &str) -> (u64, serde_json::Value) {
    let (status, head, body) = server.get(&format!("/__gen/changed?since={since}"));
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("cache-control: no-store"), "{head}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    (v[0].as_u64().expect("a generation"), v[1].clone())
}

/// A page that missed events (while it loaded, or while the page holding the stream for
/// all open pages changed) asks what changed since the generation it last saw, and
/// reloads only if its own path is named.
#[test]
fn what_changed_since_a_generation_names_exactly_the_pages_a_page_missed() {
    let dir = shipped();
    let server = Server::start(dir.path(), &[]);
    let (_, _, body) = server.get(JCOM);
    let g0 = generation_of(&body);
    assert_eq!(
        changed_since(&server, &g0.to_string()),
        (g0, serde_json::json!([]))
    );

    // A body edit: the incident's page changed, the lists did not.
    let file = dir.path().join("content/incidents/2017-07-03-jcom.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nChanged since marker.\n")).unwrap();
    server.wait_for(JCOM, "the marker", |b| b.contains("Changed since marker."));
    let (g1, paths) = changed_since(&server, &g0.to_string());
    assert!(g1 > g0, "{g1} after {g0}");
    let paths: Vec<&str> = paths
        .as_array()
        .expect("a list of paths")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(
        paths.contains(&"incidents/2017-07-03-jcom/index.html"),
        "{paths:?}"
    );
    assert!(!paths.contains(&"incidents/index.html"), "{paths:?}");
    assert!(!paths.contains(&"causes/index.html"), "{paths:?}");

    // Every page for a generation before the first build's, one this server never served
    // (a page from before a restart) or not a number.
    for since in [
        "0".to_string(),
        (g1 + 1000).to_string(),
        "x".to_string(),
        String::new(),
    ] {
        assert_eq!(
            changed_since(&server, &since).1,
            serde_json::json!("*"),
            "since={since}"
        );
    }
}

/// A page that opens its event stream after a rebuild it never heard of (it was itself
/// reloading, to show an error overlay, when the fix was published) must still reload:
/// the stream starts with the generation served now, and each page carries its own.
#[test]
fn the_event_stream_starts_with_the_generation_pages_carry() {
    let dir = shipped();
    let server = Server::start(dir.path(), &[]);
    let (_, _, body) = server.get(JCOM);
    let first = generation_of(&body);
    let events = server.events();
    assert_eq!(hello(&events), first);

    let body = raise_jcom_users(dir.path(), &server, &events);
    let newer = generation_of(&body);
    assert!(newer > first, "{newer} after {first}");
    // A page served before the rebuild opening its stream now learns of it (or of a later
    // stage: a rebuild publishes the edited page first, then the rest).
    let late = server.events();
    assert!(hello(&late) >= newer);
    // Once the rebuild is over, a page served carries the generation its stream then
    // announces: no reload loop.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, _, causes) = server.get("/causes/");
        let page = generation_of(&causes);
        let now = hello(&server.events());
        if page == now {
            assert!(page >= newer);
            break;
        }
        assert!(
            page < now,
            "a page is never newer than the stream: {page} > {now}"
        );
        assert!(Instant::now() < deadline, "the generation never settled");
    }
}

#[test]
fn an_edit_shows_up_over_http_and_open_pages_are_told_to_reload() {
    let dir = shipped();
    let server = Server::start(dir.path(), &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let (status, head, body) = server.get(JCOM);
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("52,792"));
    assert!(
        body.contains("new EventSource(\"/__gen/events\")"),
        "reload script injected"
    );

    let events = server.events();
    let body = raise_jcom_users(dir.path(), &server, &events);
    assert!(!body.contains("52,792"));
    // The lists that show the figure changed too.
    server.wait_for("/incidents/", "61,234", |b| b.contains("61,234"));
    server.wait_for("/years/2017/", "61,234", |b| b.contains("61,234"));
    assert!(
        !dir.path().join("output").exists(),
        "serve never writes output/"
    );
}

#[test]
fn an_error_shows_as_an_overlay_over_the_last_good_site_until_fixed() {
    let dir = shipped();
    let server = Server::start(dir.path(), &[]);
    let jcom = dir.path().join("content/incidents/2017-07-03-jcom.md");
    let events = server.events();

    edit(&jcom, "title = \"", "title = [\"");
    wait_event(&events);
    let body = server.wait_for(JCOM, "the overlay", |b| {
        b.contains("id=\"gen-error-overlay\"")
    });
    assert!(
        body.contains("52,792"),
        "the last good page is still served"
    );
    assert!(body.contains("content/incidents/2017-07-03-jcom.md:2:9: this array is never closed"));
    let other = server.wait_for("/causes/", "the overlay", |b| {
        b.contains("id=\"gen-error-overlay\"")
    });
    assert!(
        other.contains("this array is never closed"),
        "on every page"
    );
    let said = server.stderr_until("still serving the last good build");
    assert!(said.contains("error[toml-syntax]: content/incidents/2017-07-03-jcom.md:2:9: this array is never closed"), "{said}");

    edit(&jcom, "title = [\"", "title = \"");
    wait_event(&events);
    server.wait_for(JCOM, "no overlay", |b| {
        !b.contains("id=\"gen-error-overlay\"")
    });
}

#[test]
fn only_files_of_the_site_are_served() {
    let dir = shipped();
    fs::write(dir.path().join("secret.txt"), "do-not-serve").unwrap();
    let server = Server::start(dir.path(), &[]);
    for path in [
        "/../config.toml",
        "/%2e%2e/config.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/incidents/../../config.toml",
        "/..%2fconfig.toml",
        "/%2e%2e%5cconfig.toml",
        "/..\\config.toml",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/secret.txt",
        "/config.toml",
        "/content/incidents/2017-07-03-jcom.md",
        "/%00",
    ] {
        let (status, _, body) = server.get(path);
        assert!(
            status == 400 || status == 404,
            "{path} gave {status}: {}",
            &body[..body.len().min(200)]
        );
        assert!(!body.contains("base_url"), "{path} leaked config.toml");
        assert!(!body.contains("do-not-serve"), "{path} leaked a file");
        assert!(!body.contains("root:x:0:0"), "{path} leaked /etc/passwd");
    }
    // Missing pages get the site's own 404 page, with its status.
    let (status, head, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(head.contains("content-type: text/html; charset=utf-8"));
    assert!(
        body.contains("<html lang=\"ja\">") && body.contains("ページが見つかりません"),
        "{body}"
    );
    // Content types.
    let (status, head, _) = server.get("/style.css");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/css; charset=utf-8"),
        "{head}"
    );
    assert!(head.contains("cache-control: no-store"));
    // A folder without its slash is redirected, so relative links keep working.
    let (status, head, _) = server.get("/incidents");
    assert_eq!(status, 308);
    assert!(head.contains("location: /incidents/"), "{head}");
}

#[test]
fn a_new_incident_from_gen_new_appears_while_serving() {
    let dir = shipped();
    let server = Server::start(dir.path(), &[]);
    let events = server.events();
    let o = gen_cmd([
        "new",
        "incident",
        "Mail outage",
        "--operator",
        "株式会社テスト",
        "--started",
        "2024-03-01T09:30:00+09:00",
    ])
    .root(dir.path())
    .run();
    assert!(o.success(), "{}", o.stderr());
    wait_event(&events);
    // gen new leaves the causes to the author: the overlay says so until they are written.
    server.wait_for("/", "the overlay naming the empty causes", |b| {
        b.contains("id=\"gen-error-overlay\"")
            && b.contains("`causes` must list at least one entry")
    });
    let file = dir
        .path()
        .join("content/incidents/2024-03-01-mail-outage.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("causes = []", "causes = [\"overload\"]", 1),
    )
    .unwrap();
    wait_event(&events);
    let body = server.wait_for("/incidents/2024-03-01-mail-outage/", "the new page", |b| {
        b.contains("Mail outage")
    });
    assert!(
        !body.contains("id=\"gen-error-overlay\""),
        "gen new output serves once its causes are filled in"
    );
    server.wait_for("/", "the new incident on the home page", |b| {
        b.contains("Mail outage")
    });
}

#[test]
fn binding_beyond_loopback_warns() {
    let dir = shipped();
    let server = Server::start(dir.path(), &["--bind", "0.0.0.0"]);
    let said = server.stderr_until("warning: listening on 0.0.0.0");
    assert!(said.contains("other machines can reach this preview"));
}

#[test]
fn a_static_folder_created_while_serving_is_followed() {
    let dir = shipped();
    let server = Server::start(dir.path(), &[]);
    let events = server.events();
    let stat = dir.path().join("static");
    fs::create_dir(&stat).unwrap();
    fs::write(stat.join("notes.txt"), "first").unwrap();
    wait_event(&events);
    server.wait_for("/notes.txt", "the new file", |b| b == "first");
    let (_, head, _) = server.get("/notes.txt");
    assert!(
        head.contains("content-type: text/plain; charset=utf-8"),
        "{head}"
    );
    // Files in the new folder are watched too.
    fs::create_dir(stat.join("img")).unwrap();
    fs::write(
        stat.join("img/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    server.wait_for("/img/logo.svg", "a file in a new subfolder", |b| {
        b.starts_with("<svg")
    });
    let (_, head, _) = server.get("/img/logo.svg");
    assert!(
        head.contains("content-type: image/svg+xml; charset=utf-8"),
        "{head}"
    );
}

#[test]
fn open_hands_the_address_to_the_desktops_opener() {
    use std::os::unix::fs::PermissionsExt;
    let dir = shipped();
    // A stand-in for xdg-open that records what it was asked to open.
    let bin = TempDir::new().unwrap();
    let record = bin.path().join("opened.txt");
    let pages = bin.path().join("thp.txt");
    let opener = bin.path().join("xdg-open");
    // Also records its huge-page flag, which gen gives back before starting it.
    fs::write(
        &opener,
        format!(
            "#!/bin/sh\ngrep THP_enabled /proc/$$/status > '{}'\necho \"$1\" > '{}'\n",
            pages.display(),
            record.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&opener, fs::Permissions::from_mode(0o755)).unwrap();
    let mut path = std::ffi::OsString::from(bin.path());
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    let server = Server::start_with(dir.path(), &["--open"], &[("PATH", path)]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !record.exists() {
        assert!(Instant::now() < deadline, "--open never ran the opener");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(fs::read_to_string(&record).unwrap().trim(), server.url);
    let own = fs::read_to_string("/proc/self/status").unwrap();
    let own = own.lines().find(|l| l.starts_with("THP_enabled:")).unwrap();
    assert_eq!(fs::read_to_string(&pages).unwrap().trim(), own);
}

#[test]
fn a_template_error_keeps_the_last_good_files_until_the_template_is_fixed() {
    let dir = shipped();
    let root = dir.path();
    let mut s = Session::new(BuildOptions::new(root));
    s.rebuild(&[]).unwrap();
    let before = s.files();
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    let tpl = templates.join("404.html");
    fs::write(
        &tpl,
        "{% extends \"base.html\" %}{% block content %}{{ nope.missing }}{% endblock content %}",
    )
    .unwrap();
    match s.rebuild(std::slice::from_ref(&tpl)).unwrap_err() {
        gen::Error::Content(d) => {
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].code.as_str(), "template-render");
            assert_eq!(
                d[0].file.path,
                Path::new("themes/default/templates/404.html")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(*s.files(), *before, "the last good files are kept");
    fs::write(
        &tpl,
        "{% extends \"base.html\" %}{% block content %}<h1>Fixed</h1>{% endblock content %}",
    )
    .unwrap();
    s.rebuild(std::slice::from_ref(&tpl)).unwrap();
    assert!(page(&s, "404.html").contains("<h1>Fixed</h1>"));
    assert_same(&s, root, "the template fix");
}

#[test]
fn serving_a_folder_that_is_not_a_site_is_a_usage_error() {
    let dir = TempDir::new().unwrap();
    let o = gen_cmd(["serve", "--port", "0"]).root(dir.path()).run();
    assert_eq!(o.code(), Some(2));
    let err = o.stderr();
    assert!(err.contains("no config.toml in"), "{err}");
    assert!(err.contains("this is not a gen site"), "{err}");
}

#[test]
fn a_broken_config_at_start_is_served_as_an_overlay_until_fixed() {
    let dir = shipped();
    let config = dir.path().join("config.toml");
    edit(&config, "language = \"ja\"", "language = \"fr\"");
    let server = Server::start(dir.path(), &[]);
    let (status, _, body) = server.get("/");
    assert_eq!(status, 503);
    assert!(body.contains("id=\"gen-error-overlay\""), "{body}");
    assert!(body.contains("config.toml:"), "{body}");
    edit(&config, "language = \"fr\"", "language = \"ja\"");
    let body = server.wait_for("/", "the site", |b| b.contains("<html lang=\"ja\">"));
    assert!(!body.contains("id=\"gen-error-overlay\""));
}
