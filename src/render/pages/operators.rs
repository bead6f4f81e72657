//! The operator index.

use super::{every_row, Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::views::GroupView;
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

    fn depends(&self, site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_row(site, on);
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let groups: Vec<GroupView> = site
            .operators
            .iter()
            .map(|g| views.group(g, g.key.clone(), routes::operator(&g.slug)))
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("groups", &groups);
        Frame {
            template: "operators.html",
            path: self.path(site, 0),
            title: Some(cx.shared.label("operators").to_string()),
            section: Some(NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
