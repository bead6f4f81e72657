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

/// Horizontal bars, one per entry (labels left, values right).
pub(crate) fn horizontal_bars(id: &str, title: &str, bars: &[Bar]) -> String {
    let row = 22;
    let (label_w, bar_w, value_w) = (190, 380, 50);
    let width = label_w + bar_w + value_w;
    let height = row * bars.len().max(1) + 8;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg id=\"{id}\" class=\"chart-bars\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(&describe(bars))
    );
    for (k, b) in bars.iter().enumerate() {
        let y = 4 + k * row;
        let w = (b.value as usize * bar_w) / max as usize;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
<rect class=\"bar\" data-key=\"{}\" data-value=\"{}\" x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#2f5f8f\"><title>{}: {}</title></rect>\
<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            label_w - 8,
            y + 14,
            escape(&b.label),
            escape(&b.key),
            b.value,
            y + 3,
            row - 8,
            escape(&b.label),
            b.value,
            label_w + w + 6,
            y + 14,
            b.value
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars (months), labels under the bars.
pub(crate) fn vertical_bars(id: &str, title: &str, bars: &[Bar]) -> String {
    let (col, chart_h, base) = (46, 140, 170);
    let width = col * bars.len().max(1) + 20;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg id=\"{id}\" class=\"chart-columns\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} 200\" width=\"100%\" style=\"max-width:{width}px\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
<line x1=\"10\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#777\" stroke-width=\"1\"/>",
        escape(title),
        escape(&describe(bars)),
        width - 10
    );
    for (k, b) in bars.iter().enumerate() {
        let x = 10 + k * col + 8;
        let h = (b.value as usize * chart_h) / max as usize;
        svg.push_str(&format!(
            "<rect class=\"bar\" data-key=\"{}\" data-value=\"{}\" x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{h}\" fill=\"#2f5f8f\"><title>{}: {}</title></rect>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            escape(&b.key),
            b.value,
            base - h,
            col - 16,
            escape(&b.label),
            b.value,
            x + (col - 16) / 2,
            base + 16,
            escape(&b.label),
            x + (col - 16) / 2,
            base - h - 4,
            if b.value > 0 { b.value.to_string() } else { String::new() }
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A point of the scatter chart.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// What the point is (incident title).
    pub label: String,
    /// Duration in minutes.
    pub minutes: i64,
    /// Affected users.
    pub users: u64,
}

/// Duration (x, hours) against affected users (y), both from zero.
pub(crate) fn scatter(
    id: &str,
    title: &str,
    points: &[Point],
    fmt_users: &dyn Fn(u64) -> String,
) -> String {
    let (w, h, left, bottom) = (560i64, 260i64, 70i64, 30i64);
    let max_x = points.iter().map(|p| p.minutes).max().unwrap_or(60).max(60);
    let max_y = points.iter().map(|p| p.users).max().unwrap_or(1).max(1);
    let desc = points
        .iter()
        .map(|p| {
            format!(
                "{}: {}h{:02}m, {}",
                p.label,
                p.minutes / 60,
                p.minutes % 60,
                fmt_users(p.users)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = format!(
        "<svg id=\"{id}\" class=\"chart-scatter\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {} {}\" width=\"100%\" style=\"max-width:{}px\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#777\"/><line x1=\"{left}\" y1=\"10\" x2=\"{left}\" y2=\"{}\" stroke=\"#777\"/>\
<text x=\"{left}\" y=\"{}\" font-size=\"11\">0</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}h</text>\
<text x=\"{}\" y=\"16\" text-anchor=\"end\" font-size=\"11\">{}</text>",
        w + left + 20,
        h + bottom + 10,
        w + left + 20,
        escape(title),
        escape(&desc),
        h + 10,
        w + left,
        h + 10,
        h + 10,
        h + 26,
        w + left,
        h + 26,
        max_x / 60 + i64::from(max_x % 60 != 0),
        left - 6,
        escape(&fmt_users(max_y))
    );
    for p in points {
        // In i128: a count of users near u64::MAX times the height would overflow i64.
        let x = left + (i128::from(p.minutes) * i128::from(w) / i128::from(max_x)) as i64;
        let y = 10 + h - (i128::from(p.users) * i128::from(h) / i128::from(max_y)) as i64;
        svg.push_str(&format!(
            "<circle class=\"point\" cx=\"{x}\" cy=\"{y}\" r=\"5\" fill=\"#b3412f\" fill-opacity=\"0.8\"><title>{}</title></circle>",
            escape(&format!("{}: {}h{:02}m, {}", p.label, p.minutes / 60, p.minutes % 60, fmt_users(p.users)))
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::{scatter, Point};

    #[test]
    fn the_largest_figures_land_in_the_top_right_corner() {
        let points = [
            Point {
                label: "huge".into(),
                minutes: i64::MAX,
                users: u64::MAX,
            },
            Point {
                label: "none".into(),
                minutes: 0,
                users: 0,
            },
        ];
        let svg = scatter("c", "t", &points, &|u| u.to_string());
        assert!(svg.contains("cx=\"630\" cy=\"10\""), "{svg}");
        assert!(svg.contains("cx=\"70\" cy=\"270\""), "{svg}");
    }
}
