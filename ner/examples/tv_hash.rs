//! Dev: FNV hash of all token vectors over the parity fixture (checks that a
//! speed change leaves the network output bit-identical).
fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let bytes = std::fs::read(format!("{root}/../assets/ner/ner_model.bin")).unwrap();
    let model = dossier_ner::NerModel::from_bytes(&bytes).unwrap();
    let raw = std::fs::read_to_string(format!("{root}/tests/fixtures/ner_parity.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let mut h: u64 = 1469598103934665603;
    let mut n = 0usize;
    for d in v["documents"].as_array().unwrap() {
        let text = d["text"].as_str().unwrap();
        let toks = model.tokenize(text);
        if toks.is_empty() {
            continue;
        }
        let pairs: Vec<(&str, Option<&str>)> = toks.iter().map(|t| (&text[t.1..t.2], None)).collect();
        for x in model.token_vectors(&pairs) {
            h = (h ^ x.to_bits() as u64).wrapping_mul(1099511628211);
            n += 1;
        }
    }
    println!("{n} {h:016x}");
}
