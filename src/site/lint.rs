//! Warnings: things worth fixing that do not stop a build.

use chrono::NaiveDate;

use super::Site;
use crate::diag::Diagnostic;
use crate::model::Status;

impl Site {
    /// Warnings about the site, relative to `today` for due dates: an incident with no
    /// countermeasures, a final incident without `resolved`, a countermeasure past its due
    /// date and not done, a notice before the incident started.
    pub fn warnings(&self, today: NaiveDate) -> Vec<Diagnostic> {
        let mut out = self.edition_warnings.clone();
        for i in &self.incidents {
            let open = i.file.text.find("+++").unwrap_or(0);
            let head = Some(open..open + 3);
            if i.countermeasures.is_empty() {
                out.push(
                    Diagnostic::warning(crate::diag::Code::NoCountermeasures, &i.file, head.clone(), "this incident lists no countermeasures")
                        .with_help("add a [[countermeasures]] table for each action taken to prevent a recurrence (再発防止策)"),
                );
            }
            if i.status == Status::Final && i.resolved.is_none() {
                out.push(
                    Diagnostic::warning(
                        crate::diag::Code::FinalWithoutResolved,
                        &i.file,
                        head,
                        "the incident is final but has no `resolved` time",
                    )
                    .with_help(
                        "add resolved = … , or set status = \"preliminary\" while it is ongoing",
                    ),
                );
            }
            for m in &i.countermeasures {
                let overdue = m.days_overdue(today).is_some();
                if overdue {
                    let due = m.due.map(|d| d.to_string()).unwrap_or_default();
                    out.push(
                        Diagnostic::warning(
                            crate::diag::Code::CountermeasureOverdue,
                            &i.file,
                            Some(m.span.clone()),
                            format!(
                                "a countermeasure was due {due} and is not done (today is {today})"
                            ),
                        )
                        .with_help(
                            "set status = \"done\" with its `completed` date, or move `due`",
                        ),
                    );
                }
            }
            for n in &i.notices {
                if n.at < i.started {
                    out.push(
                        Diagnostic::warning(
                            crate::diag::Code::NoticeBeforeStart,
                            &i.file,
                            Some(n.span.clone()),
                            format!(
                                "this notice ({}) is before the incident started ({})",
                                n.at.rfc3339(),
                                i.started.rfc3339()
                            ),
                        )
                        .with_help("check the notice's date and time, and `started`"),
                    );
                }
            }
        }
        out.extend(self.operators_differing_in_case());
        crate::diag::sort(&mut out);
        out
    }

    /// Operators whose names differ only in case (`NTT`, `ntt`): each has its own page
    /// (their slugs are told apart), but they are most likely one operator typed two ways.
    /// Reported at the name in the newest incident that spells it the later way.
    fn operators_differing_in_case(&self) -> Vec<Diagnostic> {
        let mut by_lower: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
        for g in &self.operators {
            by_lower
                .entry(g.key.to_lowercase())
                .or_default()
                .push(&g.key);
        }
        let mut out = Vec::new();
        for names in by_lower.values().filter(|n| n.len() > 1) {
            for name in &names[1..] {
                let Some(&n) = self
                    .operators
                    .iter()
                    .find(|g| g.key == *name)
                    .and_then(|g| g.incidents.first())
                else {
                    continue;
                };
                let i = &self.incidents[n];
                let quoted = format!("\"{name}\"");
                // An escaped name (`\u00e9`) is not found as written: point at the fence.
                let span = i
                    .file
                    .text
                    .find(&quoted)
                    .map(|at| at..at + quoted.len())
                    .or_else(|| i.file.text.find("+++").map(|at| at..at + 3));
                out.push(
                    Diagnostic::warning(
                        crate::diag::Code::OperatorCase,
                        &i.file,
                        span,
                        format!(
                            "operator \"{name}\" differs from \"{}\" only in case: they get two pages",
                            names[0]
                        ),
                    )
                    .with_help("if they are one operator, write the name the same way in every incident"),
                );
            }
        }
        out
    }
}
