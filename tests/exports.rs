//! The data exports (issue #24, item 6): `incidents.json` validates against its published
//! schema and carries every figure as the pages state it (unknown is null, 約 stays
//! approximate, derived is marked); the CSV files open in Python's csv module (and so in
//! Excel, BOM first); drafts and hostile text stay out of harm's way.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{gen_cmd, read, shipped, site_with_config, write, CONFIG};
use serde_json::Value;

/// Builds `root` on a fixed day and returns the output folder.
fn build(root: &Path, extra: &[&str]) -> PathBuf {
    let o = gen_cmd(["build", "--today", "2024-06-01"])
        .args(extra)
        .root(root)
        .run();
    assert!(o.success(), "{}", o.stderr());
    root.join("output")
}

fn json(out: &Path) -> Value {
    serde_json::from_str(&read(&out.join("incidents.json"))).expect("incidents.json is JSON")
}

/// Runs a Python script with Debian's python3 (and its python3-jsonschema, which
/// `.ci/run` installs) and returns its standard output.
fn python(script: &str, args: &[&Path]) -> String {
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs (Debian's python3 package)");
    assert!(
        o.status.success(),
        "python3 failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// CSV rows as Python's csv module reads the file (opened as `utf-8-sig`, as Excel does
/// with the BOM), as JSON.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let out = python(
        "import csv, json, sys\n\
         with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n\
         \x20   print(json.dumps(list(csv.reader(f))))",
        &[path],
    );
    serde_json::from_str(&out).unwrap()
}

/// Whether `incidents.json` in `out` validates against the schema published beside it.
fn validate(out: &Path) -> String {
    python(
        "import json, sys, jsonschema\n\
         schema = json.load(open(sys.argv[1]))\n\
         jsonschema.Draft202012Validator.check_schema(schema)\n\
         errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n\
         print('\\n'.join(e.message for e in errors) or 'valid')",
        &[
            &out.join("incidents.schema.json"),
            &out.join("incidents.json"),
        ],
    )
}

/// The internal edition's exports say what is internal, so that a file is not forwarded
/// blind (docs/format.md, "Editions"); the public edition's say it is public.
#[test]
fn the_internal_edition_exports_mark_what_is_internal() {
    let dir = shipped();
    write(
        dir.path(),
        "content/incidents/2024-05-01-internal.md",
        "+++\ntitle = \"社内の事故\"\noperators = [\"社内\"]\nstarted = 2024-05-01T10:00:00+09:00\ncauses = [\"human-error\"]\nvisibility = \"internal\"\n\n[internal]\nticket = \"OPS-1\"\n\n[[countermeasures]]\naction = \"公開の対策\"\n\n[[countermeasures]]\naction = \"社内の対策\"\ninternal = true\n+++\n\n本文。\n",
    );
    let out = build(dir.path(), &["--edition", "internal"]);
    assert_eq!(validate(&out).trim(), "valid");
    let data = json(&out);
    assert_eq!(data["site"]["edition"], "internal");
    let incidents = data["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 8);
    let internal = incidents
        .iter()
        .find(|i| i["id"] == "2024-05-01-internal")
        .unwrap();
    assert_eq!(internal["visibility"], "internal");
    assert_eq!(
        internal["internal_details"],
        serde_json::json!([{"key": "ticket", "value": "OPS-1"}])
    );
    let flags: Vec<&Value> = internal["countermeasures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["internal"])
        .collect();
    assert_eq!(flags, [&Value::Bool(false), &Value::Bool(true)]);
    let public = incidents
        .iter()
        .filter(|i| i["visibility"] == "public")
        .count();
    assert_eq!(public, 7);

    let rows = csv_rows(&out.join("incidents.csv"));
    let col = rows[0].iter().position(|c| c == "visibility").unwrap();
    assert_eq!(col, rows[0].len() - 1);
    let row = rows.iter().find(|r| r[0] == "2024-05-01-internal").unwrap();
    assert_eq!(row[col], "internal");
    assert_eq!(rows.iter().filter(|r| r[col] == "public").count(), 7);
    let measures = csv_rows(&out.join("countermeasures.csv"));
    let mine: Vec<&String> = measures
        .iter()
        .filter(|r| r[0] == "2024-05-01-internal")
        .map(|r| r.last().unwrap())
        .collect();
    // The incident is internal: so is each of its countermeasures.
    assert_eq!(mine, ["internal", "internal"]);

    // The public edition: nothing internal, and it says so.
    let out = build(dir.path(), &["--edition", "public"]);
    assert_eq!(validate(&out).trim(), "valid");
    let data = json(&out);
    assert_eq!(data["site"]["edition"], "public");
    assert_eq!(data["incidents"].as_array().unwrap().len(), 7);
}

#[test]
fn incidents_json_validates_against_its_schema_and_keeps_every_figure() {
    let dir = shipped();
    let out = build(dir.path(), &[]);
    // The schema is published beside the export, and the export validates against it.
    assert_eq!(validate(&out).trim(), "valid");

    let data = json(&out);
    assert_eq!(data["schema_version"], 2);
    assert_eq!(data["site"]["edition"], "public");
    assert_eq!(data["schema"], "incidents.schema.json");
    assert_eq!(data["site"]["as_of"], "2024-06-01");
    assert_eq!(data["site"]["timezone"], "+09:00");
    let fig = |x: &Value| {
        (
            x["value"].as_u64(),
            x["kind"].as_str().unwrap().to_string(),
            x["approximate"].as_bool().unwrap(),
            x["text"].as_str().unwrap().to_string(),
        )
    };
    let f = |v: Option<u64>, kind: &str, approx: bool, text: &str| {
        (v, kind.to_string(), approx, text.to_string())
    };
    type Fig = (Option<u64>, String, bool, String);
    let got: Vec<(String, Fig, Fig, Fig)> = data["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                fig(&i["affected_users"]),
                fig(&i["duration"]),
                fig(&i["inquiries"]),
            )
        })
        .collect();
    let want = vec![
        (
            "2023-11-09-catch-network",
            f(Some(48000), "approximate", true, "約48,000"),
            f(Some(318), "exact", false, "5時間18分"),
            f(Some(539), "approximate", true, "約539件"),
        ),
        (
            "2023-10-31-docomo",
            f(Some(50246), "exact", false, "50,246"),
            f(Some(266), "derived", false, "4時間26分"),
            f(Some(4), "exact", false, "4件"),
        ),
        (
            "2017-07-03-jcom",
            f(Some(52792), "exact", false, "52,792"),
            f(Some(1388), "derived", false, "23時間8分"),
            f(Some(1573), "exact", false, "1,573件"),
        ),
        (
            "2017-04-13-asahi-net",
            f(Some(84774), "exact", false, "84,774"),
            f(Some(139), "derived", false, "2時間19分"),
            f(Some(167), "exact", false, "167件"),
        ),
        (
            "2017-04-07-rakuten",
            f(Some(220300), "exact", false, "220,300"),
            f(Some(412), "derived", false, "6時間52分"),
            f(Some(43), "exact", false, "43件"),
        ),
        (
            "2016-12-12-netforest",
            f(None, "unknown", false, "不明"),
            f(Some(4065), "derived", false, "67時間45分"),
            f(None, "unknown", false, "不明"),
        ),
        (
            "2016-08-17-nifty",
            f(Some(190633), "derived", false, "190,633（①②の計）"),
            f(Some(216), "derived", false, "3時間36分"),
            f(Some(342), "exact", false, "342件"),
        ),
    ];
    let want: Vec<(String, Fig, Fig, Fig)> = want
        .into_iter()
        .map(|(id, a, b, c)| (id.to_string(), a, b, c))
        .collect();
    assert_eq!(got, want);

    // Each figure reads as the export's text says: users and inquiries on the incident's
    // page, the duration in the list (a page with phases shows theirs).
    let list = common::text(&read(&out.join("incidents/index.html")));
    for i in data["incidents"].as_array().unwrap() {
        let page = common::text(&read(
            &out.join(i["path"].as_str().unwrap()).join("index.html"),
        ));
        for field in ["affected_users", "inquiries"] {
            let text = i[field]["text"].as_str().unwrap();
            assert!(page.contains(text), "{} {field}: {text}", i["id"]);
        }
        let duration = i["duration"]["text"].as_str().unwrap();
        assert!(list.contains(duration), "{} duration: {duration}", i["id"]);
    }

    // The breakdowns keep their own marks: ニフティ's phases, キャッチネットワーク's
    // channels (約370 by phone).
    let nifty = &data["incidents"][6];
    let phases: Vec<Option<u64>> = nifty["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["affected_users"]["value"].as_u64())
        .collect();
    assert_eq!(phases, [Some(186224), Some(4409)]);
    let channels = &data["incidents"][0]["inquiries"]["by_channel"];
    assert_eq!(
        channels[0],
        serde_json::json!({"channel": "phone", "value": 370, "approximate": true})
    );
    // Absolute URLs from base_url, and the path beside them.
    assert_eq!(
        data["incidents"][2]["url"],
        "https://example.org/postmortems/incidents/2017-07-03-jcom/"
    );
    assert_eq!(data["incidents"][2]["path"], "incidents/2017-07-03-jcom/");
}

#[test]
fn the_csv_exports_start_with_a_bom_and_open_in_pythons_csv_module() {
    let dir = shipped();
    let out = build(dir.path(), &[]);
    for name in ["incidents.csv", "countermeasures.csv"] {
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{name} starts with a BOM"
        );
    }
    let rows = csv_rows(&out.join("incidents.csv"));
    assert_eq!(rows.len(), 8, "a header and 7 incidents");
    assert_eq!(rows[0][0], "id", "the BOM is not part of the first name");
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let netforest = rows
        .iter()
        .find(|r| r[0] == "2016-12-12-netforest")
        .unwrap();
    assert_eq!(
        netforest[col("affected_users")],
        "",
        "unknown is empty, not 0"
    );
    assert_eq!(netforest[col("affected_users_kind")], "unknown");
    assert_eq!(netforest[col("affected_users_text")], "不明");
    let catch = rows
        .iter()
        .find(|r| r[0] == "2023-11-09-catch-network")
        .unwrap();
    assert_eq!(catch[col("affected_users")], "48000");
    assert_eq!(catch[col("affected_users_kind")], "approximate");
    assert_eq!(catch[col("affected_users_text")], "約48,000");
    assert_eq!(catch[col("operators")], "株式会社キャッチネットワーク");
    let jcom = rows.iter().find(|r| r[0] == "2017-07-03-jcom").unwrap();
    assert_eq!(
        jcom[col("operators")],
        "株式会社ジュピターテレコム; 株式会社ジェイコムウェスト"
    );
    assert_eq!(jcom[col("duration_minutes")], "1388");

    // One row per countermeasure, as many as the JSON lists.
    let measures = csv_rows(&out.join("countermeasures.csv"));
    let data = json(&out);
    let total: usize = data["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["countermeasures"].as_array().unwrap().len())
        .sum();
    assert_eq!(measures.len(), total + 1);
    assert_eq!(total, 49);
    assert_eq!(
        measures[0],
        [
            "incident_id",
            "incident_title",
            "incident_url",
            "operators",
            "primary_cause",
            "number",
            "action",
            "status",
            "standing",
            "days_overdue",
            "due",
            "completed",
            "scope",
            "term",
            "visibility"
        ]
    );
    // Both pages that list the data link to it.
    let list = read(&out.join("incidents/index.html"));
    assert!(list.contains(r#"<a href="../incidents.json" type="application/json">"#));
    assert!(list.contains(r#"<a href="../incidents.csv" type="text/csv">"#));
    let ledger = read(&out.join("countermeasures/index.html"));
    assert!(ledger.contains(r#"<a href="../countermeasures.csv" type="text/csv">"#));
}

const DRAFT: &str = "+++
title = \"ZZDRAFT-title\"
operators = [\"ZZDRAFT-operator\"]
started = 2024-02-01T10:00:00+09:00
causes = [\"overload\"]
status = \"draft\"
summary = \"ZZDRAFT-summary\"

[[countermeasures]]
action = \"ZZDRAFT-action\"
+++
Body.
";

#[test]
fn drafts_are_exported_only_when_the_build_publishes_them() {
    let dir = site_with_config(
        CONFIG,
        &[
            ("content/incidents/a.md", common::INCIDENT),
            ("content/incidents/d.md", DRAFT),
        ],
    );
    let out = build(dir.path(), &[]);
    for name in ["incidents.json", "incidents.csv", "countermeasures.csv"] {
        let text = read(&out.join(name));
        assert!(!text.contains("ZZDRAFT"), "{name} leaks the draft");
    }
    assert_eq!(json(&out)["incidents"].as_array().unwrap().len(), 1);
    // Without a base_url with a scheme, there is no absolute URL to give.
    assert_eq!(json(&out)["incidents"][0]["url"], Value::Null);
    assert_eq!(json(&out)["site"]["base_url"], Value::Null);

    let out = build(dir.path(), &["--drafts"]);
    assert_eq!(json(&out)["incidents"].as_array().unwrap().len(), 2);
    assert!(read(&out.join("countermeasures.csv")).contains("ZZDRAFT-action"));
}

#[test]
fn hostile_text_cannot_run_as_a_formula_nor_break_a_row() {
    let hostile = "+++
title = '=HYPERLINK(\"https://evil.example/\",\"click\")'
operators = [\"+cmd|' /C calc'!A0\", \"@SUM(1+1)\"]
started = 2024-01-15T11:50:00+09:00
causes = [\"human-error\"]
summary = \"\"\"-2+3
second line, \"quoted\", </script>\"\"\"

[[countermeasures]]
action = \"=1+1\"
+++
Body.
";
    let dir = site_with_config(CONFIG, &[("content/incidents/h.md", hostile)]);
    let out = build(dir.path(), &[]);
    let rows = csv_rows(&out.join("incidents.csv"));
    assert_eq!(
        rows.len(),
        2,
        "one header, one incident: the line break stays in its cell"
    );
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let row = &rows[1];
    assert_eq!(
        row[col("title")],
        "'=HYPERLINK(\"https://evil.example/\",\"click\")"
    );
    assert_eq!(row[col("operators")], "'+cmd|' /C calc'!A0; @SUM(1+1)");
    assert_eq!(
        row[col("summary")],
        "'-2+3\nsecond line, \"quoted\", </script>"
    );
    let measures = csv_rows(&out.join("countermeasures.csv"));
    assert_eq!(measures[1][6], "'=1+1");
    // The JSON carries the text exactly as written: it is data, not a spreadsheet.
    let data = json(&out);
    assert_eq!(
        data["incidents"][0]["title"],
        "=HYPERLINK(\"https://evil.example/\",\"click\")"
    );
    assert_eq!(
        data["incidents"][0]["summary"],
        "-2+3\nsecond line, \"quoted\", </script>"
    );
}
