//! gen's heaviest template loop — the incident table of `incidents/index.html`, one row
//! per incident — rendered by tera 1 (what gen uses) and tera 2 from the same data.
//!
//! Usage: cargo run --release --manifest-path bench/tera/Cargo.toml -- SITE_ROOT
//!
//! The rows come from gen itself (`Views::row` over the loaded site), the template is
//! `rows.html` (valid in both versions: tera 2 has no macros, so the loop is written out).
//! Both engines escape with gen's escaper, so their output must be identical.
use std::time::Instant;

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let site = match gen::load_site(&gen::BuildOptions::new(&root)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot load {root}: {e}");
            std::process::exit(2);
        }
    };
    let views = gen::render::views::Views::new(&site);
    let rows: Vec<_> = site.incidents.iter().map(|i| views.row(i)).collect();
    let json = serde_json::json!({
        "incidents": rows,
        "t": gen::render::i18n::labels(site.config.language),
        "root": "../",
    });
    let tpl = include_str!("../rows.html");
    let mut t1 = tera1::Tera::default();
    t1.add_raw_template("rows.html", tpl).expect("tera 1 parses rows.html");
    t1.autoescape_on(vec![".html"]);
    t1.set_escape_fn(gen::render::markdown::escape);
    let mut t2 = tera2::Tera::new();
    t2.autoescape_on(vec![".html"]);
    t2.set_escape_fn(|s: &str, out: &mut dyn std::io::Write| {
        out.write_all(gen::render::markdown::escape(s).as_bytes())
    });
    t2.add_raw_template("rows.html", tpl).expect("tera 2 parses rows.html");
    let c1 = tera1::Context::from_value(json.clone()).expect("a JSON object");
    let c2 = tera2::Context::from_serialize(&json).expect("a JSON object");
    let runs = 15;
    let (mut d1, mut d2) = (Vec::new(), Vec::new());
    let (mut o1, mut o2) = (String::new(), String::new());
    for _ in 0..runs {
        let s = Instant::now();
        o1 = t1.render("rows.html", &c1).expect("tera 1 renders");
        d1.push(s.elapsed().as_secs_f64() * 1e3);
        let s = Instant::now();
        o2 = t2.render("rows.html", &c2).expect("tera 2 renders");
        d2.push(s.elapsed().as_secs_f64() * 1e3);
    }
    d1.sort_by(f64::total_cmp);
    d2.sort_by(f64::total_cmp);
    let (m1, m2) = (d1[runs / 2], d2[runs / 2]);
    println!(
        "{} rows, {runs} alternating runs: tera 1 median {m1:.1} ms, tera 2 median {m2:.1} ms, tera 2 / tera 1 = {:.2}; identical output: {} ({} bytes)",
        rows.len(),
        m2 / m1,
        o1 == o2,
        o1.len()
    );
}
