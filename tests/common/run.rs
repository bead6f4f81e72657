//! Running the `gen` binary as a user would, and reading what it printed.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

/// The `gen` binary under test, for commands that run it through another program.
pub(crate) const GEN: &str = env!("CARGO_BIN_EXE_gen");

/// `gen ARGS…`, to complete with `root`, `cwd`, `env`… and then `run` or `spawn`.
pub(crate) fn gen_cmd<I, S>(args: I) -> GenCmd
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(GEN);
    cmd.args(args);
    GenCmd(cmd)
}

/// A `gen` command line being put together.
pub(crate) struct GenCmd(Command);

impl GenCmd {
    /// Appends one argument.
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.0.arg(arg);
        self
    }

    /// Appends arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.0.args(args);
        self
    }

    /// Appends `--root ROOT`.
    pub(crate) fn root(self, root: &Path) -> Self {
        self.arg("--root").arg(root)
    }

    /// Runs in `dir` instead of the test's working directory.
    pub(crate) fn cwd(mut self, dir: &Path) -> Self {
        self.0.current_dir(dir);
        self
    }

    /// Sets an environment variable.
    pub(crate) fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.0.env(key, value);
        self
    }

    /// Removes an environment variable the test itself may have.
    pub(crate) fn env_remove(mut self, key: &str) -> Self {
        self.0.env_remove(key);
        self
    }

    /// Where the standard output goes when spawned (captured by `run`).
    pub(crate) fn stdout(mut self, to: Stdio) -> Self {
        self.0.stdout(to);
        self
    }

    /// Where the standard error goes when spawned (captured by `run`).
    pub(crate) fn stderr(mut self, to: Stdio) -> Self {
        self.0.stderr(to);
        self
    }

    /// The command itself, for what this builder does not offer (e.g. another user).
    pub(crate) fn command(self) -> Command {
        self.0
    }

    /// Runs to the end, capturing both streams.
    pub(crate) fn run(mut self) -> Ran {
        Ran::from(self.0.output().expect("gen runs"))
    }

    /// Starts without waiting (to kill it, close its pipes, or run two at once).
    pub(crate) fn spawn(mut self) -> Child {
        self.0.spawn().expect("gen starts")
    }
}

/// How a run of `gen` ended and what it printed.
#[derive(Debug)]
pub(crate) struct Ran {
    /// The exit status.
    pub(crate) status: ExitStatus,
    /// The standard output, as bytes.
    pub(crate) out: Vec<u8>,
    /// The standard error, as bytes.
    pub(crate) err: Vec<u8>,
}

impl From<std::process::Output> for Ran {
    fn from(o: std::process::Output) -> Ran {
        Ran {
            status: o.status,
            out: o.stdout,
            err: o.stderr,
        }
    }
}

impl Ran {
    /// The exit code (`None` when a signal ended it).
    pub(crate) fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Whether it exited with 0.
    pub(crate) fn success(&self) -> bool {
        self.status.success()
    }

    /// The standard output as text; gen prints only UTF-8.
    pub(crate) fn stdout(&self) -> String {
        text(&self.out, "stdout")
    }

    /// The standard error as text; gen prints only UTF-8.
    pub(crate) fn stderr(&self) -> String {
        text(&self.err, "stderr")
    }
}

fn text(bytes: &[u8], what: &str) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| {
        panic!(
            "gen's {what} is not UTF-8: {}",
            String::from_utf8_lossy(bytes)
        )
    })
}
