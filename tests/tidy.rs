//! Checks of the source tree's invariants (see ARCHITECTURE.md).

use std::path::{Path, PathBuf};

fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    assert!(out.len() > 10, "found the sources");
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().to_string_lossy().replace('\\', "/")
}

/// Lines of code, comments left out (a doc comment may name a crate).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim_start).filter(|l| !l.starts_with("//"))
}

#[test]
fn the_core_never_imports_egui() {
    for (path, text) in sources() {
        let p = rel(&path);
        if p.starts_with("src/app/") || p.starts_with("src/ui/") {
            continue;
        }
        for line in code_lines(&text) {
            assert!(
                !line.contains("egui") && !line.contains("eframe") && !line.contains("rfd::"),
                "{p} imports the GUI: {line}"
            );
        }
    }
}

#[test]
fn data_flows_one_way_in_the_front_end() {
    // The app applies commands and owns the state; panels read the state and return commands.
    for (path, text) in sources() {
        let p = rel(&path);
        let forbidden: &[&str] = match () {
            _ if p.starts_with("src/ui/") => &["crate::app"],
            _ if p.starts_with("src/view/") => &["crate::app", "crate::ui"],
            _ => &[],
        };
        for line in code_lines(&text) {
            for f in forbidden {
                assert!(!line.contains(f), "{p} reaches back into {f}: {line}");
            }
        }
    }
}

#[test]
fn only_the_index_module_imports_tantivy() {
    for (path, text) in sources() {
        let p = rel(&path);
        if p == "src/index.rs" || p.starts_with("src/index/") {
            continue;
        }
        for line in code_lines(&text) {
            assert!(!line.contains("tantivy"), "{p} uses tantivy: {line}");
        }
    }
}

// Unnamed threads, unbounded channels and colours made outside the theme are clippy's to catch
// (clippy.toml, disallowed-methods); colour constants are not methods, so they are checked here.
#[test]
fn colour_constants_live_in_the_theme() {
    for (path, text) in sources() {
        let p = rel(&path);
        if p == "src/ui/theme.rs" {
            continue;
        }
        for line in code_lines(&text) {
            let named = line.match_indices("Color32::").any(|(i, m)| {
                let rest = &line[i + m.len()..];
                rest.starts_with(|c: char| c.is_ascii_uppercase()) && !rest.starts_with("TRANSPARENT")
            });
            assert!(!named, "{p}: colours live in src/ui/theme.rs: {line}");
        }
    }
}

#[test]
fn every_module_starts_with_its_documentation() {
    for (path, text) in sources() {
        assert!(text.starts_with("//!"), "{} must start with a //! overview", rel(&path));
    }
}

#[test]
fn the_licence_list_names_every_direct_dependency() {
    // Regenerate with scripts/licenses.py after changing dependencies.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("assets/THIRD-PARTY-LICENSES.txt")).unwrap();
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    for name in deps.lines().filter_map(|l| l.split_once(" = ")).map(|(n, _)| n.trim()) {
        if name == "dossier-ner" {
            continue;
        }
        // The version the lock file builds.
        let entry = lock.split("[[package]]").find(|p| p.contains(&format!("name = \"{name}\"\n"))).unwrap();
        let version = entry.split("version = \"").nth(1).unwrap().split('"').next().unwrap();
        assert!(
            list.contains(&format!("\n{name} {version} ")),
            "{name} {version} is not in assets/THIRD-PARTY-LICENSES.txt"
        );
    }
}
