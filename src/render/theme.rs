//! Themes: Tera templates and static files. The default theme is embedded in the binary;
//! a site's `themes/<name>/` overrides it template by template and file by file.
//!
//! The default templates are registered as `default/<name>` with `default/` as Tera's
//! fallback prefix: a name resolves to the site theme's template first, then to the
//! default one, so a site template can `{% extends "default/incident.html" %}` and
//! replace one block, as Zola's theme paths allow.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use tera::{Context, Tera};

use super::Output;
use crate::diag::{Diagnostic, SourceFile};
use crate::error::Error;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

static DEFAULT: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The name prefix of the default theme's templates (`default/incident.html`).
pub const DEFAULT_PREFIX: &str = "default/";

/// A loaded theme, ready to render.
pub struct Theme {
    tera: Tera,
    /// Each template's source, by name, for diagnostics.
    sources: HashMap<String, Arc<SourceFile>>,
    stylesheet: String,
    /// `themes/<name>/static/`, then the site's own `static/` (later folders win), each
    /// with whether it is the theme's: a theme is code (its templates may hold script), so
    /// its files are not checked for script.
    static_dirs: Vec<(PathBuf, bool)>,
    /// BLAKE3 of every template and the stylesheet, see [`Theme::fingerprint`].
    fingerprint: blake3::Hash,
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

/// The byte offset of a 1-based line and column (in characters) of `text`.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text
        .get(start..)
        .and_then(|t| t.lines().next())
        .unwrap_or("");
    start
        + line_text
            .chars()
            .take(col.saturating_sub(1))
            .map(char::len_utf8)
            .sum::<usize>()
}

/// The reports Tera joins into one message when checking templates together
/// (`error: MESSAGE` then `--> NAME:LINE:COLUMN`), as (name, message, offset).
fn reports(text: &str, sources: &HashMap<String, Arc<SourceFile>>) -> Vec<(String, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .filter_map(|w| {
            let message = w[0].split("error: ").last()?;
            let at = w[1].trim_start().strip_prefix("--> ")?;
            let mut parts = at.rsplitn(3, ':');
            let col = parts.next()?.parse::<usize>().ok()?;
            let line = parts.next()?.parse::<usize>().ok()?;
            let name = parts.next()?;
            let file = sources.get(name)?;
            Some((
                name.to_string(),
                message.to_string(),
                offset_of(&file.text, line, col),
            ))
        })
        .collect()
}

/// The registered name a template name resolves to: the site theme's, else the default.
fn resolved<'a>(name: &'a str, sources: &HashMap<String, Arc<SourceFile>>) -> Cow<'a, str> {
    if sources.contains_key(name) {
        return Cow::Borrowed(name);
    }
    let default = format!("{DEFAULT_PREFIX}{name}");
    if sources.contains_key(&default) {
        Cow::Owned(default)
    } else {
        Cow::Borrowed(name)
    }
}

/// A Tera error as diagnostics on the templates' own files, where Tera says where.
fn template_error(
    e: &tera::Error,
    fallback: &str,
    sources: &HashMap<String, Arc<SourceFile>>,
) -> Error {
    let (code, what, help) = match e.kind() {
        tera::ErrorKind::SyntaxError(_) => (
            crate::diag::Code::TemplateSyntax,
            "template syntax error",
            "check that every {% if %}, {% for %}, {% block %} and {% component %} is closed; see docs/themes.md for the template syntax",
        ),
        _ => (
            crate::diag::Code::TemplateRender,
            "template error",
            "the variables each template receives are listed in docs/themes.md",
        ),
    };
    let found: Vec<(String, String, Option<usize>)> = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            vec![(
                r.filename().to_string(),
                r.message().to_string(),
                Some(r.span().range.start),
            )]
        }
        _ => {
            let text = chain(e).join("\n");
            let found = reports(&text, sources);
            if found.is_empty() {
                // Tera names the template only in the message of some errors (a template
                // that includes or extends itself): point at that file.
                let named = text
                    .split_once("template '")
                    .and_then(|(_, rest)| rest.split_once('\''))
                    .map(|(name, _)| name)
                    .map(|name| resolved(name, sources).into_owned())
                    .filter(|name| sources.contains_key(name))
                    .unwrap_or_else(|| resolved(fallback, sources).into_owned());
                // The tag that closes the loop names the next template of the chain.
                let next = text
                    .split_once("`[")
                    .and_then(|(_, rest)| rest.split_once("]`"))
                    .and_then(|(list, _)| {
                        let names: Vec<&str> =
                            list.split(", ").map(|n| n.trim_matches('"')).collect();
                        names.get(1).or(names.first()).map(|n| n.to_string())
                    });
                let offset = next.and_then(|next| {
                    let file = sources.get(&named)?;
                    file.text
                        .find(&format!("\"{next}\""))
                        .or_else(|| file.text.find(&format!("'{next}'")))
                });
                vec![(named, chain(e).join(": "), offset)]
            } else {
                found.into_iter().map(|(n, m, o)| (n, m, Some(o))).collect()
            }
        }
    };
    let fallback = resolved(fallback, sources);
    let mut diags = Vec::new();
    for (name, message, offset) in found {
        let (message, help) = if message.starts_with("Circular") {
            (
                message,
                "a template may not include or extend itself, directly or through others: remove the include or extends that closes the loop",
            )
        } else if message.starts_with("Unknown template") {
            (
                message,
                "add that template to the theme's templates/ folder, or fix its name",
            )
        } else if message == "Unexpected end of input" {
            (
                "the template ends before every tag is closed".to_string(),
                help,
            )
        } else {
            (message, help)
        };
        let (file, offset) = match sources.get(&name) {
            Some(file) => (file, offset.filter(|o| *o <= file.text.len())),
            None => match sources.get(fallback.as_ref()) {
                Some(file) => (file, None),
                None => {
                    return Error::Template {
                        template: name,
                        message,
                    }
                }
            },
        };
        diags.push(
            Diagnostic::error(
                code,
                file,
                offset.map(|o| o..o + 1),
                format!("{what}: {message}"),
            )
            .with_help(help),
        );
    }
    Error::Content(diags)
}

/// A built-in template without the indentation and blank lines that make its source
/// readable: they reached every page (a tenth of a list page's bytes). No built-in
/// template holds text where white space shows (`<pre>`); elsewhere HTML reads any run
/// of spaces and line breaks as one space, and CSS ignores it.
fn unindented(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let line = line.trim_start_matches([' ', '\t']);
        if line != "\n" && line != "\r\n" {
            out.push_str(line);
        }
    }
    out
}

impl Theme {
    /// Loads the theme named `name` for the site at `root`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Error> {
        let dir = root.join("themes").join(name);
        if name != "default" && !dir.is_dir() {
            return Err(Error::usage_help(
                format!("config.toml: theme \"{name}\" not found: there is no folder themes/{name}/"),
                format!("create themes/{name}/templates/, or remove `theme` to use the built-in default theme"),
            ));
        }
        let mut templates: Vec<(String, String, String)> = Vec::new();
        if let Some(t) = DEFAULT.get_dir("templates") {
            for f in t.files() {
                let name = f.path().strip_prefix("templates").unwrap_or(f.path());
                let name = name.to_string_lossy().replace('\\', "/");
                templates.push((
                    format!("{DEFAULT_PREFIX}{name}"),
                    unindented(f.contents_utf8().unwrap_or("")),
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
                // Only a site template under `default/` can share a built-in's name.
                templates.retain(|(n, _, _)| *n != name);
                let shown = format!(
                    "themes/{}/templates/{name}",
                    dir.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                );
                templates.push((name, text, shown));
            }
        }
        let mut tera = Tera::new();
        // Before any template is added, as Tera requires.
        tera.set_fallback_prefixes([DEFAULT_PREFIX])
            .expect("fallback prefixes are set on an empty Tera");
        tera.autoescape_on(vec![".html"]);
        // Tera's default also escapes `/`, which bloats every link; these five suffice.
        tera.set_escape_fn(super::markdown::escape_to);
        let sources: HashMap<String, Arc<SourceFile>> = templates
            .iter()
            .map(|(n, t, shown)| (n.clone(), SourceFile::new(shown.clone(), t.clone())))
            .collect();
        tera.add_raw_templates(templates.iter().map(|(n, t, _)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&e, "", &sources))?;

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
            "{css}\n/* Code highlighting (syntect, InspiredGitHub), dark mode by \
             src/render/dark.rs */\n{}",
            super::dark::themed(&super::markdown::highlight_css())
        );
        let static_dir = dir.join("static");
        let mut hasher = blake3::Hasher::new();
        for (name, text, _) in &templates {
            for part in [name.as_str(), text.as_str()] {
                hasher.update(&(part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        hasher.update(stylesheet.as_bytes());
        Ok(Theme {
            tera,
            sources,
            fingerprint: hasher.finalize(),
            stylesheet,
            static_dirs: [(static_dir, true), (root.join("static"), false)]
                .into_iter()
                .filter(|(d, _)| d.is_dir())
                .collect(),
        })
    }

    /// Renders a template; a failure is a diagnostic on the template's file.
    pub fn render(&self, template: &str, ctx: &Context) -> Result<Vec<u8>, Error> {
        // Rendered straight to bytes: Tera writes only UTF-8, and the page goes to a file.
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, ctx, &mut out)
            .map_err(|e| template_error(&e, template, &self.sources))?;
        Ok(out)
    }

    /// BLAKE3 of what the theme renders with: every template (built-in and the site's)
    /// and the stylesheet. Its static files are copied, not rendered, and are listed apart.
    pub fn fingerprint(&self) -> blake3::Hash {
        self.fingerprint
    }

    /// The stylesheet: the theme's CSS plus the highlighting classes.
    pub fn stylesheet(&self) -> String {
        self.stylesheet.clone()
    }

    /// Static files of the default theme, the site's theme and the site's `static/`
    /// folder (later ones win). `style.css` is always the theme's stylesheet.
    /// `trust_html` is the site's `unsafe_html` (see [`crate::load::assets`]).
    pub fn static_files(&self, trust_html: bool) -> Result<Vec<Output>, Error> {
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
        for (dir, theme) in &self.static_dirs {
            // The site's static/ is listed with its problems by the load stage too; the
            // theme's are reported here.
            let shown = if *theme {
                dir.as_path()
            } else {
                Path::new("static")
            };
            let (files, problems) =
                crate::load::assets::static_files(dir, shown, *theme || trust_html);
            if !problems.is_empty() {
                return Err(Error::Content(problems));
            }
            for a in files {
                if a.path == "style.css" {
                    continue;
                }
                out.retain(|o| o.path() != a.path);
                out.push(Output::Copy {
                    path: a.path,
                    from: a.from,
                });
            }
        }
        Ok(out)
    }
}
