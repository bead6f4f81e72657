//! `gen serve` under attack and under bugs: files swapped for links after the build, requests
//! from other host names (DNS rebinding), odd methods and redirects, and a rebuild that
//! panics.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tempfile::TempDir;

const CONFIG: &str = "title = \"Test\"\nbase_url = \"https://example.org/\"\nlanguage = \"en\"\n";

const INCIDENT: &str = "+++\ntitle = \"Mail outage\"\noperators = [\"Example Co\"]\nstarted = 2024-03-01T09:30:00+09:00\ncauses = [\"overload\"]\n+++\n\nBody.\n";

const FIGURE: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>built</title></svg>";

/// What no response may ever contain: the text of a file outside the site.
const SECRET: &str = "TOP-SECRET-outside-the-site";

/// A small site: one incident with a folder of assets, and a static file.
fn site() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    fs::write(root.join("config.toml"), CONFIG).unwrap();
    let folder = root.join("content/incidents/2024-03-01-mail");
    fs::create_dir_all(folder.join("img")).unwrap();
    fs::write(folder.join("index.md"), INCIDENT).unwrap();
    fs::write(folder.join("figure.svg"), FIGURE).unwrap();
    fs::write(folder.join("img/chart.svg"), FIGURE).unwrap();
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/notes.txt"), "built notes").unwrap();
    dir
}

/// A folder outside the site holding the secret, as `figure.svg`, `chart.svg`,
/// `notes.txt` and `index.md`.
fn outside() -> TempDir {
    let dir = TempDir::new().unwrap();
    for name in ["figure.svg", "chart.svg", "notes.txt"] {
        fs::write(dir.path().join(name), SECRET).unwrap();
    }
    fs::write(dir.path().join("index.md"), INCIDENT).unwrap();
    dir
}

struct Server {
    child: Child,
    port: u16,
    /// Kept so that the server never blocks on a full pipe; tests read it as they need.
    #[allow(dead_code)]
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(r: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads lines from `rx` until one contains `needle`; returns everything read.
fn until(rx: &mpsc::Receiver<String>, needle: &str, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = String::new();
    while !seen.contains(needle) {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => panic!("{what} never said {needle:?}; it said:\n{seen}"),
        }
    }
    seen
}

impl Server {
    fn start(root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .envs(env.iter().copied())
            .arg("--root")
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        let said = until(&stdout, "(Ctrl+C to stop)", "gen serve's stdout");
        let url = said
            .lines()
            .find_map(|l| l.split(" at ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap()
            .to_string();
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server {
            child,
            port,
            stdout,
            stderr,
        }
    }

    /// Sends `head` (the request line and headers, without the blank line) to `ip`;
    /// returns (status, head lowercased, body).
    fn raw_to(&self, ip: IpAddr, head: &str) -> (u16, String, String) {
        let mut s = TcpStream::connect((ip, self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "{head}\r\nConnection: close\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_lowercase(), body.to_string())
    }

    fn raw(&self, head: &str) -> (u16, String, String) {
        self.raw_to(IpAddr::V4(Ipv4Addr::LOCALHOST), head)
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        self.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}",
            self.port
        ))
    }

    /// Polls `path` until `pred` holds on (status, body).
    fn wait_for(&self, path: &str, what: &str, pred: impl Fn(u16, &str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, _, body) = self.get(path);
            if pred(status, &body) {
                return body;
            }
            assert!(Instant::now() < deadline, "{path} never showed {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
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
    let server = Server::start(dir.path(), &[], &[]);
    assert_eq!(server.get(FIGURE_URL).2, FIGURE);

    swap_for_link(&folder.join("figure.svg"), &out.path().join("figure.svg"));
    let said = until(
        &server.stderr,
        "still serving the last good build",
        "stderr",
    );
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
    let server = Server::start(dir.path(), &[], &[]);
    assert_eq!(server.get(CHART_URL).2, FIGURE);

    swap_for_link(&folder.join("img"), out.path());
    until(
        &server.stderr,
        "still serving the last good build",
        "stderr",
    );
    let (status, _, body) = server.get(CHART_URL);
    assert_eq!((status, body.as_str()), (200, FIGURE));
    nothing_leaks(&server);

    // The incident's whole folder swapped for a link to a look-alike outside the site.
    swap_for_link(&folder, out.path());
    server.wait_for(PAGE_URL, "the incident gone", |status, _| status == 404);
    nothing_leaks(&server);
}

#[test]
fn a_static_file_swapped_for_a_link_is_never_served() {
    let dir = site();
    let out = outside();
    let server = Server::start(dir.path(), &[], &[]);
    assert_eq!(server.get("/notes.txt").2, "built notes");
    swap_for_link(
        &dir.path().join("static/notes.txt"),
        &out.path().join("notes.txt"),
    );
    // A link in static/ is skipped, as `gen build` skips it.
    server.wait_for("/notes.txt", "the link skipped", |status, _| status == 404);
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
