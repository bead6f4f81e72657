//! A site theme extends the default templates and replaces one part, instead of copying
//! the whole file (docs/themes.md, "Extending the default theme").

use std::fs;
use std::path::Path;

use gen::BuildOptions;
use tempfile::TempDir;

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

/// A site with one incident and the given theme files; built, its output folder.
fn built(theme: &[(&str, &str)]) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let config = if theme.is_empty() {
        ""
    } else {
        "theme = \"mine\"\n"
    };
    let files = [
        (
            "config.toml",
            format!("title = \"Mini\"\ntimezone = \"+09:00\"\n{config}"),
        ),
        ("content/incidents/a.md", INCIDENT.to_string()),
    ];
    let theme = theme
        .iter()
        .map(|(name, text)| (format!("themes/mine/templates/{name}"), (*text).to_string()));
    for (path, text) in files
        .into_iter()
        .map(|(p, t)| (p.to_string(), t))
        .chain(theme)
    {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    if let Err(e) = gen::build(&BuildOptions::new(dir.path())) {
        panic!("build failed: {e:?}");
    }
    let out = dir.path().join("output");
    (dir, out)
}

fn read(out: &Path, rel: &str) -> String {
    fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
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
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("config.toml"),
        "title = \"Mini\"\ntimezone = \"+09:00\"\ntheme = \"mine\"\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("content/incidents")).unwrap();
    fs::write(dir.path().join("content/incidents/a.md"), INCIDENT).unwrap();
    fs::create_dir_all(dir.path().join("themes/mine/templates")).unwrap();
    fs::write(
        dir.path().join("themes/mine/templates/incident.html"),
        r#"{% extends "default/incident.html" %}{% block sumary %}x{% endblock sumary %}"#,
    )
    .unwrap();
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
