//! `gen serve`: build into memory, serve on loopback, watch the sources, rebuild what a
//! change affects and reload open pages.
//!
//! Three parts: [`session`] (the incremental build), [`http`] (axum: files, reload events,
//! error overlay) and [`watch`] (notify with its debouncer). The output folder is never
//! touched.

pub mod http;
pub mod session;
pub(crate) mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Instant;

use crate::error::Error;
use crate::BuildOptions;
use http::{Shared, Snapshot};
use session::Session;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// Include drafts.
    pub drafts: bool,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Open the site in a browser once it is served.
    pub open: bool,
    /// Overrides `edition` from the config.
    pub edition: Option<crate::config::Edition>,
}

/// Serves until the process is stopped.
pub fn run(opts: &ServeOptions) -> Result<(), Error> {
    // Not a site at all (no config.toml) is a usage error, as for `gen build`; a config
    // with mistakes (the inner result) is served with the overlay until it is fixed.
    match crate::config::Config::load(&opts.root) {
        Ok(_) | Err(Error::Content(_)) => {}
        Err(e) => return Err(e),
    }
    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| Error::usage(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::usage(format!("cannot listen on {addr}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::usage(format!("cannot listen on {addr}: {e}")))?;
    let host = match local.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", local.port());
    if !local.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, so other machines can reach this preview; use --bind 127.0.0.1 to keep it local",
            local.ip()
        );
    }

    let root = opts.root.clone();
    let mut session = Session::new(BuildOptions {
        root: root.clone(),
        output: None,
        base_url: Some(url.clone()),
        drafts: opts.drafts,
        edition: opts.edition,
        ..BuildOptions::new(root.clone())
    });
    // Watching starts before the first build: a save during it, or right after the
    // address is printed, is rebuilt instead of missed.
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = watch::Watcher::new(&root, tx)?;
    let shared = Shared::new();
    catch_rebuild_panics();
    rebuild_guarded(&mut session, &shared, &[]);
    println!("serving {} at {url} (Ctrl+C to stop)", root.display());
    let _ = std::io::stdout().flush();

    {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            while let Ok(mut paths) = rx.recv() {
                // Changes that arrived meanwhile are handled in the same rebuild.
                while let Ok(more) = rx.try_recv() {
                    paths.extend(more);
                }
                paths.sort();
                paths.dedup();
                watcher.follow_new_folders(&paths);
                rebuild_guarded(&mut session, &shared, &paths);
            }
        });
    }
    if opts.open {
        crate::memory::give_back();
        if let Err(e) = open::that_detached(&url) {
            eprintln!("warning: could not open a browser: {e}");
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::usage(format!("cannot start the server: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::usage(format!("cannot listen on {addr}: {e}")))?;
        let app = http::router(shared).into_make_service_with_connect_info::<http::Arrived>();
        axum::serve(listener, app)
            .await
            .map_err(|e| Error::usage(format!("the server stopped: {e}")))
    })
}

/// Set while a rebuild runs: a panic then on a rendering thread is reported by
/// [`rebuild_guarded`], not by the process's crash report.
static REBUILDING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Set on the thread running a rebuild, while it runs.
    static IN_REBUILD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The first panic of the running rebuild, as the hook saw it: message and location.
static REBUILD_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Wraps the process's panic hook: while [`REBUILDING`], a panic is recorded for
/// [`rebuild_guarded`] instead of printed as a crash of gen (whose report says the output
/// was not touched, and is printed once per process).
fn catch_rebuild_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The rebuild's thread, or one of rayon's, which only builds use; a panic in
            // a request handler meanwhile is still gen's ordinary crash report.
            let rendering =
                REBUILDING.load(Ordering::SeqCst) && rayon::current_thread_index().is_some();
            if !(IN_REBUILD.get() || rendering) {
                return previous(info);
            }
            let what = panic_text(info.payload());
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let mut seen = REBUILD_PANIC.lock().unwrap_or_else(|e| e.into_inner());
            // Rendering threads may all fail the same way: the first says it.
            seen.get_or_insert(format!("{what}{at}"));
        }));
    });
}

/// A panic's message.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// [`rebuild`], surviving a panic in it (a bug in gen): the panic is reported in the
/// terminal and as the overlay, the last good build stays served, and the session starts
/// over so that the next save rebuilds the whole site.
fn rebuild_guarded(session: &mut Session, shared: &Shared, paths: &[PathBuf]) {
    let last_good = session.files();
    REBUILDING.store(true, Ordering::SeqCst);
    IN_REBUILD.set(true);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| rebuild(session, shared, paths)));
    IN_REBUILD.set(false);
    REBUILDING.store(false, Ordering::SeqCst);
    let seen = REBUILD_PANIC
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    let Err(payload) = outcome else {
        return;
    };
    let what = seen.unwrap_or_else(|| panic_text(&*payload));
    let saved = match paths {
        [] => String::new(),
        [one, ..] => format!(" ({})", shown(session, one)),
    };
    let text = format!(
        "gen crashed while rebuilding: {what}\n  This is a bug in gen, not in your content. Please report it with the file you saved{saved}."
    );
    eprintln!("{text}");
    eprintln!("still serving the last good build; the next save rebuilds the whole site");
    session.forget(Arc::clone(&last_good));
    shared.publish(
        Snapshot {
            files: last_good,
            error: Some(text),
            crashed: true,
            ..Default::default()
        },
        None,
    );
}

/// Rebuilds, publishes each stage as it is ready and prints one line (or the
/// diagnostics) about it.
fn rebuild(session: &mut Session, shared: &Shared, paths: &[PathBuf]) {
    let start = Instant::now();
    let had_error = shared.has_error();
    // A test hook: rebuilding a changed path that contains this text panics, once the
    // first files are published (the worst moment), on a rendering thread as most of a
    // rebuild's bugs would.
    let panic_on = std::env::var("GEN_DEBUG_PANIC_REBUILD")
        .ok()
        .filter(|needle| {
            paths
                .iter()
                .any(|p| p.to_string_lossy().contains(needle.as_str()))
        });
    let mut first = true;
    let result = session.rebuild_staged(paths, &mut |files, changed| {
        // After an error every page shows the overlay, so every page must reload: once,
        // at the first stage. A page still under the overlay at a later stage reloads
        // anyway (the script checks), and one already reloaded need not again unless the
        // stage changed it: reload storms on a slow machine left pages waiting for a
        // connection.
        let every = changed.is_empty() || (had_error && first);
        first = false;
        let changed = (!every).then_some(changed);
        shared.publish(
            Snapshot {
                files,
                error: None,
                ..Default::default()
            },
            changed,
        );
        if let Some(needle) = &panic_on {
            rayon::join(
                || panic!("GEN_DEBUG_PANIC_REBUILD is set and a changed path contains {needle:?}"),
                || (),
            );
        }
    });
    let what = match paths {
        [] => String::new(),
        [one] => format!(" ({})", shown(session, one)),
        [one, rest @ ..] => format!(" ({} and {} more)", shown(session, one), rest.len()),
    };
    match result {
        Ok(update) if update.files == 0 => {
            if had_error {
                shared.publish(
                    Snapshot {
                        files: session.files(),
                        error: None,
                        ..Default::default()
                    },
                    None,
                );
            }
            println!("no page changed{what}");
        }
        Ok(update) => {
            let first = match update.first {
                Some(t) => format!(", the edited page in {} ms", t.as_millis()),
                None => String::new(),
            };
            println!(
                "{} {} files in {} ms{first}{what}",
                if update.full { "built" } else { "rebuilt" },
                update.files,
                start.elapsed().as_millis()
            );
        }
        Err(e) => {
            let text = describe(&e);
            eprintln!("{text}");
            eprintln!("still serving the last good build; fix the error and save again");
            shared.publish(
                Snapshot {
                    files: session.files(),
                    error: Some(text),
                    ..Default::default()
                },
                None,
            );
        }
    }
    let _ = std::io::stdout().flush();
}

fn shown(session: &Session, p: &std::path::Path) -> String {
    p.strip_prefix(session.root())
        .unwrap_or(p)
        .display()
        .to_string()
}

/// An error as the terminal and the overlay show it.
fn describe(e: &Error) -> String {
    match e {
        Error::Content(diags) => {
            let mut shown = diags.clone();
            crate::diag::cap_per_file(&mut shown);
            shown
                .iter()
                .map(crate::diag::render)
                .collect::<Vec<_>>()
                .join("\n")
        }
        other => format!("error: {other}"),
    }
}
