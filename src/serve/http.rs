//! The HTTP side of `gen serve`: files from memory, the reload event stream, and the
//! error overlay. Only paths of the built site can be answered; nothing is looked up on
//! disk by request path.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, Response, StatusCode, Uri, Version};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::serve::IncomingStream;
use tokio::sync::broadcast;
use tokio_stream::{Stream, StreamExt};

use super::session::Served;

/// The path of the reload event stream (Server-Sent Events).
pub const EVENTS_PATH: &str = "/__gen/events";

/// The path that answers what changed after a generation (`?since=N`), as JSON
/// `[current, paths]`, `paths` being `"*"` (every page) or the changed output paths: how
/// a page that missed events (while it loaded, or while the page holding the stream
/// changed) learns whether it must reload.
pub const CHANGED_PATH: &str = "/__gen/changed";

/// Publications remembered for [`CHANGED_PATH`]; a page further behind reloads.
const HISTORY: usize = 256;

/// What the server answers with: the last good files and the current error, if any.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The last good build's files.
    pub files: super::session::Files,
    /// The current build error, as plain text (diagnostics with source lines).
    pub error: Option<String>,
    /// Whether `error` reports a crash of gen while rebuilding, not a mistake in the site.
    pub crashed: bool,
    /// Which publication this is (1, 2, …), set by [`Shared::publish`]: pages carry it, so
    /// that a page whose event stream opens after a newer publication reloads.
    pub generation: u64,
}

/// State shared by the request handlers and the rebuild loop.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Each publication's generation and event data, for the event stream.
    events: broadcast::Sender<(u64, Arc<str>)>,
    /// The last [`HISTORY`] publications: generation and changed paths (`None`: every page);
    /// the newest is the generation served.
    history: std::sync::Mutex<std::collections::VecDeque<(u64, Option<Vec<String>>)>>,
}

impl Shared {
    /// Shared state with no site yet.
    pub fn new() -> Arc<Shared> {
        let (events, _) = broadcast::channel(16);
        Arc::new(Shared {
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            events,
            history: std::sync::Mutex::new(std::collections::VecDeque::new()),
        })
    }

    /// Replaces what is served and tells open pages showing one of `changed` (output
    /// paths; `None` for every page) to reload.
    pub fn publish(&self, mut snapshot: Snapshot, changed: Option<&[String]>) {
        let generation = {
            let mut s = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
            // Numbered under the snapshot's lock: generations are stored in the order they
            // are made, and the history holds every generation that was served.
            let mut h = self.history.lock().unwrap_or_else(|e| e.into_inner());
            let generation = h.back().map_or(0, |(g, _)| *g) + 1;
            if h.len() == HISTORY {
                h.pop_front();
            }
            h.push_back((generation, changed.map(<[String]>::to_vec)));
            snapshot.generation = generation;
            *s = Arc::new(snapshot);
            generation
        };
        // No receivers (no open page) is not an error.
        let _ = self.events.send((generation, paths_json(changed).into()));
    }

    /// What [`CHANGED_PATH`] answers for `since`: the generation now served and the
    /// output paths changed after `since` (`None`: every page, also when `since` is
    /// not a generation this server knows or is too far behind).
    pub fn changed_since(&self, since: Option<u64>) -> (u64, Option<Vec<String>>) {
        let h = self.history.lock().unwrap_or_else(|e| e.into_inner());
        let current = h.back().map_or(0, |(g, _)| *g);
        let Some(since) = since.filter(|&n| n <= current) else {
            return (current, None);
        };
        if since == current {
            return (current, Some(Vec::new()));
        }
        // The history must reach back to the first generation after `since`.
        if h.front().is_none_or(|(g, _)| *g > since + 1) {
            return (current, None);
        }
        let mut paths: Vec<String> = Vec::new();
        for (_, changed) in h.iter().filter(|(g, _)| *g > since) {
            match changed {
                Some(c) => paths.extend(c.iter().cloned()),
                None => return (current, None),
            }
        }
        paths.sort();
        paths.dedup();
        (current, Some(paths))
    }

    /// Whether an error is being shown.
    pub fn has_error(&self) -> bool {
        self.current().error.is_some()
    }

    fn current(&self) -> Arc<Snapshot> {
        // The lock is only held to swap an Arc, so a poisoned one still holds a whole snapshot.
        Arc::clone(&self.snapshot.read().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The router: the event stream and every other path from the snapshot, all behind
/// [`guard`]. Serve it with `into_make_service_with_connect_info::<Arrived>()`, so that
/// the Host check knows the address each request arrived on.
pub fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new()
        .route(EVENTS_PATH, axum::routing::get(events))
        .route(CHANGED_PATH, axum::routing::get(changed))
        .fallback(file)
        // Last, so that it wraps the event stream and the fallback too.
        .layer(axum::middleware::from_fn(guard))
        .with_state(shared)
}

/// The server's side of a connection: the local address it arrived on.
#[derive(Debug, Clone, Copy)]
pub struct Arrived(pub Option<IpAddr>);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Arrived {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        Arrived(stream.io().local_addr().ok().map(|a| a.ip()))
    }
}

/// Answers for the whole server before any handler: refuses requests for another host
/// name (a DNS-rebinding page reading the preview, drafts included) and every method but
/// GET and HEAD (the preview only reads).
async fn guard(req: Request, next: Next) -> Response<Body> {
    let local = req
        .extensions()
        .get::<ConnectInfo<Arrived>>()
        .and_then(|c| c.0 .0);
    if let Some(refused) = host_refusal(&req, local) {
        return refused;
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "405 Method Not Allowed: gen serve only answers GET and HEAD\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    next.run(req).await
}

/// The answer refusing a request whose Host header (or the authority of an absolute-form
/// request line) does not name this machine as the browser reached it ([`host_allowed`]).
/// HTTP/1.1 requires exactly one Host; HTTP/1.0 may omit it, and since every browser sends
/// one, a request without it cannot come from a rebinding page.
fn host_refusal(req: &Request, local: Option<IpAddr>) -> Option<Response<Body>> {
    let misdirected = || {
        plain(
            StatusCode::MISDIRECTED_REQUEST,
            "421 Misdirected Request: gen serve answers only for localhost, a loopback address or the address it was reached at\n",
        )
    };
    if let Some(authority) = req.uri().authority() {
        let host = authority
            .as_str()
            .rsplit_once('@')
            .map_or(authority.as_str(), |(_, h)| h);
        if !host_allowed(host, local) {
            return Some(misdirected());
        }
    }
    let mut hosts = req.headers().get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) if req.version() <= Version::HTTP_10 => None,
        (None, _) => Some(plain(
            StatusCode::BAD_REQUEST,
            "400 Bad Request: no Host header\n",
        )),
        (Some(_), Some(_)) => Some(plain(
            StatusCode::BAD_REQUEST,
            "400 Bad Request: more than one Host header\n",
        )),
        (Some(host), None) => match host.to_str() {
            Ok(host) if host_allowed(host, local) => None,
            _ => Some(misdirected()),
        },
    }
}

/// Whether a Host value (`name[:port]`) names this machine: `localhost` (any case, with
/// or without the final dot), a loopback address (`127.0.0.1`, `[::1]`), or `local`, the
/// address the request arrived on (the one `--bind` chose, or with `--bind 0.0.0.0` the
/// machine's address the browser used). Any port is accepted: a forwarded port keeps
/// working, and only a name can be rebound.
pub fn host_allowed(host: &str, local: Option<IpAddr>) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, port)) => (v6, port),
            None => return false,
        },
        None => match host.find(':') {
            Some(at) => host.split_at(at),
            None => (host, ""),
        },
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !port_ok {
        return false;
    }
    let ip = if host.starts_with('[') {
        match name.parse::<Ipv6Addr>() {
            Ok(ip) => IpAddr::V6(ip),
            Err(_) => return false,
        }
    } else {
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        match name.parse::<Ipv4Addr>() {
            Ok(ip) => IpAddr::V4(ip),
            Err(_) => return false,
        }
    };
    let ip = ip.to_canonical();
    ip.is_loopback() || local.is_some_and(|l| !l.is_unspecified() && l.to_canonical() == ip)
}

/// Changed output paths as the event stream and [`CHANGED_PATH`] give them: a JSON list,
/// or `"*"` for every page.
fn paths_json(changed: Option<&[String]>) -> String {
    changed
        .and_then(|p| serde_json::to_string(p).ok())
        .unwrap_or_else(|| "\"*\"".into())
}

async fn changed(State(shared): State<Arc<Shared>>, uri: Uri) -> Response<Body> {
    let since = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("since=")))
        .and_then(|n| n.parse::<u64>().ok());
    let (current, paths) = shared.changed_since(since);
    let mut r = format!("[{current},{}]", paths_json(paths.as_deref())).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = shared.events.subscribe();
    // First the generation now served, read after subscribing: a page that reloaded (for
    // an error, say) and opens its stream after the next publication compares it with its
    // own and reloads, instead of missing that publication's event.
    let hello = Event::default()
        .event("hello")
        .data(shared.current().generation.to_string());
    let stream = tokio_stream::wrappers::BroadcastStream::new(rx).map(|v| {
        Ok(match v {
            Ok((generation, data)) => Event::default()
                .event("reload")
                .id(generation.to_string())
                .data(&*data),
            // A client that fell behind missed some paths: reload it whatever they were.
            Err(_) => Event::default().event("reload").data("\"*\""),
        })
    });
    let stream = tokio_stream::once(Ok(hello)).chain(stream);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Why a request path cannot name a file of the site.
#[derive(Debug, PartialEq, Eq)]
pub enum BadPath {
    /// Not UTF-8 after percent-decoding, or holding NUL or a backslash.
    Malformed,
    /// A `.` or `..` segment (also when percent-encoded).
    DotSegment,
}

/// Maps a request path (still percent-encoded) to a key of the built files:
/// `/a/b/` → `a/b/index.html`.
pub fn resolve(raw: &str) -> Result<String, BadPath> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| BadPath::Malformed)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(BadPath::Malformed);
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return Err(BadPath::DotSegment),
            s => parts.push(s),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') || key.is_empty() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key)
}

async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response<Body> {
    let snap = shared.current();
    let key = match resolve(uri.path()) {
        Ok(k) => k,
        Err(_) => return plain(StatusCode::BAD_REQUEST, "400 Bad Request: invalid path\n"),
    };
    if let Some(Served::Bytes(b) | Served::Asset(b)) = snap.files.get(&key) {
        return respond(StatusCode::OK, &key, Arc::clone(b), &snap);
    }
    // A folder asked for without its slash: relative links need the slash.
    if snap.files.contains_key(&format!("{key}/index.html")) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::PERMANENT_REDIRECT;
        if let Ok(v) = HeaderValue::from_str(&folder_location(&key, uri.query())) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    not_found(&snap)
}

/// Where a folder asked for without its slash is redirected: built from the resolved key,
/// never from the raw request path, so it always starts with a single `/` and can never
/// be a protocol-relative `//host/` address (asked for as `//evil.example`, say).
pub fn folder_location(key: &str, query: Option<&str>) -> String {
    /// Characters a path segment may hold as they are (RFC 3986 `pchar`, minus `%`).
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'!')
        .remove(b'$')
        .remove(b'&')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=')
        .remove(b':')
        .remove(b'@');
    let mut location = String::new();
    for segment in key.split('/').filter(|s| !s.is_empty()) {
        location.push('/');
        location.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
    }
    location.push('/');
    if let Some(q) = query {
        location.push('?');
        location.push_str(q);
    }
    location
}

fn not_found(snap: &Snapshot) -> Response<Body> {
    match snap.files.get("404.html") {
        Some(Served::Bytes(b)) => respond(StatusCode::NOT_FOUND, "404.html", Arc::clone(b), snap),
        _ => {
            // Nothing built yet (the first build failed): the overlay says why.
            let page: Arc<[u8]> = Arc::from(&b"<!doctype html><html><head><meta charset=\"utf-8\"><title>gen serve</title></head><body></body></html>"[..]);
            let status = if snap.error.is_some() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::NOT_FOUND
            };
            respond(status, "index.html", page, snap)
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// The content type for a path, with `charset=utf-8` on text.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "svg" | "manifest+json"
        )
        || mime.suffix().is_some_and(|s| s == "xml" || s == "json");
    if text {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

fn respond(status: StatusCode, key: &str, bytes: Arc<[u8]>, snap: &Snapshot) -> Response<Body> {
    let ctype = content_type(key);
    let body = if ctype.starts_with("text/html") {
        Body::from(inject(&bytes, snap))
    } else {
        // Shared with the snapshot, not copied: assets can be large.
        Body::from(axum::body::Bytes::from_owner(bytes))
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ctype) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Always ask again: the page may have been rebuilt a moment ago.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The id of the overlay element, for tests and user styles.
pub const OVERLAY_ID: &str = "gen-error-overlay";

/// Reloads the page when a rebuild changed it. A `reload` event's data is `"*"` or the
/// list of changed output paths (`incidents/x/index.html`) and its id the generation
/// published; the first event, `hello`, is the generation served when the stream opened.
/// A page knows the last generation it has seen (`g`, which [`inject`] sets before this,
/// then each event's); when it may have missed some, it asks [`CHANGED_PATH`] what changed
/// since and reloads only if its own path did.
///
/// One open page of the site holds the stream and passes its events on to the others
/// (a Web Lock elects it, a `BroadcastChannel` carries them): a stream per page takes one
/// of the browser's six HTTP/1.1 connections to the address, and a seventh page never
/// loaded. When the holder goes, the next page takes the lock and opens the stream, and
/// its `hello` tells every page whether it missed a publication in between. Without Web
/// Locks (a page not served from localhost is not a secure context) every page opens its
/// own stream. A page closes its stream before it reloads, so that it never holds two.
const RELOAD_SCRIPT: &str = concat!(
    "var p=decodeURIComponent(location.pathname).replace(/^\\/+/,\"\");",
    "if(p===\"\"||p.slice(-1)===\"/\")p+=\"index.html\";",
    "var seen=g,s=null,c=window.BroadcastChannel?new BroadcastChannel(\"gen-serve\"):null;",
    "function r(){if(s)s.close();location.reload();}",
    "function check(d){if(d===\"*\"||d.length&&(d.indexOf(p)>=0||document.getElementById(\"gen-error-overlay\")))r();}",
    "function ev(id,v){if(+id>seen)seen=+id;check(JSON.parse(v));}",
    "function up(){fetch(\"/__gen/changed?since=\"+seen,{cache:\"no-store\"}).then(function(x){return x.json();})",
    ".then(function(a){if(a[0]>seen)seen=a[0];check(a[1]);},function(){});}",
    "function hi(h){if(+h!==seen)up();}",
    "function listen(){s=new EventSource(\"/__gen/events\");",
    "s.addEventListener(\"hello\",function(e){if(c)c.postMessage([\"h\",e.data]);hi(e.data);});",
    "s.addEventListener(\"reload\",function(e){if(c)c.postMessage([\"e\",e.lastEventId,e.data]);ev(e.lastEventId,e.data);});}",
    "if(c&&navigator.locks){c.onmessage=function(e){var m=e.data;if(m[0]===\"h\")hi(m[1]);else ev(m[1],m[2]);};",
    "navigator.locks.request(\"gen-serve\",function(){listen();return new Promise(function(){});});up();}",
    "else listen();",
    "})();</script>",
);

/// Adds the reload script (and the error overlay) before `</body>`.
fn inject(html: &[u8], snap: &Snapshot) -> Vec<u8> {
    let mut extra = format!(
        "<script>/* gen serve: reload after each rebuild that changed this page */(function(){{var g={};{RELOAD_SCRIPT}",
        snap.generation
    );
    if let Some(e) = &snap.error {
        extra.push_str(&overlay(e, snap.crashed));
    }
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn overlay(error: &str, crashed: bool) -> String {
    let text = error
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let heading = if crashed {
        "gen serve: gen crashed while rebuilding after the last change (a bug in gen). This is the last good build; save again and this page reloads."
    } else {
        "gen serve: the last change has errors. This is the last good build; fix the file and this page reloads."
    };
    format!(
        concat!(
            "<div id=\"{id}\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;",
            "overflow:auto;margin:0;padding:1.5rem;background:rgba(24,24,27,.96);color:#fafafa;",
            "font:14px/1.5 ui-monospace,monospace;text-align:left\">",
            "<p style=\"margin:0 0 1rem;font-weight:bold;color:#fca5a5\">{heading}</p>",
            "<pre style=\"margin:0;white-space:pre-wrap;font:inherit\">{text}</pre></div>"
        ),
        id = OVERLAY_ID,
        heading = heading,
        text = text
    )
}
