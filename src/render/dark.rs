//! The dark-mode colours of highlighted code, made from the light theme's rules.
//!
//! Each colour keeps its hue and saturation with its lightness turned over, then is made
//! lighter until it reads at WCAG AA (4.5:1) on the background it sits on. One theme thus
//! gives both palettes for the same short classes (`hl<n>`), and no contrast is left to
//! chance.

/// The background of code blocks in dark mode (`--soft` in style.css's dark block).
pub(crate) const CODE_BG: Rgb = Rgb(0x17, 0x1d, 0x24);

/// The WCAG AA contrast for normal text.
const AA: f64 = 4.5;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` or `#rgb`.
    pub(crate) fn parse(s: &str) -> Option<Rgb> {
        let h = s.strip_prefix('#')?;
        let v = |s: &str| u8::from_str_radix(s, 16).ok();
        match h.len() {
            6 => Some(Rgb(v(&h[0..2])?, v(&h[2..4])?, v(&h[4..6])?)),
            3 => {
                let d = |i: usize| v(&h[i..=i]).map(|x| x * 17);
                Some(Rgb(d(0)?, d(1)?, d(2)?))
            }
            _ => None,
        }
    }

    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    pub(crate) fn luminance(self) -> f64 {
        let f = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * f(self.0) + 0.7152 * f(self.1) + 0.0722 * f(self.2)
    }

    /// WCAG contrast ratio.
    pub(crate) fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    fn to_hsl(self) -> (f64, f64, f64) {
        let (r, g, b) = (
            f64::from(self.0) / 255.0,
            f64::from(self.1) / 255.0,
            f64::from(self.2) / 255.0,
        );
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let l = (max + min) / 2.0;
        if max == min {
            return (0.0, 0.0, l);
        }
        let d = max - min;
        let s = if l > 0.5 {
            d / (2.0 - max - min)
        } else {
            d / (max + min)
        };
        let h = if max == r {
            (g - b) / d + if g < b { 6.0 } else { 0.0 }
        } else if max == g {
            (b - r) / d + 2.0
        } else {
            (r - g) / d + 4.0
        };
        (h / 6.0, s, l)
    }

    fn from_hsl(h: f64, s: f64, l: f64) -> Rgb {
        let channel = |t: f64| {
            let q = if l < 0.5 {
                l * (1.0 + s)
            } else {
                l + s - l * s
            };
            let p = 2.0 * l - q;
            let t = t.rem_euclid(1.0);
            let v = if t < 1.0 / 6.0 {
                p + (q - p) * 6.0 * t
            } else if t < 0.5 {
                q
            } else if t < 2.0 / 3.0 {
                p + (q - p) * (2.0 / 3.0 - t) * 6.0
            } else {
                p
            };
            (v * 255.0).round().clamp(0.0, 255.0) as u8
        };
        Rgb(channel(h + 1.0 / 3.0), channel(h), channel(h - 1.0 / 3.0))
    }
}

/// A background of the light theme in dark mode: white goes (the block's own background
/// shows), a tint keeps its hue, dark.
fn background(c: Rgb) -> Option<Rgb> {
    let (h, s, l) = c.to_hsl();
    if l > 0.95 && s < 0.5 {
        return None;
    }
    Some(Rgb::from_hsl(h, s.min(0.6), (1.0 - l).clamp(0.12, 0.22)))
}

/// A text colour of the light theme in dark mode: lightness turned over, then lighter
/// until it reads at [`AA`] on `bg`.
fn foreground(c: Rgb, bg: Rgb) -> Rgb {
    let (h, s, l) = c.to_hsl();
    let mut l = (1.0 - l).max(0.55);
    let mut out = Rgb::from_hsl(h, s, l);
    while out.contrast(bg) < AA && l < 1.0 {
        l = (l + 0.02).min(1.0);
        out = Rgb::from_hsl(h, s, l);
    }
    out
}

/// The dark value of each colour of a rule (`selectors{decl;decl}`), by property:
/// (property, light value, dark value).
fn dark_decls(line: &str) -> Vec<(&'static str, String, String)> {
    let (Some(open), Some(close)) = (line.find('{'), line.rfind('}')) else {
        return Vec::new();
    };
    let decls: Vec<(&str, &str)> = line[open + 1..close]
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .collect();
    let value = |key: &str| decls.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let mut out = Vec::new();
    let bg = value("background-color").and_then(Rgb::parse);
    let dark_bg = bg.and_then(background);
    if let (Some(light), Some(_)) = (value("background-color"), bg) {
        let dark = dark_bg.map_or_else(|| "transparent".to_string(), Rgb::hex);
        out.push(("background-color", light.to_string(), dark));
    }
    if let Some(light) = value("color") {
        if let Some(fg) = Rgb::parse(light) {
            let dark = foreground(fg, dark_bg.unwrap_or(CODE_BG)).hex();
            out.push(("color", light.to_string(), dark));
        }
    }
    out
}

/// A stylesheet of one rule a line, as `markdown::highlight_css` writes it, that also
/// reads in dark mode: each colour becomes `var(--hd<n>,<light colour>)`, and a
/// `prefers-color-scheme: dark` block sets the variables to the dark colours. A few
/// dozen variables instead of a second copy of every rule; a document that does not set
/// them (a printed report) shows the light colours.
pub(crate) fn themed(css: &str) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut light = String::with_capacity(css.len() * 5 / 4);
    for line in css.lines() {
        let mut line = line.to_string();
        for (property, from, dark) in dark_decls(&line.clone()) {
            let n = names.iter().position(|d| *d == dark).unwrap_or_else(|| {
                names.push(dark.clone());
                names.len() - 1
            });
            line = line.replacen(
                &format!("{property}:{from}"),
                &format!("{property}:var(--hd{n},{from})"),
                1,
            );
        }
        light.push_str(&line);
        light.push('\n');
    }
    let vars: String = names
        .iter()
        .enumerate()
        .map(|(n, v)| format!("--hd{n}:{v};"))
        .collect();
    format!("{light}@media screen and (prefers-color-scheme: dark) {{ :root {{ {vars} }} }}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dark_colour_reads_at_aa_on_its_background() {
        let css = crate::render::markdown::highlight_css();
        let themed = themed(&css);
        let (light, dark) = themed.split_once("@media").unwrap();
        // Each rule keeps its light colours as the fallbacks, so a page without the dark
        // block looks as before.
        let strip = regex_free_strip(light);
        assert_eq!(strip.trim_end(), css.trim_end());
        let var = |name: &str| {
            dark.split(['{', ';', ' '])
                .find_map(|d| d.strip_prefix(&format!("{name}:")))
                .map(str::to_string)
        };
        let mut checked = 0;
        for line in light.lines() {
            let decl = |key: &str| {
                line.split(['{', ';', '}'])
                    .find_map(|d| d.strip_prefix(key))
                    .and_then(|v| v.strip_prefix("var("))
                    .and_then(|v| v.split(',').next())
                    .and_then(var)
            };
            let bg = match decl("background-color:").as_deref() {
                Some("transparent") | None => CODE_BG,
                Some(v) => Rgb::parse(v).unwrap(),
            };
            // A rule of a background alone leaves the text to the rules around it.
            let Some(fg) = decl("color:") else { continue };
            let fg = Rgb::parse(&fg).unwrap();
            assert!(fg.contrast(bg) >= AA, "{line}: {:.2}", fg.contrast(bg));
            checked += 1;
        }
        assert!(checked > 50, "{checked}");
        // The default text of code is light on the dark block, its background gone.
        assert!(
            light.starts_with(".hl0{color:var(--hd1,#323232);background-color:var(--hd0,#ffffff)}"),
            "{light}"
        );
        assert!(dark.contains("--hd0:transparent;"));
        // A few dozen colours, not a copy of every rule.
        assert!(dark.len() < 1_000, "{}", dark.len());
    }

    /// `var(--hdN,X)` back to `X`.
    fn regex_free_strip(css: &str) -> String {
        let mut out = String::new();
        let mut rest = css;
        while let Some(i) = rest.find("var(--hd") {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            let comma = after.find(',').unwrap();
            let close = after.find(')').unwrap();
            out.push_str(&after[comma + 1..close]);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn hsl_round_trips() {
        for c in [
            Rgb(0x32, 0x32, 0x32),
            Rgb(0xa7, 0x1d, 0x5d),
            Rgb(0x00, 0x86, 0xb3),
        ] {
            let (h, s, l) = c.to_hsl();
            let back = Rgb::from_hsl(h, s, l);
            assert!(
                (i16::from(back.0) - i16::from(c.0)).abs() <= 1,
                "{c:?} {back:?}"
            );
            assert!(
                (i16::from(back.1) - i16::from(c.1)).abs() <= 1,
                "{c:?} {back:?}"
            );
            assert!(
                (i16::from(back.2) - i16::from(c.2)).abs() <= 1,
                "{c:?} {back:?}"
            );
        }
        assert_eq!(Rgb::parse("#fff"), Some(Rgb(255, 255, 255)));
        assert!((Rgb(0, 0, 0).contrast(Rgb(255, 255, 255)) - 21.0).abs() < 1e-9);
    }
}
