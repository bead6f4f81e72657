//! The home page: the latest incidents, the site's figures and the causes.

use super::{every_row, Cx, Dep, Frame, Kind, List};
use crate::error::Error;
use crate::render::views::StatsView;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

/// How many of the newest incidents the home page lists.
const LATEST: usize = 10;

pub(super) struct Home;

impl Kind for Home {
    fn name(&self) -> &'static str {
        "home"
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::HOME.to_string()
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        // The figures and the cause chart count every incident; the countermeasure
        // counts read beyond the rows.
        every_row(on);
        on(Dep::Records(List::All));
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let mut ctx = tera::Context::new();
        super::feeds::insert_feed(&mut ctx, cx, routes::FEED);
        ctx.insert_value(
            "latest",
            views.row_values(0..site.incidents.len().min(LATEST)),
        );
        ctx.insert("stats", &StatsView::new(&site.stats, views.f));
        ctx.insert("causes", &super::causes::groups(views));
        let ledger = &site.ledger;
        ctx.insert(
            "tally",
            &super::countermeasures::TallyView::new(
                &ledger.tally,
                ledger.unrecorded.len(),
                views.f,
            ),
        );
        Frame {
            template: "index.html",
            path: self.path(site, 0),
            title: None,
            section: None,
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
