//! UI strings and the formatting of dates, numbers and durations in each language.
//!
//! Every date, time and year a page shows is written by [`Fmt`] (`partial_date` at the
//! bottom): the site's `date_style` (和暦) and `year_start` (年度) apply there only.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

use crate::config::{Config, DateStyle};
use crate::model::types::push_padded;
use crate::model::{
    Choice, Duration, Lang, MeasureStatus, NoticeKind, PartialDate, Scope, Status, Term, Timestamp,
};

/// (key, 日本語, English). Templates read them as `t.<key>`.
const LABELS: &[(&str, &str, &str)] = &[
    ("home", "ホーム", "Home"),
    ("web_version", "ウェブ版", "Web version"),
    ("incident_report", "事故報告書", "Incident report"),
    ("packet", "会議資料", "Meeting packet"),
    ("printable_report", "印刷用の報告書", "Printable report"),
    ("printable_packet", "会議資料（印刷用）", "Printable meeting packet"),
    ("annual_report", "年次報告", "Annual report"),
    ("reports", "年次報告", "Annual reports"),
    ("reports_lead", "年ごとの事故の集計。各報告は1つのHTMLファイルで、印刷・PDF化してそのまま配布できます。", "Incidents summed up by year. Each report is a single HTML file that prints or converts to PDF as it is."),
    ("median_users", "影響利用者数（中央値）", "Median affected users"),
    ("total_inquiries", "問合せ件数（合計）", "Inquiries (total)"),
    ("median_inquiries", "問合せ件数（中央値）", "Median inquiries"),
    ("longest", "最長の事故", "Longest"),
    ("largest", "最大の事故", "Largest"),
    ("per_month", "月別の件数", "Incidents per month"),
    ("per_month_caption", "発生月ごとの事故件数。", "Incidents by the month they started."),
    ("per_cause_caption", "発生原因ごとの事故件数（主因と副因を合わせて数えるため、1件の事故が複数の原因に数えられます。主因のみの件数は下の表）。", "Incidents per cause, counting primary and contributing causes together: one incident can count under several causes (primary causes alone in the table below)."),
    ("per_cause_home_note", "主因と副因を合わせた件数です。1件の事故が複数の原因に数えられるため、合計は事故の件数より多くなります。濃い部分が主因の件数です。", "Primary and contributing causes counted together: one incident can count under several causes, so the total exceeds the number of incidents. The dark part is the primary causes."),
    ("chart_table", "表で見る", "Show as a table"),
    ("month", "月", "Month"),
    ("number_sign", "番号", "No."),
    ("axis_hours", "継続時間（時間）", "Duration (hours)"),
    ("duration_vs_users", "継続時間と影響利用者数", "Duration and affected users"),
    ("duration_vs_users_caption", "横軸：継続時間（時間）、縦軸：影響利用者数。1点が1件の事故で、番号は下の表の事故を指します。", "Horizontal: duration (hours); vertical: affected users. One dot per incident, numbered as in the table below."),
    ("open_countermeasures", "未完了の再発防止策", "Countermeasures still open"),
    ("no_open_countermeasures", "未完了の再発防止策はありません。", "No countermeasures are open."),
    ("serious_incident", "重大な事故", "Serious incident"),
    ("quarterly_report", "四半期報告", "Quarterly report"),
    ("quarterly_rule", "電気通信事業報告規則 第7条の3：影響利用者数3万以上又は継続時間2時間以上", "Telecommunications Business Reporting Rules, Art. 7-3: 30,000 users or more, or 2 hours or more"),
    ("detailed_report_deadline", "詳細な報告の期限", "Detailed report due"),
    ("deadline_rule", "電気通信事業法施行規則 第57条：発生から30日以内", "Enforcement Regulations of the Telecommunications Business Act, Art. 57: within 30 days of the start"),
    ("reported_at", "速報の報告日", "First reported"),
    ("detailed_report_at", "詳細な報告の提出日", "Detailed report submitted"),
    ("sum", "計", "Total"),
    ("serious_count", "重大な事故", "Serious incidents"),
    ("quarterly_count", "四半期報告の対象", "Quarterly-report cases"),
    ("ledger", "再発防止策の一覧", "Countermeasure ledger"),
    ("pages", "ページ", "Pages"),
    ("previous_page", "前のページ", "Previous"),
    ("next_page", "次のページ", "Next"),
    ("overdue", "期限超過", "Overdue"),
    ("in_progress", "実施中", "In progress"),
    ("planned", "予定", "Planned"),
    ("done", "完了", "Done"),
    ("no_countermeasures_recorded", "記録なし", "None recorded"),
    ("all_countermeasures", "すべての再発防止策", "All countermeasures"),
    ("no_countermeasures", "再発防止策の記録はありません。", "No countermeasures are recorded."),
    ("unrecorded_incidents", "再発防止策の記録がない事故", "Incidents with no countermeasure recorded"),
    ("every_incident_records_countermeasures", "すべての事故に再発防止策の記録があります。", "Every incident records its countermeasures."),
    ("all_recorded_done", "記録のある再発防止策はすべて完了しています。", "Every recorded countermeasure is done."),
    ("incidents", "事故一覧", "Incidents"),
    ("search", "検索", "Search"),
    ("search_site", "サイト内検索", "Search this site"),
    ("search_terms", "キーワード", "Search terms"),
    ("search_filters", "絞り込み", "Narrow down"),
    ("search_any", "すべて", "Any"),
    ("search_loading", "検索しています…", "Searching…"),
    ("search_found", "{n}件見つかりました。", "{n} found."),
    ("search_shown", "新しい順に{n}件を表示しています。", "Showing the newest {n}."),
    ("search_none", "見つかりませんでした。", "Nothing found."),
    ("search_file", "ファイルとして開いたページ（file://）では検索できません。ブラウザが検索の索引の読み込みを拒否するためです。サイトをウェブサーバーから開くか、一覧から探してください：", "Search does not work in pages opened as files (file://): the browser refuses to load the search index. Open the site from a web server, or browse the list:"),
    ("search_failed", "検索の索引を読み込めませんでした。一覧から探してください：", "The search index could not be loaded. Browse the list:"),
    ("search_noscript", "検索にはJavaScriptが必要です。一覧から探してください：", "Search needs JavaScript. Browse the list:"),
    ("incident", "事故", "Incident"),
    ("causes", "発生原因別", "By cause"),
    ("cause", "発生原因", "Cause"),
    ("years", "年別", "By year"),
    ("year", "年", "Year"),
    ("operators", "事業者別", "By operator"),
    ("operator", "事業者名", "Operator"),
    ("meetings", "検証会議", "Review meetings"),
    ("meeting", "検証会議", "Review meeting"),
    ("key_figures", "主要指標", "Key figures"),
    ("incident_count", "事故件数", "Incidents"),
    (
        "total_users",
        "影響利用者数（合計）",
        "Affected users (total)",
    ),
    ("median_duration", "継続時間（中央値）", "Median duration"),
    ("latest", "最近の事故", "Latest incidents"),
    ("all_incidents", "すべての事故", "All incidents"),
    ("per_cause", "発生原因別の件数", "Incidents per cause"),
    ("summary", "事故の概要", "Summary"),
    ("started", "発生日時", "Started"),
    ("resolved", "復旧日時", "Resolved"),
    ("ongoing", "継続中", "Ongoing"),
    ("duration", "継続時間", "Duration"),
    ("users", "影響利用者数", "Affected users"),
    ("regions", "影響地域", "Affected regions"),
    ("services", "影響サービス", "Affected services"),
    ("inquiries", "問合せ件数", "Inquiries"),
    ("description", "障害内容", "What happened"),
    ("service_category", "役務区分", "Service category"),
    ("status", "状況", "Status"),
    ("primary", "主因", "primary"),
    ("contributing", "副因", "contributing"),
    ("primary_cause", "主因", "Primary cause"),
    ("report", "報告", "Report"),
    ("countermeasures", "再発防止策", "Countermeasures"),
    ("internal_edition", "社内版 — 転送禁止", "Internal edition — do not forward"),
    ("internal", "社内限定", "Internal"),
    ("internal_details", "社内情報", "Internal details"),
    ("action", "対策", "Action"),
    ("due", "期限", "Due"),
    ("completed", "完了", "Completed"),
    ("scope", "区分", "Scope"),
    ("term", "種別", "Term"),
    ("notices", "情報周知の経過", "Public notices"),
    ("elapsed", "発生からの経過", "Since start"),
    ("channel", "媒体", "Channel"),
    ("title", "件名", "Title"),
    ("kind", "種別", "Kind"),
    ("timeline", "経過", "Timeline"),
    ("time", "日時", "Time"),
    ("event", "事象", "Event"),
    ("phases", "事象別の内訳", "Phases"),
    ("phase", "事象", "Phase"),
    ("related", "関連する事故", "Related incidents"),
    ("reviewed_at", "検証した会議", "Reviewed at"),
    ("tags", "タグ", "Tags"),
    ("tag", "タグ", "Tag"),
    ("no_tags", "タグの付いた事故はありません。", "No incident has tags."),
    ("downloads", "データのダウンロード", "Download the data"),
    ("export_json", "JSON（全項目）", "JSON (every field)"),
    ("export_csv", "CSV（事故ごとに1行）", "CSV (one row per incident)"),
    ("export_measures_csv", "CSV（再発防止策ごとに1行）", "CSV (one row per countermeasure)"),
    ("date", "日付", "Date"),
    ("place", "場所", "Place"),
    ("attendees", "出席者", "Attendees"),
    ("agenda", "議題", "Agenda"),
    ("minutes", "議事要旨", "Minutes"),
    ("order_of_business", "議事次第", "Order of business"),
    ("handouts", "配布資料一覧", "Handouts"),
    ("members", "構成員", "Members"),
    ("secretariat", "事務局", "Secretariat"),
    (
        "no_incidents",
        "該当する事故はありません。",
        "No incidents.",
    ),
    ("incidents_suffix", "件", " incidents"),
    ("as_of", "時点", "as of"),
    ("contents", "目次", "Contents"),
    (
        "toc_pages_note",
        "ページ番号は gen pdf で作る PDF に入ります。この HTML を印刷したときに入るのは CSS の target-counter() に対応した印刷ソフト（WeasyPrint、Prince など）だけで、Chrome、Edge、Firefox、Safari では入りません。",
        "Page numbers are filled in by gen pdf. Printing this HTML file fills them in only with software that supports CSS target-counter() (WeasyPrint, Prince …), not in Chrome, Edge, Firefox or Safari.",
    ),
    ("not_found", "ページが見つかりません", "Page not found"),
    (
        "not_found_text",
        "お探しのページは見つかりませんでした。",
        "The page you asked for does not exist.",
    ),
    ("back_home", "ホームへ戻る", "Back to the home page"),
    ("skip", "本文へ移動", "Skip to content"),
    ("times_in", "時刻の表記", "Times in"),
    ("generated_by", "gen で生成", "Built with gen"),
    ("page_url", "このページのURL", "This page online"),
    (
        "preliminary_note",
        "速報：内容は確定版で変更される場合があります。",
        "Preliminary: figures may change in the final report.",
    ),
    (
        "draft_note",
        "下書き：公開前の内容です。",
        "Draft: not yet published.",
    ),
    // Feeds and the descriptions of pages (`{…}` is filled in by pages/feeds.rs).
    ("site_feed", "すべての事故の更新情報（Atom）", "Every incident (Atom feed)"),
    ("page_feed", "このページの更新情報（Atom）", "Updates of this page (Atom feed)"),
    (
        "describe_home",
        "{site}：事故{n}件の事後検証（原因・影響・再発防止策）の記録。",
        "{site}: postmortems of {n} incidents, with their causes, impact and countermeasures.",
    ),
    (
        "describe_page",
        "{title}：{site}に記録された事故の一覧と集計。",
        "{title}: incidents recorded in {site}, listed and summed up.",
    ),
    (
        "describe_group",
        "{title}：{site}に記録された事故{n}件。",
        "{title}: {n} incidents recorded in {site}.",
    ),
    (
        "describe_incident",
        "{title}（{operators}、{started}発生）",
        "{title} ({operators}, started {started})",
    ),
];

/// The labels that name years, for sites whose years start in another month than
/// January (`year_start`): (key, 日本語, English).
const FISCAL_LABELS: &[(&str, &str, &str)] = &[
    ("reports_lead", "年度ごとの事故の集計。各報告は1つのHTMLファイルで、印刷・PDF化してそのまま配布できます。", "Incidents summed up by fiscal year. Each report is a single HTML file that prints or converts to PDF as it is."),
    ("years", "年度別", "By fiscal year"),
    ("year", "年度", "Fiscal year"),
];

/// Punctuation and separators of one language. Templates read each as `t.<key>` and views
/// join lists with them, so no template or view writes `、` or `, ` itself.
#[derive(Debug, Clone, Copy)]
pub struct Punctuation {
    /// Between the items of a list: `、` / `, `.
    pub list_sep: &'static str,
    /// After a label, before its value: `：` / `: `.
    pub colon: &'static str,
    /// Opens a parenthetical: `（` / `(`.
    pub paren_open: &'static str,
    /// Closes a parenthetical: `）` / `)`.
    pub paren_close: &'static str,
    /// Between two short items of a line (a document's kind after the site's name): ` · `.
    pub dot_sep: &'static str,
    /// Between the links of a breadcrumb trail: ` › `.
    pub crumb_sep: &'static str,
    /// Between the two ends of a range within one day (`10:00–12:00`).
    pub range_sep: &'static str,
    /// Between the two ends of a range across days, whose ends hold spaces themselves.
    pub wide_range_sep: &'static str,
}

const JA_PUNCTUATION: Punctuation = Punctuation {
    list_sep: "、",
    colon: "：",
    paren_open: "（",
    paren_close: "）",
    dot_sep: " · ",
    crumb_sep: " › ",
    range_sep: "–",
    wide_range_sep: " – ",
};

const EN_PUNCTUATION: Punctuation = Punctuation {
    list_sep: ", ",
    colon: ": ",
    paren_open: "(",
    paren_close: ")",
    ..JA_PUNCTUATION
};

impl Punctuation {
    /// The punctuation of a language.
    pub fn of(lang: Lang) -> &'static Punctuation {
        match lang {
            Lang::Ja => &JA_PUNCTUATION,
            Lang::En => &EN_PUNCTUATION,
        }
    }

    /// Each mark under its template key.
    fn entries(&self) -> [(&'static str, &'static str); 8] {
        [
            ("list_sep", self.list_sep),
            ("colon", self.colon),
            ("paren_open", self.paren_open),
            ("paren_close", self.paren_close),
            ("dot_sep", self.dot_sep),
            ("crumb_sep", self.crumb_sep),
            ("range_sep", self.range_sep),
            ("wide_range_sep", self.wide_range_sep),
        ]
    }
}

/// The UI labels and punctuation of a language, as a map for templates.
pub fn labels(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    LABELS
        .iter()
        .map(|(k, ja, en)| (*k, if lang == Lang::Ja { *ja } else { *en }))
        .chain(Punctuation::of(lang).entries())
        .collect()
}

/// The labels of a site: its language's, with years named as fiscal years when the
/// site's years do not start in January.
pub fn site_labels(f: Fmt) -> BTreeMap<&'static str, &'static str> {
    let mut labels = labels(f.lang);
    if f.fiscal() {
        for (k, ja, en) in FISCAL_LABELS {
            labels.insert(k, if f.lang == Lang::Ja { ja } else { en });
        }
    }
    labels
}

/// Formats figures for one language.
#[derive(Debug, Clone, Copy)]
pub struct Fmt {
    /// The language.
    pub lang: Lang,
    /// Display offset.
    pub tz: FixedOffset,
    /// The month years start in (1 for calendar years).
    pub year_start: u32,
    /// How Japanese dates are written (English ignores it).
    pub date_style: DateStyle,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Fmt {
    /// The formatter of a site.
    pub fn new(config: &Config) -> Fmt {
        Fmt {
            lang: config.language,
            tz: config.timezone,
            year_start: config.year_start,
            date_style: config.date_style,
        }
    }

    /// Whether years are fiscal years (they start in another month than January).
    pub fn fiscal(self) -> bool {
        self.year_start != 1
    }

    /// A month's name in charts: `3月` / `Mar`.
    pub fn month(self, m: u32) -> String {
        match self.lang {
            Lang::Ja => format!("{m}月"),
            Lang::En => MONTHS[(m.clamp(1, 12) - 1) as usize].to_string(),
        }
    }
}

/// Appends `HH:MM`.
fn push_time(s: &mut String, d: DateTime<FixedOffset>) {
    push_padded(s, d.hour(), 2);
    s.push(':');
    push_padded(s, d.minute(), 2);
}

fn push_int(s: &mut String, n: impl itoa::Integer) {
    s.push_str(itoa::Buffer::new().format(n));
}

/// Appends `n` with a comma every three digits.
pub(crate) fn push_number(s: &mut String, n: u64) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n).as_bytes();
    s.reserve(digits.len() + digits.len() / 3);
    for (i, &c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(char::from(c));
    }
}

impl Fmt {
    // Written with `push_str` rather than `format!`: every page formats dozens of these
    // (about 6 % of a build's instructions went to `fmt` here).

    /// `52,792`.
    pub fn number(self, n: u64) -> String {
        let mut s = String::new();
        push_number(&mut s, n);
        s
    }

    /// Users with the approximate marker: `約48,000` / `about 48,000`.
    pub fn users(self, n: u64, approx: bool) -> String {
        let mut s = String::new();
        if approx {
            s.push_str(self.about());
        }
        push_number(&mut s, n);
        s
    }

    /// A count with its unit: `1,573件` / `1,573`.
    pub fn count(self, n: u64) -> String {
        self.approx_count(n, false)
    }

    /// A count that may be approximate: `約539件` / `about 539`.
    pub fn approx_count(self, n: u64, approx: bool) -> String {
        let mut s = self.users(n, approx);
        if self.lang == Lang::Ja {
            s.push('件');
        }
        s
    }

    fn about(self) -> &'static str {
        match self.lang {
            Lang::Ja => "約",
            Lang::En => "about ",
        }
    }

    /// `23時間8分` / `23h 8m`.
    pub fn duration(self, d: Duration) -> String {
        let mut s = String::new();
        self.push_duration(&mut s, d);
        s
    }

    fn push_duration(self, s: &mut String, d: Duration) {
        let m = d.minutes().unsigned_abs();
        let (h, m) = (m / 60, m % 60);
        if d.minutes() < 0 {
            s.push('-');
        }
        let (hours, minutes, between) = match self.lang {
            Lang::Ja => ("時間", "分", ""),
            Lang::En => ("h", "m", " "),
        };
        if h > 0 {
            push_int(s, h);
            s.push_str(hours);
        }
        if m > 0 || h == 0 {
            if h > 0 {
                s.push_str(between);
            }
            push_int(s, m);
            s.push_str(minutes);
        }
    }

    /// Time since the start of an incident: `+1時間37分` / `+1h 37m`.
    pub fn elapsed(self, d: Duration) -> String {
        let mut s = String::new();
        if d.minutes() >= 0 {
            s.push('+');
        }
        self.push_duration(&mut s, d);
        s
    }

    /// A date and time in the display offset: `2017年7月3日 11:50` / `3 Jul 2017 11:50`.
    pub fn datetime(self, t: Timestamp) -> String {
        let d = t.in_offset(self.tz);
        let mut s = self.date(d);
        s.push(' ');
        push_time(&mut s, d);
        s
    }

    /// A time of day in the display offset: `19:16`.
    pub fn time(self, t: Timestamp) -> String {
        let mut s = String::with_capacity(5);
        push_time(&mut s, t.in_offset(self.tz));
        s
    }

    /// A date in the display offset.
    pub fn day(self, t: Timestamp) -> String {
        self.date(t.in_offset(self.tz))
    }

    fn date(self, d: DateTime<FixedOffset>) -> String {
        self.partial_date(PartialDate {
            year: d.year(),
            month: Some(d.month()),
            day: Some(d.day()),
        })
    }

    /// A date at its precision: `2024年3月` / `Mar 2024`; with `date_style = "wareki"`,
    /// Japanese reads `令和6年3月` (a date known to the month or year takes the era of its
    /// last day; days before 1873, when Japan took up the Gregorian calendar, stay 西暦).
    pub fn partial_date(self, p: PartialDate) -> String {
        let mut s = String::with_capacity(24);
        match self.lang {
            Lang::Ja => {
                let era = match self.date_style {
                    DateStyle::Wareki => crate::calendar::era_year(
                        p.year,
                        p.month.unwrap_or(12),
                        p.day.unwrap_or(31),
                    ),
                    DateStyle::Western => None,
                };
                match era {
                    Some(era) => era.push_to(&mut s),
                    None => {
                        push_int(&mut s, p.year);
                        s.push('年');
                    }
                }
                if let Some(m) = p.month {
                    push_int(&mut s, m);
                    s.push('月');
                    if let Some(d) = p.day {
                        push_int(&mut s, d);
                        s.push('日');
                    }
                }
            }
            Lang::En => {
                if let Some(m) = p.month {
                    if let Some(d) = p.day {
                        push_int(&mut s, d);
                        s.push(' ');
                    }
                    s.push_str(MONTHS[(m - 1) as usize]);
                    s.push(' ');
                }
                push_int(&mut s, p.year);
            }
        }
        s
    }

    /// A year as a title: `2017年`, `2017年度`, `平成29年度` / `2017`, `FY2017`.
    pub fn year_label(self, y: i32) -> String {
        match self.lang {
            Lang::Ja => {
                let mut s = self.partial_date(PartialDate {
                    year: y,
                    month: None,
                    day: None,
                });
                if self.fiscal() {
                    s.push('度');
                }
                s
            }
            Lang::En if self.fiscal() => format!("FY{y}"),
            Lang::En => y.to_string(),
        }
    }

    /// A year in a breadcrumb: the bare number for Western calendar years (`2017`), else
    /// the title ([`Fmt::year_label`]), since `2017` alone names no fiscal or era year.
    pub fn year_crumb(self, y: i32) -> String {
        if self.fiscal() || (self.lang == Lang::Ja && self.date_style == DateStyle::Wareki) {
            self.year_label(y)
        } else {
            y.to_string()
        }
    }

    /// The months of a fiscal year: `2017年4月〜2018年3月` / `Apr 2017 – Mar 2018`;
    /// `None` for calendar years, which need no explanation.
    pub fn year_period(self, y: i32) -> Option<String> {
        if !self.fiscal() {
            return None;
        }
        let month = |year, m| {
            self.partial_date(PartialDate {
                year,
                month: Some(m),
                day: None,
            })
        };
        let start = self.year_start.clamp(2, 12);
        let (first, last) = (month(y, start), month(y + 1, start - 1));
        Some(match self.lang {
            Lang::Ja => format!("{first}〜{last}"),
            Lang::En => format!("{first}{}{last}", self.punctuation().wide_range_sep),
        })
    }

    /// The months of a year in order, from the one it starts in: `[4, 5, …, 12, 1, 2, 3]`
    /// for 年度.
    pub fn months_of_year(self) -> impl Iterator<Item = u32> {
        let start = self.year_start.clamp(1, 12);
        (0..12).map(move |k| (start - 1 + k) % 12 + 1)
    }

    /// The language's punctuation.
    pub fn punctuation(self) -> &'static Punctuation {
        Punctuation::of(self.lang)
    }

    /// When a figure was taken: `2017年7月4日時点` / `as of 4 Jul 2017`.
    pub fn as_of(self, date: PartialDate) -> String {
        let date = self.partial_date(date);
        match self.lang {
            Lang::Ja => date + "時点",
            Lang::En => format!("as of {date}"),
        }
    }

    /// The display offset: `UTC+09:00`.
    pub fn offset(self) -> String {
        format!("UTC{}", self.tz)
    }

    /// A label for a closed choice.
    pub fn choice<C: Choice + Label>(self, c: C) -> &'static str {
        let (ja, en) = c.label();
        if self.lang == Lang::Ja {
            ja
        } else {
            en
        }
    }

    /// A notice channel: known ones translated, others as written.
    pub fn channel(self, c: &str) -> String {
        let known = [
            ("website", "ウェブサイト", "Website"),
            ("press", "報道発表", "Press release"),
            ("email", "メール", "Email"),
            ("sns", "SNS", "Social media"),
            ("app", "アプリ", "App"),
            ("phone", "電話", "Phone"),
            ("chatbot", "チャットボット", "Chatbot"),
            ("chat", "チャット", "Chat"),
        ];
        match known.iter().find(|(k, _, _)| *k == c) {
            Some((_, ja, en)) => (if self.lang == Lang::Ja { *ja } else { *en }).to_string(),
            None => c.to_string(),
        }
    }
}

/// A value's label in each language.
pub trait Label {
    /// (日本語, English).
    fn label(self) -> (&'static str, &'static str);
}

impl Label for Status {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            Status::Draft => ("下書き", "Draft"),
            Status::Preliminary => ("速報", "Preliminary"),
            Status::Final => ("確定", "Final"),
        }
    }
}

impl Label for MeasureStatus {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            MeasureStatus::Done => ("完了", "Done"),
            MeasureStatus::InProgress => ("実施中", "In progress"),
            MeasureStatus::Planned => ("予定", "Planned"),
        }
    }
}

impl Label for Scope {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            Scope::Facility => ("設備面", "Facility"),
            Scope::Communication => ("周知面", "Communication"),
        }
    }
}

impl Label for Term {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            Term::Interim => ("暫定", "Interim"),
            Term::Permanent => ("恒久", "Permanent"),
        }
    }
}

impl Label for NoticeKind {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            NoticeKind::Initial => ("第1報", "Initial"),
            NoticeKind::Update => ("続報", "Update"),
            NoticeKind::Resolved => ("復旧報", "Resolved"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn f(lang: Lang) -> Fmt {
        Fmt {
            lang,
            tz: FixedOffset::east_opt(9 * 3600).unwrap(),
            year_start: 1,
            date_style: DateStyle::Western,
        }
    }

    #[test]
    fn durations_in_both_languages() {
        let d = Duration::from_minutes(4 * 60 + 26);
        assert_eq!(f(Lang::Ja).duration(d), "4時間26分");
        assert_eq!(f(Lang::En).duration(d), "4h 26m");
        assert_eq!(
            f(Lang::Ja).elapsed(Duration::from_minutes(97)),
            "+1時間37分"
        );
        assert_eq!(f(Lang::Ja).duration(Duration::from_minutes(29)), "29分");
        assert_eq!(f(Lang::Ja).duration(Duration::from_minutes(120)), "2時間");
        assert_eq!(f(Lang::En).duration(Duration::from_minutes(120)), "2h");
        assert_eq!(f(Lang::En).duration(Duration::from_minutes(0)), "0m");
        assert_eq!(f(Lang::En).elapsed(Duration::from_minutes(-61)), "-1h 1m");
        assert_eq!(f(Lang::Ja).elapsed(Duration::from_minutes(0)), "+0分");
    }

    #[test]
    fn dates_in_both_languages() {
        let t = crate::model::Timestamp(
            FixedOffset::east_opt(0)
                .unwrap()
                .with_ymd_and_hms(2017, 7, 3, 2, 5, 0)
                .unwrap(),
        );
        assert_eq!(f(Lang::Ja).datetime(t), "2017年7月3日 11:05");
        assert_eq!(f(Lang::En).datetime(t), "3 Jul 2017 11:05");
        let month = PartialDate::parse("2024-03").unwrap();
        assert_eq!(f(Lang::Ja).partial_date(month), "2024年3月");
        assert_eq!(f(Lang::En).partial_date(month), "Mar 2024");
        assert_eq!(
            f(Lang::En).partial_date(PartialDate::parse("2024").unwrap()),
            "2024"
        );
        assert_eq!(f(Lang::Ja).approx_count(539, true), "約539件");
        assert_eq!(f(Lang::En).approx_count(539, true), "about 539");
        assert_eq!(f(Lang::Ja).count(1573), "1,573件");
    }

    fn with(lang: Lang, year_start: u32, date_style: DateStyle) -> Fmt {
        Fmt {
            year_start,
            date_style,
            ..f(lang)
        }
    }

    #[test]
    fn wareki_dates_years_and_periods() {
        let w = with(Lang::Ja, 1, DateStyle::Wareki);
        let day = |s| w.partial_date(PartialDate::parse(s).unwrap());
        assert_eq!(day("2023-10-31"), "令和5年10月31日");
        assert_eq!(day("2019-05-01"), "令和元年5月1日");
        assert_eq!(day("2019-04-30"), "平成31年4月30日");
        assert_eq!(day("1989-01-07"), "昭和64年1月7日");
        assert_eq!(day("1989-01-08"), "平成元年1月8日");
        assert_eq!(day("2024-03"), "令和6年3月");
        assert_eq!(day("2019-04"), "平成31年4月");
        assert_eq!(day("2019"), "令和元年");
        // Before the Gregorian calendar was Japan's, 西暦.
        assert_eq!(day("1872-12-31"), "1872年12月31日");
        let t = crate::model::Timestamp(
            FixedOffset::east_opt(0)
                .unwrap()
                .with_ymd_and_hms(2019, 4, 30, 15, 0, 0)
                .unwrap(),
        );
        // 15:00 UTC is already 1 May in JST.
        assert_eq!(w.datetime(t), "令和元年5月1日 00:00");
        assert_eq!(w.time(t), "00:00");
        assert_eq!(
            w.as_of(PartialDate::parse("2017-07-04").unwrap()),
            "平成29年7月4日時点"
        );
        assert_eq!(w.year_label(2017), "平成29年");
        assert_eq!(w.year_crumb(2017), "平成29年");
        assert_eq!(w.year_period(2017), None);
        // English ignores the era.
        let en = with(Lang::En, 1, DateStyle::Wareki);
        assert_eq!(
            en.partial_date(PartialDate::parse("2019-05-01").unwrap()),
            "1 May 2019"
        );
    }

    #[test]
    fn fiscal_year_labels_and_months() {
        let ja = with(Lang::Ja, 4, DateStyle::Western);
        assert_eq!(ja.year_label(2017), "2017年度");
        assert_eq!(ja.year_crumb(2017), "2017年度");
        assert_eq!(
            ja.year_period(2017).as_deref(),
            Some("2017年4月〜2018年3月")
        );
        let w = with(Lang::Ja, 4, DateStyle::Wareki);
        assert_eq!(w.year_label(2019), "令和元年度");
        assert_eq!(w.year_label(1988), "昭和63年度");
        assert_eq!(
            w.year_period(2018).as_deref(),
            Some("平成30年4月〜平成31年3月")
        );
        let en = with(Lang::En, 4, DateStyle::Western);
        assert_eq!(en.year_label(2017), "FY2017");
        assert_eq!(en.year_period(2017).as_deref(), Some("Apr 2017 – Mar 2018"));
        let months: Vec<u32> = en.months_of_year().collect();
        assert_eq!(months, [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]);
        let calendar = f(Lang::Ja);
        assert_eq!(calendar.year_label(2017), "2017年");
        assert_eq!(calendar.year_crumb(2017), "2017");
        assert_eq!(calendar.year_period(2017), None);
        assert_eq!(calendar.months_of_year().next(), Some(1));
        assert_eq!(f(Lang::En).year_label(2017), "2017");
        assert_eq!(site_labels(ja)["years"], "年度別");
        assert_eq!(site_labels(calendar)["years"], "年別");
    }

    #[test]
    fn punctuation_follows_the_language() {
        let ja = labels(Lang::Ja);
        let en = labels(Lang::En);
        assert_eq!((ja["list_sep"], en["list_sep"]), ("、", ", "));
        assert_eq!((ja["colon"], en["colon"]), ("：", ": "));
        assert_eq!((ja["paren_open"], en["paren_close"]), ("（", ")"));
        // No mark shadows a label of the same key.
        assert_eq!(ja.len(), LABELS.len() + 8);
        let date = PartialDate::parse("2017-07-04").unwrap();
        assert_eq!(f(Lang::Ja).as_of(date), "2017年7月4日時点");
        assert_eq!(f(Lang::En).as_of(date), "as of 4 Jul 2017");
    }

    #[test]
    fn numbers_get_separators() {
        assert_eq!(f(Lang::Ja).number(52792), "52,792");
        assert_eq!(f(Lang::Ja).number(100), "100");
        assert_eq!(f(Lang::Ja).number(1000000), "1,000,000");
        assert_eq!(f(Lang::En).users(48000, true), "about 48,000");
    }
}
