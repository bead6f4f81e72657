//! The search page: a form whose query is in the URL (`search/?q=…`), answered in the
//! browser by `search.js` from the index of `render::search`.

use super::{Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Search;

impl Kind for Search {
    fn name(&self) -> &'static str {
        "search"
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::SEARCH.to_string()
    }

    // The page is the same for every site: what it finds comes from the index.
    fn depends(&self, _site: &Site, _n: usize, _on: &mut dyn FnMut(Dep)) {}

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let mut ctx = tera::Context::new();
        ctx.insert(
            "script_href",
            &routes::href(
                routes::SEARCH_SCRIPT
                    .strip_prefix(routes::folder_of(routes::SEARCH))
                    .unwrap_or(routes::SEARCH_SCRIPT),
            ),
        );
        Frame {
            template: "search.html",
            path: self.path(cx.views.site, 0),
            title: Some(cx.shared.label("search").to_string()),
            section: None,
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
