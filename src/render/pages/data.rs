//! The data exports as kinds of the registry, so that `gen serve` writes them again after
//! an edit and `gen routes` lists them (the bytes are made by `render::exports`).

use super::{Cx, Dep, Kind, List};
use crate::error::Error;
use crate::render::{exports, Output};
use crate::routes;
use crate::site::Site;

/// `incidents.json`.
pub(super) struct Json;
/// `incidents.csv`.
pub(super) struct Csv;
/// `countermeasures.csv`.
pub(super) struct MeasuresCsv;

/// Every export shows every field of every incident.
fn every_incident(on: &mut dyn FnMut(Dep)) {
    on(Dep::Records(List::All));
}

impl Kind for Json {
    fn name(&self) -> &'static str {
        "export-json"
    }
    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::EXPORT_JSON.to_string()
    }
    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_incident(on);
    }
    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        Ok(vec![Output::Bytes {
            path: routes::EXPORT_JSON.to_string(),
            bytes: exports::incidents_json(cx.views.site),
        }])
    }
}

impl Kind for Csv {
    fn name(&self) -> &'static str {
        "export-csv"
    }
    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::EXPORT_CSV.to_string()
    }
    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_incident(on);
    }
    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        Ok(vec![Output::Bytes {
            path: routes::EXPORT_CSV.to_string(),
            bytes: exports::incidents_csv(cx.views.site),
        }])
    }
}

impl Kind for MeasuresCsv {
    fn name(&self) -> &'static str {
        "export-countermeasures-csv"
    }
    fn path(&self, _site: &Site, _n: usize) -> String {
        routes::EXPORT_MEASURES_CSV.to_string()
    }
    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        every_incident(on);
    }
    fn render(&self, cx: &Cx<'_>, _n: usize) -> Result<Vec<Output>, Error> {
        Ok(vec![Output::Bytes {
            path: routes::EXPORT_MEASURES_CSV.to_string(),
            bytes: exports::countermeasures_csv(cx.views.site),
        }])
    }
}
