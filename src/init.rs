//! `gen init`: a new site with an example incident showing every field.

use std::fs;
use std::path::Path;

use crate::error::Error;

use crate::model::Lang;

const CONFIG: &str = include_str!("init/config.toml");
const EXAMPLE: &str = include_str!("init/example.md");
const CONFIG_JA: &str = include_str!("init/config.ja.toml");
const EXAMPLE_JA: &str = include_str!("init/example.ja.md");

/// Creates a site in `dir` in `lang` (config, its comments and the example incident);
/// refuses to overwrite an existing `config.toml` or content.
pub(crate) fn init(dir: &Path, lang: Lang) -> Result<(), Error> {
    if dir.join("config.toml").exists() || dir.join("content").exists() {
        return Err(Error::usage_help(
            format!(
                "{} already holds a site (config.toml or content/ exists); nothing was changed",
                dir.display()
            ),
            "run gen init with a new folder name, e.g. gen init my-postmortems",
        ));
    }
    let incidents = dir.join("content").join("incidents");
    let meetings = dir.join("content").join("meetings");
    for d in [&incidents, &meetings] {
        fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let (config, example) = match lang {
        Lang::Ja => (CONFIG_JA, EXAMPLE_JA),
        Lang::En => (CONFIG, EXAMPLE),
    };
    let files = [
        (dir.join("config.toml"), config),
        (incidents.join("2024-01-15-example.md"), example),
        (meetings.join(".gitkeep"), ""),
        // `gen pdf` prints into pdf/ beside output/.
        (dir.join(".gitignore"), "output/\npdf/\n"),
    ];
    for (path, text) in files {
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// An ASCII slug from a title (`"DNS outage in Osaka"` → `dns-outage-in-osaka`); empty
/// when the title has no ASCII letters or digits (a Japanese title).
fn ascii_slug(title: &str) -> String {
    // The site's one slug function, over the title's ASCII letters and digits only: a file
    // name typed in a shell stays plain ASCII.
    let words: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    match crate::site::slug(&words) {
        s if s == "-" => String::new(),
        s => s
            .chars()
            .take(60)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string(),
    }
}

/// A file name `<date>-<slug>.md` (or `<date>-<n>.md` for titles without ASCII words)
/// that does not exist yet in `dir`.
fn free_name(dir: &Path, date: &str, title: &str) -> std::path::PathBuf {
    let slug = ascii_slug(title);
    if !slug.is_empty() {
        return dir.join(format!("{date}-{slug}.md"));
    }
    (1..)
        .map(|n| dir.join(format!("{date}-{n}.md")))
        .find(|p| !p.exists() && !p.with_extension("").exists())
        .unwrap_or_else(|| dir.join(format!("{date}.md")))
}

/// A datetime given on the command line, checked; `None` means now in the site's offset.
fn datetime_arg(given: Option<&str>, tz: chrono::FixedOffset, flag: &str) -> Result<String, Error> {
    match given {
        None => Ok(chrono::Utc::now()
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M:00%:z")
            .to_string()),
        Some(s) => match s.parse::<toml::value::Datetime>() {
            Ok(dt) if dt.date.is_some() && dt.time.is_some() => Ok(dt.to_string()),
            _ => Err(Error::usage_help(
                format!("{flag} \"{s}\" is not a date and time"),
                format!("write it like {flag} 2024-01-15T11:50:00+09:00"),
            )),
        },
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // create_new: never overwrite, even if the file appeared since we looked.
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::usage_help(
                format!("{} already exists; nothing was changed", path.display()),
                "choose another title, or edit the existing file",
            ),
            _ => Error::io(path, e),
        })?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))
}

/// `gen new incident`: a draft incident with every field, optional ones commented out.
pub(crate) fn new_incident(
    root: &Path,
    title: &str,
    operator: Option<&str>,
    started: Option<&str>,
) -> Result<std::path::PathBuf, Error> {
    let config = crate::Config::load(root)?;
    let started = datetime_arg(started, config.timezone, "--started")?;
    let date = &started[..10];
    let path = free_name(&root.join("content").join("incidents"), date, title);
    let ja = config.language == crate::config::Lang::Ja;
    // Nothing is guessed: an operator or a cause filled in for the author would be
    // published as if they had chosen it. Empty, `gen check` says what to fill in.
    let operators = operator.map(toml_string).unwrap_or_default();
    let keys: Vec<&str> = config.causes.all().iter().map(|c| c.key.as_str()).collect();
    // The body's outline is a comment (never published): headings or placeholder text
    // left in it would be published empty or as written. Countermeasures and notices
    // have tables of their own in the front matter, and no heading in the body.
    let body = if ja {
        "<!--\n本文を Markdown で、議事要旨の順に書く（このコメントは公開されない）。例:\n\n## 障害内容\n\n## 発生原因\n\n## 利用者への周知\n\n## 質疑応答\n\n### 事故発生の原因について\n\n**問** …\n\n**答** …\n\n## 総括\n\n再発防止策は本文に書かず、front matter の [[countermeasures]] に一件ずつ記入する（ページには表として載る）。\n周知の各報は [[notices]] に記入する。\n-->\n"
    } else {
        "<!--\nWrite the body in Markdown, in the order of the minutes (this comment is not published). For example:\n\n## What happened\n\n## Causes\n\n## Public notices\n\n## Q&A\n\n**Q** …\n\n**A** …\n\n## Summary\n\nDo not write the countermeasures in the body: list each as a [[countermeasures]] table in the\nfront matter (the page shows them as a table). List each notice as a [[notices]] table.\n-->\n"
    };
    let text = format!(
        r#"+++
title = {title}
operators = [{operators}]        # required: 事業者名, e.g. ["株式会社…"]; several when one wholesales to another
started = {started}
# resolved = {started}        # when service was restored; absent = ongoing
# duration = "23h08m"          # only when the official figure differs from resolved - started
# affected_users = 0           # 影響利用者数; "約48,000" when the source says 約
# affected_users_approx = true # shown as 約 / about
# regions = [""]               # 影響地域
# services = [""]              # affected services
# service_category = ""        # 重大な事故に該当する電気通信役務の区分
# inquiries = 0                # 問合せ件数, or {{ phone = 0, email = 0 }}
# inquiries_approx = true      # the inquiry count is approximate
# inquiries_as_of = {date}     # the date the count was taken
causes = []                    # required, primary cause first, e.g. ["{first}"]; keys: {keys}
status = "draft"               # draft (not published), preliminary (速報) or final (確定)
# summary = ""                 # 障害内容, one paragraph
# updated = {date}             # a change its dates do not show (feeds, sitemap)
# meeting = ""                 # the review meeting: a file name in content/meetings/ without .md
# related = [""]               # ids of related incidents
# tags = [""]
# visibility = "internal"      # only in the internal edition (default "public")

# [[phases]]                   # one per outage when there were several (①②)
# label = "①"
# started = {started}
# resolved = {started}
# affected_users = 0

# [[countermeasures]]          # 再発防止策, one table each
# action = ""
# status = "planned"           # done, in-progress or planned
# due = "{month}"              # a date, or "YYYY-MM"
# completed = "{month}"
# scope = "facility"           # facility or communication
# term = "permanent"           # interim or permanent

# [[notices]]                  # 情報周知: 第1報, 第2報 …
# at = {started}
# channel = "website"          # website, press, email, sns, app, phone, chatbot or your own
# title = "第1報"
# kind = "initial"             # initial, update or resolved

# [[timeline]]                 # what happened when
# at = {started}
# event = ""

# [reporting]                  # the report to the ministry
# serious = true               # a 重大な事故, as the ministry designated it
# reported_at = {date}         # 速報: when it was first reported
# detailed_report_at = {date}  # 詳細な報告: when the detailed report was sent

# [internal]                   # 社内情報: shown only in the internal edition
# vendor = ""
# ticket = ""
+++

{body}"#,
        title = toml_string(title),
        operators = operators,
        first = keys.first().copied().unwrap_or("human-error"),
        keys = keys.join(", "),
        month = &date[..7],
    );
    write_new(&path, &text)?;
    Ok(path)
}

/// `gen new meeting`: a review meeting with its agenda to fill in.
pub(crate) fn new_meeting(
    root: &Path,
    title: &str,
    date: &str,
) -> Result<std::path::PathBuf, Error> {
    let config = crate::Config::load(root)?;
    let date = datetime_arg(Some(date), config.timezone, "--date")?;
    let path = free_name(&root.join("content").join("meetings"), &date[..10], title);
    let text = format!(
        r#"+++
title = {title}
date = {date}
# ended = {date}               # when it ended
# place = ""
# members = [""]               # 出席者 ＜構成員＞ (or attendees = [""], undivided)
# secretariat = [""]           # 出席者 ＜事務局＞
incidents = []                 # incident ids in agenda order (handouts 資料<N>-1 …)
# visibility = "internal"      # only in the internal edition (default "public")
+++

## 議事

"#,
        title = toml_string(title),
    );
    write_new(&path, &text)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_name_slugs_keep_ascii_words_only() {
        assert_eq!(
            super::ascii_slug("DNS outage in Osaka"),
            "dns-outage-in-osaka"
        );
        assert_eq!(super::ascii_slug("  A_B / Über  "), "a-b-ber");
        assert_eq!(super::ascii_slug("大阪の障害"), "");
        assert_eq!(super::ascii_slug("NTT東日本 光回線"), "ntt");
        assert_eq!(super::ascii_slug(&"long ".repeat(30)).len(), 59);
    }
}
