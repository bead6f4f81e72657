//! A year's annual report: a printable document, listed under the reports section.

use super::{Cx, Dep, Kind};
use crate::error::Error;
use crate::render::{documents, Output};
use crate::routes;
use crate::site::Site;

pub(super) struct Annual;

impl Kind for Annual {
    fn name(&self) -> &'static str {
        "annual-report"
    }

    fn print(&self) -> bool {
        true
    }

    fn count(&self, site: &Site) -> usize {
        site.years.len()
    }

    fn id(&self, site: &Site, n: usize) -> String {
        site.years[n].key.to_string()
    }

    fn path(&self, site: &Site, n: usize) -> String {
        routes::annual(site.years[n].key)
    }

    fn depends(&self, site: &Site, n: usize, on: &mut dyn FnMut(Dep)) {
        for &i in &site.years[n].incidents {
            on(Dep::Row(i));
            on(Dep::Incident(i));
            on(Dep::Body(i));
        }
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        Ok(vec![documents::annual(cx.views, cx.shared, cx.theme, n)?])
    }
}
