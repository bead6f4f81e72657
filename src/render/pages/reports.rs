//! The index of printable reports: one annual report per year.

use super::{every_row, group_index, Cx, Dep, Kind};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Reports;

/// The kind's name, also its navigation section.
pub(super) const NAME: &str = "reports-index";

impl Kind for Reports {
    fn name(&self) -> &'static str {
        NAME
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::REPORTS.to_string()
    }

    fn nav(&self) -> Option<&'static str> {
        Some("reports")
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_row(on);
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let groups = views
            .site
            .years
            .iter()
            .map(|g| views.group(g, views.f.year_label(g.key), routes::annual(g.key)))
            .collect();
        group_index(cx, self, "reports.html", groups)
    }
}
