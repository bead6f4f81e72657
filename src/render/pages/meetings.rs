//! The meeting index.

use super::{Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::Output;
use crate::routes;
use crate::site::Site;

pub(super) struct Meetings;

/// The kind's name, also its navigation section.
pub(super) const NAME: &str = "meetings-index";

impl Kind for Meetings {
    fn name(&self) -> &'static str {
        NAME
    }

    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::MEETINGS.to_string()
    }

    fn nav(&self) -> Option<&'static str> {
        Some("meetings")
    }

    fn depends(&self, site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        for m in 0..site.meetings.len() {
            on(Dep::Meeting(m));
            for &i in site.agenda(m) {
                on(Dep::Row(i));
            }
        }
    }

    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let list: Vec<_> = (0..site.meetings.len()).map(|n| views.meeting(n)).collect();
        let mut ctx = tera::Context::new();
        ctx.insert("meetings", &list);
        Frame {
            template: "meetings.html",
            path: self.path(site, 0),
            title: Some(cx.shared.label("meetings").to_string()),
            section: Some(NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}
