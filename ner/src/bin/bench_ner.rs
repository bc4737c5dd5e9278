//! Benchmark: tokens/second of the Rust NER on the documents of
//! `tests/fixtures/ner_parity.json` (single thread), plus model load time.
//! Optionally compares with the JSON line printed by `tools/bench_spacy.py`.
//!
//! Usage: bench_ner [ASSET] [FIXTURE] [--repeat N] [--spacy-json FILE] [--portable] [--avx2] [--bf16]
//! (`--portable` forces the non-SIMD matrix code, `--avx2` the AVX2 kernels; `--bf16` the experimental
//! bf16 encoder products, not bit-identical.)
use std::time::Instant;

fn main() -> Result<(), String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut pos = Vec::new();
    let mut repeat = 3usize;
    let mut spacy_json: Option<String> = None;
    let mut portable = false;
    let mut bf16 = false;
    let mut avx2 = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--repeat" => {
                repeat = args.get(i + 1).and_then(|s| s.parse().ok()).ok_or("--repeat N")?;
                i += 1;
            }
            "--portable" => portable = true,
            "--bf16" => bf16 = true,
            "--avx2" => avx2 = true,
            "--spacy-json" => {
                spacy_json = args.get(i + 1).cloned();
                i += 1;
            }
            other => pos.push(other.to_string()),
        }
        i += 1;
    }
    let asset = pos.first().cloned().unwrap_or(format!("{root}/../assets/ner/ner_model.bin"));
    let fixture = pos.get(1).cloned().unwrap_or(format!("{root}/tests/fixtures/ner_parity.json"));
    let bytes = std::fs::read(&asset).map_err(|e| format!("{asset}: {e}"))?;
    let t0 = Instant::now();
    let model = dossier_ner::NerModel::from_bytes(&bytes).map_err(|e| e.to_string())?;
    let load = t0.elapsed();
    let model = if portable { model.without_simd() } else { model };
    let model = model.with_bf16(bf16);
    let model = if avx2 { model.without_avx512() } else { model };
    let raw = std::fs::read_to_string(&fixture).map_err(|e| format!("{fixture}: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&raw).map_err(|e| e.to_string())?;
    let docs = v["documents"].as_array().ok_or("documents")?;
    let texts: Vec<&str> = docs.iter().filter_map(|d| d["text"].as_str()).collect();
    let n_tok: usize = texts.iter().map(|t| model.tokenize(t).len()).sum();
    // tokenizer alone, cold then warm
    model.clear_caches();
    let t0 = Instant::now();
    for t in &texts {
        std::hint::black_box(model.tokenize(t));
    }
    let tok_cold = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    for t in &texts {
        std::hint::black_box(model.tokenize(t));
    }
    let tok_s = t0.elapsed().as_secs_f64();
    // cold: caches empty at the start of each pass (best of `repeat`, as for the warm figure
    // and spaCy's)
    let mut cold = f64::MAX;
    for _ in 0..repeat.max(1) {
        model.clear_caches();
        let t0 = Instant::now();
        for t in &texts {
            std::hint::black_box(model.extract(t));
        }
        cold = cold.min(t0.elapsed().as_secs_f64());
    }
    // no word cache at all (tokenizer cache cleared before every document)
    let nocache_model = dossier_ner::NerModel::from_bytes(&bytes).map_err(|e| e.to_string())?.with_word_cache(0);
    let nocache_model = if portable { nocache_model.without_simd() } else { nocache_model };
    let nocache_model = nocache_model.with_bf16(bf16);
    let nocache_model = if avx2 { nocache_model.without_avx512() } else { nocache_model };
    let mut nocache = f64::MAX;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        for t in &texts {
            nocache_model.clear_caches();
            std::hint::black_box(nocache_model.extract(t));
        }
        nocache = nocache.min(t0.elapsed().as_secs_f64());
    }
    let mut best = f64::MAX;
    let mut n_ents = 0;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        n_ents = 0;
        for t in &texts {
            n_ents += model.extract(t).len();
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    let ours = n_tok as f64 / best;
    let prof = model.profile(&texts);
    println!(
        "profile (s): tokenize {:.3}, features {:.3}, tok2vec {:.3}, precompute {:.3}, decode {:.3}",
        prof[0], prof[1], prof[2], prof[3], prof[4]
    );
    println!("model load: {:.1} ms ({} bytes)", load.as_secs_f64() * 1000.0, bytes.len());
    println!("docs: {}, tokens: {}, entities: {}", texts.len(), n_tok, n_ents);
    println!(
        "tokenizer only: cold cache {:.0} tokens/s, warm cache {:.0} tokens/s",
        n_tok as f64 / tok_cold,
        n_tok as f64 / tok_s
    );
    use dossier_ner::gemm::{Simd, simd_level};
    let simd = match simd_level() {
        _ if portable => "portable",
        Simd::Portable => "portable (no AVX2+FMA on this CPU)",
        Simd::Avx512 if !avx2 => "AVX-512F",
        _ => "AVX2+FMA",
    };
    println!("kernels: {simd}");
    println!(
        "rust NER, no caches:        {:.3} s, {:.0} tokens/s (best of {})",
        nocache,
        n_tok as f64 / nocache,
        repeat.max(1)
    );
    println!(
        "rust NER, cold caches:      {:.3} s, {:.0} tokens/s (best of {})",
        cold,
        n_tok as f64 / cold,
        repeat.max(1)
    );
    println!("rust NER, warm caches:      {:.3} s, {:.0} tokens/s (best of {})", best, ours, repeat.max(1));
    if let Some(p) = spacy_json {
        let s = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
        let line = s.lines().rev().find(|l| l.trim_start().starts_with('{')).ok_or("no json line")?;
        let sv: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let st = sv["tokens_per_sec"].as_f64().ok_or("tokens_per_sec")?;
        println!("spaCy NER: {:.0} tokens/s, load {} ms", st, sv["load_ms"]);
        println!(
            "speed ratio (rust / spaCy): no caches {:.2}x, cold {:.2}x, warm {:.2}x",
            n_tok as f64 / nocache / st,
            n_tok as f64 / cold / st,
            ours / st
        );
    }
    Ok(())
}
