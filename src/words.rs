//! How figures read, the same in the CLI and the app: sizes, counts with their noun, durations,
//! and the ingest report's summary and grouping by reason.

use std::collections::HashMap;

use crate::model::{FileProblem, Outcome};

/// A size for people: `512 B`, `2 KB`, `1.5 KB`, `64 MB`, `1.0 MB` (one decimal unless whole).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut unit = 0;
    let mut value = n as f64 / 1024.0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let scale = 1u64 << (10 * (unit + 1));
    if n.is_multiple_of(scale) {
        format!("{} {}", n / scale, UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `1 entity`, `3 entities`, `0 documents`.
pub fn plural(n: u64, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

/// A duration for people: `250 ms`, `4.2 s`, `2 min`, `1.5 h`, `3 days`.
pub fn duration(secs: f64) -> String {
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else if secs < 60.0 {
        format!("{secs:.1} s")
    } else if secs < 3600.0 {
        format!("{:.0} min", secs / 60.0)
    } else if secs < 86400.0 {
        format!("{:.1} h", secs / 3600.0)
    } else {
        format!("{:.0} days", secs / 86400.0)
    }
}

/// `2 could not be read, 5 skipped, 1 truncated` (and `, 1 without entities` when there are).
pub fn outcome_summary(problems: &[FileProblem]) -> String {
    let count = |o: Outcome| problems.iter().filter(|p| p.outcome == o).count();
    [Outcome::Failed, Outcome::Skipped, Outcome::Truncated, Outcome::NoEntities]
        .into_iter()
        .filter(|&o| o != Outcome::NoEntities || count(o) > 0)
        .map(|o| format!("{} {}", count(o), o.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Problems counted by reason, most frequent first.
pub fn problems_by_reason(problems: &[FileProblem]) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in problems {
        *counts.entry(p.reason.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = counts.into_iter().map(|(r, n)| (r.to_owned(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_naturally() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(2048), "2 KB");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(64 << 20), "64 MB");
        assert_eq!(bytes((1 << 20) + 1), "1.0 MB");
        assert_eq!(bytes(3 << 30), "3 GB");
        assert_eq!(duration(0.25), "250 ms");
        assert_eq!(duration(90.0), "2 min");
        assert_eq!(plural(1, "entity"), "1 entity");
        assert_eq!(plural(3, "entity"), "3 entities");
        assert_eq!(plural(0, "document"), "0 documents");
        let problems = [FileProblem::failed("a", "x"), FileProblem::failed("b", "x"), FileProblem::skipped("c", "y")];
        assert_eq!(outcome_summary(&problems), "2 could not be read, 1 skipped, 0 truncated");
        assert_eq!(problems_by_reason(&problems), [("x".to_owned(), 2), ("y".to_owned(), 1)]);
    }
}
