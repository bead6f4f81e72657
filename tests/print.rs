//! Printable documents: packets, reports, annual reports, and `gen pdf` in a real
//! Chromium with poppler's pdfinfo/pdftotext (both installed by `.ci/run`).

use std::fs;
use std::path::Path;
use std::process::Command;

use gen::BuildOptions;
use tempfile::TempDir;

mod common;
use common::{gen_cmd, names, read, shipped, tree, write, CONFIG, HEAD};

fn tool(name: &str, args: &[&str]) -> String {
    let o = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} is needed for this test (apt-get install poppler-utils): {e}")
    });
    assert!(
        o.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn documents_are_single_files_with_absolute_links() {
    let dir = shipped();
    // Incident reports are written only on request.
    let config = read(&dir.path().join("config.toml"));
    write(
        dir.path(),
        "config.toml",
        format!("{config}incident_reports = true\n"),
    );
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let out = dir.path().join("output");
    for rel in [
        "meetings/2017-10-13-meeting-4/packet/index.html",
        "incidents/2017-07-03-jcom/report.html",
        "reports/2017/index.html",
    ] {
        let html = read(&out.join(rel));
        assert!(
            !html.contains("<link rel=\"stylesheet\""),
            "{rel} links a stylesheet"
        );
        assert!(
            html.contains("<style>") && html.contains("@page"),
            "{rel} inlines its print stylesheet"
        );
        assert!(
            !html.contains(" src=\"") || html.contains(" src=\"data:"),
            "{rel} refers to a file"
        );
        for piece in html.split("href=\"").skip(1) {
            let target = &piece[..piece.find('"').unwrap()];
            assert!(
                target.starts_with("https://example.org/postmortems/")
                    || target.starts_with('#')
                    || target.starts_with("https://"),
                "{rel}: relative link {target}"
            );
        }
    }
    // Pages link to their documents.
    assert!(read(&out.join("incidents/2017-07-03-jcom/index.html"))
        .contains("href=\"../../incidents/2017-07-03-jcom/report.html\">印刷用の報告書</a>"));
    assert!(
        read(&out.join("meetings/2017-10-13-meeting-4/index.html")).contains(
            "href=\"../../meetings/2017-10-13-meeting-4/packet/index.html\">会議資料（印刷用）</a>"
        )
    );
    assert!(read(&out.join("years/2017/index.html"))
        .contains("href=\"../../reports/2017/index.html\">年次報告</a>"));
    assert!(read(&out.join("reports/index.html"))
        .contains("href=\"../reports/2023/index.html\">2023年</a>"));
}

#[test]
fn a_default_build_writes_no_incident_report_and_links_to_none() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let out = dir.path().join("output");
    let incidents: Vec<String> = names(&out.join("incidents"))
        .into_iter()
        .filter(|n| n != "index.html")
        .collect();
    assert!(incidents.len() > 5, "{incidents:?}");
    for id in &incidents {
        assert!(out.join("incidents").join(id).join("index.html").is_file());
        assert!(
            !out.join("incidents").join(id).join("report.html").exists(),
            "{id} has a report.html"
        );
    }
    for entry in walkdir::WalkDir::new(&out) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "html") {
            let html = read(&path);
            let path = path.display();
            assert!(!html.contains("report.html"), "{path} links a report");
            assert!(!html.contains("印刷用の報告書"), "{path} offers a report");
        }
    }
    let o = gen_cmd(["routes"]).root(dir.path()).run();
    assert!(o.success(), "{}", o.stderr());
    assert!(o.stdout().contains("incidents/2017-07-03-jcom/index.html"));
    assert!(!o.stdout().contains("report.html"), "{}", o.stdout());
    assert!(!o.stdout().contains("incident-report"), "{}", o.stdout());
}

#[test]
fn a_packet_has_cover_contents_sections_and_minutes() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = read(
        &dir.path()
            .join("output/meetings/2023-12-20-meeting-8/packet/index.html"),
    );
    let cover = html.find("class=\"cover\"").unwrap();
    let toc = html.find("class=\"toc-page\"").unwrap();
    let docomo = html.find("id=\"incident-2023-10-31-docomo\"").unwrap();
    let catch = html
        .find("id=\"incident-2023-11-09-catch-network\"")
        .unwrap();
    let minutes = html.find("id=\"minutes\"").unwrap();
    assert!(
        cover < toc && toc < docomo && docomo < catch && catch < minutes,
        "agenda order"
    );
    assert!(html.contains("50,246") && html.contains("4時間26分") && html.contains("約48,000"));
    assert!(
        html.contains("content: \"電気通信事故検証会議（第8回）\""),
        "running header"
    );
    assert!(html.contains("counter(page) \" / \" counter(pages)"));
}

#[test]
fn the_2017_annual_report_has_its_incidents_and_a_bar_per_cause() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = read(&dir.path().join("output/reports/2017/index.html"));
    for name in [
        "楽天株式会社",
        "株式会社朝日ネット",
        "株式会社ジュピターテレコム",
    ] {
        assert!(html.contains(name), "{name}");
    }
    for figure in [
        "220,300",
        "84,774",
        "52,792",
        "6時間52分",
        "2時間19分",
        "23時間8分",
    ] {
        assert!(html.contains(figure), "{figure}");
    }
    // One bar per cause of the taxonomy, with that year's counts (primary and contributing).
    let chart = &html[html.find("<svg id=\"chart-causes\"").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    let bars: Vec<(String, String)> = chart
        .split("<rect class=\"bar\" data-key=\"")
        .skip(1)
        .map(|s| {
            let key = s[..s.find('"').unwrap()].to_string();
            let v = s.split("data-value=\"").nth(1).unwrap();
            (key, v[..v.find('"').unwrap()].to_string())
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("human-error", "2"),
        ("vendor-bug", "1"),
        ("overload", "1"),
        ("hardware-failure", "0"),
        ("upstream-provider", "0"),
        ("design-flaw", "1"),
        ("natural-disaster", "0"),
        ("cyber-attack", "0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(bars, expected);
    assert!(
        chart.contains("<desc id=\"chart-causes-desc\">人為ミス: 2, "),
        "a text alternative"
    );
    // Months: April (2) and July (1).
    assert!(
        html.contains("data-key=\"4\" data-value=\"2\"")
            && html.contains("data-key=\"7\" data-value=\"1\"")
    );
}

#[test]
fn gen_pdf_prints_a_packet_with_true_page_numbers() {
    let dir = shipped();
    let o = gen_cmd(["pdf", "--meeting", "2017-10-13-meeting-4"])
        .root(dir.path())
        .run();
    assert!(o.success(), "{}", o.stderr());
    let pdf = dir.path().join("pdf/meeting-2017-10-13-meeting-4.pdf");
    let pdf = pdf.to_str().unwrap();
    let info = tool("pdfinfo", &[pdf]);
    assert!(info.contains("(A4)"), "{info}");
    let pages: usize = info.lines().find(|l| l.starts_with("Pages:")).unwrap()[6..]
        .trim()
        .parse()
        .unwrap();
    assert!(
        pages >= 3,
        "cover, contents and one section at least: {pages}"
    );
    let text = tool("pdftotext", &["-layout", pdf, "-"]);
    for needle in [
        "事業者名",
        "株式会社ジュピターテレコム",
        "52,792",
        "23時間8分",
        "議事要旨",
    ] {
        assert!(text.contains(needle), "{needle} missing from the PDF text");
    }
    // The contents' page numbers are the pages where the sections start.
    let contents = tool("pdftotext", &["-layout", "-f", "2", "-l", "2", pdf, "-"]);
    let number_after = |label: &str| -> u32 {
        let line = contents
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label} in contents:\n{contents}"));
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    let section = number_after("DNSサーバへの応答破棄");
    let minutes = number_after("議事要旨");
    let page = |n: u32| {
        tool(
            "pdftotext",
            &[
                "-layout",
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
                pdf,
                "-",
            ],
        )
    };
    assert!(
        page(section).contains("事故の概要"),
        "section starts on page {section}"
    );
    assert!(!page(section - 1).contains("事故の概要"));
    assert!(
        page(minutes).contains("議事模様"),
        "minutes start on page {minutes}"
    );
    assert!(
        page(2).contains(&format!("2/{pages}")) || page(2).contains(&format!("2 / {pages}")),
        "page numbers in the footer"
    );
}

#[test]
fn a_missing_browser_is_a_clear_error() {
    let dir = shipped();
    let empty = TempDir::new().unwrap();
    let o = gen_cmd(["pdf", "--all"])
        .env("PATH", empty.path())
        .env_remove("GEN_BROWSER")
        .root(dir.path())
        .run();
    assert_eq!(o.code(), Some(2));
    let err = o.stderr();
    assert!(err.contains("no browser found to print PDFs"), "{err}");
    assert!(err.contains("sudo apt-get install chromium"), "{err}");
    assert!(!dir.path().join("pdf").exists());
    assert!(!dir.path().join("output").exists());
}

#[test]
fn an_unknown_document_is_a_usage_error_that_lists_the_known_ones() {
    let dir = shipped();
    for (args, want) in [
        (
            ["pdf", "--year", "1999"],
            "error: there is no year with incidents \"1999\"\n  help: known: 2023, 2017, 2016\n",
        ),
        (
            ["pdf", "--incident", "nope"],
            "error: there is no incident \"nope\"\n  help: known: 2023-11-09-catch-network, 2023-10-31-docomo, 2017-07-03-jcom, 2017-04-13-asahi-net, 2017-04-07-rakuten, 2016-12-12-netforest, 2016-08-17-nifty\n",
        ),
    ] {
        let o = gen_cmd(args).root(dir.path()).run();
        assert_eq!(o.code(), Some(2), "{args:?}");
        assert_eq!(o.stderr(), want, "{args:?}");
    }
}

fn screenshot(html: &Path, png: &Path) {
    let profile = TempDir::new().unwrap();
    let o = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1000,3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium is needed for this test (apt-get install chromium)");
    assert!(png.is_file(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_packet_copied_alone_renders_the_same() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let packet = dir
        .path()
        .join("output/meetings/2023-12-20-meeting-8/packet/index.html");
    let alone = TempDir::new().unwrap();
    fs::copy(&packet, alone.path().join("packet.html")).unwrap();
    let shots = TempDir::new().unwrap();
    screenshot(&packet, &shots.path().join("in-site.png"));
    screenshot(
        &alone.path().join("packet.html"),
        &shots.path().join("alone.png"),
    );
    assert!(
        fs::read(shots.path().join("in-site.png")).unwrap()
            == fs::read(shots.path().join("alone.png")).unwrap(),
        "the packet looks different without the rest of the site"
    );
}

/// gen's heap uses small pages (src/memory.rs); the browser it starts gets the setting
/// gen was started with, since the flag is inherited.
#[cfg(target_os = "linux")]
#[test]
fn gen_runs_on_small_pages_and_the_browser_it_starts_does_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = shipped();
    let fake = TempDir::new().unwrap();
    let record = fake.path().join("record");
    let browser = fake.path().join("browser");
    // Records gen's flag ($PPID) and its own, then "prints" the PDF gen asked for.
    fs::write(
        &browser,
        format!(
            "#!/bin/sh\n{{ grep THP_enabled /proc/$PPID/status; grep THP_enabled /proc/$$/status; }} > '{}'\n\
             for a in \"$@\"; do case \"$a\" in --print-to-pdf=*) echo '%PDF-1.4' > \"${{a#--print-to-pdf=}}\";; esac; done\n",
            record.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();
    let o = gen_cmd(["pdf", "--incident", "2017-07-03-jcom", "--browser"])
        .env_remove("MIMALLOC_ALLOW_THP")
        .arg(&browser)
        .root(dir.path())
        .run();
    assert!(o.success(), "{}", o.stderr());
    // The browser gets this test's own setting (on, unless whoever ran the tests turned it off).
    let own = read(Path::new("/proc/self/status"))
        .lines()
        .find(|l| l.starts_with("THP_enabled:"))
        .map(|l| format!("{l}\n"))
        .unwrap();
    assert_eq!(read(&record), format!("THP_enabled:\t0\n{own}"));
    assert!(dir
        .path()
        .join("pdf/incident-2017-07-03-jcom.pdf")
        .is_file());
    // The site it printed was built elsewhere.
    assert!(!dir.path().join("output").exists());
}

/// A PNG of `side`×`side` red pixels.
fn png(side: u32) -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8], out: &mut Vec<u8>) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        // CRC-32 of type and data.
        let mut crc = 0xffff_ffffu32;
        for &b in &out[start..] {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        out.extend((!crc).to_be_bytes());
    }
    // Each row: filter byte 0, then the pixels.
    let mut row = vec![0u8];
    row.extend([255u8, 0, 0].repeat(side as usize));
    let raw = row.repeat(side as usize);
    // Stored (uncompressed) deflate blocks inside a zlib stream.
    let mut z = vec![0x78u8, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (k, c) in chunks.iter().enumerate() {
        z.push(u8::from(k + 1 == chunks.len()));
        z.extend((c.len() as u16).to_le_bytes());
        z.extend((!(c.len() as u16)).to_le_bytes());
        z.extend(*c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(side.to_be_bytes());
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr, &mut out);
    chunk(b"IDAT", &z, &mut out);
    chunk(b"IEND", &[], &mut out);
    out
}

/// `gen pdf` prints from file:// pages: a root-absolute image in a body (`/etc/…`) would
/// be read from the printing machine's disk. Printed documents load nothing but their own
/// data, so the local picture never reaches the PDF.
#[test]
fn a_printed_report_never_reads_a_local_file_the_body_names() {
    let dir = TempDir::new().unwrap();
    let secret = dir.path().join("secret.png");
    fs::write(&secret, png(40)).unwrap();
    let site = dir.path().join("site");
    write(&site, "config.toml", CONFIG);
    // A picture of its own, embedded as data, shows that images still print.
    write(&site, "content/incidents/a/own.png", png(24));
    write(
        &site,
        "content/incidents/a/index.md",
        format!(
            "{HEAD}\n![own](own.png)\n\n![x]({0})\n\n<img src=\"{0}\">\n\n<img src=\"file://{0}\">\n",
            secret.display()
        ),
    );
    let o = gen_cmd(["pdf", "--incident", "a"])
        .root(&site)
        .arg("--output")
        .arg(dir.path().join("pdfs"))
        .run();
    assert!(o.success(), "{}", o.stderr());
    let pdf = dir.path().join("pdfs/incident-a.pdf");
    let list = tool("pdfimages", &["-list", pdf.to_str().unwrap()]);
    let sizes: Vec<(u32, u32)> = list
        .lines()
        .skip(2)
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[3].parse().unwrap(), f[4].parse().unwrap())
        })
        .collect();
    assert!(sizes.contains(&(24, 24)), "the report's own image: {list}");
    assert!(
        !sizes.contains(&(40, 40)),
        "a local file was printed: {list}"
    );
}

/// The names of a PDF's bookmarks, in order, as `pdftohtml -xml` lists them (`<item>`
/// elements of its `<outline>`; poppler reads the PDF's /Outlines tree).
fn bookmarks(pdf: &Path) -> Vec<String> {
    let xml = tool(
        "pdftohtml",
        &["-xml", "-stdout", "-i", pdf.to_str().unwrap()],
    );
    xml.split("<item ")
        .skip(1)
        .map(|item| {
            let text = &item[item.find('>').unwrap() + 1..];
            text[..text.find("</item>").unwrap()].to_string()
        })
        .collect()
}

/// A PDF's information as `pdfinfo` prints it: the value of one `Key:` line.
fn info(pdf: &Path, key: &str) -> String {
    tool("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("pdfinfo shows no {key}"))
        .trim()
        .to_string()
}

#[test]
fn printing_one_document_after_another_keeps_every_pdf_and_never_touches_the_site_output() {
    let dir = shipped();
    let o = gen_cmd(["build", "--base-url", "https://reviews.example.net/"])
        .root(dir.path())
        .run();
    assert!(o.success(), "{}", o.stderr());
    let output = dir.path().join("output");
    let built = tree(&output);
    let pdfs = dir.path().join("pdf");
    for (args, name) in [
        (
            ["--incident", "2017-07-03-jcom"],
            "incident-2017-07-03-jcom.pdf",
        ),
        (
            ["--incident", "2023-10-31-docomo"],
            "incident-2023-10-31-docomo.pdf",
        ),
        (["--year", "2023"], "year-2023.pdf"),
        (
            ["--meeting", "2017-10-13-meeting-4"],
            "meeting-2017-10-13-meeting-4.pdf",
        ),
        (
            ["--incident", "2016-08-17-nifty"],
            "incident-2016-08-17-nifty.pdf",
        ),
    ] {
        let o = gen_cmd(["pdf"]).args(args).root(dir.path()).run();
        assert!(o.success(), "{args:?}: {}", o.stderr());
        assert_eq!(o.stdout(), format!("{}\n", pdfs.join(name).display()));
        assert_eq!(tree(&output), built, "gen pdf {args:?} changed output/");
    }
    assert_eq!(
        names(&pdfs),
        [
            "incident-2016-08-17-nifty.pdf",
            "incident-2017-07-03-jcom.pdf",
            "incident-2023-10-31-docomo.pdf",
            "meeting-2017-10-13-meeting-4.pdf",
            "year-2023.pdf",
        ]
    );
    // Every document has bookmarks, led by its title, and is tagged.
    for name in names(&pdfs) {
        let pdf = pdfs.join(&name);
        let title = info(&pdf, "Title");
        assert_eq!(bookmarks(&pdf).first(), Some(&title), "{name}");
        assert_eq!(info(&pdf, "Tagged"), "yes", "{name}");
        assert_eq!(info(&pdf, "Author"), "電気通信事故アーカイブ", "{name}");
    }
    assert_eq!(
        info(&pdfs.join("year-2023.pdf"), "Title"),
        "2023年 年次報告"
    );
    // The packet was printed from a site built with config.toml's base_url, not the one
    // output/ was built with.
    let text = tool(
        "pdftotext",
        &[
            pdfs.join("meeting-2017-10-13-meeting-4.pdf")
                .to_str()
                .unwrap(),
            "-",
        ],
    );
    assert!(text.contains("https://example.org/postmortems/"), "{text}");
    // A later `gen build` leaves them be.
    let printed = tree(&pdfs);
    assert!(gen_cmd(["build"]).root(dir.path()).run().success());
    assert_eq!(tree(&pdfs), printed);

    // An unknown document prints nothing and changes nothing.
    let o = gen_cmd(["pdf", "--incident", "2017-07-03-jcom", "--incident", "nope"])
        .root(dir.path())
        .run();
    assert_eq!(o.code(), Some(2), "{}", o.stderr());
    assert!(
        o.stderr()
            .starts_with("error: there is no incident \"nope\"\n"),
        "{}",
        o.stderr()
    );
    assert_eq!(tree(&pdfs), printed);
}

/// A browser that prints nothing: the print fails after gen has started it.
#[cfg(unix)]
#[test]
fn a_failed_print_leaves_the_earlier_pdf_of_that_document_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let dir = shipped();
    let pdfs = dir.path().join("pdf");
    fs::create_dir_all(&pdfs).unwrap();
    fs::write(pdfs.join("incident-2017-07-03-jcom.pdf"), "earlier").unwrap();
    fs::write(pdfs.join("notes.txt"), "mine").unwrap();
    let fake = TempDir::new().unwrap();
    let browser = fake.path().join("browser");
    fs::write(&browser, "#!/bin/sh\necho 'crashed' >&2\nexit 1\n").unwrap();
    fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();
    let before = tree(&pdfs);
    let o = gen_cmd(["pdf", "--incident", "2017-07-03-jcom", "--browser"])
        .arg(&browser)
        .root(dir.path())
        .run();
    assert_eq!(o.code(), Some(2));
    assert_eq!(
        o.stderr(),
        "error: the browser did not print incident-2017-07-03-jcom.pdf: crashed\n"
    );
    // No partial file is left beside them either.
    assert_eq!(tree(&pdfs), before);
    assert!(!dir.path().join("output").exists());
}

#[test]
fn a_packet_pdf_has_bookmarks_metadata_and_links_within_itself() {
    let dir = shipped();
    let o = gen_cmd(["pdf", "--meeting", "2017-10-13-meeting-4"])
        .root(dir.path())
        .run();
    assert!(o.success(), "{}", o.stderr());
    let pdf = dir.path().join("pdf/meeting-2017-10-13-meeting-4.pdf");
    // One bookmark per heading: the cover, the contents, each incident (named by its
    // agenda item and operators) with its sections, the minutes.
    let marks = bookmarks(&pdf);
    for want in [
        "2017年度 電気通信事故検証会議（第4回）",
        "目次",
        "議題 1 · 株式会社ジュピターテレコム、株式会社ジェイコムウェスト\u{a0}DNSサーバへの応答破棄によるウェブサイト接続障害",
        "事故の概要",
        "総括",
        "再発防止策",
        "議事要旨",
        "議事模様",
    ] {
        assert_eq!(
            marks.iter().filter(|m| *m == want).count(),
            1,
            "{want} in {marks:#?}"
        );
    }
    assert_eq!(
        info(&pdf, "Title"),
        "2017年度 電気通信事故検証会議（第4回）"
    );
    assert_eq!(info(&pdf, "Author"), "電気通信事故アーカイブ");
    assert_eq!(info(&pdf, "Creator"), "gen");
    assert_eq!(info(&pdf, "Tagged"), "yes");
    // The minutes' 「事故報告を参照」 leads to the incident's section in the packet and
    // 「事故報告の『総括』」 to that heading; only the section's own web-version link leads
    // to the site (links are uncompressed annotations in Chromium's PDFs).
    let bytes = String::from_utf8_lossy(&fs::read(&pdf).unwrap()).into_owned();
    assert!(bytes.contains("/Dest /incident-2017-07-03-jcom"));
    assert!(bytes.contains("/Dest /2017-07-03-jcom-#25E7#25B7#258F#25E6#258B#25AC"));
    assert_eq!(
        bytes
            .matches("/URI (https://example.org/postmortems/incidents/2017-07-03-jcom/")
            .count(),
        1
    );
    // The printed contents carry page numbers, so the note about them is left out.
    assert!(!tool("pdftotext", &[pdf.to_str().unwrap(), "-"]).contains("target-counter"));
}

#[test]
fn the_html_packet_says_where_its_page_numbers_come_from() {
    let dir = shipped();
    gen::build(&BuildOptions::new(dir.path())).unwrap();
    let html = read(
        &dir.path()
            .join("output/meetings/2017-10-13-meeting-4/packet/index.html"),
    );
    assert!(html.contains(
        "<li><a href=\"#minutes\">議事要旨</a><span class=\"leader\"></span><span class=\"page\" data-target=\"#minutes\"></span></li>"
    ));
    assert!(html.contains("<p class=\"toc-note\">ページ番号は gen pdf で作る PDF に入ります。この HTML を印刷したときに入るのは CSS の target-counter() に対応した印刷ソフト（WeasyPrint、Prince など）だけで、Chrome、Edge、Firefox、Safari では入りません。</p>"));
    assert!(html
        .contains(".toc .page:empty::after { content: target-counter(attr(data-target), page);"));
    // Links to the incident on the agenda stay in the packet.
    assert!(
        html.contains("本事故の概要は <a href=\"#incident-2017-07-03-jcom\">事故報告</a>を参照。")
    );
    assert!(html.contains("<a href=\"#2017-07-03-jcom-総括\">事故報告の「総括」</a>"));
}

#[test]
fn a_link_whose_text_is_its_address_is_printed_once() {
    let dir = TempDir::new().unwrap();
    let site = dir.path().join("site");
    write(&site, "config.toml", CONFIG);
    write(
        &site,
        "content/incidents/a.md",
        format!("{HEAD}\n公表資料 <https://example.com/a> と [説明](https://example.com/b)。\n"),
    );
    let o = gen_cmd(["pdf", "--incident", "a"])
        .root(&site)
        .arg("--output")
        .arg(dir.path().join("pdfs"))
        .run();
    assert!(o.success(), "{}", o.stderr());
    let pdf = dir.path().join("pdfs/incident-a.pdf");
    let text = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert_eq!(text.matches("https://example.com/a").count(), 1, "{text}");
    // A link with other text still shows where it leads.
    assert_eq!(text.matches("<https://example.com/b>").count(), 1, "{text}");
    assert_eq!(info(&pdf, "Title"), "A");
    assert_eq!(info(&pdf, "Author"), "T");
}

#[test]
fn dates_in_a_packet_pdf_stay_on_one_line() {
    let dir = shipped();
    let o = gen_cmd(["pdf", "--meeting", "2023-12-20-meeting-8"])
        .root(dir.path())
        .run();
    assert!(o.success(), "{}", o.stderr());
    let pdf = dir.path().join("pdf/meeting-2023-12-20-meeting-8.pdf");
    let text = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    // ドコモ's four countermeasures were completed on 2023-11-22: the 完了 column of the
    // table is narrow, and once printed the date broke as 2023年|11月22|日.
    assert!(
        text.matches("2023年11月22日").count() >= 4,
        "a date broke across lines:\n{text}"
    );
    for broken in ["2023年\n", "11月\n22日", "22\n日"] {
        assert!(!text.contains(broken), "{broken:?} in:\n{text}");
    }
}
