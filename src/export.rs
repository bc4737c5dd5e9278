//! Export to FollowTheMoney, the data model of Aleph and OpenSanctions: a folder's people,
//! organisations and places, its documents, and which document mentions which entity, as one
//! JSON object per line (`{"id", "schema", "properties": {name: [values]}}`), so a finding moves
//! straight into that ecosystem.
//!
//! People become `Person`, organisations `Organization`, places and locations `Address` (with
//! the name as its `full` address); other kinds of name have no fitting schema and are left out.
//! Each document is a `Document` listing the names it mentions (`peopleMentioned`,
//! `companiesMentioned`, `locationMentioned`); each (document, person or organisation) pair is a
//! `Mention` resolved to the entity, and a place a `Mention` with its detected schema.

use serde_json::{Value, json};

use crate::model::{DocSummary, EntityCount, EntityKey, EntityKind};

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
        for member in &e.members {
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
