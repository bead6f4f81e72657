//! An incident's page, and its printable report rendered from the same view.

use super::{incident_view, incidents, Cx, Dep, Frame, Kind};
use crate::error::Error;
use crate::render::{documents, views, with_root, Output};
use crate::routes;
use crate::site::Site;

pub(super) struct Incident;

impl Kind for Incident {
    fn name(&self) -> &'static str {
        "incident"
    }

    fn count(&self, site: &Site) -> usize {
        site.incidents.len()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        site.incidents[n].id.clone()
    }

    fn path(&self, site: &Site, n: usize) -> String {
        routes::incident(&site.incidents[n].id)
    }

    fn documents(&self, site: &Site, n: usize) -> Vec<(&'static str, String)> {
        // Only on request: the page prints by itself, and a report per incident would
        // double the site's files (packets and `gen pdf` carry the report where it is sent).
        if !site.config.incident_reports {
            return Vec::new();
        }
        vec![(
            "incident-report",
            routes::incident_report(&site.incidents[n].id),
        )]
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        incident_view(site, n, on);
    }

    fn owner(&self, n: usize) -> Option<Dep> {
        Some(Dep::Incident(n))
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let i = &site.incidents[n];
        let path = self.path(site, n);
        let root = routes::root_of(&path);
        let body = views.page_body(n)?;
        let mut ctx = tera::Context::new();
        super::feeds::describe_incident(&mut ctx, cx, n);
        let mut documents = Vec::new();
        if !site.config.incident_reports {
            let mut page_body = body;
            page_body.html = with_root(&page_body.html, &root);
            ctx.insert("incident", &views.incident(n, page_body));
        } else {
            // One markdown rendering serves the page and the printable report.
            let report_path = routes::incident_report(&i.id);
            let report_html = documents::embed_images(
                with_root(&body.html, &documents::doc_root(site, &report_path)),
                site,
                n,
            )?;
            // The report's HTML has the body's classes: only links and images differ.
            let classes = body.classes;
            let mut page_body = body;
            page_body.html = with_root(&page_body.html, &root);
            // One view serves both: the report's value differs only in its body.
            let page = tera::Value::from_serializable(&views.incident(n, page_body));
            let report = views::with_field(page.clone(), "body", report_html.into());
            ctx.insert_value("incident", page);
            ctx.insert("report_href", &routes::href(&report_path));
            documents.push(documents::incident_report(
                views, cx.shared, cx.theme, i, report, classes,
            )?);
        }
        Frame {
            template: "incident.html",
            path,
            title: Some(i.title.clone()),
            section: Some(incidents::NAME),
            ctx,
            documents,
            cx,
        }
        .render()
    }
}
