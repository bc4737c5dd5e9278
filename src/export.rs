//! Writing what the app shows to files: the tables the app and the CLI export (entities, an
//! entity's companions, search hits; CSV or JSON), and FollowTheMoney.
//!
//! FollowTheMoney is the data model of Aleph and OpenSanctions: a folder's people,
//! organisations and places, its documents, and which document mentions which entity, as one
//! JSON object per line (`{"id", "schema", "properties": {name: [values]}}`), so a finding moves
//! straight into that ecosystem.
//!
//! People become `Person`, organisations `Organization`, places and locations `Address` (with
//! the name as its `full` address); other kinds of name have no fitting schema and are left out.
//! Each document is a `Document` listing the names it mentions (`peopleMentioned`,
//! `companiesMentioned`, `locationMentioned`); each (document, person or organisation) pair is a
//! `Mention` resolved to the entity, and a place a `Mention` with its detected schema.

use std::io::Write;

use serde_json::{Value, json};

use crate::model::{DocSummary, EntityCount, EntityKey, EntityKind, Query, SearchResults};

/// Which table to export.
#[derive(Clone, Debug, PartialEq)]
pub enum Table {
    /// The folder's entities counted over the documents a query matches; numbers too with `true`.
    Entities(Query, bool),
    /// The entities that share documents with one; numbers too with `true`.
    Companions(EntityKey, bool),
    /// Every hit of a query.
    Results(Query),
}

impl Table {
    /// A file name to offer for it.
    pub fn file_name(&self, format: TableFormat) -> String {
        let stem = match self {
            Table::Entities(..) => "entities".to_owned(),
            Table::Companions(key, _) => {
                let name: String = key.text.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
                format!("with-{name}")
            }
            Table::Results(_) => "results".to_owned(),
        };
        format!("{stem}.{}", format.extension())
    }
}

/// Writes `table` from `index` to `file` (through a temporary file beside it, so a failed
/// export never leaves half a file under the chosen name); returns the rows written.
pub fn write_table(
    index: &crate::index::DocIndex,
    table: &Table,
    format: TableFormat,
    file: &std::path::Path,
) -> Result<usize, String> {
    let partial = file.with_extension(format!("{}.part", format.extension()));
    let written = (|| -> Result<usize, String> {
        let out = std::io::BufWriter::new(std::fs::File::create(&partial).map_err(|e| e.to_string())?);
        let index_error = |e: crate::index::IndexError| e.to_string();
        let rows = match table {
            Table::Entities(query, numbers) => {
                let mut counts = index.entity_counts_for(query).map_err(index_error)?.to_vec();
                counts.retain(|c| *numbers || !c.key.kind.is_counting());
                entities(&counts, format, out)
            }
            Table::Companions(key, numbers) => {
                let mut pairs = index.cooccurrences(key, 0).map_err(index_error)?;
                pairs.retain(|(k, _)| *numbers || !k.kind.is_counting());
                companions(&pairs, "documents", format, out)
            }
            Table::Results(query) => hits(&index.search(query, usize::MAX).map_err(index_error)?, format, out),
        };
        rows.map_err(|e| e.to_string())
    })();
    match written {
        Ok(rows) => std::fs::rename(&partial, file).map(|()| rows).map_err(|e| e.to_string()),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
    .map_err(|e| format!("cannot export to {}: {e}", file.display()))
}

/// How a table is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    /// Pretty-printed JSON: the same objects `--json` prints.
    Json,
}

impl TableFormat {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Json => "json",
        }
    }
}

/// Writes a header and rows as CSV (quoted where needed); returns the rows written.
pub(crate) fn csv_rows<const N: usize>(
    out: impl Write,
    header: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header)?;
    let mut n = 0;
    for row in rows {
        w.write_record(&row)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

fn json(mut out: impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)
}

/// The folder's entities: kind, name, documents and every spelling with its documents.
pub fn entities(counts: &[EntityCount], format: TableFormat, out: impl Write) -> std::io::Result<usize> {
    match format {
        TableFormat::Json => json(out, &counts).map(|()| counts.len()),
        TableFormat::Csv => {
            let rows = counts.iter().map(|c| {
                let spellings: Vec<String> =
                    c.variants.iter().map(|v| format!("{} ({})", v.text, v.documents)).collect();
                [c.key.kind.label().to_owned(), c.key.text.clone(), c.documents.to_string(), spellings.join("; ")]
            });
            csv_rows(out, ["kind", "name", "documents", "spellings"], rows)
        }
    }
}

/// An entity's companions and how many documents (or sentences: `unit`) each shares with it.
pub fn companions(
    pairs: &[(EntityKey, u64)],
    unit: &str,
    format: TableFormat,
    out: impl Write,
) -> std::io::Result<usize> {
    match format {
        TableFormat::Json => {
            let rows: Vec<Value> = pairs.iter().map(|(k, n)| json!({ "key": k, unit: n })).collect();
            json(out, &rows).map(|()| rows.len())
        }
        TableFormat::Csv => {
            let rows = pairs.iter().map(|(k, n)| [k.kind.label().to_owned(), k.text.clone(), n.to_string()]);
            csv_rows(out, ["kind", "name", &format!("shared_{unit}")], rows)
        }
    }
}

/// Search hits, best first: id, title, format, matches, page and score (JSON also has the total
/// and what the query ignored).
pub fn hits(results: &SearchResults, format: TableFormat, out: impl Write) -> std::io::Result<usize> {
    match format {
        TableFormat::Json => json(out, results).map(|()| results.hits.len()),
        TableFormat::Csv => {
            let rows = results.hits.iter().map(|h| {
                let page = h.page.map(|p| p.to_string()).unwrap_or_default();
                let format = h.format.as_str().to_owned();
                let copies = h.copies.join("; ");
                [
                    h.id.clone(),
                    h.title.clone(),
                    format,
                    h.match_count.map(|n| n.to_string()).unwrap_or_default(),
                    page,
                    format!("{:.3}", h.score),
                    copies,
                ]
            });
            csv_rows(out, ["id", "title", "format", "matches", "page", "score", "copies"], rows)
        }
    }
}

/// The FollowTheMoney schema an entity of `kind` is exported as, if any.
pub fn schema_of(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Person => Some("Person"),
        EntityKind::Org => Some("Organization"),
        EntityKind::Gpe | EntityKind::Loc | EntityKind::Fac => Some("Address"),
        _ => None,
    }
}

/// A stable id: the same entity or document gets the same id in every export.
fn id(prefix: &str, text: &str) -> String {
    format!("dossier-{prefix}-{:016x}", crate::store::fnv1a(text.as_bytes()))
}

/// The export, one JSON value per line: entities first, then each document and its mentions.
/// `documents` pairs each document with the per-document entity keys it holds.
pub fn followthemoney(entities: &[EntityCount], documents: &[(DocSummary, Vec<EntityKey>)]) -> Vec<Value> {
    let mut out = Vec::new();
    // Each per-document key's exported entity: its id, schema and name.
    let mut exported: std::collections::HashMap<&EntityKey, (String, &'static str, &str)> = Default::default();
    for e in entities {
        let Some(schema) = schema_of(e.key.kind) else { continue };
        let entity_id = id("entity", &e.key.encode());
        let aliases: Vec<&str> = e.variants.iter().map(|v| v.text.as_str()).filter(|t| *t != e.key.text).collect();
        let mut properties = serde_json::Map::new();
        properties.insert("name".into(), json!([e.key.text]));
        if schema == "Address" {
            properties.insert("full".into(), json!([e.key.text]));
        }
        if !aliases.is_empty() {
            properties.insert("alias".into(), json!(aliases));
        }
        out.push(json!({ "id": entity_id, "schema": schema, "properties": properties }));
        for member in e.members.iter() {
            exported.insert(member, (entity_id.clone(), schema, e.key.text.as_str()));
        }
    }
    for (doc, keys) in documents {
        let doc_id = id("document", &doc.id);
        let mut named: Vec<(&String, &'static str, &str)> =
            keys.iter().filter_map(|k| exported.get(k)).map(|(i, s, n)| (i, *s, *n)).collect();
        named.sort();
        named.dedup();
        let names =
            |schema: &str| -> Vec<&str> { named.iter().filter(|(_, s, _)| *s == schema).map(|(_, _, n)| *n).collect() };
        let mut properties = serde_json::Map::new();
        properties.insert("title".into(), json!([doc.title]));
        properties.insert("fileName".into(), json!([doc.id]));
        properties.insert("fileSize".into(), json!([doc.size_bytes.to_string()]));
        for (property, schema) in
            [("peopleMentioned", "Person"), ("companiesMentioned", "Organization"), ("locationMentioned", "Address")]
        {
            let list = names(schema);
            if !list.is_empty() {
                properties.insert(property.into(), json!(list));
            }
        }
        out.push(json!({ "id": doc_id, "schema": "Document", "properties": properties }));
        for (entity_id, schema, name) in &named {
            let mut properties = serde_json::Map::new();
            properties.insert("document".into(), json!([doc_id]));
            properties.insert("name".into(), json!([name]));
            properties.insert("detectedSchema".into(), json!([schema]));
            // `resolved` points at a legal entity; a place is a mention with its schema only.
            if *schema != "Address" {
                properties.insert("resolved".into(), json!([entity_id]));
            }
            out.push(json!({
                "id": id("mention", &format!("{doc_id}{entity_id}")),
                "schema": "Mention",
                "properties": properties,
            }));
        }
    }
    out
}
