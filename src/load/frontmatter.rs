//! Splitting `+++` TOML front matter from a markdown body.

use std::ops::Range;
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};

/// Splits a document into (front matter range, body range).
///
/// Accepts a UTF-8 BOM and CRLF line endings. The closing `+++` is the first line that is
/// exactly `+++` (trailing spaces allowed); TOML cannot contain such a line outside a
/// multi-line string, and the body is not searched at all.
pub fn split(file: &Arc<SourceFile>) -> Result<(Range<usize>, Range<usize>), Diagnostic> {
    let text = &file.text;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    match (LineIter { text, pos: start }).next() {
        Some((range, line)) if is_fence(line) => {
            let fm_start = range.end;
            // Only a line starting with `+++` can close it: jump from one to the next
            // instead of walking every line (the first line ended with its `\n`).
            let from = fm_start.saturating_sub(1);
            for at in memchr::memmem::find_iter(&text.as_bytes()[from..], b"\n+++") {
                let mut rest = LineIter {
                    text,
                    pos: from + at + 1,
                };
                if let Some((range, _)) = rest.next().filter(|(_, l)| is_fence(l)) {
                    return Ok((fm_start..range.start, range.end..text.len()));
                }
            }
            Err(Diagnostic::error(
                crate::diag::Code::FrontmatterUnclosed,
                file,
                Some(range.start..range.start + 3),
                "the front matter opened here is never closed",
            )
            .with_help("add a line containing only `+++` after the last field"))
        }
        _ => Err(Diagnostic::error(
            crate::diag::Code::FrontmatterMissing,
            file,
            Some(start..start),
            "expected the file to start with a `+++` line opening the TOML front matter",
        )
        .with_help(
            "start the file with `+++`, the fields (title = \"…\" …), then `+++` and the body",
        )),
    }
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "+++"
}

/// Lines with their byte ranges (range includes the line ending).
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (Range<usize>, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let len = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
        let start = self.pos;
        self.pos += len;
        let line = rest[..len].trim_end_matches(['\n', '\r']);
        Some((start..self.pos, line))
    }
}
