//! The operator index.

use super::{every_row, group_index, Cx, Dep, Kind};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Operators;

/// The kind's name, also its navigation section.
pub(super) const NAME: &str = "operators-index";

impl Kind for Operators {
    fn name(&self) -> &'static str {
        NAME
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::OPERATORS.to_string()
    }

    fn nav(&self) -> Option<&'static str> {
        Some("operators")
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_row(on);
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let groups = views
            .site
            .operators
            .iter()
            .map(|g| views.group(g, g.key.clone(), routes::operator(&g.slug)))
            .collect();
        group_index(cx, self, "operators.html", groups)
    }
}
