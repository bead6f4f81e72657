//! One tag: the incidents that carry it, with their figures.

use super::pager;
use super::{tags, Cx, Dep, Frame, Kind, List};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Tag;

impl Kind for Tag {
    fn name(&self) -> &'static str {
        "tag"
    }

    fn count(&self, site: &Site) -> usize {
        site.paging.tags.count()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.tags.locate(n);
        pager::paged_id(site.tags.groups[g].slug.clone(), page)
    }

    fn path(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.tags.locate(n);
        routes::paged(&routes::tag(&site.tags.groups[g].slug), page)
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        let (g, _) = site.paging.tags.locate(n);
        pager::rows(List::Tag(g), on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let site = cx.views.site;
        let mut ctx = tera::Context::new();
        let title = pager::group_list(
            cx.views,
            &site.paging.tags,
            n,
            &site.tags.groups,
            |g| g.key.clone(),
            |g| routes::tag(&g.slug),
            &mut ctx,
        );
        Frame {
            template: "tag.html",
            path: self.path(site, n),
            title: Some(title),
            section: Some(tags::NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
