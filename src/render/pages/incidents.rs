//! The list of every incident, in pages of `page_size`; the first page also has the
//! figures over all of them.

use super::pager::{self, Pager};
use super::{Cx, Dep, Frame, Kind, List};
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

    fn count(&self, site: &Site) -> usize {
        site.paging.incidents.count()
    }

    fn id(&self, _site: &Site, n: usize) -> String {
        pager::paged_id(String::new(), n)
    }

    fn path(&self, _site: &Site, n: usize) -> String {
        routes::paged(routes::INCIDENTS, n)
    }

    fn nav(&self) -> Option<&'static str> {
        Some("incidents")
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        pager::rows(List::All, on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let paging = &site.paging.incidents;
        let total = site.incidents.len();
        let range = paging.range(n, total);
        let pager = Pager::new(
            views.f,
            routes::INCIDENTS,
            n,
            paging.pages(0),
            range.clone(),
            total,
        );
        let mut ctx = tera::Context::new();
        ctx.insert_value("incidents", views.row_values(range));
        ctx.insert("stats", &StatsView::new(&site.stats, views.f));
        let title = pager.title(views.f, cx.shared.label("incidents"));
        ctx.insert("pager", &pager);
        Frame {
            template: "incidents.html",
            path: self.path(site, n),
            title: Some(title),
            section: Some(NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
