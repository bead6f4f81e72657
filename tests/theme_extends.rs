//! A site theme extends the default templates and replaces one part, instead of copying
//! the whole file (docs/themes.md, "Extending the default theme").

use std::path::Path;

use gen::BuildOptions;
use tempfile::TempDir;

mod common;
use common::site_with_config;

const INCIDENT: &str = r#"+++
title = "Mail outage"
operators = ["Example Networks Inc."]
started = 2024-01-15T11:50:00
resolved = 2024-01-15T16:16:00
affected_users = 1234
causes = ["overload"]

[[countermeasures]]
action = "Add a second relay"
status = "planned"
due = "2024-03"

[[notices]]
at = 2024-01-15T13:27:00
title = "First notice"
+++

## 原因

The relay ran out of disk.
"#;

/// A site with one incident and the given theme files (a theme `mine`, if any).
fn site(theme: &[(&str, &str)]) -> TempDir {
    let config = if theme.is_empty() {
        ""
    } else {
        "theme = \"mine\"\n"
    };
    let paths: Vec<String> = theme
        .iter()
        .map(|(name, _)| format!("themes/mine/templates/{name}"))
        .collect();
    let mut files = vec![("content/incidents/a.md", INCIDENT)];
    files.extend(
        paths
            .iter()
            .map(String::as_str)
            .zip(theme.iter().map(|(_, t)| *t)),
    );
    site_with_config(
        &format!("title = \"Mini\"\ntimezone = \"+09:00\"\nincident_reports = true\n{config}"),
        &files,
    )
}

/// [`site`], built; with its output folder.
fn built(theme: &[(&str, &str)]) -> (TempDir, std::path::PathBuf) {
    let dir = site(theme);
    if let Err(e) = gen::build(&BuildOptions::new(dir.path())) {
        panic!("build failed: {e:?}");
    }
    let out = dir.path().join("output");
    (dir, out)
}

fn read(out: &Path, rel: &str) -> String {
    common::read(&out.join(rel))
}

/// `html` with the part from `start` to the end of the first `end` after it replaced.
fn replaced(html: &str, start: &str, end: &str, with: &str) -> String {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let to = from + html[from..].find(end).unwrap() + end.len();
    format!("{}{with}{}", &html[..from], &html[to..])
}

const PAGE: &str = "incidents/a/index.html";
const REPORT: &str = "incidents/a/report.html";

#[test]
fn a_theme_replaces_one_block_and_keeps_the_rest_of_the_default_page() {
    let (_d, default) = built(&[]);
    let (_t, themed) = built(&[(
        "incident.html",
        r#"{% extends "default/incident.html" %}{% block summary %}<p id="mine">{{ i.row.title }}: {{ i.row.users }}</p>{% endblock summary %}"#,
    )]);
    let expected = replaced(
        &read(&default, PAGE),
        "<section aria-labelledby=\"summary\">",
        "</section>",
        "<p id=\"mine\">Mail outage: 1,234</p>",
    );
    assert_eq!(read(&themed, PAGE), expected);
    // The printed report has no blocks of the page: it is the default one.
    assert_eq!(read(&themed, REPORT), read(&default, REPORT));
}

#[test]
fn a_replaced_block_can_wrap_the_default_one() {
    let (_d, default) = built(&[]);
    let (_t, themed) = built(&[(
        "incident.html",
        r#"{% extends "default/incident.html" %}{% block notices %}<div class="mine">{{ super() }}</div>{% endblock notices %}"#,
    )]);
    let html = read(&default, PAGE);
    let from = html
        .find("\n<section aria-labelledby=\"notices\">")
        .unwrap();
    let to = from + html[from..].find("</section>\n").unwrap() + "</section>\n".len();
    let expected = format!(
        "{}<div class=\"mine\">{}</div>{}",
        &html[..from],
        &html[from..to],
        &html[to..]
    );
    assert_eq!(read(&themed, PAGE), expected);
}

#[test]
fn a_theme_component_replaces_a_section_on_the_page_and_in_the_report() {
    let (_d, default) = built(&[]);
    let (_t, themed) = built(&[(
        "parts.html",
        "{% component incident_countermeasures(i) %}<p class=\"mine\">{{ i.countermeasures | length }}</p>{% endcomponent incident_countermeasures %}",
    )]);
    for rel in [PAGE, REPORT] {
        let expected = replaced(
            &read(&default, rel),
            "<table class=\"measures\">",
            "</table>",
            "<p class=\"mine\">1</p>",
        );
        assert_eq!(read(&themed, rel), expected, "{rel}");
    }
}

#[test]
fn a_block_the_default_page_lacks_is_a_template_error() {
    let dir = site(&[(
        "incident.html",
        r#"{% extends "default/incident.html" %}{% block sumary %}x{% endblock sumary %}"#,
    )]);
    match gen::build(&BuildOptions::new(dir.path())) {
        Err(gen::Error::Content(d)) => {
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].code.as_str(), "template-render");
            assert_eq!(
                d[0].file.path,
                Path::new("themes/mine/templates/incident.html")
            );
            assert!(
                d[0].message.contains("Block `sumary` is not defined"),
                "{}",
                d[0].message
            );
        }
        other => panic!("{other:?}"),
    }
}
