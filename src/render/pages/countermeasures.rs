//! The countermeasure ledger: every 再発防止策 across incidents, overdue first, with
//! counts per operator and per primary cause, as of the build's `--today`. The list is
//! split into pages of [`PAGE`] (a 10,000-incident site has about 50,000 countermeasures:
//! one page of them was 34 MB and took half a second alone); the first page also has the
//! counts.

use serde::Serialize;

use super::pager::Pager;
use super::{Cx, Dep, Frame, Kind, List};
use crate::error::Error;
use crate::render::i18n::Fmt;
use crate::render::views::{CauseTag, Link, Views};
use crate::render::Output;
use crate::routes;
use crate::site::ledger::{Standing, Tally};
use crate::site::Site;

pub(super) struct Countermeasures;

/// The kind's name, also its navigation section.
pub(super) const NAME: &str = "countermeasures-index";

/// Countermeasures per page of the ledger.
const PAGE: usize = 200;

/// The path of page `n` (from 0) of the ledger.
fn page_path(n: usize) -> String {
    routes::paged(routes::COUNTERMEASURES, n)
}

/// One countermeasure as a ledger row.
#[derive(Debug, Serialize)]
struct Row {
    standing_key: &'static str,
    standing: &'static str,
    overdue: Option<String>,
    action: String,
    incident: Link,
    operators: String,
    cause: CauseTag,
    due: Option<String>,
    completed: Option<String>,
    /// The badge of an internal countermeasure or incident, in the internal edition.
    #[serde(skip_serializing_if = "Option::is_none")]
    internal: Option<&'static str>,
}

/// Counts by standing, formatted.
#[derive(Debug, Serialize)]
pub(crate) struct TallyView {
    overdue: String,
    in_progress: String,
    planned: String,
    done: String,
    open: String,
    total: String,
    unrecorded: String,
}

impl TallyView {
    pub(crate) fn new(t: &Tally, unrecorded: usize, f: Fmt) -> Self {
        let n = |k: usize| f.count(k as u64);
        Self {
            overdue: n(t.overdue),
            in_progress: n(t.in_progress),
            planned: n(t.planned),
            done: n(t.done),
            open: n(t.open()),
            total: n(t.open() + t.done),
            unrecorded: n(unrecorded),
        }
    }
}

/// A group (operator, cause) with its counts.
#[derive(Debug, Serialize)]
struct GroupTally {
    text: String,
    href: String,
    tally: TallyView,
}

/// The label of a standing.
pub(crate) fn standing_label(f: Fmt, s: Standing) -> &'static str {
    match s {
        Standing::Overdue => f.pick("期限超過", "Overdue"),
        Standing::InProgress => f.choice(crate::model::MeasureStatus::InProgress),
        Standing::Planned => f.choice(crate::model::MeasureStatus::Planned),
        Standing::Done => f.choice(crate::model::MeasureStatus::Done),
    }
}

/// Counts per group of incidents, each a ledger over the group's incidents.
fn tallies<'a>(
    views: &Views<'_>,
    groups: impl Iterator<Item = (String, String, &'a [usize])>,
) -> Vec<GroupTally> {
    let site = views.site;
    groups
        .map(|(text, href, list)| {
            let (tally, unrecorded) = Tally::of(site, list, site.today);
            GroupTally {
                text,
                href,
                tally: TallyView::new(&tally, unrecorded, views.f),
            }
        })
        .collect()
}

impl Kind for Countermeasures {
    fn name(&self) -> &'static str {
        NAME
    }

    fn count(&self, site: &Site) -> usize {
        site.ledger.entries.len().div_ceil(PAGE).max(1)
    }

    fn path(&self, _site: &Site, n: usize) -> String {
        page_path(n)
    }

    fn id(&self, _site: &Site, n: usize) -> String {
        if n == 0 {
            String::new()
        } else {
            (n + 1).to_string()
        }
    }

    fn nav(&self) -> Option<&'static str> {
        Some("countermeasures")
    }

    fn depends(&self, _site: &Site, _n: usize, on: &mut dyn FnMut(Dep)) {
        // Countermeasures are not part of a list row: the whole incident counts.
        on(Dep::Records(List::All));
    }

    fn render(&self, cx: &Cx<'_>, n: usize) -> Result<Vec<Output>, Error> {
        let views = cx.views;
        let site = views.site;
        let f = views.f;
        let ledger = &site.ledger;
        let pages = self.count(site);
        let from = (n * PAGE).min(ledger.entries.len());
        let to = ((n + 1) * PAGE).min(ledger.entries.len());
        let pager = Pager::new(
            f,
            routes::COUNTERMEASURES,
            n,
            pages,
            from..to,
            ledger.entries.len(),
        );
        let rows: Vec<Row> = ledger.entries[from..to]
            .iter()
            .map(|e| {
                let i = &site.incidents[e.incident];
                let m = &i.countermeasures[e.measure];
                Row {
                    standing_key: e.standing.key(),
                    standing: standing_label(f, e.standing),
                    overdue: e.days_overdue.map(|d| f.overdue(d)),
                    action: m.action.clone(),
                    incident: Link {
                        text: i.title.clone(),
                        href: routes::href(&routes::incident(&i.id)),
                    },
                    operators: i.operators.join(f.punctuation().list_sep),
                    cause: views.cause_tag(i.primary_cause(), true),
                    due: m.due.map(|d| f.partial_date(d)),
                    completed: m.completed.map(|d| f.partial_date(d)),
                    internal: views.internal_badge(
                        m.internal || i.visibility == crate::model::Visibility::Internal,
                    ),
                }
            })
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("measures", &rows);
        ctx.insert("pager", &pager);
        let title = pager.title(f, cx.shared.label("ledger"));
        // Every page says the day its 期限超過 marks are counted to.
        let as_of = f.as_of(crate::model::PartialDate {
            year: chrono::Datelike::year(&site.today),
            month: Some(chrono::Datelike::month(&site.today)),
            day: Some(chrono::Datelike::day(&site.today)),
        });
        ctx.insert("as_of", &as_of);
        ctx.insert("as_of_iso", &site.today.to_string());
        if n == 0 {
            self.summary(views, &mut ctx);
        }
        Frame {
            template: "countermeasures.html",
            path: self.path(site, n),
            title: Some(title),
            section: Some(NAME),
            ctx,
            documents: Vec::new(),
            cx,
        }
        .render()
    }
}

impl Countermeasures {
    /// The counts of the first page: overall, per operator, per primary cause, and the
    /// incidents that record none.
    fn summary(&self, views: &Views<'_>, ctx: &mut tera::Context) {
        let site = views.site;
        let f = views.f;
        let ledger = &site.ledger;
        let unrecorded: Vec<_> = ledger
            .unrecorded
            .iter()
            .map(|&n| views.row(&site.incidents[n]))
            .collect();
        let by_operator = tallies(
            views,
            site.operators.iter().map(|g| {
                let href = routes::href(&routes::operator(&g.slug));
                (g.key.clone(), href, g.incidents.as_slice())
            }),
        );
        let primary: Vec<(String, String, Vec<usize>)> = site
            .causes
            .iter()
            .map(|c| {
                let tag = views.cause_tag(&c.key, true);
                let list = c.entries.iter().filter(|e| e.primary).map(|e| e.incident);
                (tag.label, tag.href, list.collect::<Vec<usize>>())
            })
            .filter(|(_, _, list)| !list.is_empty())
            .collect();
        let by_cause = tallies(
            views,
            primary
                .iter()
                .map(|(t, h, l)| (t.clone(), h.clone(), l.as_slice())),
        );
        ctx.insert(
            "tally",
            &TallyView::new(&ledger.tally, ledger.unrecorded.len(), f),
        );
        ctx.insert("unrecorded", &unrecorded);
        ctx.insert("by_operator", &by_operator);
        ctx.insert("by_cause", &by_cause);
    }
}
