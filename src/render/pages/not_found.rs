//! The page served for any missing path.

use super::{Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct NotFound;

impl Kind for NotFound {
    fn name(&self) -> &'static str {
        "404"
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::NOT_FOUND.to_string()
    }

    fn depends(&self, _site: &Site, _n: usize, _on: &mut dyn FnMut(Dep)) {}

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        Frame {
            template: "404.html",
            path: self.path(cx.views.site, 0),
            title: Some(cx.shared.label("not_found").to_string()),
            section: None,
            ctx: tera::Context::new(),
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
