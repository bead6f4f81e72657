//! One operator: its figures and incidents.

use super::pager::{self, Pager};
use super::{operators, Cx, Dep, Frame, Kind};
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
        pager::rows(site.operators[g].incidents.iter().copied(), on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let paging = &site.paging.operators;
        let (gi, page) = paging.locate(n);
        let g = &site.operators[gi];
        let first = routes::operator(&g.slug);
        let range = paging.range(page, g.incidents.len());
        let pager = Pager::new(
            views.f,
            &first,
            page,
            paging.pages(gi),
            range.clone(),
            g.incidents.len(),
        );
        let mut ctx = tera::Context::new();
        ctx.insert("group", &views.group(g, g.key.clone(), first));
        super::feeds::insert_feed(&mut ctx, cx, &routes::operator_feed(&g.slug));
        super::feeds::describe_group(&mut ctx, cx, &g.key, g.incidents.len());
        ctx.insert_value(
            "incidents",
            views.row_values(g.incidents[range].iter().copied()),
        );
        let title = pager.title(views.f, &g.key);
        ctx.insert("pager", &pager);
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
