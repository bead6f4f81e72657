//! What a body cannot make gen publish: script through markdown links or heading
//! attributes, local files in printed reports, CSS that leaves its string, placeholders
//! that match user text; and how long a body may keep gen busy.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use gen::model::Lang;
use gen::render::markdown::{self, render_body, Refusal};
use gen::BuildOptions;

mod common;
use common::{read, site, site_with_config, tree, write, CONFIG, HEAD};

/// Every file of the output, by path under output/, as text.
fn published(dir: &Path) -> Vec<(String, String)> {
    tree(&dir.join("output"))
        .files()
        .map(|(path, bytes)| {
            (
                path.display().to_string(),
                String::from_utf8_lossy(bytes).into_owned(),
            )
        })
        .collect()
}

/// The content errors of a build that must fail, as `line:col code message`.
fn errors(dir: &Path) -> Vec<String> {
    match gen::build(&BuildOptions::new(dir)) {
        Err(gen::Error::Content(diags)) => diags
            .iter()
            .map(|d| {
                let (line, col) = d.line_col();
                format!("{line}:{col} {} {}", d.code, d.message)
            })
            .collect(),
        Err(e) => panic!("expected content errors, got {e}"),
        Ok(_) => panic!("expected content errors, but the build passed"),
    }
}

fn body(text: &str, trust_html: bool) -> markdown::Rendered {
    render_body(text, &|_| None, trust_html, Lang::Ja)
}

/// Links and images with a scheme gen must not publish, one per line from line 7, a
/// footnote's on line 21 (column 7).
const UNSAFE_LINKS: &str = "[a](javascript:alert(1))
[b](JaVaScRiPt:alert(1))
[c](vbscript:msgbox(1))
[d](data:text/html;base64,PHNjcmlwdD4=)
<javascript:alert(1)>
[e](&#106;avascript:alert(1))
[f](java&#9;script:alert(1))
[g](%6Aavascript:alert(1))
[h][r]
![i](javascript:alert(1))
[j](<\u{1}javascript:alert(1)>)
[k]( javascript:alert(1) \"title\")
x[^1]

[^1]: [l](file:///etc/passwd)

[r]: <java\tscript:alert(1)>
";

#[test]
fn links_and_images_with_unsafe_schemes_are_refused_with_located_errors() {
    for config in ["", "unsafe_html = true\n"] {
        let dir = site(&[("content/incidents/a.md", &format!("{HEAD}{UNSAFE_LINKS}"))]);
        write(dir.path(), "config.toml", format!("{CONFIG}{config}"));
        let found = errors(dir.path());
        let link = |n: usize, col: usize, what: &str, dest: &str, scheme: &str| {
            format!("{n}:{col} unsafe-link the {what} \"{dest}\" uses the scheme \"{scheme}:\", which gen does not publish")
        };
        assert_eq!(
            found,
            vec![
                link(7, 1, "link", "javascript:alert(1)", "javascript"),
                link(8, 1, "link", "JaVaScRiPt:alert(1)", "javascript"),
                link(9, 1, "link", "vbscript:msgbox(1)", "vbscript"),
                link(10, 1, "link", "data:text/html;base64,PHNjcmlwdD4=", "data"),
                link(11, 1, "link", "javascript:alert(1)", "javascript"),
                link(12, 1, "link", "javascript:alert(1)", "javascript"),
                link(13, 1, "link", "java\\tscript:alert(1)", "javascript"),
                link(14, 1, "link", "%6Aavascript:alert(1)", "javascript"),
                link(15, 1, "link", "java\\tscript:alert(1)", "javascript"),
                link(16, 1, "image", "javascript:alert(1)", "javascript"),
                link(17, 1, "link", "\\u{1}javascript:alert(1)", "javascript"),
                link(18, 1, "link", "javascript:alert(1)", "javascript"),
                link(21, 7, "link", "file:///etc/passwd", "file"),
            ],
            "with config {config:?}"
        );
    }
}

#[test]
fn a_refused_link_keeps_its_text_and_never_publishes_its_url() {
    for trust in [false, true] {
        let r = body(UNSAFE_LINKS, trust);
        // The footnote's link is the only one left.
        assert_eq!(r.html.matches("href=").count(), 1, "{}", r.html);
        assert!(r.html.contains("<a href=\"#fn-1\">1</a>"), "{}", r.html);
        for bad in ["src", "vbscript", "data:", "file:", "PHNjcmlwdD4", "<img"] {
            assert!(!r.html.to_lowercase().contains(bad), "{bad} in {}", r.html);
        }
        // Only an autolink's text shows its URL, as text.
        assert_eq!(r.html.to_lowercase().matches("javascript").count(), 1);
        assert!(r.html.contains("\njavascript:alert(1)\n"), "{}", r.html);
        for text in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"] {
            assert!(
                r.html.contains(&format!("{text}\n")),
                "{text} in {}",
                r.html
            );
        }
        assert!(r.html.contains("<p>l</p>"), "{}", r.html);
        assert_eq!(r.refused.len(), 13);
    }
}

#[test]
fn safe_links_are_published_as_written() {
    let text = "[w](https://example.org/a?b=c#d) [m](mailto:a@example.org) [t](tel:+81-3-0000-0000) \
                [f](#x) [r](diagram.png) [p](//example.org/x) <https://example.org/> ![i](figure.png)\n";
    let r = body(text, false);
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert_eq!(
        r.html,
        "<p><a href=\"https://example.org/a?b=c#d\">w</a> <a href=\"mailto:a@example.org\">m</a> \
         <a href=\"tel:+81-3-0000-0000\">t</a> <a href=\"#x\">f</a> <a href=\"diagram.png\">r</a> \
         <a href=\"//example.org/x\">p</a> <a href=\"https://example.org/\" class=\"url\">https://example.org/</a> \
         <img src=\"figure.png\" alt=\"i\" /></p>\n"
    );
}

#[test]
fn raw_html_links_keep_only_the_safe_schemes() {
    let r = body(
        "<a href=\"https://example.org/\">ok</a> <a href=\"ftp://example.org/\">ftp</a> \
         <a href=\"JaVa&#x53;cript:alert(1)\">js</a> <img src=\"data:image/svg+xml,x\">\n",
        false,
    );
    assert_eq!(
        r.html,
        "<p><a href=\"https://example.org/\">ok</a> <a>ftp</a> <a>js</a> <img></p>\n"
    );
}

#[test]
fn heading_attributes_other_than_id_and_class_are_refused() {
    let dir = site(&[(
        "content/incidents/a.md",
        &format!(
            "{HEAD}## T {{autofocus tabindex=0 onfocus=alert(1)}}\n\n## U {{#main .note .x:y}}\n"
        ),
    )]);
    assert_eq!(
        errors(dir.path()),
        vec![
            "7:1 unsafe-heading-attribute the heading attribute \"autofocus\" is not published",
            "7:1 unsafe-heading-attribute the heading attribute \"tabindex\" is not published",
            "7:1 unsafe-heading-attribute the heading attribute \"onfocus\" is not published",
            "9:1 unsafe-heading-attribute the heading class \"x:y\" may hold only letters, digits, - and _",
        ]
    );
    let r = body(
        "## T {autofocus tabindex=0 onfocus=alert(1)}\n\n## U {#main .note .x:y}\n\n## V {#a.b}\n",
        false,
    );
    // A template's id (`main`) gets a suffix, as for any heading.
    assert_eq!(
        r.html,
        "<h2 id=\"t\">T</h2>\n<h2 id=\"main-1\" class=\"note\">U</h2>\n<h2 id=\"v\">V</h2>\n"
    );
    assert_eq!(r.refused.len(), 5, "{:?}", r.refused);
    assert_eq!(
        r.refused[4].message,
        "the heading id \"a.b\" may hold only letters, digits, - and _"
    );
}

#[test]
fn footnotes_do_not_take_the_templates_ids() {
    let r = body("a[^main]\n\n[^main]: note\n", false);
    assert_eq!(
        r.html,
        "<p>a<sup class=\"footnote-reference\"><a href=\"#fn-main\">1</a></sup></p>\n\
         <div class=\"footnote-definition\" id=\"fn-main\"><sup class=\"footnote-definition-label\">1</sup>\n<p>note</p>\n</div>\n"
    );
}

#[test]
fn links_that_climb_out_percent_encoded_are_refused() {
    let dir = site(&[(
        "content/incidents/a.md",
        &format!(
            "{HEAD}[x](%2e%2e/%2E%2e/%2e%2e/etc/passwd)\n![y](..%2f..%5c..%252f/etc/shadow)\n"
        ),
    )]);
    assert_eq!(
        errors(dir.path()),
        vec![
            "7:1 link-outside-site the link \"%2e%2e/%2E%2e/%2e%2e/etc/passwd\" points outside the site",
            "8:1 link-outside-site the link \"..%2f..%5c..%252f/etc/shadow\" points outside the site",
        ]
    );
}

/// `s` as standard base64, the way reports embed images.
fn base64(s: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn reports_and_packets_embed_only_images_inside_the_incident_folder() {
    let secret = b"TOP-SECRET-FILE-CONTENTS";
    let image = b"PNG-IMAGE-BESIDE-THE-INCIDENT";
    let dir = site_with_config(&format!("{CONFIG}incident_reports = true\n"), &[]);
    let outside = dir.path().join("outside/secret.png");
    write(dir.path(), "outside/secret.png", secret);
    fs::write(dir.path().join("content/secret.png"), secret).ok();
    write(dir.path(), "content/secret.png", "TOP-SECRET-FILE-CONTENTS");
    let abs = outside.display().to_string().replace('/', "%2F");
    let abs_raw = outside.display().to_string();
    write(
        dir.path(),
        "content/incidents/2024-01-15-x/index.md",
        format!(
            "{HEAD}![a](%2e%2e%2f%2e%2e%2fsecret.png)\n![b]({abs})\n![c](%252e%252e%252fsecret.png)\n\n\
             <img src=\"{abs}\"> <img src=\"{abs_raw}\"> <img src=\"&#46;&#46;/&#46;&#46;/secret.png\">\n\n![ok](ok.png)\n"
        ),
    );
    fs::write(
        dir.path().join("content/incidents/2024-01-15-x/ok.png"),
        image,
    )
    .unwrap();
    write(
        dir.path(),
        "content/meetings/m.md",
        "+++\ntitle = \"M\"\ndate = 2024-02-01T10:00:00+09:00\nincidents = [\"2024-01-15-x\"]\n+++\n\nMinutes.\n",
    );
    // Images that lead nowhere in the site fail the check before anything is embedded,
    // markdown or raw HTML (read as a browser reads it: `&#46;` is a dot); a root path
    // (`/…`) is not checked, and stays as it is, never embedded.
    let Err(gen::Error::Content(diags)) = gen::check(&BuildOptions::new(dir.path())) else {
        panic!("images outside the folder are errors");
    };
    let codes: Vec<(&str, String)> = diags
        .iter()
        .map(|d| (d.code.as_str(), d.location()))
        .collect();
    let at = |line| format!("content/incidents/2024-01-15-x/index.md:{line}:1");
    assert_eq!(
        codes,
        [
            ("missing-file", at(7)),
            ("missing-file", at(8)),
            ("missing-file", at(9)),
            ("missing-file", at(11)),
            (
                "missing-file",
                "content/incidents/2024-01-15-x/index.md:11:103".to_string()
            ),
        ]
    );
    let file = dir.path().join("content/incidents/2024-01-15-x/index.md");
    let text = read(&file);
    let root_path = format!("<img src=\"{abs_raw}\">");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("![") || l.starts_with("![ok]"))
        .map(|l| if l.starts_with("<img") { &root_path } else { l })
        .collect();
    fs::write(&file, kept.join("\n") + "\n").unwrap();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let out = dir.path().join("output");
    for doc in [
        "incidents/2024-01-15-x/report.html",
        "meetings/m/packet/index.html",
    ] {
        let html = read(&out.join(doc));
        assert!(!html.contains(&base64(secret)), "{doc} embeds the secret");
        assert!(
            html.contains(&format!("src=\"data:image/png;base64,{}\"", base64(image))),
            "{doc} embeds the image beside the incident"
        );
    }
    for (path, text) in published(dir.path()) {
        assert!(!text.contains("TOP-SECRET"), "{path}");
    }
}

#[test]
fn embedding_refuses_symlinks_backslashes_file_urls_and_double_encoding() {
    let dir = tempfile::TempDir::new().unwrap();
    let inc = dir.path().join("inc");
    write(dir.path(), "secret.png", "SECRET");
    write(&inc, "sub/ok.png", "FINE");
    write(&inc, "図 1.png", "ZU");
    write(&inc, "notes.txt", "TEXT");
    std::os::unix::fs::symlink(dir.path().join("secret.png"), inc.join("link.png")).unwrap();
    std::os::unix::fs::symlink(inc.join("sub/ok.png"), inc.join("inner.png")).unwrap();
    std::os::unix::fs::symlink(dir.path(), inc.join("up")).unwrap();
    let secret = dir.path().join("secret.png").display().to_string();
    let refused = [
        "link.png".to_string(),
        "inner.png".to_string(),
        "up/secret.png".to_string(),
        "..%2Fsecret.png".to_string(),
        "%2e%2e/secret.png".to_string(),
        "%252e%252e%252fsecret.png".to_string(),
        "..%5Csecret.png".to_string(),
        "sub\\..\\..\\secret.png".to_string(),
        format!("file://{secret}"),
        format!("file:{}", secret.replace('/', "%2F")),
        secret.replace('/', "%2F"),
        secret.clone(),
        "./sub/ok.png".to_string(),
        "sub//ok.png".to_string(),
        "sub/ok.png?x".to_string(),
        "notes.txt".to_string(),
        "&#46;&#46;/secret.png".to_string(),
        "%00secret.png".to_string(),
    ];
    for src in &refused {
        let html = format!("<img src=\"{src}\">");
        assert_eq!(
            gen::render::documents::embed_images_from(html.clone(), &inc, &|_| true),
            html,
            "{src}"
        );
    }
    assert_eq!(
        gen::render::documents::embed_images_from(
            "<img src=\"sub/ok.png\"><img src=\"%E5%9B%B3%201.png\">".into(),
            &inc,
            &|_| true
        ),
        format!(
            "<img src=\"data:image/png;base64,{}\"><img src=\"data:image/png;base64,{}\">",
            base64(b"FINE"),
            base64(b"ZU")
        )
    );
    // Nor a file the edition does not publish (an internal asset in the public edition).
    let html = "<img src=\"sub/ok.png\">".to_string();
    assert_eq!(
        gen::render::documents::embed_images_from(html.clone(), &inc, &|rel| rel != "sub/ok.png"),
        html
    );
}

#[test]
fn report_headers_escape_every_character_that_could_leave_the_css_string() {
    // A form feed would end a CSS string (the rest read as rules); it is refused with the
    // other control characters before rendering (see the unit test of `css_string` for
    // the escape). Everything else that could leave the string is escaped.
    let refused = site(&[(
        "content/incidents/a.md",
        &format!(
            "{}\nBody.\n",
            HEAD.replace("title = \"A\"", "title = \"x\\f}\"")
        ),
    )]);
    match gen::build(&BuildOptions::new(refused.path())) {
        Err(gen::Error::Content(d)) => assert_eq!(d[0].code.as_str(), "control-character"),
        other => panic!("{other:?}"),
    }
    let title =
        "x} @import url(https://evil.example/a.css); \\\" \\\\ </style> \\u2028 障害（第1回）";
    let dir = site_with_config(&format!("{CONFIG}incident_reports = true\n"), &[
        (
            "content/incidents/a.md",
            &format!("{}\nBody.\n", HEAD.replace("title = \"A\"", &format!("title = \"{title}\""))),
        ),
        (
            "content/meetings/m.md",
            &format!("+++\ntitle = \"{title}\"\ndate = 2024-02-01T10:00:00+09:00\nincidents = [\"a\"]\n+++\n\nMinutes.\n"),
        ),
    ]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let expected = "--running-header: \"x\\7d  \\40 import url(https://evil.example/a.css); \\22  \\5c  \\3c /style\\3e  \\2028  障害（第1回）\";";
    for doc in ["incidents/a/report.html", "meetings/m/packet/index.html"] {
        let html = read(&dir.path().join("output").join(doc));
        let line = html
            .lines()
            .find(|l| l.contains("--running-header:"))
            .unwrap_or("");
        assert!(html.contains(expected), "{doc}: {line:?}");
        // The whole stylesheet is free of raw line breaks from the title, and closes once.
        let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
        assert!(!style.contains(['\u{c}', '\u{2028}']), "{doc}");
        assert_eq!(html.matches("</style>").count(), 1, "{doc}");
    }
}

#[test]
fn placeholder_text_in_a_body_is_published_as_written() {
    let dir = site(&[
        (
            "content/incidents/a.md",
            &format!(
                "{HEAD}gen-root-token/ [x](#gen-root-token/y) `gen-root-token/`\n\n<span title=\"gen-root-token/\">s</span> [b](b.md)\n"
            ),
        ),
        ("content/incidents/b.md", &format!("{HEAD}[a](a.md#top)\n")),
    ]);
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = read(&dir.path().join("output/incidents/a/index.html"));
    assert!(
        page.contains("<p>gen-root-token/ <a href=\"#gen-root-token/y\">x</a> <code>gen-root-token/</code></p>"),
        "{page}"
    );
    assert!(page.contains("<span title=\"gen-root-token/\">s</span> <a href=\"../../incidents/b/index.html\">b</a>"), "{page}");
    let page = read(&dir.path().join("output/incidents/b/index.html"));
    assert!(
        page.contains("<a href=\"../../incidents/a/index.html#top\">a</a>"),
        "{page}"
    );
    // The placeholder gen uses itself never reaches the output.
    for (path, text) in published(dir.path()) {
        assert_eq!(
            text.matches("gen-root").count(),
            text.matches("gen-root-token/").count(),
            "{path}"
        );
    }
}

#[test]
fn long_lines_of_code_are_shown_plain_with_a_warning() {
    // Highlighting this line as `log` took 132 s.
    let line = "lorem ipsum dolor sit amet consectetur adipiscing elit ".repeat(1200);
    let text = format!("{HEAD}```log\n{line}\n```\n\n```log\n42 short line\n```\n");
    let dir = site(&[("content/incidents/a.md", &text)]);
    let start = Instant::now();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    let page = read(&dir.path().join("output/incidents/a/index.html"));
    assert!(page.contains(&format!(
        "<pre class=\"code\" data-lang=\"log\"><code>{line}\n</code></pre>"
    )));
    // The short block is still highlighted.
    assert!(page.contains("<pre class=\"code\" data-lang=\"log\"><code><span class=\"hl"));
    let site = gen::load_site(&BuildOptions::new(dir.path())).unwrap();
    let warnings: Vec<String> = gen::render::body_warnings(&site)
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        warnings,
        vec![format!(
            "warning[not-highlighted]: content/incidents/a.md:7:1: this code block is shown as plain text: its line 1 is {} bytes long, more than 1000\n  help: shorten or split the code, or mark it as ```text; gen highlights lines of up to 1000 bytes and blocks of up to 262144",
            line.len()
        )]
    );
}

#[test]
fn highlighting_is_bounded_per_block_and_per_body() {
    let limit = |code: &str| {
        body(&format!("```log\n{code}```\n"), false)
            .unhighlighted
            .iter()
            .map(|w| w.message.clone())
            .collect::<Vec<_>>()
    };
    // Each line starts with a number, which a highlighted block colours.
    let line = |n: usize| format!("1 {}\n", "a".repeat(n - 2));
    assert!(limit(&line(1000)).is_empty());
    assert_eq!(
        limit(&line(1001)),
        ["this code block is shown as plain text: its line 1 is 1001 bytes long, more than 1000"]
    );
    // 16 lines of 1,000 bytes are the most work a block may take.
    assert!(limit(&line(1000).repeat(16)).is_empty());
    assert_eq!(
        limit(&line(1000).repeat(17)),
        ["this code block is shown as plain text: its lines are too long to highlight together (17000000 units of work, more than 16000000: the sum of the squares of the line lengths)"]
    );
    assert_eq!(
        limit(&line(9).repeat(30_000)),
        ["this code block is shown as plain text: it is 300000 bytes long, more than 262144"]
    );
    // A body's blocks share a budget of four blocks' work.
    let block = format!("```log\n{}```\n\n", line(1000).repeat(16));
    let r = body(&block.repeat(5), false);
    let refused: Vec<&Refusal> = r.unhighlighted.iter().collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(
        refused[0].message,
        "this code block is shown as plain text: the code blocks before it took all the highlighting work of a body (64000000 units: the sum of the squares of the line lengths)"
    );
    // The first four blocks are highlighted, the fifth is not.
    assert_eq!(
        r.html
            .matches("<pre class=\"code\" data-lang=\"log\"><code><span class=\"hl")
            .count(),
        4
    );
    assert_eq!(markdown::unhighlighted(&block.repeat(5)), r.unhighlighted);
}

#[test]
fn deeply_nested_raw_html_is_refused_quickly() {
    // 100,000 nested <div>s (1.1 MB) took the sanitizer 31 s.
    let deep = "<div>".repeat(100_000) + &"</div>".repeat(100_000);
    let dir = site(&[(
        "content/incidents/a.md",
        &format!("{HEAD}Text.\n\n{deep}\n"),
    )]);
    let start = Instant::now();
    assert_eq!(
        errors(dir.path()),
        ["9:1 html-too-deep the HTML here nests elements more than 512 levels deep"]
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let r = body(&deep, false);
    assert!(
        r.html.starts_with("&lt;div&gt;&lt;div&gt;"),
        "shown as text"
    );
    assert!(!r.has_raw_html);
}

#[test]
fn nesting_up_to_the_limit_and_flat_elements_are_accepted() {
    let at_limit = "<div>".repeat(511) + &"</div>".repeat(511);
    assert!(body(&at_limit, false).refused.is_empty());
    // `<p>` and `<li>` close themselves, and closed elements do not add up.
    let flat = "<p>x".repeat(5000) + &"<div><b>y</b></div>".repeat(5000) + "<!--<div>-->";
    let r = body(&flat, false);
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    // Markdown containers count too: a quote holding 600 nested divs.
    let quoted = format!("> {}\n", "<div>".repeat(600));
    assert_eq!(body(&quoted, false).refused.len(), 1);
    // Trusted HTML is not sanitized, so it is not bounded either.
    assert!(body(&("<div>".repeat(600)), true).refused.is_empty());
}

#[test]
fn a_body_heading_never_takes_an_id_of_the_page_around_it() {
    let taken = [
        "site-search-q",
        "edition-band",
        "internal-details",
        "summary",
        "main",
    ];
    let body: String = taken
        .iter()
        .map(|id| format!("## 見出し {{#{id}}}\n\n## {id}\n\n"))
        .collect();
    let dir = site_with_config(
        &format!("{CONFIG}edition = \"internal\"\n"),
        &[(
            "content/incidents/2024-01-15-x.md",
            &format!("{HEAD}\n{body}").replacen(
                "+++\n\n",
                "\n[internal]\nvendor = \"v\"\n+++\n\n",
                1,
            ),
        )],
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let page = read(&dir.path().join("output/incidents/2024-01-15-x/index.html"));
    for id in taken {
        assert_eq!(
            page.matches(&format!(" id=\"{id}\"")).count(),
            1,
            "{id} in {page}"
        );
    }
    assert!(page.contains("<label class=\"visually-hidden\" for=\"site-search-q\">"));
    assert!(
        page.contains("<section class=\"internal-details\""),
        "{page}"
    );
}
