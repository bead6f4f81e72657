//! Writing to the terminal without panicking: a closed pipe or a closed standard error is
//! not a crash (`gen build --verbose | head -1`, `gen build 2>&-`).

use std::io::Write;

/// Exit status of a program stopped by a closed pipe (128 + SIGPIPE), as shells report it.
pub const BROKEN_PIPE: i32 = 141;

/// Writes a line to standard error; a closed or failing standard error is ignored.
pub fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.write_all(b"\n");
}

/// Writes a line to standard output. A reader that went away ends the program quietly
/// with [`BROKEN_PIPE`], whatever it was doing: every output is already complete when gen
/// prints about it.
pub fn out(line: &str) {
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(line.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(BROKEN_PIPE);
        }
    }
}
