//! `gen serve` in a child process, and plain HTTP requests to it.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::gen_cmd;

/// How long a test waits for gen to say or serve something before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// A running `gen serve --port 0`, killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// The address it printed, e.g. `http://127.0.0.1:PORT/`.
    pub(crate) url: String,
    /// The port it chose.
    pub(crate) port: u16,
    /// Its standard output, line by line; read without pause so that gen never blocks on
    /// a full pipe.
    pub(crate) stdout: mpsc::Receiver<String>,
    /// Its standard error, line by line.
    pub(crate) stderr: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `r`, read on a thread of their own.
pub(crate) fn lines(r: impl Read + Send + 'static) -> mpsc::Receiver<String> {
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
pub(crate) fn until(rx: &mpsc::Receiver<String>, needle: &str, what: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
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
    /// `gen serve --port 0 EXTRA… --root ROOT`, once it has printed its address.
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Server {
        Self::start_with(root, extra, &[] as &[(&str, &str)])
    }

    /// Like `start`, with environment variables set.
    pub(crate) fn start_with<S: AsRef<OsStr>>(
        root: &Path,
        extra: &[&str],
        env: &[(&str, S)],
    ) -> Server {
        let mut cmd = gen_cmd(["serve", "--port", "0"]).args(extra);
        for (key, value) in env {
            cmd = cmd.env(key, value);
        }
        let mut child = cmd
            .root(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        let said = until(&stdout, "(Ctrl+C to stop)", "gen serve's stdout");
        // "serving ROOT at URL (Ctrl+C to stop)"
        let url = said
            .lines()
            .find_map(|l| l.rsplit_once(" at "))
            .and_then(|(_, rest)| rest.split_whitespace().next())
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
            url,
            port,
            stdout,
            stderr,
        }
    }

    /// Sends `head` (the request line and headers, without the blank line) to `ip`;
    /// returns (status, head lowercased, body).
    pub(crate) fn raw_to(&self, ip: IpAddr, head: &str) -> (u16, String, String) {
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

    /// `raw_to` the IPv4 loopback address.
    pub(crate) fn raw(&self, head: &str) -> (u16, String, String) {
        self.raw_to(IpAddr::V4(Ipv4Addr::LOCALHOST), head)
    }

    /// A GET as a browser on this machine sends it: (status, head lowercased, body).
    pub(crate) fn get(&self, path: &str) -> (u16, String, String) {
        self.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}",
            self.port
        ))
    }

    /// Polls `path` until `pred` holds on its body; returns the body.
    pub(crate) fn wait_for(&self, path: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_status(path, what, |_, body| pred(body))
    }

    /// Polls `path` until `pred` holds on (status, body); returns the body.
    pub(crate) fn wait_for_status(
        &self,
        path: &str,
        what: &str,
        pred: impl Fn(u16, &str) -> bool,
    ) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let (status, _, body) = self.get(path);
            if pred(status, &body) {
                return body;
            }
            assert!(Instant::now() < deadline, "{path} never showed {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Reads standard error until a line contains `needle`; returns everything read.
    pub(crate) fn stderr_until(&self, needle: &str) -> String {
        until(&self.stderr, needle, "gen serve's stderr")
    }

    /// Reads standard output until a line contains `needle`; returns everything read.
    pub(crate) fn stdout_until(&self, needle: &str) -> String {
        until(&self.stdout, needle, "gen serve's stdout")
    }

    /// Opens the reload event stream; returns a receiver of its lines.
    pub(crate) fn events(&self) -> mpsc::Receiver<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET /__gen/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n",
            self.port
        )
        .unwrap();
        let rx = lines(s);
        // The response head arrives once the stream is open.
        let deadline = Instant::now() + PATIENCE;
        loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("the event stream opened");
            if line
                .to_lowercase()
                .starts_with("content-type: text/event-stream")
            {
                break;
            }
        }
        rx
    }
}

/// Waits for the next `event: reload` on an event stream.
pub(crate) fn wait_event(rx: &mpsc::Receiver<String>) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("a reload event arrived");
        if line == "event: reload" {
            return;
        }
    }
}

/// The paths at which two in-memory sites differ (present in one only, or with other
/// contents), sorted: what `gen serve` holds against what a full build holds.
pub(crate) fn differing<'a, V: PartialEq>(
    want: &'a std::collections::HashMap<String, V>,
    got: &'a std::collections::HashMap<String, V>,
) -> Vec<&'a String> {
    let mut wrong: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|k| want.get(*k) != got.get(*k))
        .collect();
    wrong.sort();
    wrong.dedup();
    wrong
}
