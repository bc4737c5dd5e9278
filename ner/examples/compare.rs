//! Dev tool: compare tokens and entities against a JSON dump made by
//! tools/dev/dump_validation.py.  Usage: compare DUMP.json
use std::collections::HashSet;

fn main() -> Result<(), String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = std::env::args().nth(1).ok_or("usage: compare DUMP.json")?;
    let bytes = std::fs::read(format!("{root}/../assets/ner/ner_model.bin")).map_err(|e| e.to_string())?;
    let model = dossier_ner::NerModel::from_bytes(&bytes).map_err(|e| e.to_string())?;
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let docs = v["documents"].as_array().ok_or("documents")?;
    let (mut tok_docs_bad, mut exp_n, mut matched, mut extra) = (0, 0, 0, 0);
    let mut shown = 0;
    for d in docs {
        let text = d["text"].as_str().ok_or("text")?;
        let arr = d["tokens"].as_array().ok_or("tokens")?;
        let exp_toks: Vec<(usize, usize)> = if arr.first().is_some_and(|t| t.is_array()) {
            arr.iter().map(|t| (t[0].as_u64().unwrap_or(0) as usize, t[1].as_u64().unwrap_or(0) as usize)).collect()
        } else {
            let flat: Vec<usize> = arr.iter().map(|x| x.as_u64().unwrap_or(0) as usize).collect();
            flat.chunks(2).map(|c| (c[0], c[1])).collect()
        };
        let ours: Vec<(usize, usize)> = model.tokenize(text).iter().map(|t| (t.1, t.2)).collect();
        if ours != exp_toks {
            tok_docs_bad += 1;
            // first difference
            let i = ours.iter().zip(&exp_toks).position(|(a, b)| a != b).unwrap_or(ours.len().min(exp_toks.len()));
            if shown < 25 {
                shown += 1;
                let ctx = |v: &Vec<(usize, usize)>| {
                    v[i.saturating_sub(2)..(i + 3).min(v.len())]
                        .iter()
                        .map(|&(a, b)| text[a..b].to_string())
                        .collect::<Vec<_>>()
                };
                println!("TOKENS differ in {}: ours {:?} exp {:?}", d["source"], ctx(&ours), ctx(&exp_toks));
            }
        }
        let exp: HashSet<(String, usize, usize)> = d["entities"]
            .as_array()
            .ok_or("entities")?
            .iter()
            .map(|e| {
                (
                    e["label"].as_str().unwrap_or("").to_string(),
                    e["start"].as_u64().unwrap_or(0) as usize,
                    e["end"].as_u64().unwrap_or(0) as usize,
                )
            })
            .collect();
        let got: HashSet<(String, usize, usize)> =
            model.extract(text).into_iter().map(|e| (e.label, e.start, e.end)).collect();
        exp_n += exp.len();
        let m = exp.intersection(&got).count();
        matched += m;
        extra += got.len() - m;
    }
    println!(
        "docs {} token-mismatch docs {} | entities expected {} matched {} ({:.4}%) missing {} extra {}",
        docs.len(),
        tok_docs_bad,
        exp_n,
        matched,
        100.0 * matched as f64 / exp_n.max(1) as f64,
        exp_n - matched,
        extra
    );
    Ok(())
}
