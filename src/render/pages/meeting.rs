//! A meeting's page (its agenda and minutes) and its packet, which binds the report of
//! every incident on the agenda.

use super::{incident_view, meetings, Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::{documents, link_rewriter, links, markdown, Output};
use crate::routes;
use crate::site::Site;

pub(super) struct Meeting;

impl Kind for Meeting {
    fn name(&self) -> &'static str {
        "meeting"
    }

    fn count(&self, site: &Site) -> usize {
        site.meetings.len()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        site.meetings[n].id.clone()
    }

    fn path(&self, site: &Site, n: usize) -> String {
        routes::meeting(&site.meetings[n].id)
    }

    fn documents(&self, site: &Site, n: usize) -> Vec<(&'static str, String)> {
        vec![("meeting-packet", routes::packet(&site.meetings[n].id))]
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        on(Dep::Meeting(n));
        // The packet binds each agenda incident's whole report.
        for &i in site.agenda(n) {
            on(Dep::Row(i));
            incident_view(site, i, on);
        }
    }

    fn owner(&self, n: usize) -> Option<Dep> {
        Some(Dep::Meeting(n))
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let m = &site.meetings[n];
        let path = self.path(site, n);
        let root = routes::root_of(&path);
        let source = m.read_body()?;
        let body = markdown::render_body(
            source.as_str(),
            &link_rewriter(site, &root),
            site.config.unsafe_html,
            site.config.language,
        );
        views.check_body(
            &body,
            &source,
            &m.file,
            &links::Page {
                path: path.clone(),
                incident: None,
                asset_dir: None,
                depth: 2,
            },
        )?;
        let mut ctx = tera::Context::new();
        ctx.insert("meeting", &views.meeting(n));
        let minutes = body.html.trim();
        // The body often opens with its own heading (## 議事模様): a 議事要旨 heading right
        // above it, or above nothing, says nothing.
        let opens_with_heading = minutes.len() > 3
            && minutes.starts_with("<h")
            && minutes.as_bytes()[2].is_ascii_digit();
        ctx.insert("minutes", minutes);
        ctx.insert(
            "minutes_heading",
            &(!minutes.is_empty() && !opens_with_heading),
        );
        ctx.insert("packet_href", &routes::href(&routes::packet(&m.id)));
        let packet = documents::packet(views, cx.shared, cx.theme, n)?;
        Frame {
            template: "meeting.html",
            path,
            title: Some(m.title.clone()),
            section: Some(meetings::NAME),
            ctx,
            documents: vec![packet],
            cx,
        }
        .render()
    }
}
