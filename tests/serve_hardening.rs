//! `gen serve` under attack and under bugs: files swapped for links after the build, requests
//! from other host names (DNS rebinding), odd methods and redirects, and a rebuild that
//! panics.

use std::fs;
use std::net::IpAddr;
use std::path::Path;

use tempfile::TempDir;

mod common;
use common::serve::Server;
use common::{site_with_config, write};

const CONFIG: &str = "title = \"Test\"\nbase_url = \"https://example.org/\"\nlanguage = \"en\"\n";

const INCIDENT: &str = "+++\ntitle = \"Mail outage\"\noperators = [\"Example Co\"]\nstarted = 2024-03-01T09:30:00+09:00\ncauses = [\"overload\"]\n+++\n\nBody.\n";

const FIGURE: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>built</title></svg>";

/// What no response may ever contain: the text of a file outside the site.
const SECRET: &str = "TOP-SECRET-outside-the-site";

/// A small site: one incident with a folder of assets, and a static file.
fn site() -> TempDir {
    site_with_config(
        CONFIG,
        &[
            ("content/incidents/2024-03-01-mail/index.md", INCIDENT),
            ("content/incidents/2024-03-01-mail/figure.svg", FIGURE),
            ("content/incidents/2024-03-01-mail/img/chart.svg", FIGURE),
            ("static/notes.txt", "built notes"),
        ],
    )
}

/// A folder outside the site holding the secret, as `figure.svg`, `chart.svg`,
/// `notes.txt` and `index.md`.
fn outside() -> TempDir {
    let dir = TempDir::new().unwrap();
    for name in ["figure.svg", "chart.svg", "notes.txt"] {
        write(dir.path(), name, SECRET);
    }
    write(dir.path(), "index.md", INCIDENT);
    dir
}

const FIGURE_URL: &str = "/incidents/2024-03-01-mail/figure.svg";
const CHART_URL: &str = "/incidents/2024-03-01-mail/img/chart.svg";
const PAGE_URL: &str = "/incidents/2024-03-01-mail/";

/// Asserts that none of the copied files answers with the secret, and each answers with
/// what was built or not at all.
fn nothing_leaks(server: &Server) {
    for (url, built) in [
        (FIGURE_URL, FIGURE),
        (CHART_URL, FIGURE),
        ("/notes.txt", "built notes"),
    ] {
        let (status, _, body) = server.get(url);
        assert!(
            !body.contains(SECRET),
            "{url} served a file outside the site"
        );
        assert!(
            (status == 200 && body == built) || status == 404,
            "{url}: {status} {body}"
        );
    }
}

/// Replaces `path` with a symbolic link to `target`, in one rename as an attacker would.
fn swap_for_link(path: &Path, target: &Path) {
    let tmp = path.with_extension("gen-test-link");
    std::os::unix::fs::symlink(target, &tmp).unwrap();
    if path.is_dir() && !path.is_symlink() {
        fs::remove_dir_all(path).unwrap();
    }
    fs::rename(&tmp, path).unwrap();
}

// S5 ------------------------------------------------------------------------------------

#[test]
fn an_asset_swapped_for_a_link_after_the_build_is_never_served() {
    let dir = site();
    let out = outside();
    let folder = dir.path().join("content/incidents/2024-03-01-mail");
    let server = Server::start(dir.path(), &[]);
    assert_eq!(server.get(FIGURE_URL).2, FIGURE);

    swap_for_link(&folder.join("figure.svg"), &out.path().join("figure.svg"));
    let said = server.stderr_until("still serving the last good build");
    assert!(
        said.contains("error[symlink]: content/incidents/2024-03-01-mail/figure.svg"),
        "{said}"
    );
    // The last good build is what it says: the figure as it was built.
    let (status, _, body) = server.get(FIGURE_URL);
    assert_eq!((status, body.as_str()), (200, FIGURE));
    nothing_leaks(&server);
}

#[test]
fn a_folder_of_assets_swapped_for_a_link_is_never_served() {
    let dir = site();
    let out = outside();
    let folder = dir.path().join("content/incidents/2024-03-01-mail");
    let server = Server::start(dir.path(), &[]);
    assert_eq!(server.get(CHART_URL).2, FIGURE);

    swap_for_link(&folder.join("img"), out.path());
    server.stderr_until("still serving the last good build");
    let (status, _, body) = server.get(CHART_URL);
    assert_eq!((status, body.as_str()), (200, FIGURE));
    nothing_leaks(&server);

    // The incident's whole folder swapped for a link to a look-alike outside the site: a
    // linked document is an error, as in `gen build`, and the last good build stays.
    swap_for_link(&folder, out.path());
    let said = server.stderr_until("still serving the last good build");
    assert!(said.contains("error[symlink]"), "{said}");
    assert_eq!(server.get(PAGE_URL).0, 200);
    nothing_leaks(&server);
}

#[test]
fn a_static_file_swapped_for_a_link_is_never_served() {
    let dir = site();
    let out = outside();
    let server = Server::start(dir.path(), &[]);
    assert_eq!(server.get("/notes.txt").2, "built notes");
    swap_for_link(
        &dir.path().join("static/notes.txt"),
        &out.path().join("notes.txt"),
    );
    // A link in static/ is an error, as in `gen build`; the file stays as it was built.
    let said = server.stderr_until("still serving the last good build");
    assert!(said.contains("error[symlink]: static/notes.txt"), "{said}");
    assert_eq!(server.get("/notes.txt").2, "built notes");
    nothing_leaks(&server);
}

#[test]
fn a_copied_file_is_held_as_it_was_built() {
    use gen::serve::session::{Served, Session};
    let dir = site();
    let out = outside();
    let folder = dir.path().join("content/incidents/2024-03-01-mail");
    let mut s = Session::new(gen::BuildOptions::new(dir.path()));
    s.rebuild(&[]).unwrap();
    // Changed on disk with no rebuild (the watcher has not reported it yet).
    swap_for_link(&folder.join("figure.svg"), &out.path().join("figure.svg"));
    fs::write(dir.path().join("static/notes.txt"), SECRET).unwrap();
    let files = s.files();
    assert_eq!(
        files.get("incidents/2024-03-01-mail/figure.svg"),
        Some(&Served::Asset(FIGURE.as_bytes().into()))
    );
    assert_eq!(
        files.get("notes.txt"),
        Some(&Served::Asset(b"built notes"[..].into()))
    );
}

// S7 ------------------------------------------------------------------------------------

#[test]
fn host_names_of_this_machine_are_allowed_and_others_refused() {
    use gen::serve::http::host_allowed;
    let lan: IpAddr = "192.168.1.20".parse().unwrap();
    let lan6: IpAddr = "fd00::20".parse().unwrap();
    for host in [
        "localhost",
        "localhost:1111",
        "LOCALHOST:1111",
        "LocalHost",
        "localhost.",
        "localhost.:1111",
        "localhost:",
        "127.0.0.1",
        "127.0.0.1:1111",
        "127.0.0.1.:1111",
        "127.1.2.3:1111",
        "[::1]",
        "[::1]:1111",
        "[::ffff:127.0.0.1]:1111",
        "192.168.1.20:1111",
    ] {
        assert!(host_allowed(host, Some(lan)), "{host} refused");
    }
    assert!(host_allowed("[fd00::20]:1111", Some(lan6)));
    for host in [
        "",
        ":1111",
        "evil.example",
        "evil.example:1111",
        "localhost.evil.example",
        "localhost.evil.example:1111",
        "evil-localhost",
        "sub.localhost",
        "localhost..",
        "localhost:abc",
        "localhost:1111:1111",
        "localhost:123456",
        "127.0.0.1@evil.example",
        "127.0.0.1 evil.example",
        "0.0.0.0:1111",
        "[::]:1111",
        "192.168.1.21:1111",
        "[fd00::20]:1111",
        "[::1",
        "[::1]x",
        "::1",
        "[fe80::1%25eth0]:1111",
        "2130706433:1111",
        "127.1:1111",
    ] {
        assert!(!host_allowed(host, Some(lan)), "{host:?} allowed");
    }
    // The address the request arrived on counts only when it is an address.
    assert!(!host_allowed("0.0.0.0", Some("0.0.0.0".parse().unwrap())));
    assert!(!host_allowed("192.168.1.20", None));
}

const REFUSED: &str =
    "421 Misdirected Request: gen serve answers only for localhost, a loopback address or the address it was reached at\n";

#[test]
fn requests_for_another_host_name_are_refused_everywhere() {
    let dir = site();
    let server = Server::start(dir.path(), &[]);
    let port = server.port;
    for path in [
        PAGE_URL,
        "/",
        FIGURE_URL,
        "/no/such/page/",
        "/__gen/events",
        "/__gen/changed?since=1",
        "/incidents",
    ] {
        for host in [
            format!("evil.example:{port}"),
            "evil.example".to_string(),
            format!("localhost.evil.example:{port}"),
            format!("192.0.2.1:{port}"),
        ] {
            let (status, head, body) = server.raw(&format!("GET {path} HTTP/1.1\r\nHost: {host}"));
            assert_eq!((status, body.as_str()), (421, REFUSED), "{path} for {host}");
            assert!(!head.contains("location:"), "{head}");
            assert!(!head.contains("text/event-stream"), "{head}");
        }
        // The same for an absolute-form request line naming another host.
        let (status, _, body) = server.raw(&format!(
            "GET http://evil.example:{port}{path} HTTP/1.1\r\nHost: 127.0.0.1:{port}"
        ));
        assert_eq!((status, body.as_str()), (421, REFUSED), "absolute {path}");
        // Two Host headers, or none in HTTP/1.1.
        let (status, _, body) = server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example"
        ));
        assert_eq!(
            (status, body.as_str()),
            (400, "400 Bad Request: more than one Host header\n")
        );
        let (status, _, body) = server.raw(&format!("GET {path} HTTP/1.1"));
        assert_eq!(
            (status, body.as_str()),
            (400, "400 Bad Request: no Host header\n")
        );
    }
    for host in [
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("localhost.:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".to_string(),
    ] {
        let (status, _, body) = server.raw(&format!("GET {PAGE_URL} HTTP/1.1\r\nHost: {host}"));
        assert_eq!(status, 200, "{host}");
        assert!(body.contains("Mail outage"), "{host}");
    }
    // HTTP/1.0 without a Host is no browser, so no rebinding.
    let (status, _, body) = server.raw(&format!("GET {PAGE_URL} HTTP/1.0"));
    assert_eq!(status, 200);
    assert!(body.contains("Mail outage"));
}

#[test]
fn ipv6_loopback_is_served_when_bound() {
    // Skipped where the machine has no IPv6 loopback.
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        return;
    }
    let dir = site();
    let server = Server::start(dir.path(), &["--bind", "::1"]);
    let ip: IpAddr = "::1".parse().unwrap();
    let port = server.port;
    for host in [format!("[::1]:{port}"), format!("localhost:{port}")] {
        let (status, _, _) = server.raw_to(ip, &format!("GET / HTTP/1.1\r\nHost: {host}"));
        assert_eq!(status, 200, "{host}");
    }
    let (status, _, _) = server.raw_to(ip, &format!("GET / HTTP/1.1\r\nHost: evil.example:{port}"));
    assert_eq!(status, 421);
}

/// This machine's address on its network (the one a packet to TEST-NET would leave from),
/// if it has one.
fn own_address() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn bound_to_every_address_the_address_reached_is_allowed() {
    let dir = site();
    let server = Server::start(dir.path(), &["--bind", "0.0.0.0"]);
    let port = server.port;
    let (status, _, _) = server.raw(&format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}"));
    assert_eq!(status, 200);
    let (status, _, _) = server.raw(&format!("GET / HTTP/1.1\r\nHost: 0.0.0.0:{port}"));
    assert_eq!(status, 421);
    let Some(ip) = own_address() else {
        return;
    };
    let (status, _, body) =
        server.raw_to(ip, &format!("GET {PAGE_URL} HTTP/1.1\r\nHost: {ip}:{port}"));
    assert_eq!(status, 200, "{ip}");
    assert!(body.contains("Mail outage"));
    let (status, _, _) = server.raw_to(
        ip,
        &format!("GET {PAGE_URL} HTTP/1.1\r\nHost: evil.example:{port}"),
    );
    assert_eq!(status, 421);
    // Reached on loopback, the machine's other address is not the one reached.
    let (status, _, _) = server.raw(&format!("GET {PAGE_URL} HTTP/1.1\r\nHost: {ip}:{port}"));
    assert_eq!(status, 421, "{ip} over loopback");
}

#[test]
fn only_get_and_head_are_answered() {
    let dir = site();
    let server = Server::start(dir.path(), &[]);
    let host = format!("Host: 127.0.0.1:{}", server.port);
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND",
    ] {
        for path in [PAGE_URL, "/__gen/events", "/no/such/page", "/"] {
            let target = if method == "CONNECT" {
                "127.0.0.1:1"
            } else {
                path
            };
            let (status, head, body) = server.raw(&format!(
                "{method} {target} HTTP/1.1\r\n{host}\r\nContent-Length: 0"
            ));
            assert_eq!(status, 405, "{method} {target}: {head}");
            assert!(
                head.contains("\r\nallow: get, head"),
                "{method} {path}: {head}"
            );
            assert_eq!(
                body, "405 Method Not Allowed: gen serve only answers GET and HEAD\n",
                "{method} {path}"
            );
        }
    }
    let (status, head, body) = server.raw(&format!("HEAD {PAGE_URL} HTTP/1.1\r\n{host}"));
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/html; charset=utf-8"));
    assert_eq!(body, "");
    let (status, _, body) = server.raw(&format!("HEAD {FIGURE_URL} HTTP/1.1\r\n{host}"));
    assert_eq!((status, body.as_str()), (200, ""));
}

#[test]
fn a_folder_redirect_never_leaves_the_site() {
    let dir = site();
    let server = Server::start(dir.path(), &[]);
    let location = |path: &str| {
        let (status, head, _) = server.get(path);
        let at = head
            .lines()
            .find_map(|l| l.strip_prefix("location: "))
            .map(str::to_string);
        (status, at)
    };
    // However many slashes or encoded slashes lead, the redirect has one.
    for path in [
        "//incidents",
        "///incidents",
        "//incidents/2024-03-01-mail",
        "/%2Fincidents",
        "/%2F%2Fincidents",
        "/%2f/incidents",
        "//incidents//2024-03-01-mail",
    ] {
        let (status, at) = location(path);
        assert_eq!(status, 308, "{path}");
        let at = at.unwrap();
        assert!(
            at.starts_with('/') && !at.starts_with("//") && !at.starts_with("/\\"),
            "{path} redirects to {at}"
        );
        assert!(
            at == "/incidents/" || at == "/incidents/2024-03-01-mail/",
            "{path} → {at}"
        );
    }
    assert_eq!(location("/incidents"), (308, Some("/incidents/".into())));
    assert_eq!(
        location("/incidents/2024-03-01-mail?x=1"),
        (308, Some("/incidents/2024-03-01-mail/?x=1".into()))
    );
    // Backslashes are refused before any redirect: browsers read `/\` as `//`.
    for path in ["/\\incidents", "/%5Cincidents", "/\\evil.example/.."] {
        let (status, at) = location(path);
        assert_eq!((status, at), (400, None), "{path}");
    }
    // An encoded folder name stays encoded.
    let folder = dir.path().join("content/incidents/2024-03-02-障害 a");
    fs::create_dir_all(&folder).unwrap();
    fs::write(
        folder.join("index.md"),
        INCIDENT.replace("2024-03-01", "2024-03-02"),
    )
    .unwrap();
    let enc = "/incidents/2024-03-02-%E9%9A%9C%E5%AE%B3%20a";
    server.wait_for_status(&format!("{enc}/"), "the new incident", |s, _| s == 200);
    assert_eq!(
        location(enc),
        (308, Some(format!("{}/", enc.to_lowercase())))
    );
}

// C1 ------------------------------------------------------------------------------------

/// The report of a rebuild that panicked on `saved`, as the terminal and the overlay show it.
fn crash_report(saved: &str) -> String {
    format!(
        "gen crashed while rebuilding: GEN_DEBUG_PANIC_REBUILD is set and a changed path contains \"boom\" at src/serve/mod.rs:LINE\n  This is a bug in gen, not in your content. Please report it with the file you saved ({saved})."
    )
}

/// `text` with the line number after `src/serve/mod.rs:` replaced by `LINE`.
fn without_line(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("src/serve/mod.rs:") {
        let after = at + "src/serve/mod.rs:".len();
        out.push_str(&rest[..after]);
        out.push_str("LINE");
        rest = rest[after..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

#[test]
fn a_panic_in_a_rebuild_is_reported_and_the_next_save_rebuilds() {
    let dir = site();
    let root = dir.path();
    let server = Server::start_with(root, &[], &[("GEN_DEBUG_PANIC_REBUILD", "boom")]);
    let page = root.join("content/incidents/2024-03-01-mail/index.md");

    // Twice: every crash is reported, not only the first of the process.
    for round in ["Boom one", "Boom two"] {
        fs::write(
            root.join("content/incidents/boom.md"),
            INCIDENT.replace("Mail outage", round),
        )
        .unwrap();
        let said = server.stderr_until(
            "still serving the last good build; the next save rebuilds the whole site",
        );
        assert!(
            without_line(&said).contains(&crash_report("content/incidents/boom.md")),
            "{said}"
        );
        assert!(
            !said.contains("Your previous output was not touched"),
            "{said}"
        );
        assert!(!said.contains("stack backtrace"), "{said}");
        // The overlay says so, over the last good build.
        let body = server.wait_for(PAGE_URL, "the crash overlay", |b| {
            b.contains("gen crashed while rebuilding")
        });
        assert!(body.contains("id=\"gen-error-overlay\""));
        assert!(
            body.contains(
                "gen serve: gen crashed while rebuilding after the last change (a bug in gen)."
            ),
            "{body}"
        );
        assert!(
            without_line(&body).contains(&crash_report("content/incidents/boom.md")),
            "{body}"
        );
        let (status, _, _) = server.get("/incidents/boom/");
        assert_eq!(status, 404, "the crashed rebuild's files are not served");
        assert_eq!(server.get(FIGURE_URL).2, FIGURE);
    }

    // A normal save is picked up: the whole site is rebuilt, boom.md included.
    fs::write(&page, INCIDENT.replace("Mail outage", "Mail outage, fixed")).unwrap();
    server.stdout_until("built ");
    let body = server.wait_for(PAGE_URL, "the fix", |b| b.contains("Mail outage, fixed"));
    assert!(!body.contains("id=\"gen-error-overlay\""), "{body}");
    let body = server.wait_for_status("/incidents/boom/", "the other incident", |s, _| s == 200);
    assert!(body.contains("Boom two"));
    // And the next one is incremental again.
    fs::write(&page, INCIDENT.replace("Mail outage", "Mail outage, again")).unwrap();
    server.stdout_until("rebuilt ");
    server.wait_for(PAGE_URL, "the second fix", |b| {
        b.contains("Mail outage, again")
    });
}
