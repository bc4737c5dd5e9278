//! The timeline: when the documents a query matches were written and which dates they mention,
//! by month, read from the `days` and `created` fast fields without touching stored text.

use std::collections::BTreeMap;

use super::{DAY_NS, DocIndex, Result};
use crate::model::{MonthCount, Query, Timeline};

/// Documents named per month when a bar is hovered.
const TOP_PER_MONTH: usize = 3;
/// Documents whose titles are compared to break ties among a month's top documents.
const TIE_CANDIDATES: usize = 64;

/// One month while counting: its documents and, per document, how many of its dates fall in
/// the month (a document written in the month counts one more).
#[derive(Default)]
struct Bucket {
    mentioned: u64,
    written: u64,
    /// (dates in the month, segment, document).
    docs: Vec<(u32, u32, u32)>,
}

impl DocIndex {
    /// The timeline of the documents `query` matches (every document for an empty query).
    pub fn timeline(&self, query: &Query) -> Result<Timeline> {
        let searcher = self.searcher();
        let by_segment = self.matching(&searcher, query)?;
        let mut months: BTreeMap<i32, Bucket> = BTreeMap::new();
        let mut out = Timeline::default();
        let mut here: Vec<(i32, u32, bool)> = Vec::new();
        for (segment, docs) in by_segment.iter().enumerate() {
            let ff = searcher.segment_readers()[segment].fast_fields();
            // A segment whose documents have no such value has no column for it.
            let days = ff.column_opt::<i64>("days")?;
            let created = ff.column_opt::<i64>("created")?;
            let undated = ff.column_opt::<u64>("undated")?;
            for &doc in docs {
                out.documents += 1;
                out.unplotted += undated.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
                // (month, dates in it, written in it) for this document.
                here.clear();
                for day in days.iter().flat_map(|c| c.values_for_doc(doc)) {
                    if let Some(month) = MonthCount::of_day(day) {
                        match here.iter_mut().find(|(m, _, _)| *m == month) {
                            Some(entry) => entry.1 += 1,
                            None => here.push((month, 1, false)),
                        }
                    }
                }
                let written = created.as_ref().and_then(|c| c.first(doc));
                if let Some(month) = written.and_then(|ns| MonthCount::of_day(ns.div_euclid(DAY_NS))) {
                    match here.iter_mut().find(|(m, _, _)| *m == month) {
                        Some(entry) => entry.2 = true,
                        None => here.push((month, 0, true)),
                    }
                }
                for &(month, dates, written) in &here {
                    let bucket = months.entry(month).or_default();
                    bucket.mentioned += u64::from(dates > 0);
                    bucket.written += u64::from(written);
                    bucket.docs.push((dates + u32::from(written), segment as u32, doc));
                }
            }
        }
        out.months = months.into_iter().map(|(month, bucket)| self.month_count(&searcher, month, bucket)).collect();
        Ok(out)
    }

    /// A bucket's counts with its top documents named.
    fn month_count(&self, searcher: &tantivy::Searcher, month: i32, mut bucket: Bucket) -> MonthCount {
        let named = |segment: u32, doc: u32, field: &str| -> String {
            let ff = searcher.segment_reader(segment).fast_fields();
            let Ok(Some(col)) = ff.str(field) else { return String::new() };
            let mut out = String::new();
            if let Some(ord) = col.term_ords(doc).next() {
                let _ = col.ord_to_str(ord, &mut out);
            }
            out
        };
        let mut top: Vec<(u32, String, String)> = Vec::new();
        bucket.docs.sort_by_key(|d| std::cmp::Reverse(d.0));
        // Ties at the cut are broken by title among the first candidates, so the names rarely
        // depend on how documents were spread over segments, and a month of 10,000 equal
        // documents does not read 10,000 titles.
        let cut = bucket.docs.get(TOP_PER_MONTH.saturating_sub(1)).map_or(0, |d| d.0);
        for &(score, segment, doc) in bucket.docs.iter().take_while(|d| d.0 >= cut).take(TIE_CANDIDATES) {
            top.push((score, named(segment, doc, "title_sort"), named(segment, doc, "id")));
        }
        top.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2)));
        top.truncate(TOP_PER_MONTH);
        MonthCount {
            month,
            mentioned: bucket.mentioned,
            written: bucket.written,
            top: top.into_iter().map(|(_, title, id)| (id, title)).collect(),
        }
    }
}
