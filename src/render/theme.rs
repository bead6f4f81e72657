//! Themes: Tera templates and static files. The default theme is embedded in the binary;
//! a site's `themes/<name>/` overrides it template by template and file by file.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use tera::{Context, Tera};

use super::Output;
use crate::diag::{Diagnostic, SourceFile};
use crate::error::Error;
use std::collections::HashMap;
use std::sync::Arc;

static DEFAULT: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A loaded theme, ready to render.
pub struct Theme {
    tera: Tera,
    /// Each template's source, by name, for diagnostics.
    sources: HashMap<String, Arc<SourceFile>>,
    stylesheet: String,
    /// `themes/<name>/static/`, then the site's own `static/` (later folders win).
    static_dirs: Vec<PathBuf>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme")
            .field("static_dirs", &self.static_dirs)
            .finish_non_exhaustive()
    }
}

/// Tera's message and its causes, one per line.
fn chain(e: &tera::Error) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push(s.to_string());
        source = s.source();
    }
    out
}

/// A template that failed to parse, as a diagnostic at the line and column pest reports
/// (`--> 3:1`) in the template's own file.
fn parse_error(e: &tera::Error, sources: &HashMap<String, Arc<SourceFile>>) -> Error {
    let lines = chain(e);
    let name = lines
        .first()
        .and_then(|l| l.split('\'').nth(1))
        .unwrap_or_default()
        .to_string();
    let detail = lines.last().cloned().unwrap_or_default();
    let Some(file) = sources.get(&name) else {
        return Error::Template {
            template: name,
            message: lines.join(": "),
        };
    };
    let position = detail.split("--> ").nth(1).and_then(|rest| {
        let loc = rest.split_whitespace().next()?;
        let (l, c) = loc.split_once(':')?;
        Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?))
    });
    let offset = position.map(|(line, col)| {
        let start: usize = file
            .text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        let line_text = file.text[start..].lines().next().unwrap_or("");
        start
            + line_text
                .chars()
                .take(col - 1)
                .map(char::len_utf8)
                .sum::<usize>()
    });
    let expected = detail
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("a valid Tera tag")
        .to_string();
    Error::Content(vec![Diagnostic::error(
        "template-syntax",
        file,
        offset.map(|o| o..o + 1),
        format!("template syntax error: {expected}"),
    )
    .with_help("check that every {% if %}, {% for %} and {% block %} is closed; see the Tera documentation for tag syntax")])
}

impl Theme {
    /// Loads the theme named `name` for the site at `root`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Error> {
        let dir = root.join("themes").join(name);
        if name != "default" && !dir.is_dir() {
            return Err(Error::Usage(format!(
                "config.toml: theme \"{name}\" not found: there is no folder themes/{name}/\n  help: create themes/{name}/templates/, or remove `theme` to use the built-in default theme"
            )));
        }
        let mut templates: Vec<(String, String, String)> = Vec::new();
        if let Some(t) = DEFAULT.get_dir("templates") {
            for f in t.files() {
                let name = f.path().strip_prefix("templates").unwrap_or(f.path());
                let name = name.to_string_lossy().into_owned();
                templates.push((
                    name.clone(),
                    f.contents_utf8().unwrap_or("").to_string(),
                    format!("(built-in) themes/default/templates/{name}"),
                ));
            }
        }
        let user_templates = dir.join("templates");
        if user_templates.is_dir() {
            for entry in walkdir::WalkDir::new(&user_templates).sort_by_file_name() {
                let entry = entry.map_err(|e| Error::Walk {
                    path: user_templates.clone(),
                    source: e,
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&user_templates)
                    .unwrap_or(entry.path());
                let name = rel.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(entry.path())
                    .map_err(|e| Error::io(entry.path(), e))?;
                templates.retain(|(n, _, _)| *n != name);
                let shown = format!(
                    "themes/{}/templates/{name}",
                    dir.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                );
                templates.push((name, text, shown));
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(super::markdown::escape);
        // Tera's default also escapes `/`, which bloats every link; these five suffice.
        tera.set_escape_fn(escape_html);
        let sources: HashMap<String, Arc<SourceFile>> = templates
            .iter()
            .map(|(n, t, shown)| (n.clone(), SourceFile::new(shown.clone(), t.clone())))
            .collect();
        tera.add_raw_templates(templates.iter().map(|(n, t, _)| (n.as_str(), t.as_str())))
            .map_err(|e| parse_error(&e, &sources))?;

        let user_css = dir.join("static").join("style.css");
        let css = if user_css.is_file() {
            std::fs::read_to_string(&user_css).map_err(|e| Error::io(&user_css, e))?
        } else {
            DEFAULT
                .get_file("static/style.css")
                .and_then(|f| f.contents_utf8())
                .unwrap_or("")
                .to_string()
        };
        let stylesheet = format!(
            "{css}\n/* Code highlighting (syntect, InspiredGitHub) */\n{}",
            super::markdown::highlight_css()
        );
        let static_dir = dir.join("static");
        Ok(Theme {
            tera,
            sources,
            stylesheet,
            static_dirs: [static_dir, root.join("static")]
                .into_iter()
                .filter(|d| d.is_dir())
                .collect(),
        })
    }

    /// Renders a template; a failure is a diagnostic on the template's file.
    pub fn render(&self, template: &str, ctx: &Context) -> Result<String, Error> {
        self.tera.render(template, ctx).map_err(|e| {
            let lines = chain(&e);
            // The first line only says which page failed; the causes say why.
            let why = lines.iter().skip(1).cloned().collect::<Vec<_>>().join(": ");
            let why = if why.is_empty() {
                lines.join(": ")
            } else {
                why
            };
            match self.sources.get(template) {
                Some(file) => Error::Content(vec![Diagnostic::error(
                    "template-render",
                    file,
                    None,
                    format!("template error: {why}"),
                )
                .with_help("the variables each template receives are listed in docs/themes.md")]),
                None => Error::Template {
                    template: template.to_string(),
                    message: why,
                },
            }
        })
    }

    /// The stylesheet: the theme's CSS plus the highlighting classes.
    pub fn stylesheet(&self) -> String {
        self.stylesheet.clone()
    }

    /// Static files of the default theme, the site's theme and the site's `static/`
    /// folder (later ones win). `style.css` is always the theme's stylesheet.
    pub fn static_files(&self) -> Vec<Output> {
        let mut out: Vec<Output> = Vec::new();
        if let Some(dir) = DEFAULT.get_dir("static") {
            for f in dir.files() {
                let rel = f
                    .path()
                    .strip_prefix("static")
                    .unwrap_or(f.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != "style.css" {
                    out.push(Output::Bytes {
                        path: rel,
                        bytes: f.contents().to_vec(),
                    });
                }
            }
        }
        for dir in &self.static_dirs {
            for entry in walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel == "style.css" {
                    continue;
                }
                out.retain(|o| o.path() != rel);
                out.push(Output::Copy {
                    path: rel,
                    from: entry.path().to_path_buf(),
                });
            }
        }
        out
    }
}

fn escape_html(s: &str) -> String {
    super::markdown::escape(s)
}
