//! One operator: its figures and incidents.

use super::pager;
use super::{operators, Cx, Dep, Frame, Kind, List};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Operator;

impl Kind for Operator {
    fn name(&self) -> &'static str {
        "operator"
    }

    fn count(&self, site: &Site) -> usize {
        site.paging.operators.count()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.operators.locate(n);
        pager::paged_id(site.operators[g].key.clone(), page)
    }

    fn path(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.operators.locate(n);
        routes::paged(&routes::operator(&site.operators[g].slug), page)
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        let (g, _) = site.paging.operators.locate(n);
        pager::rows(List::Operator(g), on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let site = cx.views.site;
        let mut ctx = tera::Context::new();
        let title = pager::group_list(
            cx.views,
            &site.paging.operators,
            n,
            &site.operators,
            |g| g.key.clone(),
            |g| routes::operator(&g.slug),
            &mut ctx,
        );
        let g = &site.operators[site.paging.operators.locate(n).0];
        super::feeds::insert_feed(&mut ctx, cx, &routes::operator_feed(&g.slug));
        super::feeds::describe_group(&mut ctx, cx, &g.key, g.incidents.len());
        Frame {
            template: "operator.html",
            path: self.path(site, n),
            title: Some(title),
            section: Some(operators::NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
