//! Development tool: compare tokens, feature ids, token vectors and entities
//! with a JSON dump from `tools/dev/dump_debug.py`.
use std::fs;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: ner_debug MODEL TEXT DUMP.json".into());
    }
    let bytes = fs::read(&args[1]).map_err(|e| e.to_string())?;
    let t0 = std::time::Instant::now();
    let m = dossier_ner::NerModel::from_bytes(&bytes).map_err(|e| e.to_string())?;
    eprintln!("load: {:?}", t0.elapsed());
    let text = fs::read_to_string(&args[2]).map_err(|e| e.to_string())?;
    let dump: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&args[3]).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let toks = dump["tokens"].as_array().ok_or("tokens")?;
    let ours = m.tokenize(&text);
    let theirs: Vec<String> = toks.iter().map(|t| t["text"].as_str().unwrap_or("").to_string()).collect();
    let ours_t: Vec<String> = ours.iter().map(|t| t.0.clone()).collect();
    println!("tokens equal: {}", ours_t == theirs);
    if ours_t != theirs {
        println!("ours:   {:?}", ours_t);
        println!("theirs: {:?}", theirs);
    }
    // feature ids with python tokens
    let mut pairs = Vec::new();
    for t in toks {
        let text = t["text"].as_str().unwrap_or("");
        let norm = t["norm"].as_str().unwrap_or("");
        pairs.push((text.to_string(), norm.to_string()));
    }
    let mut bad = 0;
    for (i, t) in toks.iter().enumerate() {
        let ids = m.feature_ids(&pairs[i].0, None);
        let exp: Vec<u64> = t["ids"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap_or("0").parse().unwrap_or(0)).collect())
            .unwrap_or_default();
        let ids_v = ids.to_vec();
        if ids_v != exp {
            bad += 1;
            println!("ids differ for {:?} (norm {:?}): ours {:?} exp {:?}", pairs[i].0, pairs[i].1, ids_v, exp);
        }
    }
    println!("feature id mismatches (without norm overrides): {bad}");
    let pr: Vec<(&str, Option<&str>)> = pairs.iter().map(|(a, b)| (a.as_str(), Some(b.as_str()))).collect();
    let tv = m.token_vectors(&pr);
    let exp_tv = dump["tv"].as_array().ok_or("tv")?;
    let mut maxd = 0f32;
    for (i, row) in exp_tv.iter().enumerate() {
        for (j, v) in row.as_array().ok_or("row")?.iter().enumerate() {
            let d = (tv[i * 64 + j] - v.as_f64().unwrap_or(0.0) as f32).abs();
            maxd = maxd.max(d);
        }
    }
    println!("max |tv diff| (first 8 dims): {maxd}");
    println!("first row ours {:?}", &tv[..4]);
    println!("first row exp  {:?}", &exp_tv[0].as_array().ok_or("r")?[..4]);
    let ents = m.predict_tokens(&pr);
    println!("ents ours: {:?}", ents);
    println!("ents exp:  {}", dump["ents"]);
    Ok(())
}
