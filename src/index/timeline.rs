//! The timeline: when the documents a query matches were written and which dates they mention,
//! by month, read from the `days` and `created` fast fields without touching stored text.

use std::collections::{BTreeMap, HashMap};

use tantivy::Searcher;

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
    docs: Vec<Scored>,
}

/// A document in a month: (dates in the month, segment, document).
type Scored = (u32, u32, u32);

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
        // Each month's candidates for its top documents, then every candidate's title and path
        // read in one walk through each segment's dictionaries (a lookup apiece decompresses a
        // block each time: 40,000 of them at 100,000 documents).
        let candidates: Vec<(i32, Bucket, Vec<Scored>)> = months
            .into_iter()
            .map(|(month, mut bucket)| {
                let top = top_candidates(&mut bucket.docs);
                (month, bucket, top)
            })
            .collect();
        let wanted: Vec<(u32, u32)> =
            candidates.iter().flat_map(|(_, _, top)| top.iter().map(|&(_, seg, doc)| (seg, doc))).collect();
        let titles = names_of(&searcher, &wanted, "title_sort")?;
        let ids = names_of(&searcher, &wanted, "id")?;
        let name = |names: &HashMap<(u32, u32), String>, seg: u32, doc: u32| {
            names.get(&(seg, doc)).cloned().unwrap_or_default()
        };
        out.months = candidates
            .into_iter()
            .map(|(month, bucket, candidates)| {
                let mut top: Vec<(u32, String, String)> = candidates
                    .into_iter()
                    .map(|(score, seg, doc)| (score, name(&titles, seg, doc), name(&ids, seg, doc)))
                    .collect();
                top.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2)));
                top.truncate(TOP_PER_MONTH);
                MonthCount {
                    month,
                    mentioned: bucket.mentioned,
                    written: bucket.written,
                    top: top.into_iter().map(|(_, title, id)| (id, title)).collect(),
                }
            })
            .collect();
        Ok(out)
    }
}

/// The documents whose titles decide a month's top documents: those scoring above the cut (the
/// [`TOP_PER_MONTH`]th best score) and, in the order found, those at it, at most
/// [`TIE_CANDIDATES`]; ties at the cut are then broken by title, so the names rarely depend on
/// how documents were spread over segments, and a month of 10,000 equal documents does not read
/// 10,000 titles.
fn top_candidates(docs: &mut [Scored]) -> Vec<Scored> {
    // A stable sort keeps the order found among equal scores.
    docs.sort_by_key(|d| std::cmp::Reverse(d.0));
    let cut = docs.get(TOP_PER_MONTH.saturating_sub(1)).map_or(0, |d| d.0);
    docs.iter().take_while(|d| d.0 >= cut).take(TIE_CANDIDATES).copied().collect()
}

/// The value of the fast string field `field` of each document `(segment, document)` of
/// `docs`, read in one walk through each segment's dictionary.
fn names_of(searcher: &Searcher, docs: &[(u32, u32)], field: &str) -> Result<HashMap<(u32, u32), String>> {
    let mut by_segment: HashMap<u32, Vec<(u64, u32)>> = HashMap::new();
    let mut columns = HashMap::new();
    for &(seg, doc) in docs {
        let column = match columns.entry(seg) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(searcher.segment_reader(seg).fast_fields().str(field)?)
            }
        };
        if let Some(ord) = column.as_ref().and_then(|c| c.term_ords(doc).next()) {
            by_segment.entry(seg).or_default().push((ord, doc));
        }
    }
    let mut out = HashMap::new();
    for (seg, mut ords) in by_segment {
        let Some(Some(column)) = columns.get(&seg) else { continue };
        ords.sort_unstable();
        let mut distinct: Vec<u64> = ords.iter().map(|&(ord, _)| ord).collect();
        distinct.dedup();
        let terms = super::terms_of_ords(column, &distinct)?;
        for (ord, doc) in ords {
            if let Ok(i) = distinct.binary_search(&ord) {
                out.insert((seg, doc), terms.get(i).cloned().unwrap_or_default());
            }
        }
    }
    Ok(out)
}
