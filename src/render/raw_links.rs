//! The addresses that a body's raw HTML names (`<a href>`, `<img src>`, …), read with the
//! HTML standard's tokenizer (html5ever's, the one the sanitizer parses with), so that
//! quoting, case and character references (`&#46;&#46;/`) are read as a browser reads
//! them. They are checked like markdown links ([`super::links::check`]): a raw link to an
//! internal page or asset is an error in the public edition, a raw link to nowhere is a
//! broken link.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    states::RawKind, BufferQueue, StartTag, Tag, TagToken, Token, TokenSink, TokenSinkResult,
    Tokenizer, TokenizerOpts,
};

/// Attributes whose value is one URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "cite",
    "poster",
    "action",
    "formaction",
    "data",
    "background",
    "longdesc",
    "manifest",
    "xlink:href",
];

/// Elements whose attribute is an image (or other embedded file) rather than a link.
const EMBEDDING: &[&str] = &[
    "img", "source", "video", "audio", "track", "embed", "object", "input", "iframe",
];

/// One address named in raw HTML, as a browser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawUrl {
    /// The address, character references decoded.
    pub dest: String,
    /// Named by an embedding element (`img`, `source`, …) rather than a link.
    pub image: bool,
}

/// Collects the addresses of start tags.
#[derive(Default)]
struct Sink {
    found: RefCell<Vec<RawUrl>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != StartTag {
            return TokenSinkResult::Continue;
        }
        self.collect(&tag);
        // As a browser does: the text of these elements is not markup.
        match &*tag.name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

impl Sink {
    fn collect(&self, tag: &Tag) {
        let image = EMBEDDING.contains(&&*tag.name);
        let mut found = self.found.borrow_mut();
        for a in &tag.attrs {
            let name = match &a.name.prefix {
                Some(p) => format!("{}:{}", &**p, &*a.name.local),
                None => a.name.local.to_string(),
            };
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                found.push(RawUrl {
                    dest: a.value.to_string(),
                    image,
                });
            } else if name == "srcset" || name == "imagesrcset" {
                // `a.png 1x, b.png 2x`: each candidate's first word is an address.
                found.extend(a.value.split(',').filter_map(|c| {
                    c.split_whitespace().next().map(|u| RawUrl {
                        dest: u.to_string(),
                        image: true,
                    })
                }));
            }
        }
    }
}

/// Reads a body's raw HTML fragments in order, as one stream: a tag may span fragments
/// (an HTML block's lines come one at a time).
pub(crate) struct RawLinks {
    tokenizer: Tokenizer<Sink>,
    input: BufferQueue,
}

impl Default for RawLinks {
    fn default() -> Self {
        RawLinks {
            tokenizer: Tokenizer::new(Sink::default(), TokenizerOpts::default()),
            input: BufferQueue::default(),
        }
    }
}

impl RawLinks {
    /// The addresses of the tags that `raw` completes.
    pub(crate) fn feed(&mut self, raw: &str) -> Vec<RawUrl> {
        self.input.push_back(StrTendril::from_slice(raw));
        // `Script` results never come: the sink does not return them.
        let _ = self.tokenizer.feed(&self.input);
        std::mem::take(&mut *self.tokenizer.sink.found.borrow_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(parts: &[&str]) -> Vec<(String, bool)> {
        let mut r = RawLinks::default();
        parts
            .iter()
            .flat_map(|p| r.feed(p))
            .map(|u| (u.dest, u.image))
            .collect()
    }

    #[test]
    fn addresses_are_read_as_a_browser_reads_them() {
        assert_eq!(
            urls(&["<A HREF=../x/>t</a>", "<img alt=x src='a.png'>"]),
            vec![("../x/".into(), false), ("a.png".into(), true)]
        );
        assert_eq!(
            urls(&["<a href=\"&#46;&#46;/&period;&#x2e;/y/\">"]),
            vec![("../../y/".into(), false)]
        );
        assert_eq!(
            urls(&["<img srcset=\"a.png 1x, internal/b.png 2x\">"]),
            vec![("a.png".into(), true), ("internal/b.png".into(), true)]
        );
    }

    #[test]
    fn a_tag_may_span_fragments_and_script_text_is_not_markup() {
        assert_eq!(
            urls(&["<a\n", "  href=\"../z/\">", "</a>"]),
            vec![("../z/".into(), false)]
        );
        assert_eq!(
            urls(&["<script>var s = '<a href=\"../q/\">';</script><a href=w>"]),
            vec![("w".into(), false)]
        );
        assert!(urls(&["<!-- <a href=\"../c/\"> -->", "<p>text</p>"]).is_empty());
    }
}
