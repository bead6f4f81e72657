//! One year: its figures and incidents, with a link to its annual report.

use super::pager;
use super::{years, Cx, Dep, Frame, Kind, List};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Year;

impl Kind for Year {
    fn name(&self) -> &'static str {
        "year"
    }

    fn count(&self, site: &Site) -> usize {
        site.paging.years.count()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.years.locate(n);
        pager::paged_id(site.years[g].key.to_string(), page)
    }

    fn path(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.years.locate(n);
        routes::paged(&routes::year(site.years[g].key), page)
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        let (g, _) = site.paging.years.locate(n);
        pager::rows(List::Year(g), on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let mut ctx = tera::Context::new();
        let title = pager::group_list(
            views,
            &site.paging.years,
            n,
            &site.years,
            |g| views.f.year_label(g.key),
            |g| routes::year(g.key),
            &mut ctx,
        );
        let g = &site.years[site.paging.years.locate(n).0];
        let label = views.f.year_label(g.key);
        ctx.insert("report_href", &routes::href(&routes::annual(g.key)));
        super::feeds::describe_group(&mut ctx, cx, &label, g.incidents.len());
        ctx.insert("period", &views.f.year_period(g.key));
        Frame {
            template: "year.html",
            path: self.path(site, n),
            title: Some(title),
            section: Some(years::NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
