//! One cause: its definition, figures and incidents.

use serde::Serialize;

use super::pager::{self, Pager};
use super::{causes, Cx, Dep, Frame, Kind, List};
use crate::error::Error;
use crate::render::views::{self, StatsView};
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Cause;

impl Kind for Cause {
    fn name(&self) -> &'static str {
        "cause"
    }

    fn count(&self, site: &Site) -> usize {
        site.paging.causes.count()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.causes.locate(n);
        pager::paged_id(site.causes[g].key.as_str().to_string(), page)
    }

    fn path(&self, site: &Site, n: usize) -> String {
        let (g, page) = site.paging.causes.locate(n);
        routes::paged(&routes::cause(site.causes[g].key.as_str()), page)
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        let (g, _) = site.paging.causes.locate(n);
        pager::rows(List::Cause(g), on);
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let f = views.f;
        let paging = &site.paging.causes;
        let (g, page) = paging.locate(n);
        let c = &site.causes[g];
        let range = paging.range(page, c.entries.len());
        let pager = Pager::new(
            f,
            &routes::cause(c.key.as_str()),
            page,
            paging.pages(g),
            range.clone(),
            c.entries.len(),
        );
        let cause = site.config.causes.get(c.key.as_str());
        let label = cause
            .map_or(c.key.as_str(), |c| c.label(f.lang))
            .to_string();
        let page = tera::Value::from_serializable(&CausePage {
            key: c.key.as_str(),
            label: label.clone(),
            description: cause.map_or("", |c| c.description(f.lang)),
            stats: StatsView::new(&c.stats, f),
            primary_count: c.primary_count,
        });
        let mut ctx = tera::Context::new();
        super::feeds::insert_feed(&mut ctx, cx, &routes::cause_feed(c.key.as_str()));
        super::feeds::describe_group(&mut ctx, cx, &label, c.entries.len());
        ctx.insert_value(
            "cause",
            views::with_field(page, "incidents", views.cause_rows(&c.entries[range])),
        );
        let title = pager.title(f, &label);
        ctx.insert("pager", &pager);
        Frame {
            template: "cause.html",
            path: self.path(site, n),
            title: Some(title),
            section: Some(causes::NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}

#[derive(Debug, Serialize)]
struct CausePage<'a> {
    key: &'a str,
    label: String,
    description: &'a str,
    stats: StatsView,
    primary_count: usize,
}
