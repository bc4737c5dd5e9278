//! Dev: run extract over the fixture N times (for profiling with perf).
//! Usage: warm_loop [N] [cold]  (`cold` clears the caches before each pass).
fn main() -> Result<(), String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(format!("{root}/../assets/ner/ner_model.bin")).map_err(|e| e.to_string())?;
    let model = dossier_ner::NerModel::from_bytes(&bytes).map_err(|e| e.to_string())?;
    let raw = std::fs::read_to_string(format!("{root}/tests/fixtures/ner_parity.json")).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&raw).map_err(|e| e.to_string())?;
    let texts: Vec<&str> = v["documents"].as_array().ok_or("docs")?.iter().filter_map(|d| d["text"].as_str()).collect();
    let mut k = 0;
    let cold = std::env::args().nth(2).as_deref() == Some("cold");
    for _ in 0..n {
        if cold {
            model.clear_caches();
        }
        for t in &texts {
            k += model.extract(t).len();
        }
    }
    println!("{k}");
    Ok(())
}
