//! The tag index: every tag with its figures, most incidents first (ties by name). Not
//! in the top navigation (tags are free text and can be many); linked from the home
//! page, the incident list and every incident's tags.

use super::{every_row, Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Tags;

/// The kind's name, also the section of tag pages.
pub(super) const NAME: &str = "tags-index";

impl Kind for Tags {
    fn name(&self) -> &'static str {
        NAME
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::TAGS.to_string()
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        // A row changes when the incident's tags do (gen serve), so this covers the counts.
        every_row(on);
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let groups: Vec<_> = site
            .tags
            .order
            .iter()
            .map(|&g| {
                let g = &site.tags.groups[g];
                views.group(g, g.key.clone(), routes::tag(&g.slug))
            })
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("groups", &groups);
        Frame {
            template: "tags.html",
            path: self.path(site, 0),
            title: Some(cx.shared.label("tags").to_string()),
            section: Some(NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
