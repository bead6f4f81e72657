//! Every diagnostic code gen reports, in one place: the stable names users see in
//! `error[CODE]` and in `gen check --format json`. docs/errors.md documents each one (a
//! test holds them together).

macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $name:ident = $text:literal,)+) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])+ $name,)+
        }

        impl Code {
            /// Every code, in the order of this file.
            pub const ALL: &'static [Code] = &[$(Code::$name,)+];

            /// The stable kebab-case name, e.g. `unknown-field`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $text,)+
                }
            }

            /// The one-line description of the code.
            pub fn describe(self) -> &'static str {
                match self {
                    $(Code::$name => concat!($($doc),+).trim(),)+
                }
            }
        }
    };
}

codes! {
    // Files and names.
    /// A file (a document or `config.toml`) is not UTF-8.
    NotUtf8 = "not-utf8",
    /// A document's file or folder name is not a safe id.
    InvalidId = "invalid-id",
    /// A document, asset or static file is a symbolic link.
    Symlink = "symlink",
    /// A document or asset is a named pipe, device or other non-regular file.
    NotAFile = "not-a-file",
    /// A file or folder of the site cannot be read.
    Unreadable = "unreadable",
    /// An asset or static file sits where gen writes a page.
    PageCollision = "page-collision",
    /// Two assets differ only in case.
    CaseCollision = "case-collision",
    /// Two documents have the same id (or ids differing only in case).
    DuplicateId = "duplicate-id",
    /// A document changed on disk between its check and the reading of its body.
    ChangedDuringBuild = "changed-during-build",
    /// An HTML, SVG or XML asset holds active content.
    ActiveAsset = "active-asset",

    // Front matter.
    /// A document has no opening `+++`.
    FrontmatterMissing = "frontmatter-missing",
    /// A document's front matter has no closing `+++`.
    FrontmatterUnclosed = "frontmatter-unclosed",
    /// The front matter or `config.toml` is not valid TOML.
    TomlSyntax = "toml-syntax",
    /// A control character in a string of the front matter or `config.toml`.
    ControlCharacter = "control-character",
    /// An operator name with an invisible, combining or control character.
    InvalidName = "invalid-name",
    /// A required field is absent.
    MissingField = "missing-field",
    /// A required field is empty.
    EmptyField = "empty-field",
    /// A field has the wrong TOML type.
    WrongType = "wrong-type",
    /// A field gen does not know.
    UnknownField = "unknown-field",
    /// A cause key that is not in the taxonomy.
    UnknownCause = "unknown-cause",
    /// A cause listed twice.
    DuplicateCause = "duplicate-cause",
    /// An incident's or phase's `resolved` is earlier than its `started`.
    ResolvedBeforeStarted = "resolved-before-started",
    /// A meeting's `ended` is earlier than its `date`.
    EndedBeforeDate = "ended-before-date",
    /// A duration that cannot be read.
    InvalidDuration = "invalid-duration",
    /// A date that cannot be read, or a date where a date and time are needed.
    InvalidDate = "invalid-date",
    /// A duration above 100 years.
    DurationTooLarge = "duration-too-large",
    /// A count below zero.
    NegativeCount = "negative-count",
    /// A count above 10^12.
    CountTooLarge = "count-too-large",
    /// A value outside a field's fixed set (status, scope, term, kind, language).
    InvalidValue = "invalid-value",

    // Cross-references.
    /// `related` or an agenda names an incident that does not exist.
    UnknownIncident = "unknown-incident",
    /// `meeting` names a meeting that does not exist.
    UnknownMeeting = "unknown-meeting",
    /// An incident lists itself in `related`.
    SelfReference = "self-reference",
    /// A meeting's agenda lists an incident twice.
    DuplicateAgendaItem = "duplicate-agenda-item",
    /// Two different tags would have the same page.
    TagCollision = "tag-collision",
    /// A public document names an internal one in `related` or its agenda.
    InternalReference = "internal-reference",

    // Bodies.
    /// A body link or image that climbs out of the site.
    LinkOutsideSite = "link-outside-site",
    /// A body link or image with a scheme other than http, https, mailto or tel.
    UnsafeLink = "unsafe-link",
    /// A heading attribute other than a safe `{#id}` or `{.class}`.
    UnsafeHeadingAttribute = "unsafe-heading-attribute",
    /// Raw HTML nested more than 512 elements deep.
    HtmlTooDeep = "html-too-deep",
    /// A body with more than 2,000,000 table cell separators.
    TableTooLarge = "table-too-large",
    /// A body link to an incident, meeting or page the site does not have.
    BrokenLink = "broken-link",
    /// A body image, or a link to a file, that the site does not publish.
    MissingFile = "missing-file",
    /// An `<!-- internal -->` block not opened, not closed, nested, or its marker not alone on its line.
    InternalMarker = "internal-marker",
    /// Public body text links to an internal incident or meeting.
    LinkToInternal = "link-to-internal",
    /// Public body text links to or embeds an internal asset.
    InternalAsset = "internal-asset",

    // Themes.
    /// A syntax error in a theme's template.
    TemplateSyntax = "template-syntax",
    /// A theme's template failed while rendering a page.
    TemplateRender = "template-render",

    // Summaries.
    /// More problems in one file than are shown; counts the rest.
    TooManyErrors = "too-many-errors",

    // Warnings.
    /// An incident lists no countermeasures.
    NoCountermeasures = "no-countermeasures",
    /// `status = "final"` without `resolved`.
    FinalWithoutResolved = "final-without-resolved",
    /// A countermeasure not done whose due date is past.
    CountermeasureOverdue = "countermeasure-overdue",
    /// A notice dated before the incident started.
    NoticeBeforeStart = "notice-before-start",
    /// Two operator names that differ only in case.
    OperatorCase = "operator-case",
    /// A code block shown as plain text because it is too long to highlight.
    NotHighlighted = "not-highlighted",
    /// A body link to a draft incident, which the build leaves out.
    LinkToDraft = "link-to-draft",
    /// A public field quotes a value of the `[internal]` table verbatim.
    QuotesInternal = "quotes-internal",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    /// docs/errors.md documents every code, and no code that does not exist.
    #[test]
    fn every_code_is_documented_and_every_documented_code_exists() {
        let doc = include_str!("../../docs/errors.md");
        let documented: std::collections::BTreeSet<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let known: std::collections::BTreeSet<&str> =
            Code::ALL.iter().map(|c| c.as_str()).collect();
        let missing: Vec<_> = known.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&known).collect();
        assert!(
            missing.is_empty(),
            "codes missing from docs/errors.md: {missing:?}"
        );
        assert!(
            unknown.is_empty(),
            "docs/errors.md lists codes gen does not have: {unknown:?}"
        );
        assert_eq!(known.len(), Code::ALL.len(), "two codes share a name");
    }

    #[test]
    fn every_code_has_a_description() {
        for c in Code::ALL {
            assert!(c.describe().ends_with('.'), "{c}: {:?}", c.describe());
        }
    }
}
