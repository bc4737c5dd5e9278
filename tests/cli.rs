//! The `dossier` binary's subcommands: output, JSON and exit codes.

mod common;

use std::process::{Command, Output};

use common::Fixture;

fn dossier(fx: &Fixture, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .env("DOSSIER_DATA_DIR", &fx.data)
        .output()
        .expect("run dossier")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn index_reports_counts_and_skipped_files() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    let out = dossier(&fx, &["index", folder]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(text.starts_with("7 documents in the index; 7 indexed, 0 removed"), "{text}");
    assert!(text.contains("1  file type not supported (.xls)"), "{text}");

    let again = stdout(&dossier(&fx, &["index", folder]));
    assert!(again.starts_with("7 documents in the index; 0 indexed"), "{again}");
}

#[test]
fn search_prints_hits_or_exits_1() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    let out = dossier(&fx, &["search", folder, "Griner"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("1 document matches \"Griner\""), "{text}");
    assert!(text.contains("news-blinken-lavrov.txt  (4 matches)"), "{text}");
    assert!(text.contains("[Griner]"), "{text}");
    // A filter alone has no words to count.
    let filtered = stdout(&dossier(&fx, &["search", folder, "person:Griner"]));
    assert!(filtered.contains("news-blinken-lavrov.txt  (text)"), "{filtered}");

    let none = dossier(&fx, &["search", folder, "nonexistentword"]);
    assert_eq!(none.status.code(), Some(1));

    let json = dossier(&fx, &["search", folder, "--json", "harbour"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["total"], 2);
    assert_eq!(v["hits"][0]["id"], "harbour-fire.txt");

    let filtered = dossier(&fx, &["search", folder, "harbour", "--entity", "ORG:Northport Council"]);
    assert!(stdout(&filtered).starts_with("1 document matches"), "{}", stdout(&filtered));
}

#[test]
fn entities_lists_counts_by_kind() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    let out = dossier(&fx, &["entities", folder, "--kind", "org", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let first = &v[0];
    assert_eq!(first["key"]["text"], "Calder Shipping Company");
    assert_eq!(first["documents"], 2);
    assert!(v.as_array().unwrap().iter().all(|e| e["key"]["kind"] == "Org"));

    // Numbers and ordinals are left out of the folder's list unless asked for.
    let kinds = |args: &[&str]| -> Vec<String> {
        let out = dossier(&fx, args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v.as_array().unwrap().iter().map(|e| e["key"]["kind"].as_str().unwrap().to_owned()).collect()
    };
    let default = kinds(&["entities", folder, "--json"]);
    assert!(default.contains(&"Person".to_owned()) && !default.contains(&"Cardinal".to_owned()), "{default:?}");
    let all = kinds(&["entities", folder, "--json", "--numbers"]);
    assert!(all.contains(&"Cardinal".to_owned()) && all.contains(&"Ordinal".to_owned()), "{all:?}");
    assert_eq!(kinds(&["entities", folder, "--json", "--kind", "ordinal"]), ["Ordinal"]);

    // CSV: a header, then one row per entity with its spellings.
    let csv = stdout(&dossier(&fx, &["entities", folder, "--csv", "--kind", "org"]));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("kind,name,documents,spellings"));
    assert_eq!(lines.next(), Some("ORG,Calder Shipping Company,2,Calder Shipping Company (2)"));
}

#[test]
fn search_results_export_as_csv() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    let csv = stdout(&dossier(&fx, &["search", folder, "harbour", "--csv"]));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,title,format,matches,page,score,copies"));
    let first = lines.next().unwrap();
    assert!(first.starts_with("harbour-fire.txt,Fire Damages Warehouse at Northport Harbour,text,3,,"), "{first}");
    // Exact copies are one row, which names the others.
    let csv = stdout(&dossier(&fx, &["search", folder, "inspection", "--csv"]));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(rows[0].starts_with("notes/duplicate-a.txt,") && rows[0].ends_with(",notes/duplicate-b.txt"), "{csv}");
    assert_eq!(dossier(&fx, &["search", folder, "harbour", "--csv", "--json"]).status.code(), Some(2));
}

#[test]
fn cooccur_lists_the_entities_sharing_documents() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    // By any spelling, in any case.
    let out = dossier(&fx, &["cooccur", folder, "org:calder shipping company", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["key"]["text"].as_str().unwrap()).collect();
    assert!(names.contains(&"Helen Ward") && names.contains(&"Northport Council"), "{names:?}");
    assert!(!names.contains(&"Calder Shipping Company"), "not with itself");
    let csv = stdout(&dossier(&fx, &["cooccur", folder, "org:Calder Shipping Company", "--csv", "--limit", "2"]));
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("kind,name,shared_documents\n"), "{csv}");
    // By sentence: Tom Becker asks about the company's fire; Maria Lopez is named elsewhere.
    let out = dossier(&fx, &["cooccur", folder, "org:Calder Shipping Company", "--sentences", "--csv"]);
    let csv = stdout(&out);
    assert!(csv.starts_with("kind,name,shared_sentences\n"), "{csv}");
    assert!(csv.contains("PERSON,Tom Becker,1") && !csv.contains("Maria Lopez"), "{csv}");
    let missing = dossier(&fx, &["cooccur", folder, "person:Nobody"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no person named \"Nobody\""));
}

#[test]
fn bad_usage_and_unreadable_folders_exit_2_with_one_line() {
    let fx = Fixture::new();
    let missing = fx.dir.path().join("missing");
    for args in [
        vec!["index", missing.to_str().unwrap()],
        vec!["search", fx.folder.to_str().unwrap(), "x", "--entity", "NOPE:x"],
        vec!["entities", fx.folder.to_str().unwrap(), "--kind", "nope"],
        vec!["frobnicate", "x", "y"],
    ] {
        let out = dossier(&fx, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert!(!err.trim().is_empty());
    }
    let out = dossier(&fx, &["index", missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("dossier: cannot open"), "{err}");
}

#[test]
fn eval_ner_prints_scores_ending_in_micro_f1() {
    let fx = Fixture::new();
    let file = fx.dir.path().join("gold.conll");
    std::fs::write(&file, "-DOCSTART- O\n\nOlga I-PER\nPetrova I-PER\nflew O\nto O\nOslo I-LOC\n. O\n").unwrap();
    let out = dossier(&fx, &["eval-ner", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert_eq!(text.lines().last(), Some("micro F1 1.0000"), "{text}");
    assert!(text.contains("PER"), "{text}");

    // The ablation table: the model, the full recogniser, and one row per rule left out.
    let out = dossier(&fx, &["eval-ner", file.to_str().unwrap(), "--ablate"]);
    let table = stdout(&out);
    let rows: Vec<&str> = table.lines().map(|l| l.split_whitespace().next().unwrap_or_default()).collect();
    assert_eq!(rows[..4], ["variant", "model", "full", "-line-breaks"], "{table}");
    assert!(rows.contains(&"-tables") && rows.contains(&"-name-parts"), "{table}");
    let out = dossier(&fx, &["eval-ner", file.to_str().unwrap(), "--without", "tables", "--errors"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = dossier(&fx, &["eval-ner", file.to_str().unwrap(), "--without", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rules: line-breaks"));

    std::fs::write(&file, "word BOGUS-TAG\n").unwrap();
    let bad = dossier(&fx, &["eval-ner", file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn report_lists_unread_files_by_reason() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    assert_eq!(dossier(&fx, &["report", folder]).status.code(), Some(1), "not indexed yet");
    std::fs::write(fx.folder.join("broken.txt"), b"\x00\x01\x02binary").unwrap();
    dossier(&fx, &["index", folder]);
    let out = dossier(&fx, &["report", folder]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("1 could not be read, 1 skipped, 0 truncated"), "{text}");
    assert!(text.contains("Could not be read (1)\n  1 × binary data, not text\n    broken.txt"), "{text}");
    assert!(text.contains("Skipped (1)\n  1 × file type not supported (.xls)\n    table.xls"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&dossier(&fx, &["report", folder, "--json"]).stdout).unwrap();
    assert_eq!(json["problems"].as_array().map(Vec::len), Some(2));
}

#[test]
fn list_prints_every_document_with_its_format() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    let out = dossier(&fx, &["list", folder]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 7, "{text}");
    assert!(text.lines().any(|l| l.starts_with("notes/meeting-minutes.md\ttext\t")), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&dossier(&fx, &["list", folder, "--json"]).stdout).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(7));
    assert_eq!(json[0]["truncated"], serde_json::Value::Bool(false));
}

#[test]
fn queries_in_other_scripts_and_with_leading_dashes_search() {
    let fx = Fixture::new();
    std::fs::write(fx.folder.join("ru.txt"), "Сергей Лавров встретился с коллегами в Москве. Putin").unwrap();
    let folder = fx.folder.to_str().unwrap();
    for query in ["Лавров", "Москве", "François", "Franç", "東京"] {
        let out = dossier(&fx, &["search", folder, query]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{query}: {err}");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{query}: {out:?}");
    }
    assert!(stdout(&dossier(&fx, &["search", folder, "Лавров"])).starts_with("1 document matches"));

    // `-word` after the folder is a query word, not an option.
    let out = dossier(&fx, &["search", folder, "Москве", "-Putin"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = dossier(&fx, &["search", folder, "-Лавров"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).starts_with("6 documents match \"-Лавров\" (and 1 exact copy of one)"), "{}", stdout(&out));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    // A wall of parentheses is bounded, not a stack overflow.
    let deep = format!("{}Лавров{}", "(".repeat(3_000), ")".repeat(3_000));
    let out = dossier(&fx, &["search", folder, &deep]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nested deeper"));
}

#[test]
fn option_values_are_checked_and_json_errors_are_json() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    for bad in ["nan", "inf", "-1", "0", "1e30", "soon"] {
        let out = dossier(&fx, &["index", folder, "--file-timeout", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{bad}");
    }
    let out = dossier(&fx, &["search", folder, "harbour", "--type", "foo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("known types: text, html, email, pdf"));
    let out = dossier(&fx, &["entities", folder, "--kind", "foo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GPE (Place)"));
    // The names the app shows work too.
    let out = dossier(&fx, &["entities", folder, "--kind", "place", "--limit", "1"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("GPE"));
    let out = dossier(&fx, &["search", folder, "--type", "Text", "harbour"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // A subfolder however it is typed.
    for sub in ["notes", "./notes", "notes/", "./notes/"] {
        let out = dossier(&fx, &["search", folder, "--in", sub, "lighthouse"]);
        assert!(stdout(&out).starts_with("2 documents match"), "{sub}: {}", stdout(&out));
        assert!(stdout(&out).contains("same text: notes/duplicate-b.txt"), "{sub}: {}", stdout(&out));
    }
    // Errors with --json are JSON on stdout too.
    let out = dossier(&fx, &["search", folder, "--json", "--type", "foo", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON error");
    assert!(v["error"].as_str().unwrap().contains("unknown type"));
    let missing = fx.dir.path().join("missing");
    let out = dossier(&fx, &["list", missing.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON error");
    assert!(v["error"].as_str().unwrap().starts_with("cannot open"));
}

#[test]
fn an_emptied_or_unmounted_folder_keeps_its_index_until_confirmed() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    assert_eq!(dossier(&fx, &["index", folder]).status.code(), Some(0));
    let report = stdout(&dossier(&fx, &["report", folder]));
    assert!(report.starts_with("7 indexed, 0 removed"), "{report}");

    // Searching rewrites nothing: the report still has the indexing run's counts.
    assert_eq!(dossier(&fx, &["search", folder, "harbour"]).status.code(), Some(0));
    assert_eq!(stdout(&dossier(&fx, &["report", folder])), report);

    // The drive is unmounted: the mount point is an empty folder.
    let away = fx.dir.path().join("away");
    std::fs::rename(&fx.folder, &away).unwrap();
    std::fs::create_dir(&fx.folder).unwrap();
    let out = dossier(&fx, &["index", folder]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("looks empty or unmounted") && err.contains("--allow-empty"), "{err}");
    let out = dossier(&fx, &["search", folder, "harbour"]);
    assert!(stdout(&out).starts_with("2 documents match"), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("looks empty or unmounted"));

    // Mounted again: nothing to re-index.
    std::fs::remove_dir(&fx.folder).unwrap();
    std::fs::rename(&away, &fx.folder).unwrap();
    let again = stdout(&dossier(&fx, &["index", folder]));
    assert!(again.starts_with("7 documents in the index; 0 indexed, 0 removed"), "{again}");

    // Emptied on purpose: --allow-empty drops them.
    for entry in std::fs::read_dir(&fx.folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { std::fs::remove_dir_all(path).unwrap() } else { std::fs::remove_file(path).unwrap() }
    }
    let out = dossier(&fx, &["index", folder, "--allow-empty"]);
    assert!(stdout(&out).starts_with("0 documents in the index; 0 indexed, 7 removed"), "{out:?}");
}

#[test]
fn a_folder_being_indexed_elsewhere_is_still_searched() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    assert_eq!(dossier(&fx, &["index", folder]).status.code(), Some(0));
    // Another process holds the index's writer.
    let dir = fx.store().index_dir(&fx.folder.canonicalize().unwrap());
    let index = dossier::index::DocIndex::open_or_create(&dir).unwrap();
    let writer = index.writer().unwrap();
    let report = stdout(&dossier(&fx, &["report", folder]));
    let out = dossier(&fx, &["search", folder, "harbour"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).starts_with("2 documents match"), "{}", stdout(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("being indexed by another Dossier"));
    // Indexing itself says so and fails, and the other process's report stays as it was.
    let out = dossier(&fx, &["index", folder]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&dossier(&fx, &["report", folder])), report);
    drop(writer);
}

#[test]
fn indexes_are_listed_and_pruned() {
    let fx = Fixture::new();
    let gone = fx.dir.path().join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    std::fs::write(gone.join("a.txt"), "A note.").unwrap();
    assert_eq!(dossier(&fx, &["index", fx.folder.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(dossier(&fx, &["index", gone.to_str().unwrap()]).status.code(), Some(0));
    std::fs::remove_dir_all(&gone).unwrap();
    let listed = stdout(&dossier(&fx, &["indexes"]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(listed.lines().any(|l| l.contains("gone\t") && l.contains("folder missing")), "{listed}");
    assert!(listed.lines().any(|l| l.contains("corpus\t") && l.contains("in use")), "{listed}");
    let pruned = stdout(&dossier(&fx, &["indexes", "--prune"]));
    assert!(pruned.ends_with("1 removed\n"), "{pruned}");
    assert_eq!(stdout(&dossier(&fx, &["indexes"])).lines().count(), 1);
    // Never a data folder inside the opened folder.
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["index", fx.folder.to_str().unwrap()])
        .env("DOSSIER_DATA_DIR", fx.folder.join(".dossier"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never writes inside"));
    assert!(!fx.folder.join(".dossier").exists());
}

#[test]
fn packaging_files_are_generated_from_the_command_line_definitions() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("packaging");
    let out = dossier(&fx, &["packaging-files", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let page = std::fs::read_to_string(dir.join("dossier.1")).unwrap();
    assert!(page.contains("search") && page.contains("--licenses"), "{page}");
    for completion in ["dossier.bash", "_dossier", "dossier.fish"] {
        let text = std::fs::read_to_string(dir.join(completion)).unwrap();
        assert!(text.contains("indexes"), "{completion} completes the subcommands");
    }
    let version = stdout(&dossier(&fx, &["--version"]));
    assert!(version.contains("en_core_web_sm 3.8.0") && version.contains("MIT"), "{version}");
}

#[test]
fn entity_corrections_are_exported_and_imported_as_json() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    let shared = fx.dir.path().join("team-corrections.json");
    std::fs::write(
        &shared,
        r#"{"rules": [{"do": "merge", "into": {"kind": "Person", "text": "Helen Ward"},
                      "from": {"kind": "Person", "text": "Maria Lopez"}},
                     {"do": "hide", "key": {"kind": "Person", "text": "Biden"}}]}"#,
    )
    .unwrap();
    let out = dossier(&fx, &["curation", folder, "--import", shared.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // Every listing follows the corrections, without extracting anything again.
    let people = stdout(&dossier(&fx, &["entities", folder, "--kind", "person"]));
    assert!(people.contains("2  PERSON       Helen Ward"), "{people}");
    assert!(!people.contains("Maria Lopez") && !people.contains("Biden"), "{people}");
    let exported = fx.dir.path().join("out.json");
    assert_eq!(dossier(&fx, &["curation", folder, "--export", exported.to_str().unwrap()]).status.code(), Some(0));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("\"do\": \"merge\"") && text.contains("\"do\": \"hide\""), "{text}");
    // A file that is not a list of corrections is refused and changes nothing.
    std::fs::write(&shared, "[1, 2]").unwrap();
    let bad = dossier(&fx, &["curation", folder, "--import", shared.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&dossier(&fx, &["curation", folder])).contains("Maria Lopez"));
}

/// The properties a FollowTheMoney schema has, its own and its parents' (`extends`), read from
/// the YAML files in `tests/fixtures/followthemoney` (their layout is regular enough to read
/// by indentation).
fn ftm_properties(schema: &str) -> Option<std::collections::HashSet<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/followthemoney");
    let text = std::fs::read_to_string(dir.join(format!("{schema}.yaml"))).ok()?;
    let mut out = std::collections::HashSet::new();
    let mut section = "";
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            section = name.trim_end_matches(':');
        } else if section == "extends" {
            if let Some(parent) = line.trim().strip_prefix("- ") {
                out.extend(ftm_properties(parent.trim())?);
            }
        } else if section == "properties"
            && let Some(name) = line.strip_prefix("    ").filter(|l| !l.starts_with(' ') && l.ends_with(':'))
        {
            out.insert(name.trim_end_matches(':').to_owned());
        }
    }
    Some(out)
}

#[test]
fn export_writes_valid_followthemoney_entities_documents_and_mentions() {
    let fx = Fixture::new();
    let out = dossier(&fx, &["export", fx.folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect();
    let ids: std::collections::HashSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), lines.len(), "ids are unique");
    let mut schemas = std::collections::BTreeSet::new();
    for line in &lines {
        let schema = line["schema"].as_str().unwrap();
        schemas.insert(schema);
        let known = ftm_properties(schema).unwrap_or_else(|| panic!("{schema} is a FollowTheMoney schema"));
        for (property, values) in line["properties"].as_object().unwrap() {
            assert!(known.contains(property), "{schema} has no property {property}");
            assert!(values.as_array().is_some_and(|v| v.iter().all(|x| x.is_string())), "{property}: strings");
        }
        // Mentions point at exported documents and entities.
        if schema == "Mention" {
            for link in ["document", "resolved"] {
                if let Some(target) = line["properties"][link][0].as_str() {
                    assert!(ids.contains(target), "{link} {target} is exported");
                }
            }
        }
    }
    assert_eq!(schemas.into_iter().collect::<Vec<_>>(), ["Address", "Document", "Mention", "Organization", "Person"]);
    let lavrov = lines.iter().find(|l| l["properties"]["name"][0] == "Sergey Lavrov").expect("Lavrov");
    assert_eq!(
        (lavrov["schema"].as_str(), lavrov["properties"]["alias"][0].as_str()),
        (Some("Person"), Some("Lavrov"))
    );
}

#[test]
fn timeline_counts_months_and_date_filters_keep_them() {
    let fx = Fixture::new();
    let mail = |subject: &str, date: &str, body: &str| common::message("a@example.org", subject, date, body, &[]);
    std::fs::write(fx.folder.join("old.eml"), mail("Autumn", "Mon, 1 Oct 2001 13:53:24 -0700", "See you Friday."))
        .unwrap();
    std::fs::write(fx.folder.join("new.eml"), mail("Summer", "Fri, 15 Jul 2022 09:00:00 +0000", "Back in 2019."))
        .unwrap();
    let folder = fx.folder.to_str().unwrap();
    let csv = stdout(&dossier(&fx, &["timeline", folder, "--csv"]));
    // The fixture's own dates (March and April 2024), the months the two messages were sent,
    // and "Friday", the Friday before the old message (28 September); "2019" alone has no month.
    assert_eq!(csv, "month,mentioned,written\n2001-09,1,0\n2001-10,0,1\n2022-07,0,1\n2024-03,1,0\n2024-04,1,0\n");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&dossier(&fx, &["timeline", folder, "--json"]))).unwrap();
    // Nine documents, two of them the same text: counted once.
    assert_eq!(json["documents"], 8);
    assert!(json["unplotted"].as_u64().unwrap() >= 1, "2019 alone: {json}");
    let count = |query: &str| {
        let out = dossier(&fx, &["search", folder, query, "--json"]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["total"].as_u64().unwrap()
    };
    assert_eq!(count("date:2001"), 1);
    assert_eq!(count("date:2001-09-28"), 1, "the Friday it mentions");
    assert_eq!(count("date:2022-07-15"), 1, "the day it was sent");
    assert_eq!(count("date:[2001-10 TO 2022-07]"), 2);
    assert_eq!(count("date:[2024-03 TO 2024-04]"), 2, "mentioned in the fixture's texts");
    assert_eq!(count("date:1999"), 0);
    let bad = dossier(&fx, &["search", folder, "date:someday", "--json"]);
    let warnings = serde_json::from_slice::<serde_json::Value>(&bad.stdout).unwrap()["warnings"].to_string();
    assert!(warnings.contains("date:someday is not a date"), "{warnings}");
}

#[test]
fn the_query_language_folds_accents_and_reads_prefixes_fuzzy_words_proximity_paths_and_patterns() {
    let fx = Fixture::new();
    let folder = fx.folder.to_str().unwrap();
    let search = |query: &str| -> (u64, Vec<String>, String) {
        let out = dossier(&fx, &["search", folder, query, "--json", "--limit", "0"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let ids = v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect();
        (v["total"].as_u64().unwrap(), ids, v["warnings"].to_string())
    };
    let total = |query: &str| search(query).0;
    // Accents and case are folded; `=` asks for the spelling as written (in any case).
    assert_eq!(total("communique"), 1);
    assert_eq!(total("COMMUNIQUÉ"), 1);
    assert_eq!(total("=communiqué"), 1);
    assert_eq!(total("=communique"), 0, "the exact form has the accent");
    // A word's start, one or two letters off, words near each other.
    assert_eq!(search("Lavr*").1, ["news-blinken-lavrov.txt"]);
    assert_eq!(total("Lavrow~"), 1);
    assert_eq!(total("Lavorw~"), 0, "two edits need ~2");
    assert_eq!(total("Lavorw~2"), 1);
    assert_eq!(total("\"fire department\""), 1);
    assert_eq!(total("\"broke late\"~1"), 1, "broke out late");
    assert_eq!(total("\"broke late\""), 0);
    // A pattern over the whole text, across words; paths.
    assert_eq!(search("/Bl[a-z]nken/").1, ["news-blinken-lavrov.txt"]);
    assert_eq!(search("/master Helen/").1, ["harbour-fire.txt"]);
    assert_eq!(total("harbour -/master Helen/"), 1, "the minutes speak of harbour repairs");
    // notes/ holds two copies of one text: one hit.
    assert_eq!(total("path:notes/"), 4);
    assert_eq!(total("path:notes/ lighthouse"), 2);
    assert_eq!(total("path:duplicate lighthouse"), 1);
    assert_eq!(total("path:duplicate-b lighthouse"), 1, "a copy found alone is a hit of its own");
    // Half-typed or odd syntax still searches and says what it ignored.
    let (n, _, warnings) = search("\"fire department");
    assert!(n == 1 && warnings.contains("not closed"), "{warnings}");
    let (n, _, warnings) = search("/[unclosed/");
    assert!(n == 0 && warnings.contains("is not a pattern"), "{warnings}");
    for odd in
        ["OR", "AND fire", "fire OR", "((fire", "fire)", "-", "*", "~", "a:", "title:", "=", "\"\"~3", "NOT NOT x"]
    {
        let out = dossier(&fx, &["search", folder, odd, "--json"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{odd}: {out:?}");
    }
}

#[test]
fn index_watch_indexes_each_batch_of_changes() {
    use std::io::BufRead;
    let fx = Fixture::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["index", fx.folder.to_str().unwrap(), "--watch"])
        .env("DOSSIER_DATA_DIR", &fx.data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run dossier");
    let (tx, lines) = std::sync::mpsc::sync_channel(64);
    let out = child.stdout.take().unwrap();
    let reader = move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    };
    std::thread::Builder::new().name("watch-output".into()).spawn(reader).unwrap();
    let wait_for = |what: &str| -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line.contains(what) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line with {what:?}"),
            }
        }
    };
    wait_for("watching");
    // A burst: three files written together are one batch.
    for name in ["a.txt", "b.txt", "c.txt"] {
        std::fs::write(fx.folder.join(name), format!("Dockside note {name} about the crane.")).unwrap();
    }
    let line = wait_for("indexed");
    assert!(line.starts_with("3 indexed, 0 removed; 10 documents"), "{line}");
    std::fs::remove_file(fx.folder.join("b.txt")).unwrap();
    let line = wait_for("removed");
    assert!(line.starts_with("0 indexed, 1 removed; 9 documents"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn hits_sort_by_relevance_path_or_date() {
    let fx = Fixture::new();
    let mail = |subject: &str, date: &str| common::message("a@example.org", subject, date, "The harbour again.", &[]);
    std::fs::write(fx.folder.join("z-old.eml"), mail("Old", "Mon, 1 Oct 2001 13:53:24 -0700")).unwrap();
    std::fs::write(fx.folder.join("a-new.eml"), mail("New", "Fri, 15 Jul 2022 09:00:00 +0000")).unwrap();
    let folder = fx.folder.to_str().unwrap();
    let ids = |sort: &str| -> Vec<String> {
        let out = dossier(&fx, &["search", folder, "harbour", "--sort", sort, "--json", "--limit", "0"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect()
    };
    let by_path = ids("path");
    let mut sorted = by_path.clone();
    sorted.sort();
    assert_eq!(by_path, sorted);
    assert_eq!(by_path.len(), 4, "{by_path:?}");
    let newest = ids("newest");
    let oldest = ids("oldest");
    assert_eq!(newest.len(), 4);
    // The messages' own dates: 2022 before 2001 (the fixture's files carry today's mtime).
    let position = |list: &[String], id: &str| list.iter().position(|x| x == id).unwrap();
    assert!(position(&newest, "a-new.eml") < position(&newest, "z-old.eml"), "{newest:?}");
    assert_eq!(oldest.first().map(String::as_str), Some("z-old.eml"), "{oldest:?}");
    assert_eq!(ids("relevance").len(), 4);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_indexing_keeps_what_was_read_and_the_next_run_goes_on() {
    let fx = Fixture::new();
    let folder = fx.folder.join("many");
    std::fs::create_dir(&folder).unwrap();
    // Enough documents that finding their entities takes seconds.
    for i in 0..4000 {
        let text = format!("Note {i}. Sergey Lavrov met Antony Blinken in Geneva on {i} March; Calder Shipping paid.");
        std::fs::write(folder.join(format!("note-{i:04}.txt")), text).unwrap();
    }
    let child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["index", folder.to_str().unwrap()])
        .env("DOSSIER_DATA_DIR", &fx.data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run dossier");
    // Once the run has started (its journal is written), Ctrl+C.
    let journal = || walk_files(&fx.data).into_iter().any(|p| p.file_name().is_some_and(|n| n == "journal.jsonl"));
    let started = std::time::Instant::now();
    while !journal() && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let signal = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(signal.success());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    // (On a slow machine it may still be reading the files.)
    assert!(stderr.contains("indexed so far are kept") || stderr.contains("nothing was indexed yet"), "{stderr}");
    // The next run finds the entities the first did not get to, and loses nothing.
    let again = dossier(&fx, &["index", folder.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    assert!(stdout(&again).starts_with("4000 documents in the index;"), "{}", stdout(&again));
    let found = dossier(&fx, &["search", folder.to_str().unwrap(), "person:\"Sergey Lavrov\"", "--limit", "1"]);
    assert!(stdout(&found).starts_with("4000 documents match"), "{}", stdout(&found));
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}
