//! One year: its figures and incidents, with a link to its annual report.

use super::{years, Cx, Dep, Frame, Kind};
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
        site.years.len()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        site.years[n].key.to_string()
    }

    fn path(&self, site: &Site, n: usize) -> String {
        routes::year(site.years[n].key)
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        for &i in &site.years[n].incidents {
            on(Dep::Row(i));
        }
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let g = &site.years[n];
        let label = views.f.year_label(g.key);
        let mut ctx = tera::Context::new();
        ctx.insert("group", &views.group(g, label.clone(), routes::year(g.key)));
        ctx.insert("report_href", &routes::href(&routes::annual(g.key)));
        super::feeds::describe_group(&mut ctx, cx, &label, g.incidents.len());
        ctx.insert("period", &views.f.year_period(g.key));
        ctx.insert_value("incidents", views.row_values(g.incidents.iter().copied()));
        Frame {
            template: "year.html",
            path: self.path(site, n),
            title: Some(label),
            section: Some(years::NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
