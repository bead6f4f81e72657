//! Markdown to HTML: CommonMark plus tables, footnotes, strikethrough and task lists;
//! heading anchors that work for Japanese; fenced code highlighted into CSS classes.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::Lang;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The class prefix of highlighted tokens, shared with the emitted stylesheet.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    // bat's syntax set (two-face): the defaults lack TOML, which postmortems quote often.
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Element ids of the default templates, never given to a body heading.
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
    /// Every link and image target with its byte range in the markdown.
    pub links: Vec<(std::ops::Range<usize>, String)>,
    /// The highlighting classes the HTML uses, for documents that carry only the rules
    /// they need.
    pub classes: HighlightClasses,
}

/// Renders a markdown body. `rewrite` maps link targets (e.g. `../incidents/x.md`).
/// Raw HTML in the markdown is sanitized unless `trust_html`.
pub fn render_body(
    text: &str,
    rewrite: &dyn Fn(&str) -> Option<String>,
    trust_html: bool,
    lang: Lang,
) -> Rendered {
    let mut r = render(text, rewrite, lang);
    if r.has_raw_html && !trust_html {
        r.html = sanitize(&r.html);
        r.classes = HighlightClasses::default();
        r.classes.scan(r.html.as_bytes());
    }
    r
}

/// The allow-list for raw HTML in bodies: ammonia's defaults (tables, details/summary,
/// sup/sub, kbd, img with http(s)/relative src; no script, no event handlers, no
/// `javascript:` URLs) plus what our own markdown output uses.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class", "data-lang"])
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .link_rel(None);
        b
    })
}

/// Sanitizes rendered HTML with the body allow-list.
pub fn sanitize(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

/// Renders markdown without sanitizing (see [`render_body`]).
pub fn render(text: &str, rewrite: &dyn Fn(&str) -> Option<String>, lang: Lang) -> Rendered {
    // Wide tables scroll in a focusable box; screen readers announce it by this name.
    let table_label = match lang {
        Lang::Ja => "表（横にスクロールできます）",
        Lang::En => "Table (scrolls sideways)",
    };
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let (events, ranges): (Vec<Event<'_>>, Vec<std::ops::Range<usize>>) =
        Parser::new_ext(text, opts).into_offset_iter().unzip();
    let links: Vec<(std::ops::Range<usize>, String)> = events
        .iter()
        .zip(&ranges)
        .filter_map(|(e, r)| match e {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => Some((r.clone(), dest_url.to_string())),
            _ => None,
        })
        .collect();
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut headings = Vec::new();
    // Ids the templates use around the body; a body heading gets a suffix instead.
    let mut used: HashMap<String, usize> = RESERVED_IDS
        .iter()
        .map(|id| ((*id).to_string(), 1))
        .collect();
    let has_raw_html = events
        .iter()
        .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    let mut classes = HighlightClasses::default();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                // Gather the heading's text to make its anchor.
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        text.push_str(t);
                    }
                    j += 1;
                }
                let base = id.as_ref().map_or_else(|| anchor(&text), |s| s.to_string());
                let n = used.entry(base.clone()).or_insert(0);
                let unique = if *n == 0 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                };
                *n += 1;
                headings.push(Heading {
                    level: level_num(*level),
                    id: unique.clone(),
                    text,
                });
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(unique)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                i += 1;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::CodeBlock)) {
                    if let Event::Text(t) = &events[j] {
                        code.push_str(t);
                    }
                    j += 1;
                }
                let block = highlight(&code, &lang);
                // Scanning each block now spares scanning whole documents later (a body
                // with raw HTML is scanned whole below).
                if !has_raw_html {
                    classes.scan(block.as_bytes());
                }
                out.push(Event::Html(CowStr::from(block)));
                i = j + 1;
            }
            // Wide tables scroll in their own box on phones; the box takes keyboard focus so
            // the hidden part can be reached without a mouse.
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-scroll\" tabindex=\"0\" role=\"group\" aria-label=\"{table_label}\">"
                ))));
                out.push(events[i].clone());
                i += 1;
            }
            Event::End(TagEnd::Table) => {
                out.push(events[i].clone());
                out.push(Event::Html(CowStr::from("</div>")));
                i += 1;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = rewrite(dest_url).map_or_else(|| dest_url.clone(), CowStr::from);
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                }));
                i += 1;
            }
            e => {
                out.push(e.clone());
                i += 1;
            }
        }
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    if has_raw_html {
        // Raw HTML may use highlighting classes of its own.
        classes.scan(html.as_bytes());
    }
    Rendered {
        html,
        headings,
        has_raw_html,
        links,
        classes,
    }
}

fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

/// Whether a relative link, followed from a folder `depth` levels below the site root,
/// climbs out of the site (`../../../etc/passwd` from `content/incidents/`).
pub fn escapes_root(dest: &str, depth: usize) -> bool {
    if dest.contains(':') || dest.starts_with('#') {
        // A URL with a scheme (https:, mailto:) or a fragment: not a file path.
        return false;
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    let mut level = depth as isize;
    for part in path.split(['/', '\\']) {
        match part {
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

/// Highlights code into `<pre><code>` with classes; an unknown language is plain text.
pub fn highlight(code: &str, lang: &str) -> String {
    let ss = syntaxes();
    let syntax = (!lang.is_empty()).then(|| syntax_for(lang)).flatten();
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape(lang))
    };
    let Some(syntax) = syntax else {
        return format!(
            "<pre class=\"code\"{lang_attr}><code>{}</code></pre>\n",
            escape(code)
        );
    };
    let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, ss, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if gen
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return format!(
                "<pre class=\"code\"{lang_attr}><code>{}</code></pre>\n",
                escape(code)
            );
        }
    }
    format!(
        "<pre class=\"code\"{lang_attr}><code>{}</code></pre>\n",
        gen.finalize()
    )
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
            rules.push((masks, format!("{} {}", selectors.trim(), &rule[open..])));
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
        const OPEN: &[u8] = b"class=\"hl-";
        let finder = memchr::memmem::Finder::new(OPEN);
        let mut rest = html;
        while let Some(i) = finder.find(rest) {
            rest = &rest[i + OPEN.len() - 3..];
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

/// The stylesheet for highlighted code, light theme.
pub fn highlight_css() -> String {
    // Loading syntect's themes is costly; the theme, every document and every packet part
    // printed by `gen pdf` ask for the same stylesheet.
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = syntect::highlighting::ThemeSet::load_defaults();
        themes
            .themes
            .get("InspiredGitHub")
            .and_then(|t| syntect::html::css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default()
    })
    .clone()
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
        assert!(r.html.contains("hl-"), "{}", r.html);
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
        assert!(css.contains(".hl-string {\n color: #183691;\n}"), "{css}");
        // Rules for classes that never occur are left out.
        assert!(!css.contains(".hl-invalid"), "{css}");
        assert!(css.len() < highlight_css().len() / 3, "{} bytes", css.len());
        assert_eq!(highlight_css_for(b"<p class=\"note\">no code</p>"), "");
    }

    #[test]
    fn a_body_knows_its_highlighting_classes() {
        let r = render("text\n\n```bash\nls -l\n```\n", &|_| None, Lang::Ja);
        assert!(r.classes.css().contains(".hl-"), "{}", r.classes.css());
        assert_eq!(r.classes.css(), highlight_css_for(r.html.as_bytes()));
        // Raw HTML may carry classes of its own; sanitizing keeps class attributes.
        let raw = "<span class=\"hl-string\">x</span>\n\n```json\n1\n```\n";
        let r = render_body(raw, &|_| None, false, Lang::Ja);
        assert!(
            r.classes.css().contains(".hl-string"),
            "{}",
            r.classes.css()
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
}
