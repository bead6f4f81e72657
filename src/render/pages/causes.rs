//! The cause index: every cause of the taxonomy with its figures and definition.

use serde::Serialize;

use super::{every_row, Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::views::{StatsView, Views};
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Causes;

/// The kind's name, also its navigation section.
pub(super) const NAME: &str = "causes-index";

impl Kind for Causes {
    fn name(&self) -> &'static str {
        NAME
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::CAUSES.to_string()
    }

    fn nav(&self) -> Option<&'static str> {
        Some("causes")
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_row(on);
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let site = cx.views.site;
        let mut ctx = tera::Context::new();
        ctx.insert("causes", &groups(cx.views));
        Frame {
            template: "causes.html",
            path: self.path(site, 0),
            title: Some(cx.shared.label("causes").to_string()),
            section: Some(NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}

/// A cause in an index, with its figures and definition.
#[derive(Debug, Serialize)]
pub(super) struct CauseGroup {
    key: String,
    text: String,
    description: String,
    href: String,
    stats: StatsView,
    primary_count: usize,
    /// Share of the largest count, for the bar (0–100).
    bar: usize,
    /// Share of the bar that is primary causes (0–100), drawn darker.
    primary_share: usize,
}

/// Every cause with its figures (the home page shows them too).
pub(super) fn groups(views: &Views<'_>) -> Vec<CauseGroup> {
    let f = views.f;
    let site = views.site;
    let max = site
        .causes
        .iter()
        .map(|c| c.stats.count)
        .max()
        .unwrap_or(0)
        .max(1);
    site.causes
        .iter()
        .map(|c| {
            let cause = site.config.causes.get(c.key.as_str());
            CauseGroup {
                key: c.key.as_str().to_string(),
                text: cause
                    .map_or(c.key.as_str(), |x| x.label(f.lang))
                    .to_string(),
                description: cause.map_or("", |x| x.description(f.lang)).to_string(),
                href: routes::href(&routes::cause(c.key.as_str())),
                stats: StatsView::new(&c.stats, f),
                primary_count: c.primary_count,
                bar: c.stats.count * 100 / max,
                primary_share: c.primary_count * 100 / c.stats.count.max(1),
            }
        })
        .collect()
}
