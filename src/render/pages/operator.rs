//! One operator: its figures and incidents.

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
        site.operators.len()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        site.operators[n].key.clone()
    }

    fn path(&self, site: &Site, n: usize) -> String {
        routes::operator(&site.operators[n].slug)
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        for &i in &site.operators[n].incidents {
            on(Dep::Row(i));
        }
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let g = &site.operators[n];
        let path = self.path(site, n);
        let mut ctx = tera::Context::new();
        ctx.insert("group", &views.group(g, g.key.clone(), path.clone()));
        super::feeds::insert_feed(&mut ctx, cx, &routes::operator_feed(&g.slug));
        super::feeds::describe_group(&mut ctx, cx, &g.key, g.incidents.len());
        ctx.insert_value("incidents", views.row_values(g.incidents.iter().copied()));
        Frame {
            template: "operator.html",
            path,
            title: Some(g.key.clone()),
            section: Some(operators::NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
