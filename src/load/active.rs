//! Assets that browsers run as documents: HTML, XHTML, SVG and XML files copied from an
//! incident's folder or `static/` would run their scripts on the site's origin when opened.
//!
//! They are published when they hold nothing that runs or fetches script: no script,
//! frame, plug-in or `<base>` element, no foreignObject, no SVG animation (it can set a
//! link), no event handler attribute, no script URL, no refresh, and in XML no DTD or
//! stylesheet instruction that could hide one. The scan is conservative: it also looks
//! inside comments and CDATA, so a commented-out `<script>` is refused too. Web archives,
//! HTML applications and compressed SVG cannot be checked and are refused.
//! `unsafe_html = true` publishes all of them as they are.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};

/// What kind of document a file name says the browser will open it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// HTML: checked.
    Html,
    /// SVG, XHTML or XML: checked, DTDs and stylesheet instructions refused.
    Xml,
    /// A web archive, an HTML application or compressed SVG: refused.
    Opaque,
    /// Anything else: published as it is.
    Inert,
}

/// The kind of `name` by its extension (case-insensitive).
pub(crate) fn kind(name: &str) -> Kind {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" | "shtml" => Kind::Html,
        "svg" | "xhtml" | "xht" | "xml" | "xsl" | "xslt" | "rss" | "atom" => Kind::Xml,
        "svgz" | "mht" | "mhtml" | "hta" => Kind::Opaque,
        _ => Kind::Inert,
    }
}

/// Elements that run script, embed other documents or set links by animation.
const ACTIVE_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "frame",
    "frameset",
    "embed",
    "object",
    "applet",
    "base",
    "portal",
    "handler",
    "listener",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "discard",
];

/// Where and what the active content of one tag is, if any: an active element, an event
/// handler, a script URL, a style that fetches, a refresh.
fn active_in_tag(t: &str, tag: &Tag) -> Option<(Range<usize>, String)> {
    let local = tag.name.rsplit(':').next().unwrap_or("");
    if ACTIVE_ELEMENTS.contains(&local) {
        return Some((
            tag.at.clone(),
            format!(
                "this file contains a <{}> element, which can run script or change a link",
                tag.name
            ),
        ));
    }
    for attr in &tag.attrs {
        let key = attr.name.rsplit(':').next().unwrap_or("");
        if key.starts_with("on") {
            return Some((
                attr.at.clone(),
                format!(
                    "the attribute {} is an event handler: it runs script",
                    attr.name
                ),
            ));
        }
        let value = as_read(&attr.value);
        let url = [
            "href",
            "src",
            "action",
            "formaction",
            "data",
            "values",
            "to",
            "from",
            "by",
            "background",
            "poster",
            "srcset",
            "ping",
            "lowsrc",
            "dynsrc",
            "codebase",
            "cite",
            "longdesc",
            "manifest",
            "icon",
            "content",
        ]
        .contains(&key);
        let scheme_ok = !(value.starts_with("javascript:")
            || value.starts_with("vbscript:")
            || value.starts_with("data:text")
            || value.starts_with("data:application")
            || value.starts_with("data:image/svg"));
        if url && !scheme_ok {
            return Some((
                attr.at.clone(),
                format!("the attribute {} holds a script URL", attr.name),
            ));
        }
        if key == "style" && (value.contains("url(") || value.contains("expression(")) {
            return Some((
                attr.at.clone(),
                "this style attribute fetches or runs something (url() or expression())".into(),
            ));
        }
    }
    let http_equiv = tag.attrs.iter().find(|a| a.name == "http-equiv");
    if local == "meta" && http_equiv.is_some_and(|a| as_read(&a.value) == "refresh") {
        return Some((
            tag.at.clone(),
            "this <meta http-equiv=\"refresh\"> sends the reader elsewhere".into(),
        ));
    }
    if local == "style" {
        let end = t[tag.at.end..]
            .find("</")
            .map_or(t.len(), |e| tag.at.end + e);
        let body = as_read(&t[tag.at.end..end]);
        if body.contains("url(") || body.contains("@import") || body.contains("expression(") {
            return Some((
                tag.at.clone(),
                "this <style> element fetches or runs something (url(), @import or expression())"
                    .into(),
            ));
        }
    }
    None
}

/// Checks one asset; `shown` is its path for messages. Returns the problem as a located
/// error, or `None` when the file may be published.
pub(crate) fn check(shown: &Path, name: &str, bytes: &[u8]) -> Option<Diagnostic> {
    let kind = kind(name);
    if kind == Kind::Inert {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let file: Arc<SourceFile> = SourceFile::new(shown, text.as_ref());
    let refuse = |span: Option<Range<usize>>, what: String| {
        Some(
            Diagnostic::error(crate::diag::Code::ActiveAsset, &file, span, what).with_help(
                "remove it from the file (or publish the file elsewhere); set unsafe_html = true in config.toml only if every writer of the site is trusted",
            ),
        )
    };
    if kind == Kind::Opaque {
        return refuse(
            None,
            "gen cannot check this kind of file (a web archive, an HTML application or compressed SVG) for script".into(),
        );
    }
    let t = file.text.as_str();
    if kind == Kind::Xml {
        let lower = t.to_ascii_lowercase();
        for (needle, what) in [
            (
                "<!doctype",
                "a document type declaration (it can define entities that hide script)",
            ),
            ("<!entity", "an entity declaration (it can hide script)"),
            (
                "<?xml-stylesheet",
                "a stylesheet instruction (XSLT can run script)",
            ),
        ] {
            if let Some(at) = lower.find(needle) {
                return refuse(
                    Some(at..at + needle.len()),
                    format!("this file contains {what}"),
                );
            }
        }
    }
    for tag in tags(t) {
        if let Some((at, what)) = active_in_tag(t, &tag) {
            return refuse(Some(at), what);
        }
    }
    None
}

/// One start tag: its name (lower case), where it is, and its attributes.
struct Tag {
    name: String,
    at: Range<usize>,
    attrs: Vec<Attr>,
}

struct Attr {
    name: String,
    value: String,
    at: Range<usize>,
}

/// Start tags of an HTML or XML text, by a tolerant scanner that reads names and attributes
/// as an HTML parser does (a `/` ends a name, quoted values may hold `>`).
fn tags(t: &str) -> Vec<Tag> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'<', &b[i..]) {
        i += k;
        let rest = &t[i..];
        // Comments, CDATA and declarations are scanned like the rest: HTML and XML end
        // comments differently (`<!-->`, `--!>`), and a false alarm is better than a miss.
        if rest.starts_with("</") || rest.starts_with("<!") || rest.starts_with("<?") {
            i += 2;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = t[i + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let a = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'>' | b'=' | b'/')
            {
                j += 1;
            }
            let key = t[a..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let end = memchr::memchr(q, &b[j + 1..]).map_or(b.len(), |e| j + 1 + e);
                    value = t[j + 1..end].to_string();
                    j = (end + 1).min(b.len());
                } else {
                    let s = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = t[s..j].to_string();
                }
            }
            if key.is_empty() {
                j += 1;
                continue;
            }
            attrs.push(Attr {
                name: key,
                value,
                at: a..j,
            });
        }
        out.push(Tag {
            name,
            at: start..(j + 1).min(b.len()),
            attrs,
        });
        i = (j + 1).min(b.len());
    }
    out
}

/// A value as a browser reads it as a URL: character references decoded, whitespace and
/// control characters dropped, lower case.
fn as_read(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(k) = rest.find('&') {
        s.push_str(&rest[..k]);
        let after = &rest[k + 1..];
        let end = after.find(';');
        let decoded = end.and_then(|end| {
            let ent = &after[..end];
            let c = if let Some(hex) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = ent.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match ent.to_ascii_lowercase().as_str() {
                    "colon" => Some(':'),
                    "amp" => Some('&'),
                    "tab" => Some('\t'),
                    "newline" => Some('\n'),
                    "lpar" => Some('('),
                    _ => None,
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                s.push(c);
                rest = &after[end + 1..];
            }
            None => {
                s.push('&');
                rest = after;
            }
        }
    }
    s.push_str(rest);
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(name: &str, text: &str) -> Option<String> {
        check(Path::new(name), name, text.as_bytes()).map(|d| d.message)
    }

    #[test]
    fn script_in_every_disguise_is_refused() {
        for svg in [
            "<svg onload=\"alert(1)\"/>",
            "<svg><script>alert(1)</script></svg>",
            "<svg><SCRIPT>alert(1)</SCRIPT></svg>",
            "<svg><svg:script>alert(1)</svg:script></svg>",
            "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
            "<svg><a href=\"&#106;avascript:alert(1)\">x</a></svg>",
            "<svg><a href=\" java&#9;script:alert(1)\">x</a></svg>",
            "<svg><animate attributeName=\"href\" values=\"javascript:alert(1)\"/></svg>",
            "<svg><set attributeName=\"href\" to=\"x\"/></svg>",
            "<svg><foreignObject><iframe src=\"x\"></iframe></foreignObject></svg>",
            "<!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;\">]><svg>&x;</svg>",
            "<?xml-stylesheet type=\"text/xsl\" href=\"x.xsl\"?><svg/>",
            "<svg><image href=\"data:image/svg+xml;base64,AAAA\"/></svg>",
            "<svg><style>@import url(https://evil.example/x.css);</style></svg>",
            "<svg><rect style=\"fill:url(https://evil.example/)\"/></svg>",
            "<svg><rect ONCLICK='alert(1)'/></svg>",
            "<svg><rect\nonmouseover\n=\nalert(1)/></svg>",
            "<svg xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:script>alert(1)</h:script></svg>",
            "<svg><!-- x --><![CDATA[ ]]><script>alert(1)</script></svg>",
        ] {
            assert!(refused("d.svg", svg).is_some(), "published: {svg}");
        }
        for html in [
            "<!DOCTYPE html><p>hi</p><script>alert(1)</script>",
            "<!--><script>alert(1)</script><!-- -->",
            "<p>x</p><!-- --!><script>alert(1)</script>",
            "<a x/onclick=alert(1)>x</a>",
            "<img/onerror=alert(1) src=x>",
            "<a href=javascript:alert(1)>x</a>",
            "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
            "<meta http-equiv=\"Refresh\" content=\"0;url=https://evil.example/\">",
            "<base href=\"https://evil.example/\">",
            "<form action=\"javascript:alert(1)\"><button>x</button></form>",
            "<svg><animate attributeName=href to=javascript:alert(1) /></svg>",
            "<object data=\"x.swf\"></object>",
            "<video poster=\"javascript:alert(1)\"></video>",
            "<div style=\"background:url(&#106;avascript:alert(1))\">x</div>",
        ] {
            assert!(refused("page.html", html).is_some(), "published: {html}");
        }
        assert!(refused("page.XHTML", "<html><script>x</script></html>").is_some());
        for opaque in ["d.svgz", "a.mht", "a.hta"] {
            assert!(refused(opaque, "").is_some(), "{opaque}");
        }
    }

    #[test]
    fn plain_drawings_and_other_files_are_published() {
        for svg in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\" fill=\"red\"/><!-- a drawing --></svg>",
            "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"https://example.com/\"><text>on=1 x</text></a><style>rect{fill:#f00}</style></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><use href=\"#a\"/><image href=\"data:image/png;base64,AAAA\"/></svg>",
        ] {
            assert_eq!(refused("d.svg", svg), None, "{svg}");
        }
        assert_eq!(
            refused(
                "google1234.html",
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Verify</title></head><body><p>google-site-verification: google1234.html</p><a href=\"/\">home</a></body></html>"
            ),
            None
        );
        assert_eq!(refused("x.png", "<script>"), None);
        assert_eq!(refused("notes.txt", "<script>"), None);
    }

    #[test]
    fn the_error_points_at_the_construct() {
        let d = check(
            Path::new("content/incidents/a/d.svg"),
            "d.svg",
            b"<svg>\n  <rect onclick=\"x\"/>\n</svg>",
        )
        .unwrap();
        assert_eq!(d.location(), "content/incidents/a/d.svg:2:9");
        assert_eq!(d.code.as_str(), "active-asset");
    }
}
