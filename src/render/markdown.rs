//! Markdown to HTML: CommonMark plus tables, footnotes, strikethrough and task lists;
//! heading anchors that work for Japanese; fenced code highlighted into CSS classes.
//!
//! The output is safe to publish without a sanitizer when the body has no raw HTML:
//! every link and image target passes [`refused_scheme`], headings keep only a safe
//! `{#id}` and `{.class}`, and everything else is escaped by pulldown-cmark. What is
//! refused is listed in [`Rendered::refused`] with its place in the markdown.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::Lang;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use syntect::html::ClassStyle;
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The class prefix of highlighted tokens, shared with the emitted stylesheet.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    // bat's syntax set (two-face): the defaults lack TOML, which postmortems quote often.
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Element ids of the default templates, never given to a body heading (a test checks
/// that every `id="…"` the templates write is here).
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "summary",
    "phases",
    "toc-title",
    "countermeasures",
    "notices",
    "timeline",
    "related",
    "figures",
    "latest",
    "per-cause",
    "agenda",
    "minutes",
    "internal-details",
    "edition-band",
    "site-search-q",
    "all",
    "by-cause",
    "by-operator",
    "follow-up",
    "unrecorded",
    "search",
    "search-cause",
    "search-form",
    "search-operator",
    "search-q",
    "search-results",
    "search-status",
    "search-status-filter",
    "search-title",
    "search-year",
];

/// A heading of the rendered body, for a table of contents.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    /// 2 for `##`, 3 for `###` …
    pub level: u8,
    /// The anchor id.
    pub id: String,
    /// The heading's text.
    pub text: String,
}

/// Rendered markdown.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Whether the markdown contained raw HTML.
    pub has_raw_html: bool,
    /// Every link and image with its byte range in the markdown.
    pub links: Vec<Link>,
    /// The highlighting classes the HTML uses, for documents that carry only the rules
    /// they need.
    pub classes: HighlightClasses,
    /// What was left out of the HTML because it is unsafe: errors of the document.
    pub refused: Vec<Refusal>,
    /// Code shown as plain text because it is too long to highlight: warnings.
    pub unhighlighted: Vec<Refusal>,
}

/// A link or image of a body, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Byte range in the markdown.
    pub range: std::ops::Range<usize>,
    /// The target, as written.
    pub dest: String,
    /// An image (`![…](…)`) rather than a link.
    pub image: bool,
}

/// Something a body asked for that gen did not publish as written, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Byte range in the markdown.
    pub range: std::ops::Range<usize>,
    /// The diagnostic code.
    pub code: crate::diag::Code,
    /// What was refused, in one sentence.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// URL schemes a body's links and images may use; relative URLs and `#fragments` are
/// always allowed. Everything else (`javascript:`, `vbscript:`, `data:`, `file:` …) is
/// refused.
pub const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The scheme of `dest` when it is not one of [`SAFE_SCHEMES`], as a browser could read
/// it: percent-decoded (repeatedly), with every control and white-space character
/// removed, lowercased. `None` for a safe or relative URL.
///
/// Deliberately stricter than a browser: `java\tscript:`, `%6Aavascript:` and
/// `c:\\file` all count as schemes, so that no spelling of one slips through.
pub fn refused_scheme(dest: &str) -> Option<String> {
    let url = decoded_fully(dest);
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace() && !is_invisible(*c))
        .collect();
    let head = squeezed.split(['/', '?', '#']).next().unwrap_or("");
    let (scheme, _) = head.split_once(':')?;
    let scheme = scheme.to_lowercase();
    if SAFE_SCHEMES.contains(&scheme.as_str()) {
        None
    } else {
        Some(scheme)
    }
}

/// Zero-width, direction and other invisible format characters, which some parsers drop.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{feff}'
    )
}

/// Whether `name` may be published as a heading's id or class: letters and digits of any
/// script, `-` and `_`.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// Renders a markdown body. `rewrite` maps link targets (e.g. `../incidents/x.md`).
/// Raw HTML in the markdown is sanitized unless `trust_html`; markdown links, images and
/// heading attributes are filtered either way (see [`Rendered::refused`]).
pub fn render_body(
    text: &str,
    rewrite: &dyn Fn(&str) -> Option<String>,
    trust_html: bool,
    lang: Lang,
) -> Rendered {
    let mut r = render_with(text, rewrite, lang, !trust_html);
    if r.has_raw_html && !trust_html {
        r.html = sanitize(&r.html);
        r.classes = HighlightClasses::default();
        r.classes.scan(r.html.as_bytes());
    }
    r
}

/// The allow-list for raw HTML in bodies: ammonia's defaults (tables, details/summary,
/// sup/sub, kbd, img with a relative src; no script, no event handlers) plus what our own
/// markdown output uses, with the URL schemes of markdown links ([`SAFE_SCHEMES`]).
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class", "data-lang"])
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .url_schemes(SAFE_SCHEMES.iter().copied().collect())
            .link_rel(None);
        b
    })
}

/// Sanitizes rendered HTML with the body allow-list.
pub fn sanitize(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

/// How deeply a body's elements may nest when its raw HTML is sanitized. The sanitizer's
/// HTML parser takes time in proportion to the depth for every element (31 s for 100,000
/// nested `<div>`s); Chromium's own parser stops nesting at 512.
pub const MAX_HTML_DEPTH: usize = 512;

/// The most `|` characters a body may hold. Every table cell needs one, and the parser
/// keeps a node of about 100 bytes per cell while the body is rendered: 2,000,000 cells
/// peaked at 450 MB (a 5 MB table), where prose of the same size takes a tenth of that.
pub const MAX_TABLE_BARS: usize = 2_000_000;

/// Renders markdown without sanitizing raw HTML (see [`render_body`]); links, images and
/// headings are filtered all the same.
pub fn render(text: &str, rewrite: &dyn Fn(&str) -> Option<String>, lang: Lang) -> Rendered {
    render_with(text, rewrite, lang, false)
}

/// [`render`], and with `bound_depth` raw HTML nested deeper than [`MAX_HTML_DEPTH`] is
/// refused and shown as text, so that the sanitizer's time stays linear.
///
/// Events stream from the parser through [`Transform`] into the HTML writer: only a
/// heading's or a code block's own events are held at a time, so a body's memory is the
/// parser's and the HTML's, not a list of every event (a 4 MB table made 2.3 GB of them).
fn render_with(
    text: &str,
    rewrite: &dyn Fn(&str) -> Option<String>,
    lang: Lang,
    bound_depth: bool,
) -> Rendered {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let parse = || Parser::new_ext(text, opts).into_offset_iter();
    let mut refused = Vec::new();
    let bars = memchr::memchr_iter(b'|', text.as_bytes()).count();
    if bars > MAX_TABLE_BARS {
        let at = memchr::memchr(b'|', text.as_bytes()).unwrap_or(0);
        refused.push(Refusal {
            range: at..at + 1,
            code: crate::diag::Code::TableTooLarge,
            message: format!(
                "this body has {bars} `|` characters (table cells); gen renders up to {MAX_TABLE_BARS}"
            ),
            help: "split the table over several incidents, or put it in a CSV file beside the incident and link to it".to_string(),
        });
        return Rendered {
            html: String::new(),
            headings: Vec::new(),
            has_raw_html: false,
            links: Vec::new(),
            classes: HighlightClasses::default(),
            refused,
            unhighlighted: Vec::new(),
        };
    }
    // Raw HTML needs a `<`: only a body with one is parsed a first time to find out
    // whether it has raw HTML, and how deep it nests.
    let mut has_raw_html = memchr::memchr(b'<', text.as_bytes()).is_some()
        && parse().any(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    // Too deep to sanitize in linear time: the raw HTML is shown as text instead.
    let raw_as_text = bound_depth && has_raw_html && {
        match too_deep(parse()) {
            Some(range) => {
                refused.push(Refusal {
                    range,
                    code: crate::diag::Code::HtmlTooDeep,
                    message: format!(
                        "the HTML here nests elements more than {MAX_HTML_DEPTH} levels deep"
                    ),
                    help: "close the elements you open (</div>), or use less nesting".to_string(),
                });
                true
            }
            None => false,
        }
    };
    if raw_as_text {
        has_raw_html = false;
    }
    let mut t = Transform {
        events: parse().peekable(),
        pending: std::collections::VecDeque::new(),
        rewrite,
        table_label: match lang {
            // Wide tables scroll in a focusable box; screen readers announce it by this name.
            Lang::Ja => "表（横にスクロールできます）",
            Lang::En => "Table (scrolls sideways)",
        },
        internal_label: match lang {
            Lang::Ja => "社内限定",
            Lang::En => "Internal",
        },
        raw_as_text,
        scan_blocks: !has_raw_html,
        links: Vec::new(),
        headings: Vec::new(),
        refused,
        unhighlighted: Vec::new(),
        used: RESERVED_IDS
            .iter()
            .map(|id| ((*id).to_string(), 1))
            .collect(),
        dropped: Vec::new(),
        classes: HighlightClasses::default(),
        highlight_spent: 0,
        raw_links: None,
    };
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, t.by_ref());
    if has_raw_html {
        // Raw HTML may use highlighting classes of its own.
        t.classes.scan(html.as_bytes());
    }
    Rendered {
        html,
        headings: t.headings,
        has_raw_html,
        links: t.links,
        classes: t.classes,
        refused: t.refused,
        unhighlighted: t.unhighlighted,
    }
}

/// The rewriting between the parser and the HTML writer: heading ids and attributes,
/// highlighted code, table boxes, link targets, refused links, footnote ids. What it finds
/// on the way (links, headings, refusals) is kept for the caller.
struct Transform<'a, 'r, I: Iterator<Item = (Event<'a>, std::ops::Range<usize>)>> {
    events: std::iter::Peekable<I>,
    /// Output made ahead of time (a table box's opening and its first event).
    pending: std::collections::VecDeque<Event<'a>>,
    rewrite: &'r dyn Fn(&str) -> Option<String>,
    table_label: &'static str,
    /// The label of an internal block (社内限定).
    internal_label: &'static str,
    /// Raw HTML is shown as text (it nests too deep).
    raw_as_text: bool,
    /// Scan each code block for its highlighting classes (a body with raw HTML is scanned
    /// whole afterwards instead).
    scan_blocks: bool,
    links: Vec<Link>,
    headings: Vec<Heading>,
    refused: Vec<Refusal>,
    unhighlighted: Vec<Refusal>,
    /// Ids taken so far (the templates' own first), and how often.
    used: HashMap<String, usize>,
    /// For each open link or image: whether its start was left out (its end is too).
    dropped: Vec<bool>,
    classes: HighlightClasses,
    highlight_spent: u64,
    /// The addresses named in raw HTML: a tokenizer made at the body's first raw HTML
    /// (most bodies have none, and every body passes through here).
    raw_links: Option<super::raw_links::RawLinks>,
}

impl<'a, I: Iterator<Item = (Event<'a>, std::ops::Range<usize>)>> Iterator
    for Transform<'a, '_, I>
{
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(e);
            }
            let (event, range) = self.events.next()?;
            if let Some(out) = self.one(event, range) {
                return Some(out);
            }
        }
    }
}

impl<'a, I: Iterator<Item = (Event<'a>, std::ops::Range<usize>)>> Transform<'a, '_, I> {
    /// What `event` becomes, if anything (more may be queued in `pending`).
    fn one(&mut self, event: Event<'a>, range: std::ops::Range<usize>) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Some(self.heading(level, id, classes, attrs, range)),
            Event::Start(Tag::CodeBlock(kind)) => Some(self.code_block(kind, range)),
            // Wide tables scroll in their own box on phones; the box takes keyboard focus so
            // the hidden part can be reached without a mouse.
            e @ Event::Start(Tag::Table(_)) => {
                self.pending.push_back(e);
                Some(Event::Html(CowStr::from(format!(
                    "<div class=\"table-scroll\" tabindex=\"0\" role=\"group\" aria-label=\"{}\">",
                    self.table_label
                ))))
            }
            e @ Event::End(TagEnd::Table) => {
                self.pending.push_back(Event::Html(CowStr::from("</div>")));
                Some(e)
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if !self.admit(&dest_url, "link", range) {
                    return None;
                }
                // A link whose text is its address (`<https://…>`, `[https://…](https://…)`)
                // gets class `url`: printed documents do not print the address again.
                let mut url_text = link_type == LinkType::Autolink;
                if !url_text
                    && matches!(self.events.peek(), Some((Event::Text(t), _)) if t.as_ref() == dest_url.as_ref())
                {
                    if let Some((text, _)) = self.events.next() {
                        self.pending.push_back(text);
                    }
                    url_text = matches!(self.events.peek(), Some((Event::End(TagEnd::Link), _)));
                }
                let dest = (self.rewrite)(&dest_url).map_or(dest_url, CowStr::from);
                if url_text {
                    // The HTML writer's own start tag, plus the class; its `</a>` still ends it.
                    let mut tag = String::from("<a href=\"");
                    let _ = pulldown_cmark_escape::escape_href(&mut tag, &dest);
                    tag.push('"');
                    if !title.is_empty() {
                        tag.push_str(" title=\"");
                        let _ = pulldown_cmark_escape::escape_html(&mut tag, &title);
                        tag.push('"');
                    }
                    tag.push_str(" class=\"url\">");
                    return Some(Event::InlineHtml(CowStr::from(tag)));
                }
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }))
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if !self.admit(&dest_url, "image", range) {
                    return None;
                }
                Some(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            }
            e @ Event::End(TagEnd::Link | TagEnd::Image) => {
                if self.dropped.pop().unwrap_or(false) {
                    None
                } else {
                    Some(e)
                }
            }
            // Footnote ids get a prefix of their own: `[^main]` must not take an id the
            // templates or a heading use.
            Event::FootnoteReference(label) => Some(Event::FootnoteReference(CowStr::from(
                format!("fn-{label}"),
            ))),
            Event::Start(Tag::FootnoteDefinition(label)) => Some(Event::Start(
                Tag::FootnoteDefinition(CowStr::from(format!("fn-{label}"))),
            )),
            Event::Html(raw) | Event::InlineHtml(raw) if self.raw_as_text => Some(Event::Text(raw)),
            // An internal block's markers (only the internal edition reads them: the public
            // one blanks the blocks): a bordered, labelled container.
            Event::Html(raw) => match crate::model::edition::marker_line(&raw) {
                None => Some(Event::Html(self.raw(raw, range))),
                Some(crate::model::edition::Marker::Open) => {
                    Some(Event::Html(CowStr::from(format!(
                        "<div class=\"internal-block\"><p class=\"internal-label\">{}</p>\n",
                        self.internal_label
                    ))))
                }
                Some(crate::model::edition::Marker::Close) => {
                    Some(Event::Html(CowStr::from("</div>\n")))
                }
            },
            Event::InlineHtml(raw) => Some(Event::InlineHtml(self.raw(raw, range))),
            e => Some(e),
        }
    }

    /// Raw HTML, with the addresses of its tags recorded as links (checked like markdown
    /// ones), and its links to documents by file (`x.md`) made page addresses as markdown
    /// links are, where the address is written as is.
    fn raw(&mut self, raw: CowStr<'a>, range: std::ops::Range<usize>) -> CowStr<'a> {
        let found = self
            .raw_links
            .get_or_insert_with(Default::default)
            .feed(&raw);
        let mut out = raw;
        for url in found {
            if super::links::document_link(&url.dest).is_some() {
                if let Some(to) = (self.rewrite)(&url.dest) {
                    match rewrite_attribute(&out, &url.dest, &to) {
                        Some(done) => out = CowStr::from(done),
                        None => self.refused.push(Refusal {
                            range: range.clone(),
                            code: crate::diag::Code::BrokenLink,
                            message: format!(
                                "the raw HTML link \"{}\" names a document by its file, written so that gen cannot give it the page's address",
                                url.dest.escape_debug()
                            ),
                            help: format!(
                                "write the address in double quotes, exactly as href=\"{}\", or use a markdown link [text]({})",
                                url.dest, url.dest
                            ),
                        }),
                    }
                }
            }
            self.links.push(Link {
                range: range.clone(),
                dest: url.dest,
                image: url.image,
            });
        }
        out
    }

    /// Records a link or image and whether its start and end are published: not when its
    /// scheme is one gen does not publish (refused; its text stays, as plain text).
    fn admit(&mut self, dest: &str, what: &str, range: std::ops::Range<usize>) -> bool {
        self.links.push(Link {
            range: range.clone(),
            dest: dest.to_string(),
            image: what == "image",
        });
        let Some(scheme) = refused_scheme(dest) else {
            self.dropped.push(false);
            return true;
        };
        self.refused.push(Refusal {
            range,
            code: crate::diag::Code::UnsafeLink,
            message: format!(
                "the {what} \"{}\" uses the scheme \"{}:\", which gen does not publish",
                dest.escape_debug(),
                scheme.escape_debug()
            ),
            help: "use an http:, https:, mailto: or tel: URL, a path relative to this file, or a #fragment".to_string(),
        });
        self.dropped.push(true);
        false
    }

    /// A heading's start, with its unique id; its own events are queued behind it.
    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        names: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
        range: std::ops::Range<usize>,
    ) -> Event<'a> {
        // Gather the heading's text to make its anchor; its events go out after the start.
        let mut text = String::new();
        let mut inner = Vec::new();
        for (e, r) in self.events.by_ref() {
            let end = matches!(e, Event::End(TagEnd::Heading(_)));
            if let Event::Text(t) | Event::Code(t) = &e {
                text.push_str(t);
            }
            inner.push((e, r));
            if end {
                break;
            }
        }
        // `{#id .class}` only, with names that cannot break out of anything; `key=value`
        // attributes (`onfocus=…`, `autofocus`) are never published.
        let id = match id {
            Some(id) if !is_safe_name(&id) => {
                self.refused.push(Refusal {
                    range: range.clone(),
                    code: crate::diag::Code::UnsafeHeadingAttribute,
                    message: format!(
                        "the heading id \"{}\" may hold only letters, digits, - and _",
                        id.escape_debug()
                    ),
                    help: "write the id as {#letters-digits_and-dashes}".to_string(),
                });
                None
            }
            id => id,
        };
        for name in names.iter().filter(|c| !is_safe_name(c)) {
            self.refused.push(Refusal {
                range: range.clone(),
                code: crate::diag::Code::UnsafeHeadingAttribute,
                message: format!(
                    "the heading class \"{}\" may hold only letters, digits, - and _",
                    name.escape_debug()
                ),
                help: "write the class as {.letters-digits_and-dashes}".to_string(),
            });
        }
        for (key, _) in &attrs {
            self.refused.push(Refusal {
                range: range.clone(),
                code: crate::diag::Code::UnsafeHeadingAttribute,
                message: format!(
                    "the heading attribute \"{}\" is not published",
                    key.escape_debug()
                ),
                help: "a heading takes only {#id} and {.class}; remove the attribute".to_string(),
            });
        }
        let base = id.map_or_else(|| anchor(&text), |s| s.to_string());
        let n = self.used.entry(base.clone()).or_insert(0);
        let unique = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        self.headings.push(Heading {
            level: level_num(level),
            id: unique.clone(),
            text,
        });
        // The heading's own events, rewritten like any others (links, footnotes).
        for (e, r) in inner {
            if let Some(out) = self.one(e, r) {
                self.pending.push_back(out);
            }
        }
        Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(unique)),
            classes: names.into_iter().filter(|c| is_safe_name(c)).collect(),
            attrs: Vec::new(),
        })
    }

    /// A code block, highlighted (or plain past the limits) as one piece of HTML.
    fn code_block(&mut self, kind: CodeBlockKind<'a>, range: std::ops::Range<usize>) -> Event<'a> {
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        let mut code = String::new();
        for (e, _) in self.events.by_ref() {
            match e {
                Event::End(TagEnd::CodeBlock) => break,
                Event::Text(t) => code.push_str(&t),
                _ => {}
            }
        }
        let block = match too_long_to_highlight(&code, &lang, &mut self.highlight_spent) {
            Some(why) => {
                self.unhighlighted.push(not_highlighted(range, &why));
                plain_block(&code, &lang)
            }
            None => highlight(&code, &lang),
        };
        if self.scan_blocks {
            self.classes.scan(block.as_bytes());
        }
        Event::Html(CowStr::from(block))
    }
}

/// `raw` with every attribute value written exactly `from` in quotes replaced by `to`,
/// escaped for an attribute; `None` when no value is written so (character references,
/// no quotes), and the link would stay a link to the `.md` file.
fn rewrite_attribute(raw: &str, from: &str, to: &str) -> Option<String> {
    let mut escaped = String::new();
    let _ = pulldown_cmark_escape::escape_href(&mut escaped, to);
    let mut s = raw.to_string();
    let mut found = false;
    for q in ['"', '\''] {
        let written = format!("={q}{from}{q}");
        if s.contains(&written) {
            found = true;
            s = s.replace(&written, &format!("=\"{escaped}\""));
        }
    }
    found.then_some(s)
}

/// Where the elements of a body nest deeper than [`MAX_HTML_DEPTH`]: the range of the
/// raw HTML that goes past it. Markdown containers count one level each; in raw HTML,
/// an end tag closes up to the last open element of its name, as an HTML parser does,
/// and void elements and those whose end tag may be left out (`<p>`, `<li>`) count none.
fn too_deep<'a>(
    events: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
) -> Option<std::ops::Range<usize>> {
    let mut markdown = 0usize;
    let mut open: Vec<String> = Vec::new();
    for (e, range) in events {
        match e {
            Event::Start(_) => markdown += 1,
            Event::End(_) => markdown = markdown.saturating_sub(1),
            Event::Html(raw) | Event::InlineHtml(raw)
                if scan_tags(&raw, &mut open, MAX_HTML_DEPTH.saturating_sub(markdown)) =>
            {
                return Some(range);
            }
            _ => {}
        }
    }
    None
}

/// Follows the tags of `raw` on the stack of `open` elements; true as soon as more than
/// `max` are open. Comments are skipped, and so is the text of `script` and `style`.
fn scan_tags(raw: &str, open: &mut Vec<String>, max: usize) -> bool {
    // Elements that never nest: void ones, and those an HTML parser closes by itself.
    const FLAT: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup",
        "thead", "tbody", "tfoot", "rb", "rt", "rp", "colgroup",
    ];
    let bytes = raw.as_bytes();
    // Lower-cased once (same byte offsets): searching for `</script` from each script tag
    // in a fresh copy would be quadratic.
    let lower = raw.to_ascii_lowercase();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'<', &bytes[i..]) {
        i += at + 1;
        if bytes[i..].starts_with(b"!--") {
            i = memchr::memmem::find(&bytes[i..], b"-->").map_or(bytes.len(), |e| i + e + 3);
            continue;
        }
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = raw[name_start..name_start + name_len].to_ascii_lowercase();
        let tag_end =
            memchr::memchr(b'>', &bytes[name_start..]).map_or(bytes.len(), |e| name_start + e);
        let self_closing = tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/');
        i = tag_end.min(bytes.len());
        if closing {
            if let Some(k) = open.iter().rposition(|n| *n == name) {
                open.truncate(k);
            }
        } else if matches!(name.as_str(), "script" | "style") {
            let end = format!("</{name}");
            i = memchr::memmem::find(&lower.as_bytes()[i..], end.as_bytes())
                .map_or(bytes.len(), |e| i + e);
        } else if !self_closing && !FLAT.contains(&name.as_str()) {
            open.push(name);
            if open.len() > max {
                return true;
            }
        }
    }
    false
}

fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

/// `dest` percent-decoded until nothing changes (`%252e` is `%2e` once decoded, `.`
/// twice), so that no spelling hides a scheme or a `..`. Bounded: each round only shortens
/// the text, but `%252525…` could take many.
fn decoded_fully(dest: &str) -> std::borrow::Cow<'_, str> {
    let mut url = std::borrow::Cow::Borrowed(dest);
    for _ in 0..8 {
        let next = percent_encoding::percent_decode_str(&url).decode_utf8_lossy();
        if next == url {
            break;
        }
        url = std::borrow::Cow::Owned(next.into_owned());
    }
    url
}

/// Whether a relative link, followed from a folder `depth` levels below the site root,
/// climbs out of the site (`../../../etc/passwd` from `content/incidents/`). The link is
/// percent-decoded first: a browser reads `%2e%2e/` as `../`.
pub fn escapes_root(dest: &str, depth: usize) -> bool {
    let decoded = decoded_fully(dest);
    let head = decoded.split(['/', '\\', '?', '#']).next().unwrap_or("");
    if head.contains(':') || decoded.starts_with('#') {
        // A URL with a scheme (https:, mailto:) or a fragment: not a file path.
        return false;
    }
    let path = decoded.split(['#', '?']).next().unwrap_or("");
    let mut level = depth as isize;
    for part in path.split(['/', '\\']) {
        match part.trim_matches(|c: char| c.is_control() || c.is_whitespace()) {
            ".." => level -= 1,
            "" | "." => {}
            _ => level += 1,
        }
        if level < 0 {
            return true;
        }
    }
    false
}

/// An anchor for a heading: lowercased, spaces to `-`, punctuation dropped, letters of
/// any script kept (`## 発生原因` → `発生原因`).
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

/// The syntax for a fence's language, remembered per thread: syntect finds it by scanning
/// every syntax's extensions, then names (0.6 % of a 100,000-incident build).
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    // Bounded: a site with a new language on every fence only stops gaining from it.
    const MAX: usize = 256;
    thread_local! {
        static FOUND: std::cell::RefCell<ahash::AHashMap<Box<str>, Option<&'static SyntaxReference>>> =
            Default::default();
    }
    FOUND.with_borrow_mut(|found| {
        if let Some(&syntax) = found.get(lang) {
            return syntax;
        }
        let syntax = syntaxes().find_syntax_by_token(lang);
        if found.len() < MAX {
            found.insert(lang.into(), syntax);
        }
        syntax
    })
}

/// The longest line gen highlights, in bytes. The time to highlight a line grows with
/// the square of its length in some syntaxes (a 4,000-byte line of random letters takes
/// 0.43 s as `log`, a 64 KiB line of words 132 s): a longer line is shown as plain text.
pub const MAX_HIGHLIGHT_LINE: usize = 1000;

/// The largest code block gen highlights, in bytes.
pub const MAX_HIGHLIGHT_BLOCK: usize = 256 * 1024;

/// The most highlighting work one block may take, as the sum of the squares of its line
/// lengths in bytes (16 lines of 1,000 bytes, 2,500 lines of 80): about 0.4 s at worst.
pub const MAX_HIGHLIGHT_WORK: u64 = 16_000_000;

/// The most highlighting work one body may take over all its blocks; blocks past it are
/// plain text.
pub const MAX_HIGHLIGHT_BODY_WORK: u64 = 4 * MAX_HIGHLIGHT_WORK;

/// The highlighting work of `code` (see [`MAX_HIGHLIGHT_WORK`]).
fn highlight_work(code: &str) -> u64 {
    code.split('\n').map(|l| (l.len() as u64).pow(2)).sum()
}

/// Why `code` is shown as plain text rather than highlighted as `lang`, if it is, given
/// the work the body's blocks before it took (`spent`, updated).
fn too_long_to_highlight(code: &str, lang: &str, spent: &mut u64) -> Option<String> {
    if lang.is_empty() || syntax_for(lang).is_none() {
        return None;
    }
    if code.len() > MAX_HIGHLIGHT_BLOCK {
        return Some(format!(
            "it is {} bytes long, more than {MAX_HIGHLIGHT_BLOCK}",
            code.len()
        ));
    }
    if let Some((n, line)) = code
        .split('\n')
        .enumerate()
        .find(|(_, l)| l.len() > MAX_HIGHLIGHT_LINE)
    {
        return Some(format!(
            "its line {} is {} bytes long, more than {MAX_HIGHLIGHT_LINE}",
            n + 1,
            line.len()
        ));
    }
    let work = highlight_work(code);
    if work > MAX_HIGHLIGHT_WORK {
        return Some(format!(
            "its lines are too long to highlight together ({work} units of work, more than {MAX_HIGHLIGHT_WORK}: the sum of the squares of the line lengths)"
        ));
    }
    if *spent + work > MAX_HIGHLIGHT_BODY_WORK {
        return Some(format!(
            "the code blocks before it took all the highlighting work of a body ({MAX_HIGHLIGHT_BODY_WORK} units: the sum of the squares of the line lengths)"
        ));
    }
    *spent += work;
    None
}

/// The code blocks of a body that [`render`] shows as plain text because they are too
/// long to highlight, found without highlighting anything (for `gen check`'s warnings).
pub fn unhighlighted(text: &str) -> Vec<Refusal> {
    let mut found = Vec::new();
    let mut spent = 0u64;
    let mut parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES)
        .into_offset_iter();
    while let Some((event, range)) = parser.next() {
        let Event::Start(Tag::CodeBlock(kind)) = event else {
            continue;
        };
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        let mut code = String::new();
        for (event, _) in parser.by_ref() {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        if let Some(why) = too_long_to_highlight(&code, &lang, &mut spent) {
            found.push(not_highlighted(range, &why));
        }
    }
    found
}

/// The warning for a code block shown as plain text.
fn not_highlighted(range: std::ops::Range<usize>, why: &str) -> Refusal {
    Refusal {
        range,
        code: crate::diag::Code::NotHighlighted,
        message: format!("this code block is shown as plain text: {why}"),
        help: format!(
            "shorten or split the code, or mark it as ```text; gen highlights lines of up to {MAX_HIGHLIGHT_LINE} bytes and blocks of up to {MAX_HIGHLIGHT_BLOCK}"
        ),
    }
}

/// A code block as plain, escaped text.
fn plain_block(code: &str, lang: &str) -> String {
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape(lang))
    };
    format!(
        "<pre class=\"code\"{lang_attr}><code>{}</code></pre>\n",
        escape(code)
    )
}

/// Highlights code into `<pre><code>` with classes; an unknown language, and code too
/// long to highlight in bounded time ([`MAX_HIGHLIGHT_LINE`], [`MAX_HIGHLIGHT_BLOCK`]),
/// is plain text.
pub fn highlight(code: &str, lang: &str) -> String {
    let ss = syntaxes();
    let syntax = (!lang.is_empty()).then(|| syntax_for(lang)).flatten();
    let Some(syntax) = syntax else {
        return plain_block(code, lang);
    };
    if too_long_to_highlight(code, lang, &mut 0).is_some() {
        return plain_block(code, lang);
    }
    let lang_attr = format!(" data-lang=\"{}\"", escape(lang));
    let Some(spans) = highlight_spans(code, syntax, ss) else {
        return plain_block(code, lang);
    };
    format!("<pre class=\"code\"{lang_attr}><code>{spans}</code></pre>\n")
}

/// The highlighted HTML of `code`: syntect's scopes as spans with short classes, made
/// straight from the parser's scope operations. syntect's own `ClassedHTMLGenerator`
/// wrote every atom of every scope as a class (taking a global lock per scope to name
/// them), which [`compact_spans`] then read back; this writes what it would have made of
/// them. `None` when syntect fails on the code.
fn highlight_spans(code: &str, syntax: &SyntaxReference, ss: &SyntaxSet) -> Option<String> {
    use syntect::parsing::{BasicScopeStackOp, ParseState, ScopeStack};
    let c = compact();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans: Vec<(Option<usize>, u128)> = Vec::new();
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    // Whether the span opened last holds nothing yet: syntect drops such a span when it
    // closes at once.
    let mut empty = false;
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, ss).ok()?;
        let mut at = 0;
        for (i, op) in &ops {
            if *i > at {
                pieces.push(Piece::Text(&line[at..*i]));
                at = *i;
                empty = false;
            }
            stack
                .apply_with_hook(op, |basic, _| match basic {
                    BasicScopeStackOp::Push(scope) => {
                        spans.push((open.last().copied(), scope_mask(c, scope)));
                        open.push(spans.len() - 1);
                        pieces.push(Piece::Open(spans.len() - 1));
                        empty = true;
                    }
                    BasicScopeStackOp::Pop => {
                        open.pop();
                        if empty {
                            pieces.pop();
                        } else {
                            pieces.push(Piece::Close);
                        }
                        empty = false;
                    }
                })
                .ok()?;
        }
        if at < line.len() {
            pieces.push(Piece::Text(&line[at..]));
            empty = false;
        }
    }
    pieces.extend(open.iter().map(|_| Piece::Close));
    let keep = kept_classes(c, &spans);
    Some(write_spans(c, &pieces, &keep, true, code.len() * 2))
}

/// The mask of the stylesheet's classes among a scope's atoms (`hl-string` for
/// `string.quoted.double.toml`), remembered per thread: naming a scope's atoms takes
/// syntect's global lock.
fn scope_mask(c: &Compact, scope: syntect::parsing::Scope) -> u128 {
    thread_local! {
        static MASKS: std::cell::RefCell<HashMap<syntect::parsing::Scope, u128>> =
            Default::default();
    }
    MASKS.with(|m| {
        *m.borrow_mut().entry(scope).or_insert_with(|| {
            scope
                .build_string()
                .split('.')
                .filter_map(|atom| c.atom.get(&format!("hl-{atom}")))
                .fold(0, |m, &k| m | 1 << k)
        })
    })
}

/// The highlighting stylesheet with short class names, and how to shorten a span's
/// classes: syntect lists every atom of a token's scope on it
/// (`hl-punctuation hl-definition hl-string hl-begin hl-toml`), most of which no rule of
/// the stylesheet names.
struct Compact {
    /// The index of each class a selector of syntect's stylesheet names (`hl-string`).
    atom: ahash::AHashMap<String, u32>,
    /// The short class of each index (`hl3`).
    short: Vec<String>,
    /// Every selector, as the masks of indexes of its compound selectors
    /// (`.hl-string.hl-regexp`), outermost first.
    selectors: Vec<Vec<u128>>,
    /// The stylesheet with the short classes, one rule a line.
    css: String,
}

fn compact() -> &'static Compact {
    static COMPACT: OnceLock<Compact> = OnceLock::new();
    COMPACT.get_or_init(|| {
        let themes = syntect::highlighting::ThemeSet::load_defaults();
        let css = themes
            .themes
            .get("InspiredGitHub")
            .and_then(|t| syntect::html::css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default();
        compact_of(&css)
    })
}

/// [`Compact`] from one of syntect's stylesheets (only descendant combinators).
fn compact_of(css: &str) -> Compact {
    let mut c = Compact {
        atom: Default::default(),
        short: Vec::new(),
        selectors: Vec::new(),
        css: String::new(),
    };
    for rule in css.split_inclusive('}') {
        let (Some(open), Some(close)) = (rule.find('{'), rule.rfind('}')) else {
            continue;
        };
        // Drop the generator's comment in front of the first rule.
        let selectors = rule[..open].rsplit("*/").next().unwrap_or("");
        let mut written = Vec::new();
        for sel in selectors.split(',') {
            let mut parts = Vec::new();
            let mut masks = Vec::new();
            for compound in sel.split_whitespace() {
                let mut mask = 0u128;
                let mut part = String::new();
                for class in compound.split('.').filter(|c| !c.is_empty()) {
                    let next = c.atom.len() as u32;
                    let k = *c.atom.entry(class.to_string()).or_insert_with(|| {
                        c.short.push(format!("hl{}", base36(next)));
                        next
                    });
                    assert!(k < 128, "the highlighting theme names under 128 classes");
                    mask |= 1 << k;
                    part.push('.');
                    part.push_str(&c.short[k as usize]);
                }
                masks.push(mask);
                parts.push(part);
            }
            if !masks.is_empty() && !c.selectors.contains(&masks) {
                c.selectors.push(masks);
            }
            written.push(parts.join(" "));
        }
        let decls: Vec<String> = rule[open + 1..close]
            .split(';')
            .map(|d| d.trim().replacen(": ", ":", 1))
            .filter(|d| !d.is_empty())
            .collect();
        if !c.css.is_empty() {
            c.css.push('\n');
        }
        c.css
            .push_str(&format!("{}{{{}}}", written.join(","), decls.join(";")));
    }
    c
}

/// `n` in base 36 with lowercase letters.
fn base36(mut n: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_digit(n % 36, 36).unwrap_or('0'));
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

/// A mask of the indexes of syntect's `classes`.
#[cfg(test)]
fn mask_of(c: &Compact, classes: &str) -> u128 {
    classes
        .split_ascii_whitespace()
        .filter_map(|class| c.atom.get(class))
        .fold(0, |m, &k| m | 1 << k)
}

/// The short classes of a mask of indexes.
fn short_classes(c: &Compact, mask: u128) -> String {
    let mut out = String::new();
    for (k, short) in c.short.iter().enumerate() {
        if mask & (1 << k) != 0 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(short);
        }
    }
    out
}

/// A piece of syntect's highlighted HTML.
enum Piece<'a> {
    /// An opening span, by its index among the spans.
    Open(usize),
    Close,
    Text(&'a str),
}

/// Highlighted HTML (syntect's spans and escaped text) with short classes, keeping of
/// each span only the classes that take part in a match of a selector of the stylesheet:
/// those of the compound selector a selector matching the span ends with, and those of
/// the ancestors that selector's other compounds matched. Every selector is compound
/// selectors joined by descendant combinators, so each span matches exactly the selectors
/// it matched before and the code looks the same. A span left with no class is left out
/// (its text kept), and a span right after a closed one with the same classes continues it.
#[cfg(test)]
fn compact_spans(html: &str) -> String {
    let c = compact();
    // Each span's parent and classes, and the pieces in order.
    let mut spans: Vec<(Option<usize>, u128)> = Vec::new();
    let mut pieces = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let at = rest.find('<').unwrap_or(rest.len());
        if at > 0 {
            pieces.push(Piece::Text(&rest[..at]));
            rest = &rest[at..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("</span>") {
            rest = after;
            open.pop();
            pieces.push(Piece::Close);
        } else if let Some((classes, after)) = rest
            .strip_prefix("<span class=\"")
            .and_then(|r| r.split_once("\">"))
        {
            rest = after;
            spans.push((open.last().copied(), mask_of(c, classes)));
            open.push(spans.len() - 1);
            pieces.push(Piece::Open(spans.len() - 1));
        } else {
            // Text is escaped: any other `<` would be syntect's; keep it as it is.
            pieces.push(Piece::Text(&rest[..1]));
            rest = &rest[1..];
        }
    }
    let keep = kept_classes(c, &spans);
    write_spans(c, &pieces, &keep, false, html.len() / 2)
}

/// The classes each span keeps (see [`compact_spans`]), from each span's parent and
/// classes. For a descendant-only selector, matching each compound at the nearest
/// ancestor that has it finds a match whenever there is one.
fn kept_classes(c: &Compact, spans: &[(Option<usize>, u128)]) -> Vec<u128> {
    let mut keep = vec![0u128; spans.len()];
    for (n, &(parent, have)) in spans.iter().enumerate() {
        for sel in &c.selectors {
            let Some((&subject, before)) = sel.split_last() else {
                continue;
            };
            if subject & have != subject {
                continue;
            }
            let mut witnesses = Vec::new();
            let mut up = parent;
            let matched = before.iter().rev().all(|&compound| {
                while let Some(a) = up {
                    up = spans[a].0;
                    if compound & spans[a].1 == compound {
                        witnesses.push((a, compound));
                        return true;
                    }
                }
                false
            });
            if matched {
                keep[n] |= subject;
                for (a, compound) in witnesses {
                    keep[a] |= compound;
                }
            }
        }
    }
    keep
}

/// Writes the pieces with each span's kept classes: a span left with no class is left
/// out (its text kept), and a span right after a closed one with the same classes
/// continues it. Text is escaped as syntect escapes it when `escape_text`.
fn write_spans(
    c: &Compact,
    pieces: &[Piece<'_>],
    keep: &[u128],
    escape_text: bool,
    capacity: usize,
) -> String {
    let mut out = String::with_capacity(capacity);
    // For each open span of the input: the classes written for it, if it was written.
    let mut written: Vec<Option<u128>> = Vec::new();
    // The classes of the span just closed in `out`, while nothing follows it.
    let mut closed: Option<u128> = None;
    for piece in pieces {
        match *piece {
            Piece::Text(t) => {
                if escape_text {
                    push_code_escaped(&mut out, t);
                } else {
                    out.push_str(t);
                }
                closed = None;
            }
            Piece::Close => {
                if let Some(mask) = written.pop().flatten() {
                    out.push_str("</span>");
                    closed = Some(mask);
                }
            }
            Piece::Open(n) => {
                let mask = keep[n];
                if mask == 0 {
                    written.push(None);
                } else if closed == Some(mask) {
                    out.truncate(out.len() - "</span>".len());
                    closed = None;
                    written.push(Some(mask));
                } else {
                    out.push_str("<span class=\"");
                    out.push_str(&short_classes(c, mask));
                    out.push_str("\">");
                    closed = None;
                    written.push(Some(mask));
                }
            }
        }
    }
    out
}

/// Appends code text escaped as syntect's HTML writer escapes it (`< > & ' "`), so that
/// highlighted blocks read as they did.
fn push_code_escaped(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'\'' => "&#39;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Escapes text for HTML text and quoted attributes (`& < > " '`). Tera's own escaper
/// writes `/` as `&#x2F;`, which no quoted attribute needs and which made every link
/// 10 % longer; templates use [`escape_to`], the same escaping. pulldown-cmark's escaper
/// writes the same five entities as ours did and finds them with SIMD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// [`escape`] for Tera 2, writing into its output.
pub fn escape_to(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    pulldown_cmark_escape::escape_html(pulldown_cmark_escape::IoWriter(out), s)
}

/// The highlighting stylesheet split for [`highlight_css_for`]: each class its bit, each
/// rule its selectors as class masks.
struct Rules {
    /// Keyed with aHash: every highlighted span's classes are looked up here.
    class_bit: ahash::AHashMap<Vec<u8>, u32>,
    /// (the masks of the rule's alternative selectors, the rule's text)
    rules: Vec<(Vec<u128>, String)>,
}

fn css_rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let css = highlight_css();
        let mut class_bit: ahash::AHashMap<Vec<u8>, u32> = Default::default();
        let mut rules = Vec::new();
        for rule in css.split_inclusive('}') {
            let Some(open) = rule.find('{') else {
                continue;
            };
            let selectors = &rule[..open];
            // Drop the generator's comment in front of the first rule.
            let selectors = selectors.rsplit("*/").next().unwrap_or(selectors);
            let mut masks = Vec::new();
            for sel in selectors.split(',') {
                let mut mask = 0u128;
                for class in sel
                    .split(|c: char| c == '.' || c.is_whitespace())
                    .filter(|c| !c.is_empty())
                {
                    let next = class_bit.len() as u32;
                    let bit = *class_bit.entry(class.as_bytes().to_vec()).or_insert(next);
                    // More classes than bits: such a selector is always kept.
                    if bit < 128 {
                        mask |= 1 << bit;
                    }
                }
                masks.push(mask);
            }
            rules.push((masks, format!("{}{}", selectors.trim(), &rule[open..])));
        }
        Rules { class_bit, rules }
    })
}

/// The rules of [`highlight_css`] that can match an element of `html` (every class of
/// some selector is used in it): printed documents inline their CSS, and the whole
/// stylesheet would be most of a short report's bytes.
pub fn highlight_css_for(html: &[u8]) -> String {
    let mut classes = HighlightClasses::default();
    classes.scan(html);
    classes.css()
}

/// The highlighting classes used by some HTML, gathered over one or more bodies.
#[derive(Debug, Default, Clone, Copy)]
pub struct HighlightClasses(u128);

impl HighlightClasses {
    /// Adds the classes of another body.
    pub fn add(&mut self, other: HighlightClasses) {
        self.0 |= other.0;
    }

    /// Adds the classes of the highlighted spans in `html`.
    pub fn scan(&mut self, html: &[u8]) {
        let rules = css_rules();
        // Highlighted spans list only prefixed classes, the first right after the quote:
        // searching for that skips every other class attribute of the document.
        const OPEN: &[u8] = b"class=\"hl";
        let finder = memchr::memmem::Finder::new(OPEN);
        let mut rest = html;
        while let Some(i) = finder.find(rest) {
            rest = &rest[i + OPEN.len() - 2..];
            let end = memchr::memchr(b'"', rest).unwrap_or(rest.len());
            for class in rest[..end].split(u8::is_ascii_whitespace) {
                if let Some(&bit) = rules.class_bit.get(class) {
                    if bit < 128 {
                        self.0 |= 1 << bit;
                    }
                }
            }
            rest = &rest[end..];
        }
    }

    /// The rules of [`highlight_css`] that can match these classes.
    pub fn css(self) -> String {
        let used = self.0;
        if used == 0 {
            return String::new();
        }
        // Documents with the same classes (the same few languages) get the same rules.
        thread_local! {
            static DONE: std::cell::RefCell<std::collections::HashMap<u128, String>> =
                Default::default();
        }
        DONE.with(|done| {
            done.borrow_mut()
                .entry(used)
                .or_insert_with(|| {
                    css_rules()
                        .rules
                        .iter()
                        .filter(|(alts, _)| alts.iter().any(|m| m & used == *m))
                        .map(|(_, text)| text.as_str())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .clone()
        })
    }
}

/// The stylesheet for highlighted code, light theme, with the short classes of
/// [`compact_spans`].
pub fn highlight_css() -> String {
    // Loading syntect's themes is costly; the theme, every document and every packet part
    // printed by `gen pdf` ask for the same stylesheet.
    compact().css.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_headings_get_anchors() {
        let r = render(
            "## 発生原因\n\n## 発生原因\n\n## Q&A 1\n",
            &|_| None,
            Lang::Ja,
        );
        assert!(
            r.html.contains("<h2 id=\"発生原因\">発生原因</h2>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h2 id=\"発生原因-1\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"qa-1\">"), "{}", r.html);
        let r = render("## Summary\n", &|_| None, Lang::Ja);
        assert!(
            r.html.contains("<h2 id=\"summary-1\">"),
            "template ids are reserved: {}",
            r.html
        );
    }

    #[test]
    fn a_link_whose_text_is_its_address_is_marked() {
        let r = render(
            "<https://a.example/x?q=1&r=2> [https://b.example/](https://b.example/ \"B\") [text](https://c.example/) [https://d.example/ *more*](https://d.example/) [https://e.example/](https://f.example/)\n",
            &|_| None,
            Lang::Ja,
        );
        assert_eq!(
            r.html,
            "<p><a href=\"https://a.example/x?q=1&amp;r=2\" class=\"url\">https://a.example/x?q=1&amp;r=2</a> \
             <a href=\"https://b.example/\" title=\"B\" class=\"url\">https://b.example/</a> \
             <a href=\"https://c.example/\">text</a> \
             <a href=\"https://d.example/\">https://d.example/ <em>more</em></a> \
             <a href=\"https://f.example/\">https://e.example/</a></p>\n"
        );
    }

    #[test]
    fn links_that_climb_out_of_the_site_are_caught() {
        assert!(!escapes_root("../2017-07-03-jcom.md", 3));
        assert!(!escapes_root("../../../config.toml", 3));
        assert!(escapes_root("../../../../etc/passwd", 3));
        assert!(
            !escapes_root("/causes/", 3),
            "root-absolute URLs are URLs, not files"
        );
        assert!(!escapes_root("https://example.org/../../..", 3));
        assert!(!escapes_root("diagram.png", 3));
    }

    #[test]
    fn code_is_highlighted_and_unknown_languages_fall_back() {
        let r = render(
            "```toml\nx = 1\n```\n\n```nosuchlang\n<b>\n```\n",
            &|_| None,
            Lang::Ja,
        );
        // Only the spans a rule of the stylesheet can match, with short classes.
        assert!(
            r.html.contains(
                "<code><span class=\"hlk hll hlq\">x</span> = <span class=\"hla hlb\">1</span>\n</code>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                "<pre class=\"code\" data-lang=\"nosuchlang\"><code>&lt;b&gt;\n</code></pre>"
            ),
            "{}",
            r.html
        );
    }

    #[test]
    fn printed_documents_carry_only_the_highlighting_rules_they_use() {
        let r = render("```toml\nx = \"a\"\n```\n", &|_| None, Lang::Ja);
        let css = highlight_css_for(r.html.as_bytes());
        // `.hl2` is syntect's `.hl-string`.
        assert_eq!(css, ".hl2{color:#183691}\n.hlk.hll.hlq{color:#63a35c}");
        assert!(css.len() < highlight_css().len() / 3, "{} bytes", css.len());
        assert_eq!(highlight_css_for(b"<p class=\"note\">no code</p>"), "");
    }

    #[test]
    fn a_body_knows_its_highlighting_classes() {
        let r = render("text\n\n```bash\nls -l\n```\n", &|_| None, Lang::Ja);
        assert_eq!(
            r.classes.css(),
            ".hlf{color:#323232}\n.hlf.hlp{color:#323232}"
        );
        assert_eq!(r.classes.css(), highlight_css_for(r.html.as_bytes()));
        // Raw HTML may carry classes of its own; sanitizing keeps class attributes.
        let raw = "<span class=\"hl2\">x</span>\n\n```json\n1\n```\n";
        let r = render_body(raw, &|_| None, false, Lang::Ja);
        assert_eq!(
            r.classes.css(),
            ".hl2{color:#183691}\n.hla.hlb{color:#0086b3}"
        );
        assert_eq!(r.classes.css(), highlight_css_for(r.html.as_bytes()));
    }

    #[test]
    fn escaping_keeps_slashes_and_multibyte_text() {
        assert_eq!(
            escape("../a/b <c> & \"d\" 'e' 障害"),
            "../a/b &lt;c&gt; &amp; &quot;d&quot; &#39;e&#39; 障害"
        );
        assert_eq!(escape("影響利用者数"), "影響利用者数");
    }

    /// The style each character of highlighted code gets from a stylesheet: the
    /// declarations of every rule matching it or an ancestor, innermost and most
    /// specific last (color and fonts inherit; an inner background paints over).
    fn styles(html: &str, css: &str) -> Vec<Vec<(String, String)>> {
        // (specificity, order, compounds as class lists, declarations)
        let mut rules = Vec::new();
        for (order, rule) in css.split_inclusive('}').enumerate() {
            let Some(open) = rule.find('{') else { continue };
            let decls: Vec<(String, String)> = rule[open + 1..rule.len() - 1]
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect();
            for sel in rule[..open].rsplit("*/").next().unwrap().split(',') {
                let compounds: Vec<Vec<&str>> = sel
                    .split_whitespace()
                    .map(|c| c.split('.').filter(|x| !x.is_empty()).collect())
                    .collect();
                let spec = compounds.iter().map(Vec::len).sum::<usize>();
                rules.push((spec, order, compounds, decls.clone()));
            }
        }
        rules.sort_by_key(|r| (r.0, r.1));
        let matches = |chain: &[Vec<&str>], compounds: &[Vec<&str>]| {
            let (subject, before) = compounds.split_last().unwrap();
            let has = |el: &Vec<&str>, c: &Vec<&str>| c.iter().all(|x| el.contains(x));
            if !has(chain.last().unwrap(), subject) {
                return false;
            }
            let mut up = chain.len() - 1;
            before.iter().rev().all(|c| {
                while up > 0 {
                    up -= 1;
                    if has(&chain[up], c) {
                        return true;
                    }
                }
                false
            })
        };
        let mut out = Vec::new();
        let mut chain: Vec<Vec<&str>> = Vec::new();
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("</span>") {
                chain.pop();
                rest = after;
            } else if let Some((classes, after)) = rest
                .strip_prefix("<span class=\"")
                .and_then(|r| r.split_once("\">"))
            {
                chain.push(classes.split_whitespace().collect());
                rest = after;
            } else {
                let mut style: Vec<(String, String)> = Vec::new();
                for depth in 1..=chain.len() {
                    for (_, _, compounds, decls) in &rules {
                        if matches(&chain[..depth], compounds) {
                            for (k, v) in decls {
                                style.retain(|(k2, _)| k2 != k);
                                style.push((k.clone(), v.clone()));
                            }
                        }
                    }
                }
                style.sort();
                out.push(style);
                rest = &rest[rest.chars().next().unwrap().len_utf8()..];
            }
        }
        out
    }

    /// Code in many languages, for the highlighting tests.
    const HIGHLIGHT_SAMPLES: &[(&str, &str)] = &[
        ("toml", "[server]\nport = 8080 # comment\nname = \"a\\tb\"\nlist = [1, 2.5, true]\n"),
        ("bash", "ip route show table main\nfor f in *.log; do grep -c \"ERROR $f\" \"$f\" | sort -n; done\nexport A=$(date +%s) # now\n"),
        ("json", "{\"a\": [1, \"b\", null, {\"c\": false}]}\n"),
        // Deep objects and regular expressions meet the stylesheet's descendant rules.
        ("json", "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": \"g\"}}}}}}\n"),
        ("js", "const r = /[a-z]+\\d/g; function f(a) { return a.replace(r, `x${a}`); }\n"),
        ("css", "a:hover { color: #fff; margin: 0 auto; }\n"),
        ("html", "<a href=\"x\" class='y'>t &amp; u</a><!-- c -->\n"),
        ("markdown", "# T\n\n[link](https://e.org) ![i](x.png) `c` **b**\n"),
        ("yaml", "key: value\nlist:\n  - 1\n  - \"two\" # c\n"),
        ("python", "import re\ndef f(x: int) -> str:\n    return re.sub(r\"[a-z]+\", '', f\"{x}\")  # c\n"),
        ("rust", "fn main() { let x: u8 = 0x1f; println!(\"{x}\"); }\n"),
        ("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n"),
        ("sql", "SELECT a, COUNT(*) FROM t WHERE b = 'x' GROUP BY a;\n"),
    ];

    /// syntect's own HTML for `code`: every atom of every scope as a class.
    fn generator_html(code: &str, lang: &str) -> String {
        let syntax = syntax_for(lang).unwrap();
        let mut gen = syntect::html::ClassedHTMLGenerator::new_with_class_style(
            syntax,
            syntaxes(),
            CLASS_STYLE,
        );
        for line in LinesWithEndings::from(code) {
            gen.parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        gen.finalize()
    }

    /// What the highlighting wrote before [`highlight_spans`]: syntect's HTML generator,
    /// then [`compact_spans`].
    fn through_the_generator(code: &str, lang: &str) -> String {
        compact_spans(&generator_html(code, lang))
    }

    #[test]
    fn direct_highlighting_writes_what_the_generator_did() {
        let mut cases: Vec<(String, String)> = HIGHLIGHT_SAMPLES
            .iter()
            .map(|(l, c)| (l.to_string(), c.to_string()))
            .collect();
        // Every fenced block of the shipped content.
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        for e in walkdir::WalkDir::new(content) {
            let e = e.unwrap();
            if e.path().extension().is_some_and(|x| x == "md") {
                let text = std::fs::read_to_string(e.path()).unwrap();
                for block in text.split("\n```").skip(1).step_by(2) {
                    if let Some((lang, code)) = block.split_once('\n') {
                        if syntax_for(lang.trim()).is_some() {
                            cases.push((lang.trim().to_string(), format!("{code}\n")));
                        }
                    }
                }
            }
        }
        // Scrambled code: quotes, brackets and escapes cut anywhere, over lines.
        let bits = [
            "\"", "'", "{", "}", "[", "]", "(", ")", "#", "//", "/*", "*/", "\\", "\n", "<", ">",
            "&", "=", " ", "x", "1", "$", "`", ":", "-",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for lang in [
            "toml", "bash", "json", "yaml", "js", "python", "rust", "html", "sql", "css",
        ] {
            for _ in 0..40 {
                let mut code = String::new();
                for _ in 0..60 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    code.push_str(bits[(seed % bits.len() as u64) as usize]);
                }
                cases.push((lang.to_string(), code));
            }
        }
        assert!(cases.len() > 400);
        for (lang, code) in cases {
            let syntax = syntax_for(&lang).unwrap();
            let direct = highlight_spans(&code, syntax, syntaxes()).unwrap();
            assert_eq!(
                direct,
                through_the_generator(&code, &lang),
                "{lang}: {code:?}"
            );
        }
    }

    #[test]
    fn short_highlighting_classes_style_every_character_as_syntect_did() {
        let themes = syntect::highlighting::ThemeSet::load_defaults();
        let theme = &themes.themes["InspiredGitHub"];
        let full_css = syntect::html::css_for_theme_with_class_style(theme, CLASS_STYLE).unwrap();
        for &(lang, code) in HIGHLIGHT_SAMPLES {
            let full = generator_html(code, lang);
            let short = compact_spans(&full);
            assert!(short.len() < full.len() * 3 / 4, "{lang}: {short}");
            assert_eq!(
                styles(&short, &highlight_css()),
                styles(&full, &full_css),
                "{lang}: {full}\n{short}"
            );
        }
    }

    #[test]
    fn every_id_the_default_templates_write_is_reserved() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for part in text.split(" id=\"").skip(1) {
                let id = part.split('"').next().unwrap_or("");
                // Ids made from data ({{ h.id }}) are a body's own.
                if !id.contains('{') && !RESERVED_IDS.contains(&id) {
                    missing.push(format!("{}: {id}", path.display()));
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new());
    }
}
