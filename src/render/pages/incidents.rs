//! The list of every incident.

use super::{every_row, Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::views::StatsView;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Incidents;

/// The kind's name, also its navigation section.
pub(super) const NAME: &str = "incidents-index";

impl Kind for Incidents {
    fn name(&self) -> &'static str {
        NAME
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::INCIDENTS.to_string()
    }

    fn nav(&self) -> Option<&'static str> {
        Some("incidents")
    }

    fn depends(&self, site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_row(site, on);
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let mut ctx = tera::Context::new();
        ctx.insert_value("incidents", views.row_values(0..site.incidents.len()));
        ctx.insert("stats", &StatsView::new(&site.stats, views.f));
        Frame {
            template: "incidents.html",
            path: self.path(site, 0),
            title: Some(cx.shared.label("incidents").to_string()),
            section: Some(NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
