//! Charts for printed reports, drawn as inline SVG from the data: no JavaScript, sharp
//! in print, each with a title and a description that reads the data out for screen
//! readers.

use super::markdown::escape;

/// One bar: label, value, and a key for tests and styling.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// The text beside or under the bar.
    pub label: String,
    /// Its value.
    pub value: u64,
    /// A stable key (cause key, month number).
    pub key: String,
}

fn describe(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Width of every chart's viewBox, in user units. The SVG scales to its box: at 420 units
/// and 15-unit text, a phone's 343 px column still shows the text at 12 px or more.
pub(crate) const WIDTH: u64 = 420;
/// The size of every label, in user units (see [`WIDTH`]).
const FONT: u64 = 15;

/// Ticks from zero to at least `max` at a step of 1, 2 or 5 × 10ⁿ, at most 5 intervals.
fn ticks(max: u64) -> Vec<u64> {
    let mut step = 1u64;
    'find: loop {
        for m in [1u64, 2, 5] {
            let s = step.saturating_mul(m);
            if max.div_ceil(s) <= 5 || s == u64::MAX {
                step = s;
                break 'find;
            }
        }
        step = step.saturating_mul(10);
    }
    let top = max.div_ceil(step).max(1).saturating_mul(step);
    let mut out = Vec::new();
    let mut t = 0u64;
    loop {
        out.push(t);
        if t >= top {
            break;
        }
        t = t.saturating_add(step);
    }
    out
}

/// `v` of `max` as a length of `len` units (in u128: figures near u64::MAX overflow u64).
fn scale(v: u64, max: u64, len: u64) -> u64 {
    (u128::from(v) * u128::from(len) / u128::from(max.max(1))) as u64
}

/// Horizontal bars, one per entry: labels left, the value after each bar, a count axis with
/// ticks and gridlines under them. A zero is drawn as no bar (width 0) with its 0 beside the
/// axis.
pub(crate) fn horizontal_bars(id: &str, title: &str, bars: &[Bar]) -> String {
    let row = 28u64;
    let (label_w, value_w) = (165u64, 40u64);
    let bar_w = WIDTH - label_w - value_w;
    let top = 6u64;
    let plot_h = row * bars.len().max(1) as u64;
    let height = top + plot_h + 30;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let ticks = ticks(max);
    let axis_max = ticks.last().copied().unwrap_or(1).max(1);
    let mut svg = format!(
        "<svg id=\"{id}\" class=\"chart-bars\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" style=\"max-width:{WIDTH}px\" font-size=\"{FONT}\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(&describe(bars))
    );
    for t in &ticks {
        let x = label_w + scale(*t, axis_max, bar_w);
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{}\" stroke=\"#ccc\" stroke-width=\"1\"/>\
<text class=\"tick\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{t}</text>",
            top + plot_h,
            top + plot_h + 20
        ));
    }
    for (k, b) in bars.iter().enumerate() {
        let y = top + k as u64 * row;
        let w = scale(b.value, axis_max, bar_w);
        svg.push_str(&format!(
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
<rect class=\"bar\" data-key=\"{}\" data-value=\"{}\" x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#2f5f8f\"><title>{}: {}</title></rect>\
<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>",
            label_w - 8,
            y + 19,
            escape(&b.label),
            escape(&b.key),
            b.value,
            y + 5,
            row - 10,
            escape(&b.label),
            b.value,
            label_w + w + 5,
            y + 19,
            b.value
        ));
    }
    svg.push_str(&format!(
        "<line class=\"axis\" x1=\"{label_w}\" y1=\"{top}\" x2=\"{label_w}\" y2=\"{}\" stroke=\"#555\" stroke-width=\"1\"/></svg>",
        top + plot_h
    ));
    svg
}

/// A point of the scatter chart.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// What the point is (incident title).
    pub label: String,
    /// Who (the operators), written beside the point's number in the legend.
    pub operator: String,
    /// Duration in minutes.
    pub minutes: i64,
    /// Affected users.
    pub users: u64,
}

/// The scatter's axis titles.
pub(crate) struct Axes<'a> {
    /// Under the horizontal axis (duration in hours).
    pub x: &'a str,
    /// Over the vertical axis (affected users).
    pub y: &'a str,
}

/// Duration (x, hours) against affected users (y), both from zero, with ticks, gridlines
/// and axis titles. Each point carries its number (1, 2 …): the legend under the chart
/// (see [`table`]) names the operator and the incident of each number.
pub(crate) fn scatter(
    id: &str,
    title: &str,
    axes: &Axes<'_>,
    points: &[Point],
    fmt_users: &dyn Fn(u64) -> String,
) -> String {
    let (left, right, top, bottom) = (78i64, 18i64, 30i64, 52i64);
    let (w, h) = (WIDTH as i64 - left - right, 230i64);
    let hours = |m: i64| u64::try_from(m.max(0)).unwrap_or(0).div_ceil(60);
    let max_h = points
        .iter()
        .map(|p| hours(p.minutes))
        .max()
        .unwrap_or(1)
        .max(1);
    let max_u = points.iter().map(|p| p.users).max().unwrap_or(1).max(1);
    let (xt, yt) = (ticks(max_h), ticks(max_u));
    let x_max = xt.last().copied().unwrap_or(1).max(1);
    let y_max = yt.last().copied().unwrap_or(1).max(1);
    let desc = points
        .iter()
        .enumerate()
        .map(|(k, p)| point_text(k, p, fmt_users))
        .collect::<Vec<_>>()
        .join("; ");
    let height = top + h + bottom;
    let mut svg = format!(
        "<svg id=\"{id}\" class=\"chart-scatter\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" style=\"max-width:{WIDTH}px\" font-size=\"{FONT}\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
<text class=\"axis-title\" x=\"4\" y=\"16\">{}</text>\
<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        escape(title),
        escape(&desc),
        escape(axes.y),
        left + w / 2,
        top + h + 46,
        escape(axes.x),
    );
    let bottom_y = top + h;
    for t in &xt {
        let x = left + scale(*t, x_max, w as u64) as i64;
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom_y}\" stroke=\"#ccc\"/>\
<text class=\"tick tick-x\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{t}</text>",
            bottom_y + 20
        ));
    }
    for t in &yt {
        let y = bottom_y - scale(*t, y_max, h as u64) as i64;
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#ccc\"/>\
<text class=\"tick tick-y\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left + w,
            left - 6,
            y + 5,
            escape(&fmt_users(*t))
        ));
    }
    svg.push_str(&format!(
        "<line class=\"axis\" x1=\"{left}\" y1=\"{bottom_y}\" x2=\"{}\" y2=\"{bottom_y}\" stroke=\"#555\"/><line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{bottom_y}\" stroke=\"#555\"/>",
        left + w
    ));
    for (k, p) in points.iter().enumerate() {
        // Hours as drawn: the minutes over the axis's hours, in i128 against overflow.
        let x =
            left + (i128::from(p.minutes.max(0)) * i128::from(w) / (i128::from(x_max) * 60)) as i64;
        let y = bottom_y - scale(p.users, y_max, h as u64) as i64;
        // The number sits right of the point, or left of it near the right edge.
        let (nx, anchor) = if x > left + w - 24 {
            (x - 8, "end")
        } else {
            (x + 8, "start")
        };
        svg.push_str(&format!(
            "<circle class=\"point\" cx=\"{x}\" cy=\"{y}\" r=\"5\" fill=\"#b3412f\" fill-opacity=\"0.8\"><title>{}</title></circle>\
<text class=\"point-label\" x=\"{nx}\" y=\"{}\" text-anchor=\"{anchor}\" font-weight=\"700\">{}</text>",
            escape(&point_text(k, p, fmt_users)),
            y + 5,
            k + 1
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn point_text(k: usize, p: &Point, fmt_users: &dyn Fn(u64) -> String) -> String {
    format!(
        "{} {} ({}): {}h{:02}m, {}",
        k + 1,
        p.operator,
        p.label,
        p.minutes / 60,
        p.minutes % 60,
        fmt_users(p.users)
    )
}

/// A chart's data as a table: the fallback for readers who cannot see the chart, and the
/// legend of the scatter's numbers. `summary` puts it in a closed `<details>` (the chart
/// comes first; the table is one click away); without it the table is always shown.
pub(crate) fn table(
    class: &str,
    summary: Option<&str>,
    head: &[&str],
    rows: &[Vec<String>],
    numeric: &[bool],
) -> String {
    // Figures are set right like every other number column.
    let num = |k: usize| {
        if numeric.get(k) == Some(&true) {
            " class=\"num\""
        } else {
            ""
        }
    };
    let mut t = format!("<table class=\"chart-table {class}\"><thead><tr>");
    for (k, h) in head.iter().enumerate() {
        t.push_str(&format!("<th scope=\"col\"{}>{}</th>", num(k), escape(h)));
    }
    t.push_str("</tr></thead><tbody>");
    for r in rows {
        t.push_str("<tr>");
        for (k, c) in r.iter().enumerate() {
            t.push_str(&format!("<td{}>{}</td>", num(k), escape(c)));
        }
        t.push_str("</tr>");
    }
    t.push_str("</tbody></table>");
    match summary {
        Some(s) => format!(
            "<details class=\"chart-data\"><summary>{}</summary>{t}</details>",
            escape(s)
        ),
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::{horizontal_bars, scatter, table, ticks, Axes, Bar, Point};

    const AXES: Axes<'static> = Axes {
        x: "継続時間（時間）",
        y: "影響利用者数",
    };

    fn point(label: &str, operator: &str, minutes: i64, users: u64) -> Point {
        Point {
            label: label.into(),
            operator: operator.into(),
            minutes,
            users,
        }
    }

    #[test]
    fn ticks_are_round_steps_from_zero_past_the_largest_value() {
        assert_eq!(ticks(0), [0, 1]);
        assert_eq!(ticks(2), [0, 1, 2]);
        assert_eq!(ticks(7), [0, 2, 4, 6, 8]);
        assert_eq!(ticks(36), [0, 10, 20, 30, 40]);
        assert_eq!(
            ticks(220_300),
            [0, 50_000, 100_000, 150_000, 200_000, 250_000]
        );
        assert_eq!(*ticks(u64::MAX).last().unwrap(), u64::MAX);
    }

    #[test]
    fn the_largest_figures_stay_inside_the_plot() {
        let points = [
            point("huge", "A", i64::MAX, u64::MAX),
            point("none", "B", 0, 0),
        ];
        let svg = scatter("c", "t", &AXES, &points, &|u| u.to_string());
        // The plot runs from x 78 to 402 and from y 30 (top) to 260 (the horizontal axis).
        let huge = &svg[svg.find("<circle").unwrap()..];
        let attr = |name: &str| -> i64 {
            let from = &huge[huge.find(&format!("{name}=\"")).unwrap() + name.len() + 2..];
            from[..from.find('"').unwrap()].parse().unwrap()
        };
        let (cx, cy) = (attr("cx"), attr("cy"));
        assert!(
            (78..=402).contains(&cx) && (30..=260).contains(&cy),
            "{cx} {cy}"
        );
        assert!(svg.contains("cx=\"78\" cy=\"260\""), "{svg}");
    }

    #[test]
    fn the_scatter_has_ticks_gridlines_axis_titles_and_numbered_points() {
        let points = [
            point("DNS障害", "株式会社ジュピターテレコム", 23 * 60 + 8, 52_792),
            point("メール障害", "楽天株式会社", 6 * 60 + 52, 220_300),
        ];
        let svg = scatter(
            "s",
            "継続時間と影響利用者数",
            &AXES,
            &points,
            &|u| format!("{u}人"),
        );
        // Hours 0, 5 … 25 along the bottom; users 0 … 250,000 up the side.
        for h in ["0", "5", "10", "15", "20", "25"] {
            assert!(
                svg.contains(&format!("text-anchor=\"middle\">{h}</text>")),
                "tick {h}h: {svg}"
            );
        }
        assert!(!svg.contains("text-anchor=\"middle\">30</text>"), "{svg}");
        for u in ["0人", "50000人", "150000人", "250000人"] {
            assert!(
                svg.contains(&format!("text-anchor=\"end\">{u}</text>")),
                "{u}"
            );
        }
        assert_eq!(svg.matches("class=\"grid\"").count(), 6 + 6);
        assert!(svg.contains(">継続時間（時間）</text>") && svg.contains(">影響利用者数</text>"));
        assert!(
            svg.contains("font-weight=\"700\">1</text>")
                && svg.contains("font-weight=\"700\">2</text>")
        );
        assert!(
            svg.contains("<title>1 株式会社ジュピターテレコム (DNS障害): 23h08m, 52792人</title>"),
            "{svg}"
        );
        // Every label is 15 units in a 420-unit viewBox: 12 px or more in a 343 px column.
        assert!(svg.contains("viewBox=\"0 0 420 ") && svg.contains("font-size=\"15\""));
        assert_eq!(
            svg.matches("font-size=").count(),
            1,
            "one size for every label"
        );
    }

    #[test]
    fn bars_have_an_axis_with_ticks_and_zero_is_no_bar() {
        let bars = [
            Bar {
                label: "人為ミス".into(),
                value: 3,
                key: "human-error".into(),
            },
            Bar {
                label: "自然災害".into(),
                value: 0,
                key: "natural-disaster".into(),
            },
        ];
        let svg = horizontal_bars("b", "原因別", &bars);
        assert!(
            svg.contains(
                "data-key=\"natural-disaster\" data-value=\"0\" x=\"165\" y=\"39\" width=\"0\""
            ),
            "{svg}"
        );
        // 3 of an axis to 3: the whole 215 units.
        assert!(
            svg.contains(
                "data-key=\"human-error\" data-value=\"3\" x=\"165\" y=\"11\" width=\"215\""
            ),
            "{svg}"
        );
        for t in 0..=3 {
            assert!(
                svg.contains(&format!(
                    "class=\"tick\" x=\"{}\" y=\"82\" text-anchor=\"middle\">{t}</text>",
                    165 + t * 215 / 3
                )),
                "tick {t}: {svg}"
            );
        }
        assert_eq!(svg.matches("class=\"grid\"").count(), 4);
        assert!(
            svg.contains(">人為ミス</text>")
                && svg.contains("class=\"value\" x=\"170\" y=\"53\">0</text>"),
            "{svg}"
        );
    }

    #[test]
    fn a_table_fallback_escapes_and_marks_figures() {
        let t = table(
            "x",
            Some("表で見る"),
            &["月", "事故件数"],
            &[
                vec!["4月".into(), "2".into()],
                vec!["<b>".into(), "0".into()],
            ],
            &[false, true],
        );
        assert_eq!(
            t,
            "<details class=\"chart-data\"><summary>表で見る</summary><table class=\"chart-table x\"><thead><tr><th scope=\"col\">月</th><th scope=\"col\" class=\"num\">事故件数</th></tr></thead><tbody><tr><td>4月</td><td class=\"num\">2</td></tr><tr><td>&lt;b&gt;</td><td class=\"num\">0</td></tr></tbody></table></details>"
        );
    }
}
