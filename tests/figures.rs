//! Honest figures across incidents (issue #23): unknown is never 0, 約 stays 約, derived
//! figures are marked, medians state their coverage, report obligations are computed and
//! overdue countermeasures are in plain sight.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{gen_cmd, read, shipped, site, text, HEAD};

/// Builds `root` with `gen build --today TODAY` and returns the output folder.
fn build_on(root: &Path, today: &str) -> PathBuf {
    let o = gen_cmd(["build", "--today", today]).root(root).run();
    assert!(o.success(), "{}", o.stderr());
    root.join("output")
}

fn page(out: &Path, rel: &str) -> String {
    text(&read(&out.join(rel)))
}

/// Every HTML file under `dir`.
fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
}

#[test]
fn the_shipped_site_never_shows_an_unknown_as_zero_nor_drops_a_about() {
    let dir = shipped();
    let out = build_on(dir.path(), "2023-12-20");
    // Seven incidents, ネットフォレスト's users unknown, キャッチネットワーク's 約48,000.
    let home = page(&out, "index.html");
    assert!(
        home.contains("影響利用者数（合計） 約646,745 以上（1件は不明）"),
        "{home}"
    );
    assert!(
        home.contains("継続時間（中央値） 5時間18分 （7件）"),
        "{home}"
    );
    let ops = read(&out.join("operators/index.html"));
    let netforest = ops
        .split("<tr>")
        .find(|r| r.contains("ネットフォレスト"))
        .expect("ネットフォレスト row");
    assert!(
        text(netforest).contains("1件 不明 67時間45分（1件）"),
        "{netforest}"
    );
    let catch = ops
        .split("<tr>")
        .find(|r| r.contains("キャッチネットワーク"))
        .expect("キャッチネットワーク row");
    assert!(text(catch).contains("約48,000"), "{catch}");
    let causes = read(&out.join("causes/index.html"));
    let upstream = causes
        .split("<tr>")
        .find(|r| r.contains("causes/upstream-provider/"))
        .expect("他事業者設備 row");
    assert!(
        text(upstream).contains("1件 1 不明 67時間45分（1件）"),
        "{upstream}"
    );
    let y2023 = page(&out, "years/2023/index.html");
    assert!(y2023.contains("影響利用者数（合計） 約98,246"), "{y2023}");
    // ニフティ: the minutes give ①②'s figures only; gen's sum is marked as gen's.
    let list = page(&out, "incidents/index.html");
    assert!(list.contains("190,633（①②の計）"), "{list}");
    let nifty = page(&out, "incidents/2016-08-17-nifty/index.html");
    assert!(
        nifty.contains("①個人向け電子メールサービス：186,224 ②企業向け電子メールサービス：4,409 計：190,633（①②の計）"),
        "{nifty}"
    );
    // Every incident the minutes review is a 重大な事故; ネットフォレスト's own report
    // does not say.
    let jcom = page(&out, "incidents/2017-07-03-jcom/index.html");
    assert!(jcom.contains("重大な事故 該当 四半期報告 対象"), "{jcom}");
    assert!(jcom.contains("詳細な報告の期限 2017年8月2日"), "{jcom}");
    let netforest = page(&out, "incidents/2016-12-12-netforest/index.html");
    assert!(netforest.contains("重大な事故 記載なし"), "{netforest}");
    assert!(home.contains("重大な事故 6件"), "{home}");
    // 2016: ネットフォレスト states no inquiries.
    let r2016 = page(&out, "reports/2016/index.html");
    assert!(
        r2016.contains("問合せ件数（合計） 342件以上（1件は不明）"),
        "{r2016}"
    );
    assert!(
        r2016.contains("影響利用者数（中央値） 190,633（1件）"),
        "{r2016}"
    );
    // 2023: キャッチネットワーク's 約370 makes the year's inquiry total approximate.
    let r2023 = page(&out, "reports/2023/index.html");
    assert!(r2023.contains("問合せ件数（合計） 約543件"), "{r2023}");
}

#[test]
fn a_site_of_unknown_figures_shows_no_zero_figure_on_any_page() {
    let unknown = format!("{HEAD}\nBody.\n");
    let b = unknown.replace("title = \"A\"", "title = \"B\"");
    let dir = site(&[
        ("content/incidents/a.md", &unknown),
        ("content/incidents/b.md", &b),
    ]);
    let out = build_on(dir.path(), "2024-02-01");
    let mut files = Vec::new();
    html_files(&out, &mut files);
    assert!(files.len() > 10);
    for f in files {
        let html = read(&f);
        // A users or inquiries figure is a cell or a definition right after its label.
        for label in ["影響利用者数", "問合せ件数"] {
            for (at, _) in html.match_indices(label) {
                let after: String = html[at..].chars().take(200).collect();
                let value = text(&after);
                let value: String = value.split(' ').skip(1).take(1).collect();
                assert!(
                    value != "0" && value != "0件",
                    "{}: {label} shows {value}",
                    f.display()
                );
            }
        }
        let t = text(&html);
        assert!(!t.contains("影響利用者数（合計） 0"), "{}", f.display());
    }
    let home = page(&out, "index.html");
    assert!(home.contains("影響利用者数（合計） 不明"), "{home}");
    assert!(home.contains("継続時間（中央値） 不明"), "{home}");
    let report = page(&out, "reports/2024/index.html");
    assert!(report.contains("問合せ件数（合計） 不明"), "{report}");
    assert!(report.contains("影響利用者数（中央値） 不明"), "{report}");
    assert!(
        report.contains("2件中0件を表示（2件は継続時間または影響利用者数が不明）"),
        "{report}"
    );
    let a = page(&out, "incidents/a/index.html");
    assert!(a.contains("影響利用者数 不明"), "{a}");
    assert!(a.contains("四半期報告 不明"), "{a}");
    assert!(a.contains("重大な事故 記載なし"), "{a}");
}

/// An incident with a duration and users, as front matter lines.
fn incident(title: &str, started: &str, resolved: &str, users: &str, extra: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\noperators = [\"Op\"]\nstarted = {started}\nresolved = {resolved}\n{users}\ncauses = [\"human-error\"]\n{extra}+++\n\nBody.\n"
    )
}

#[test]
fn the_quarterly_report_and_the_detailed_report_deadline_are_computed() {
    let dir = site(&[
        (
            "content/incidents/long.md",
            &incident(
                "long",
                "2024-01-15T10:00:00+09:00",
                "2024-01-15T12:30:00+09:00",
                "affected_users = 100",
                "[reporting]\nserious = true\ndetailed_report_at = 2024-02-14\n",
            ),
        ),
        (
            "content/incidents/short.md",
            &incident(
                "short",
                "2024-02-15T10:00:00+09:00",
                "2024-02-15T11:00:00+09:00",
                "affected_users = 100",
                "[reporting]\nserious = false\n",
            ),
        ),
        (
            "content/incidents/many.md",
            &incident(
                "many",
                "2024-03-15T10:00:00+09:00",
                "2024-03-15T10:30:00+09:00",
                "affected_users = \"約30,000\"",
                "[reporting]\nserious = true\ndetailed_report_at = 2024-04-15T09:00:00+09:00\n",
            ),
        ),
        (
            "content/incidents/open.md",
            &incident(
                "open",
                "2024-04-15T10:00:00+09:00",
                "2024-04-15T11:00:00+09:00",
                "",
                "",
            ),
        ),
    ]);
    let out = build_on(dir.path(), "2024-06-01");
    let long = page(&out, "incidents/long/index.html");
    assert!(long.contains("重大な事故 該当 四半期報告 対象"), "{long}");
    assert!(long.contains("詳細な報告の期限 2024年2月14日"), "{long}");
    assert!(
        long.contains("詳細な報告の提出日 2024年2月14日 期限内"),
        "{long}"
    );
    assert!(long.contains("電気通信事業報告規則 第7条の3"), "{long}");
    let short = page(&out, "incidents/short/index.html");
    assert!(
        short.contains("重大な事故 該当しない 四半期報告 対象外"),
        "{short}"
    );
    assert!(!short.contains("詳細な報告の期限"), "{short}");
    let many = page(&out, "incidents/many/index.html");
    assert!(many.contains("四半期報告 対象"), "{many}");
    assert!(
        many.contains("詳細な報告の提出日 2024年4月15日 期限超過"),
        "{many}"
    );
    let open = page(&out, "incidents/open/index.html");
    assert!(open.contains("四半期報告 不明"), "{open}");
    let year = page(&out, "years/2024/index.html");
    assert!(year.contains("重大な事故 2件"), "{year}");
    assert!(
        year.contains("四半期報告の対象 2件以上（1件は不明）"),
        "{year}"
    );
    let list = read(&out.join("incidents/index.html"));
    assert_eq!(list.matches("badge-serious").count(), 2);
    let report = page(&out, "reports/2024/index.html");
    assert!(
        report.contains("short Op 1時間 100 人為ミス 対象外"),
        "{report}"
    );
    assert!(
        report.contains("open Op 1時間 不明 人為ミス 不明"),
        "{report}"
    );
    assert!(
        report.contains("重大な事故 2件 四半期報告の対象 2件以上（1件は不明）"),
        "{report}"
    );
}

#[test]
fn the_ledger_puts_overdue_countermeasures_first_at_a_fixed_today() {
    let measures = "[[countermeasures]]\naction = \"監視の追加\"\nstatus = \"done\"\ncompleted = 2024-01-20\n\n[[countermeasures]]\naction = \"手順書の改訂\"\nstatus = \"planned\"\ndue = 2024-03-31\n\n[[countermeasures]]\naction = \"装置の更改\"\nstatus = \"in-progress\"\ndue = \"2024-12\"\n";
    let dir = site(&[
        (
            "content/incidents/a.md",
            &incident(
                "A",
                "2024-01-15T10:00:00+09:00",
                "2024-01-15T12:30:00+09:00",
                "affected_users = 100",
                measures,
            ),
        ),
        (
            "content/incidents/b.md",
            &incident(
                "B",
                "2024-02-15T10:00:00+09:00",
                "2024-02-15T11:00:00+09:00",
                "affected_users = 100",
                "",
            ),
        ),
    ]);
    let out = build_on(dir.path(), "2024-04-10");
    let ledger = page(&out, "countermeasures/index.html");
    assert!(ledger.contains("2024年4月10日時点"), "{ledger}");
    let overdue = ledger.find("期限超過（10日） 手順書の改訂").expect(&ledger);
    let progress = ledger.find("実施中 装置の更改").expect(&ledger);
    let done = ledger.find("完了 監視の追加").expect(&ledger);
    assert!(overdue < progress && progress < done, "{ledger}");
    assert!(
        ledger.contains("未完了の再発防止策 2件 期限超過 1件"),
        "{ledger}"
    );
    assert!(ledger.contains("再発防止策の記録がない事故"), "{ledger}");
    let a = page(&out, "incidents/a/index.html");
    assert!(a.contains("予定 期限超過（10日） 2024年3月31日"), "{a}");
    let b = page(&out, "incidents/b/index.html");
    assert!(b.contains("再発防止策 記録なし"), "{b}");
    let report = page(&out, "reports/2024/index.html");
    assert!(
        report.contains("手順書の改訂 予定 期限超過（10日）"),
        "{report}"
    );
    assert!(report.contains("B：記録なし"), "{report}");
    assert!(
        !report.contains("未完了の再発防止策はありません"),
        "{report}"
    );
    let home = page(&out, "index.html");
    assert!(
        home.contains("未完了の再発防止策 2件 期限超過 1件 再発防止策の記録がない事故 1件"),
        "{home}"
    );
    // A later day: the same countermeasure, more days past due; nothing else moves.
    let out = build_on(dir.path(), "2024-05-01");
    assert!(page(&out, "countermeasures/index.html").contains("期限超過（31日） 手順書の改訂"));
}

#[test]
fn english_figures_read_about_unknown_and_at_least() {
    let dir = site(&[
        (
            "config.toml",
            "title = \"T\"\nlanguage = \"en\"\ntimezone = \"+09:00\"\n",
        ),
        (
            "content/incidents/a.md",
            &incident(
                "A",
                "2024-01-15T10:00:00+09:00",
                "2024-01-15T12:30:00+09:00",
                "affected_users = \"約48,000\"",
                "",
            ),
        ),
        (
            "content/incidents/b.md",
            &incident(
                "B",
                "2024-02-15T10:00:00+09:00",
                "2024-02-15T11:00:00+09:00",
                "",
                "",
            ),
        ),
    ]);
    let out = build_on(dir.path(), "2024-04-10");
    let home = page(&out, "index.html");
    assert!(
        home.contains("Affected users (total) at least about 48,000 (1 unknown)"),
        "{home}"
    );
    assert!(
        home.contains("Median duration 1h 45m (2 incidents)"),
        "{home}"
    );
    let b = page(&out, "incidents/b/index.html");
    assert!(b.contains("Quarterly report Unknown"), "{b}");
}

#[test]
fn a_long_ledger_is_split_into_pages_that_keep_its_order() {
    // 250 countermeasures, every other one overdue (due 2024-01-01): 125 overdue first,
    // then 125 done.
    let mut measures = String::new();
    for k in 0..250 {
        if k % 2 == 0 {
            measures.push_str(&format!(
                "[[countermeasures]]\naction = \"対策{k:03}\"\nstatus = \"planned\"\ndue = 2024-01-01\n\n"
            ));
        } else {
            measures.push_str(&format!(
                "[[countermeasures]]\naction = \"対策{k:03}\"\nstatus = \"done\"\ncompleted = 2024-01-10\n\n"
            ));
        }
    }
    let dir = site(&[(
        "content/incidents/a.md",
        &incident(
            "A",
            "2023-12-01T10:00:00+09:00",
            "2023-12-01T12:30:00+09:00",
            "affected_users = 100",
            &measures,
        ),
    )]);
    let out = build_on(dir.path(), "2024-04-10");
    let first = page(&out, "countermeasures/index.html");
    let second = page(&out, "countermeasures/page/2/index.html");
    assert!(!out.join("countermeasures/page/3").exists());
    assert!(
        first.contains("未完了の再発防止策 125件 期限超過 125件"),
        "{first}"
    );
    assert!(
        first.contains("すべての再発防止策 1 2 次のページ → 250件中 1–200件 状況"),
        "{first}"
    );
    assert!(
        second.contains("すべての再発防止策 ← 前のページ 1 2 250件中 201–250件 状況"),
        "{second}"
    );
    // Both pages state the as-of date; the counts are on the first only.
    assert!(second.contains("2024年4月10日時点"), "{second}");
    assert!(!second.contains("再発防止策の記録がない事故"), "{second}");
    assert_eq!(first.matches("期限超過（100日）").count(), 125);
    assert_eq!(first.matches("完了 対策").count(), 75);
    assert_eq!(second.matches("完了 対策").count(), 50);
    let html = read(&out.join("countermeasures/page/2/index.html"));
    assert!(
        html.contains("rel=\"prev\" href=\"../../../countermeasures/index.html\""),
        "{html}"
    );
}
