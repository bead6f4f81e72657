//! The year index.

use super::{every_row, group_index, Cx, Dep, Kind};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Years;

/// The kind's name, also its navigation section.
pub(super) const NAME: &str = "years-index";

impl Kind for Years {
    fn name(&self) -> &'static str {
        NAME
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::YEARS.to_string()
    }

    fn nav(&self) -> Option<&'static str> {
        Some("years")
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
            .map(|g| views.group(g, views.f.year_label(g.key), routes::year(g.key)))
            .collect();
        group_index(cx, self, "years.html", groups)
    }
}
