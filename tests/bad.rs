//! The bad-input corpus: every folder under `tests/bad/` is a small site with one problem,
//! and `expected.txt` beside it holds exactly what `gen check` reports (exit code and
//! diagnostics with their source lines). Run with `GEN_BLESS=1` to rewrite the expected
//! files after an intended change, then review the diff like code.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

fn report(case: &Path) -> String {
    let opts = gen::BuildOptions::new(case);
    match gen::check(&opts) {
        Ok(site) => format!("exit: 0\nok: {} incidents\n", site.incidents.len()),
        Err(gen::Error::Content(diags)) => {
            let mut out = "exit: 1\n".to_string();
            for d in &diags {
                out.push_str(&gen::diag::render(d));
            }
            out
        }
        Err(e) => format!("exit: 2\nerror: {e}\n"),
    }
}

#[test]
fn every_bad_site_reports_exactly_its_expected_diagnostics() {
    let root = common::repo().join("tests/bad");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "the corpus has {} cases", cases.len());
    let bless = std::env::var_os("GEN_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        // Paths in messages are relative to the site root; the temp-free corpus keeps them stable.
        let got = report(case).replace(&root.display().to_string(), "tests/bad");
        let expected_path = case.join("expected.txt");
        if bless {
            fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "--- {}\nexpected:\n{expected}\ngot:\n{got}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ (GEN_BLESS=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
