//! The PDF's document information (title, author, creator). Chromium takes the title from
//! `<title>`, writes its user-agent string as the creator and sets no author; gen appends
//! an incremental update (a new information dictionary, its cross-reference section and a
//! trailer pointing back at Chromium's) rather than rewriting the file.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::Site;

/// The PDF's author: the issuing body (`issuer` in config.toml), else the site's title.
pub(super) fn author(site: &Site) -> &str {
    site.config.issuer.as_deref().unwrap_or(&site.config.title)
}

/// The text of the `<title>` of a document gen rendered, its entities decoded.
pub(super) fn html_title(html: &Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(html).map_err(|e| Error::io(html, e))?;
    let title = text
        .find("<title>")
        .map(|i| &text[i + 7..])
        .and_then(|t| t.find("</title>").map(|end| &t[..end]))
        .unwrap_or_default();
    // Tera escapes the title as it escapes attributes: one decoder reads both.
    Ok(crate::render::documents::unescape_attribute(title.trim()).into_owned())
}

/// Sets the title, author and creator of the PDF at `pdf`. A file whose structure gen
/// does not recognise (no classic trailer) is left as it is: the metadata is a courtesy,
/// the printed pages are what matter.
pub(super) fn set_info(pdf: &Path, title: &str, author: &str) -> Result<(), Error> {
    let bytes = std::fs::read(pdf).map_err(|e| Error::io(pdf, e))?;
    let Some(update) = info_update(&bytes, title, author) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(pdf)
        .map_err(|e| Error::io(pdf, e))?;
    file.write_all(&update).map_err(|e| Error::io(pdf, e))
}

/// A PDF text string: UTF-16BE with its byte-order mark, in hex (any text survives).
fn text_string(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

/// The value after `key` in a dictionary's text, up to the next `/` or `>>`.
fn value_after<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let at = dict.find(key)? + key.len();
    let rest = &dict[at..];
    // A key that is the prefix of another (`/Info` of `/Infos`) is not this key.
    if !rest.starts_with([' ', '\n', '\r', '[', '(', '<']) {
        return None;
    }
    let end = rest.find(['/', '>']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// The bytes to append to `pdf` for a new information dictionary, or `None` when its last
/// trailer cannot be read.
fn info_update(pdf: &[u8], title: &str, author: &str) -> Option<Vec<u8>> {
    let at = memchr::memmem::rfind(pdf, b"trailer")?;
    let tail = std::str::from_utf8(&pdf[at..]).ok()?;
    let dict_end = tail.find("startxref")?;
    let dict = &tail[..dict_end];
    let prev: usize = tail[dict_end + 9..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let size: usize = value_after(dict, "/Size")?.parse().ok()?;
    let root = value_after(dict, "/Root")?;
    if !root.ends_with('R') {
        return None;
    }
    // The dates Chromium wrote stay.
    let mut dates = String::new();
    if let Some(info) = value_after(dict, "/Info") {
        let head = format!("{} obj", info.trim_end_matches('R').trim());
        if let Some(obj) = memchr::memmem::find(pdf, head.as_bytes()) {
            let body = String::from_utf8_lossy(&pdf[obj..pdf.len().min(obj + 4096)]);
            let body = &body[..body.find("endobj").unwrap_or(body.len())];
            for key in ["/CreationDate", "/ModDate"] {
                let date = body
                    .find(key)
                    .map(|i| &body[i + key.len()..])
                    .and_then(|r| Some(&r[r.find('(')?..=r.find(')')?]));
                if let Some(date) = date {
                    dates.push_str(&format!("\n{key} {date}"));
                }
            }
        }
    }
    let id = dict
        .find("/ID")
        .and_then(|i| Some(&dict[i..i + dict[i..].find(']')? + 1]))
        .map(|id| format!(" {id}"))
        .unwrap_or_default();
    let mut out = Vec::new();
    if !pdf.ends_with(b"\n") {
        out.push(b'\n');
    }
    let obj_at = pdf.len() + out.len();
    out.extend(
        format!(
            "{size} 0 obj\n<</Title {}\n/Author {}\n/Creator (gen){dates}>>\nendobj\n",
            text_string(title),
            text_string(author),
        )
        .bytes(),
    );
    let xref_at = pdf.len() + out.len();
    out.extend(
        format!(
            "xref\n{size} 1\n{obj_at:010} 00000 n \ntrailer\n<</Size {} /Root {root} /Info {size} 0 R{id} /Prev {prev}>>\nstartxref\n{xref_at}\n%%EOF\n",
            size + 1
        )
        .bytes(),
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF shaped like Chromium's: the information dictionary first, a classic
    /// cross-reference table and trailer.
    fn chromium_like() -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let info = pdf.len();
        pdf.extend(b"1 0 obj\n<</Title <FEFF0041>\n/Creator <FEFF004D>\n/Producer (Skia/PDF m156)\n/CreationDate (D:20261203063050+00'00')\n/ModDate (D:20261203063050+00'00')>>\nendobj\n");
        let root = pdf.len();
        pdf.extend(b"2 0 obj\n<</Type /Catalog>>\nendobj\n");
        let xref = pdf.len();
        pdf.extend(
            format!(
                "xref\n0 3\n0000000000 65535 f \n{info:010} 00000 n \n{root:010} 00000 n \ntrailer\n<</Size 3\n/Root 2 0 R\n/Info 1 0 R>>\nstartxref\n{xref}\n%%EOF"
            )
            .bytes(),
        );
        pdf
    }

    #[test]
    fn the_update_adds_an_information_dictionary_that_the_new_trailer_names() {
        let pdf = chromium_like();
        let prev = memchr::memmem::find(&pdf, b"\nxref").unwrap() + 1;
        let update = info_update(&pdf, "題 & A", "T").unwrap();
        let mut whole = pdf.clone();
        whole.extend(&update);
        let text = String::from_utf8(update).unwrap();
        let obj_at = pdf.len() + 1;
        assert_eq!(
            text,
            format!(
                "\n3 0 obj\n<</Title <FEFF984C0020002600200041>\n/Author <FEFF0054>\n/Creator (gen)\n/CreationDate (D:20261203063050+00'00')\n/ModDate (D:20261203063050+00'00')>>\nendobj\nxref\n3 1\n{obj_at:010} 00000 n \ntrailer\n<</Size 4 /Root 2 0 R /Info 3 0 R /Prev {prev}>>\nstartxref\n{}\n%%EOF\n",
                text.find("xref").unwrap() + pdf.len()
            )
        );
        // The offsets point where they say.
        assert!(whole[obj_at..].starts_with(b"3 0 obj"));
        let xref_at: usize = text
            .trim_end()
            .lines()
            .rev()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        assert!(whole[xref_at..].starts_with(b"xref\n3 1\n"));
    }

    #[test]
    fn a_file_without_a_trailer_is_left_alone() {
        assert_eq!(info_update(b"%PDF-1.4\n", "t", "a"), None);
    }

    #[test]
    fn titles_are_read_with_their_entities_decoded() {
        assert_eq!(
            crate::render::documents::unescape_attribute(
                "R&amp;D &lt;1&gt; &#x27;a&#x27; &#39; &x; &"
            ),
            "R&D <1> 'a' ' &x; &"
        );
    }
}
