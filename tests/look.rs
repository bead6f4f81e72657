//! How pages look where it matters to readers (issue 25, items 4–6): Ctrl+P prints a web
//! page's content only, on A4, with its address; the charts say what they count, draw a
//! zero as no bar and offer their data as a table. (Words that wrap inside themselves are
//! checked in a browser by the qa gate: `qa/run`, check `word-wrap`.)

use std::path::Path;
use std::process::Command;

use gen::BuildOptions;

mod common;
use common::{read, shipped};

fn tool(name: &str, args: &[&str]) -> String {
    let o = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for this test: {e}"));
    assert!(
        o.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Prints `page` the way Ctrl+P does (print media, the browser's own header and footer off)
/// and returns the PDF's text and its pdfinfo.
fn print(page: &Path, pdf: &Path) -> (String, String) {
    let url = format!("file://{}", page.display());
    tool(
        "chromium",
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &url,
        ],
    );
    let pdf = pdf.to_str().unwrap();
    (
        tool("pdftotext", &["-layout", pdf, "-"]),
        tool("pdfinfo", &[pdf]),
    )
}

#[test]
fn ctrl_p_prints_the_content_on_a4_with_the_address_at_the_end() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let out = dir.path().join("output");
    let page = out.join("incidents/2017-07-03-jcom/index.html");
    let html = read(&page);
    // On screen the address is hidden (the browser shows it); the print stylesheet shows it.
    assert!(html.contains("<p class=\"print-url wrap\">このページのURL：https://example.org/postmortems/incidents/2017-07-03-jcom/</p>"));
    let (text, info) = print(&page, &dir.path().join("incident.pdf"));
    assert!(info.contains("(A4)"), "{info}");
    for gone in [
        "本文へ移動", // skip link
        "事故一覧",   // the nav and the breadcrumb
        "gen で生成", // the site footer
    ] {
        assert!(!text.contains(gone), "{gone} is printed:\n{text}");
    }
    assert!(text.contains("DNSサーバへの応答破棄"), "{text}");
    let tail = text.trim_end();
    let last = tail[..tail.rfind("このページのURL").expect(&text)].len();
    assert!(
        text[last..].starts_with(
            "このページのURL：https://example.org/postmortems/incidents/2017-07-03-jcom/"
        ),
        "{}",
        &text[last..]
    );
    // Page numbers in the bottom margin: "1 / N" on the first page.
    let pages: usize = info.lines().find(|l| l.starts_with("Pages:")).unwrap()[6..]
        .trim()
        .parse()
        .unwrap();
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squeezed.contains(&format!(" 1/{pages} ")) || squeezed.contains(&format!(" 1 / {pages} ")),
        "{text}"
    );
}

#[test]
fn without_a_base_url_no_address_is_printed() {
    let dir = shipped();
    let cfg = dir.path().join("config.toml");
    let text = read(&cfg).replace(
        "base_url = \"https://example.org/postmortems/\"",
        "base_url = \"/\"",
    );
    std::fs::write(&cfg, text).unwrap();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = read(
        &dir.path()
            .join("output/incidents/2017-07-03-jcom/index.html"),
    );
    assert!(
        !html.contains("print-url"),
        "a relative address says nothing on paper"
    );
}

#[test]
fn the_home_cause_chart_says_it_counts_both_roles_and_draws_zero_as_nothing() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = read(&dir.path().join("output/index.html"));
    let chart = &html[html
        .find("<section aria-labelledby=\"per-cause\">")
        .unwrap()..];
    let chart = &chart[..chart.find("</section>").unwrap()];
    assert!(chart.contains("<p class=\"chart-note\">主因と副因を合わせた件数です。1件の事故が複数の原因に数えられるため、合計は事故の件数より多くなります。濃い部分が主因の件数です。</p>"));
    // ハードウェア故障 has no incident: no bar, not a 2 px sliver.
    let hw = &chart[chart
        .find("<span class=\"bar-label\">ハードウェア故障</span>")
        .unwrap()..];
    assert!(
        hw.starts_with("<span class=\"bar-label\">ハードウェア故障</span><span class=\"bar bar-zero\" style=\"--w: 0%; --p: 0%\"></span><span class=\"bar-count\">0件</span>"),
        "{}",
        &hw[..200]
    );
    // 人為ミス: 3 incidents, all with it as their primary cause (the bar is all dark).
    assert!(chart.contains("<span class=\"bar-label\">人為ミス</span><span class=\"bar\" style=\"--w: 60%; --p: 100%\"></span>"), "{chart}");
    // The same figures as a table.
    assert!(chart.contains("<details class=\"chart-data\">\n<summary>表で見る</summary>"));
    assert!(
        chart.contains(
            "<tr><td>設計・構成の不備</td><td class=\"num\">5件</td><td class=\"num\">0</td></tr>"
        ),
        "{chart}"
    );
    let css = read(&dir.path().join("output/style.css"));
    assert!(css.contains(".bar.bar-zero { min-width: 0; width: 0; }"));
}

#[test]
fn the_annual_charts_have_axes_legends_and_tables() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = read(&dir.path().join("output/reports/2017/index.html"));
    assert!(
        html.contains("主因と副因を合わせて数えるため"),
        "the cause chart says what it counts"
    );
    // The months: bars on a count axis (0, 1, 2), and a table one click away.
    let months = &html[html.find("<svg id=\"chart-months\"").unwrap()..];
    let months = &months[..months.find("</figure>").unwrap()];
    for t in 0..=2 {
        assert!(
            months.contains(&format!("text-anchor=\"middle\">{t}</text>")),
            "tick {t}"
        );
    }
    let may = &months[months.find("data-key=\"5\" data-value=\"0\"").unwrap()..];
    assert!(
        may.split('>')
            .next()
            .unwrap()
            .ends_with("width=\"0\" height=\"18\" fill=\"#2f5f8f\""),
        "May is no bar: {may}"
    );
    assert!(months.contains("<details class=\"chart-data\"><summary>表で見る</summary><table class=\"chart-table chart-months-table\">"));
    assert!(months.contains("<tr><td>7月</td><td class=\"num\">1</td></tr>"));
    // The scatter: hours 0–25, users to 250,000, numbered points and their legend.
    let scatter = &html[html.find("<svg id=\"chart-scatter\"").unwrap()..];
    let scatter = &scatter[..scatter.find("</figure>").unwrap()];
    assert!(
        scatter.contains(">継続時間（時間）</text>") && scatter.contains(">影響利用者数</text>")
    );
    assert!(scatter.contains("text-anchor=\"middle\">25</text>"));
    assert!(scatter.contains("text-anchor=\"end\">250,000</text>"));
    assert!(scatter.contains("<tr><td class=\"num\">1</td><td>株式会社ジュピターテレコム、株式会社ジェイコムウェスト</td><td>DNSサーバへの応答破棄によるウェブサイト接続障害</td><td class=\"num\">23時間8分</td><td class=\"num\">52,792</td></tr>"), "{scatter}");
    assert!(
        scatter.contains("3件すべてを表示"),
        "the lead's caption stays"
    );
}
