//! Which names are safe to become ids and URL segments.
//!
//! An id is a file or folder name that becomes a folder of the output and goes into
//! `href` and `id` attributes, so it is restricted by construction to characters that
//! need no escaping anywhere and mean the same on every file system.

/// Why a file or folder name cannot be an id, in words for a message.
pub(crate) fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("the name is empty".to_string());
    }
    if id.len() > MAX_ID_BYTES {
        return Some(format!(
            "the name is {} bytes long; ids go up to {MAX_ID_BYTES}",
            id.len()
        ));
    }
    if let Some(c) = id.chars().find(|&c| !id_char(c)) {
        return Some(format!("{} is not allowed in an id", describe(c)));
    }
    if id.starts_with(['.', ' ', '-']) {
        return Some("an id must not start with `.`, `-` or a space".to_string());
    }
    if id.ends_with(['.', ' ']) {
        return Some("an id must not end with `.` or a space (Windows drops them)".to_string());
    }
    if id.contains("  ") {
        return Some("an id must not hold two spaces in a row".to_string());
    }
    if id.eq_ignore_ascii_case("index.html") {
        return Some(
            "`index.html` is the file name of the list page the id's folder would sit beside"
                .to_string(),
        );
    }
    if is_windows_reserved(id) {
        return Some(format!(
            "`{id}` is a reserved device name on Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension)"
        ));
    }
    None
}

/// Longest id in bytes: with `.md` it still fits a file name (255 bytes).
pub(crate) const MAX_ID_BYTES: usize = 200;

/// Whether `c` may appear in an id: a letter or digit of any script (Japanese included),
/// `-`, `_`, `.` or a space (where they may stand is checked by [`id_problem`]).
pub(crate) fn id_char(c: char) -> bool {
    (c.is_alphanumeric() && !combining(c)) || matches!(c, '-' | '_' | '.' | ' ')
}

/// `c` for a message: `U+200B (an invisible character)`, `` `/` (U+002F) ``.
pub(crate) fn describe(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    if c.is_control() {
        format!("{code} (a control character)")
    } else if invisible(c) {
        format!("{code} (an invisible character)")
    } else if combining(c) {
        format!("{code} (a combining mark: the name is in decomposed Unicode form, NFD)")
    } else if c.is_whitespace() {
        format!("{code} (a space other than the plain space)")
    } else {
        format!("`{c}` ({code})")
    }
}

/// Characters that render as nothing: zero-width spaces and joiners, direction marks and
/// overrides, the soft hyphen, the byte-order mark. Two names differing only by one look
/// the same but are different names.
pub(crate) fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// Combining marks that composed (NFC) text holds as part of a precomposed letter: one
/// standing alone means the name was saved decomposed (NFD, as some macOS tools do), and
/// would differ from the same name typed in composed form.
pub(crate) fn combining(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{3099}'..='\u{309A}'
            | '\u{FE20}'..='\u{FE2F}'
            // Conjoining Hangul jamo: what NFD makes of a composed syllable (한 → ᄒ ᅡ ᆫ).
            | '\u{1100}'..='\u{11FF}'
            | '\u{A960}'..='\u{A97F}'
            | '\u{D7B0}'..='\u{D7FF}'
    )
}

/// Why a display name (an operator) would make a page that looks like another's: an
/// invisible character, a decomposed form or a control character.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let c = name
        .chars()
        .find(|&c| c.is_control() || invisible(c) || combining(c))?;
    Some(format!("{} is not allowed in a name", describe(c)))
}

/// Whether a file name is reserved on Windows: `CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`,
/// `LPT0`–`LPT9` (also with superscript digits), in any case, alone or before an
/// extension (`con.md`, `Aux.tar.gz`); Windows ignores trailing spaces before the dot.
pub(crate) fn is_windows_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let mut chars = upper.chars();
            let prefix: String = chars.by_ref().take(3).collect();
            let rest: Vec<char> = chars.collect();
            (prefix == "COM" || prefix == "LPT")
                && rest.len() == 1
                && (rest[0].is_ascii_digit() || matches!(rest[0], '¹' | '²' | '³'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_letters_digits_and_a_few_marks() {
        for ok in [
            "2017-07-03-jcom",
            "障害 2024",
            "a.b_c",
            "ドコモ",
            "Ünïcode",
            "a1",
        ] {
            assert_eq!(id_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "a\"b",
            "a'b",
            "a<b",
            "a>b",
            "a&b",
            "a/b",
            "a\\b",
            "a%b",
            "a?b",
            "a#b",
            "a\tb",
            "a\nb",
            "a\u{0}b",
            "a\u{200B}b",
            "ka\u{3099}",
            "e\u{301}",
            "\u{1112}\u{1161}\u{11AB}",
            "a\u{3000}b",
            ".env",
            "-a",
            " a",
            "a.",
            "a ",
            "a  b",
            "CON",
            "aux",
            "com1",
            "Lpt9",
            "nul.txt",
            "prn.tar.gz",
            "con .md",
            "index.html",
            "INDEX.HTML",
        ] {
            assert!(id_problem(bad).is_some(), "{bad:?} was accepted");
        }
        assert!(id_problem(&"a".repeat(201)).is_some());
        assert!(!is_windows_reserved("console"));
        assert!(!is_windows_reserved("com10"));
        assert!(is_windows_reserved("COM¹"));
    }

    #[test]
    fn names_refuse_invisible_and_decomposed_characters() {
        assert_eq!(name_problem("株式会社ガス"), None);
        assert!(name_problem("株式会社カ\u{3099}ス").is_some());
        assert!(name_problem("Op\u{200B}").is_some());
        assert!(name_problem("Op\u{7}").is_some());
        assert_eq!(name_problem("한국"), None);
        assert!(name_problem("\u{1112}\u{1161}\u{11AB}국").is_some());
    }
}
