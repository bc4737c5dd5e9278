//! Parity tests against spaCy en_core_web_sm 3.8.0 (NER only; fixtures made by
//! `tools/make_fixtures.py` and `tools/make_edge_fixtures.py`).
//!
//! For each fixture: prints expected / matched (identical span and label) /
//! missing / extra entity counts and tokenization agreement; fails on any
//! difference (the bf16 mode, which is not bit-identical, has its own bound).

use std::collections::HashSet;

use dossier_ner::{NerEntity, NerModel};

fn load() -> NerModel {
    let root = env!("CARGO_MANIFEST_DIR");
    let bytes =
        std::fs::read(format!("{root}/../assets/ner/ner_model.bin")).expect("asset missing; run tools/convert_ner.py");
    NerModel::from_bytes(&bytes).expect("load model")
}

struct Stats {
    docs: usize,
    tok_expected: usize,
    tok_matched: usize,
    tok_docs_identical: usize,
    expected: usize,
    matched: usize,
    missing: usize,
    extra: usize,
}

fn run_fixture(model: &NerModel, name: &str) -> Stats {
    let root = env!("CARGO_MANIFEST_DIR");
    let raw = std::fs::read_to_string(format!("{root}/tests/fixtures/{name}")).expect("fixture");
    let v: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let docs = v["documents"].as_array().expect("documents");
    let mut st = Stats {
        docs: docs.len(),
        tok_expected: 0,
        tok_matched: 0,
        tok_docs_identical: 0,
        expected: 0,
        matched: 0,
        missing: 0,
        extra: 0,
    };
    let mut shown = 0;
    for d in docs {
        let text = d["text"].as_str().expect("text");
        // tokens
        let flat: Vec<usize> =
            d["tokens"].as_array().expect("tokens").iter().map(|x| x.as_u64().unwrap_or(0) as usize).collect();
        let exp_toks: Vec<(usize, usize)> = flat.chunks(2).map(|c| (c[0], c[1])).collect();
        let got_toks: Vec<(usize, usize)> = model.tokenize(text).into_iter().map(|t| (t.1, t.2)).collect();
        let exp_set: HashSet<&(usize, usize)> = exp_toks.iter().collect();
        st.tok_expected += exp_toks.len();
        st.tok_matched += got_toks.iter().filter(|t| exp_set.contains(t)).count();
        if got_toks == exp_toks {
            st.tok_docs_identical += 1;
        }
        // entities
        let exp: HashSet<NerEntity> = d["entities"]
            .as_array()
            .expect("entities")
            .iter()
            .map(|e| NerEntity {
                label: e["label"].as_str().unwrap_or("").to_string(),
                start: e["start"].as_u64().unwrap_or(0) as usize,
                end: e["end"].as_u64().unwrap_or(0) as usize,
            })
            .collect();
        let got_vec = model.extract(text);
        for e in &got_vec {
            assert!(
                e.start < e.end
                    && e.end <= text.len()
                    && text.is_char_boundary(e.start)
                    && text.is_char_boundary(e.end)
            );
        }
        let got: HashSet<NerEntity> = got_vec.into_iter().collect();
        st.expected += exp.len();
        let m = exp.intersection(&got).count();
        st.matched += m;
        st.missing += exp.len() - m;
        st.extra += got.len() - m;
        for e in exp.difference(&got) {
            if shown < 40 {
                println!("MISSING {} {:?} {:?} [{}]", e.label, &text[e.start..e.end], (e.start, e.end), d["source"]);
                shown += 1;
            }
        }
        for e in got.difference(&exp) {
            if shown < 40 {
                println!("EXTRA   {} {:?} {:?} [{}]", e.label, &text[e.start..e.end], (e.start, e.end), d["source"]);
                shown += 1;
            }
        }
    }
    println!("== {name}");
    println!("documents: {} (identical tokenization: {})", st.docs, st.tok_docs_identical);
    println!("tokens:    expected {} matched {}", st.tok_expected, st.tok_matched);
    println!("expected:  {}", st.expected);
    println!("matched:   {} ({:.3}%)", st.matched, 100.0 * st.matched as f64 / st.expected.max(1) as f64);
    println!("missing:   {}", st.missing);
    println!("extra:     {} ({:.3}%)", st.extra, 100.0 * st.extra as f64 / st.expected.max(1) as f64);
    st
}

/// The output is spaCy's, exactly: every entity and every token, nothing missing or extra.
fn check(st: &Stats) {
    assert_eq!((st.missing, st.extra), (0, 0), "entities differ from spaCy's");
    assert_eq!(st.matched, st.expected);
    assert_eq!(st.tok_matched, st.tok_expected, "tokens differ from spaCy's");
    assert_eq!(st.tok_docs_identical, st.docs);
}

#[test]
fn ner_parity_real_documents() {
    let model = load();
    let st = run_fixture(&model, "ner_parity.json");
    assert!(st.docs >= 250);
    check(&st);
}

#[test]
fn ner_parity_edge_cases() {
    let model = load();
    let st = run_fixture(&model, "ner_edge_cases.json");
    check(&st);
}

#[test]
fn basic_example() {
    let model = load();
    let text = "Apple is looking at buying U.K. startup for $1 billion";
    let ents = model.extract(text);
    let got: Vec<(&str, &str)> = ents.iter().map(|e| (e.label.as_str(), &text[e.start..e.end])).collect();
    assert_eq!(got, vec![("ORG", "Apple"), ("GPE", "U.K."), ("MONEY", "$1 billion")]);
    assert!(model.extract("").is_empty());
    assert!(model.extract("   \n ").is_empty());
}

#[test]
fn results_do_not_depend_on_caches() {
    let model = load();
    let uncached = load().with_word_cache(0);
    let text = "Barack Obama met Angela Merkel in Berlin on Tuesday. Obama said Berlin was lovely.";
    let a = model.extract(text);
    let b = model.extract(text);
    let c = uncached.extract(text);
    assert_eq!(a, b);
    assert_eq!(a, c);
}

#[test]
fn rejects_bad_assets() {
    assert!(NerModel::from_bytes(b"").is_err());
    assert!(NerModel::from_bytes(b"DSNER001\xff\xff\xff\x7f").is_err());
    assert!(NerModel::from_bytes(b"not a model at all").is_err());
}

#[test]
fn long_and_pathological_tokens_do_not_crash() {
    let model = load();
    let long_word = "a".repeat(200_000);
    let dotted = "ab.".repeat(20_000);
    let parens = format!("{}x{}", "(".repeat(2_000), ")".repeat(2_000));
    let b64: String = (0..100_000)
        .map(|i| b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i * 7 % 64] as char)
        .collect();
    for text in [long_word, dotted, parens, b64, "http://".repeat(2_000), "@:".repeat(3_000)] {
        let doc = format!("John Smith visited Paris. {text} Then he met Mary in London.");
        let h = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn({
                let bytes = std::fs::read(format!("{}/../assets/ner/ner_model.bin", env!("CARGO_MANIFEST_DIR")))
                    .expect("asset");
                move || {
                    let m = NerModel::from_bytes(&bytes).expect("load");
                    let t0 = std::time::Instant::now();
                    let ents = m.extract(&doc);
                    (ents.len(), t0.elapsed())
                }
            })
            .expect("spawn");
        let (n, dt) = h.join().expect("no panic / stack overflow");
        println!("pathological input: {n} entities in {dt:?}");
    }
    let _ = model;
}

#[test]
fn model_is_send_sync_and_has_18_labels() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<NerModel>();
    let model = load();
    let labels = model.labels();
    assert_eq!(labels.len(), 18);
    for l in [
        "PERSON",
        "ORG",
        "GPE",
        "LOC",
        "DATE",
        "TIME",
        "MONEY",
        "PERCENT",
        "CARDINAL",
        "ORDINAL",
        "QUANTITY",
        "NORP",
        "FAC",
        "PRODUCT",
        "EVENT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
    ] {
        assert!(labels.iter().any(|x| x == l), "{l}");
    }
}

/// Experimental bf16 encoder path (not the default): must stay within the parity bounds
/// (>= 99% matched, <= 1% extra); `-- --nocapture` prints its figures.
#[test]
fn bf16_parity_figures() {
    let model = load().with_bf16(true);
    println!("bf16 (AVX512-BF16 available: {})", dossier_ner::gemm::bf16_available());
    check_within_one_percent(&run_fixture(&model, "ner_parity.json"));
    check_within_one_percent(&run_fixture(&model, "ner_edge_cases.json"));
}

/// The bf16 mode rounds the weights, so a few entities may differ: at most 1% either way.
fn check_within_one_percent(st: &Stats) {
    assert!(st.matched as f64 >= 0.99 * st.expected as f64, "matched below 99%");
    assert!(st.extra as f64 <= 0.01 * st.expected as f64, "extra above 1%");
    assert!(st.tok_matched as f64 >= 0.99 * st.tok_expected as f64, "token agreement below 99%");
}

#[test]
fn bf16_kernel_matches_reference() {
    use dossier_ner::gemm::{gemm_bf16, gemm_bf16_portable, pack_bf16};
    let (n, k, o) = (29usize, 96usize, 96usize);
    let x: Vec<f32> = (0..n * k).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.013).collect();
    let w: Vec<f32> = (0..k * o).map(|i| ((i * 53 % 97) as f32 - 48.0) * 0.021).collect();
    let b: Vec<f32> = (0..o).map(|i| i as f32 * 0.1 - 1.0).collect();
    let mut out = vec![0f32; n * o];
    gemm_bf16(&x, n, k, &pack_bf16(&w, k, o), o, &b, &mut out);
    let mut reference = vec![0f32; n * o];
    gemm_bf16_portable(&x, n, k, &pack_bf16(&w, k, o), o, &b, &mut reference);
    assert_eq!(out, reference, "AVX512-BF16 kernel vs portable fallback");
    for r in 0..n {
        for c in 0..o {
            let exact: f32 = (0..k).map(|kk| x[r * k + kk] * w[kk * o + c]).sum::<f32>() + b[c];
            let got = out[r * o + c];
            assert!((exact - got).abs() <= 0.05 * (1.0 + exact.abs()), "{r},{c}: {exact} vs {got}");
        }
    }
}

#[test]
fn portable_path_matches_fixture() {
    let model = load().without_simd();
    let root = env!("CARGO_MANIFEST_DIR");
    let raw = std::fs::read_to_string(format!("{root}/tests/fixtures/ner_parity.json")).expect("fixture");
    let v: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let docs = v["documents"].as_array().expect("documents");
    let (mut expected, mut matched, mut extra) = (0usize, 0usize, 0usize);
    for d in docs.iter().step_by(5) {
        let text = d["text"].as_str().expect("text");
        let exp: HashSet<(String, usize, usize)> = d["entities"]
            .as_array()
            .expect("entities")
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
        expected += exp.len();
        let m = exp.intersection(&got).count();
        matched += m;
        extra += got.len() - m;
    }
    println!("portable path: expected {expected} matched {matched} extra {extra}");
    assert!(matched as f64 >= 0.99 * expected as f64);
    assert!(extra as f64 <= 0.01 * expected as f64);
}

/// The AVX2 kernel's arithmetic, exactly, on any CPU that has it: for each output, one fused
/// multiply-add per k in k order from zero, then the bias. A change of accumulation order (which
/// could change an entity) fails here even where there is no AVX-512 kernel to compare with.
#[test]
fn the_avx2_kernel_accumulates_in_k_order() {
    use dossier_ner::gemm::{Matrix, Simd, gemm, simd_level};
    if simd_level() < Simd::Avx2 {
        return;
    }
    for &(n, k, o) in &[(1usize, 3usize, 16usize), (7, 96, 864), (61, 384, 288), (50, 64, 80), (6, 5, 32)] {
        let x: Vec<f32> = (0..n * k).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.0137).collect();
        let rows: Vec<f32> = (0..k * o).map(|i| ((i * 53 % 97) as f32 - 48.0) * 0.0211).collect();
        let b: Vec<f32> = (0..o).map(|i| i as f32 * 0.1 - 1.0).collect();
        let mut want = vec![0f32; n * o];
        for r in 0..n {
            for c in 0..o {
                let acc = (0..k).fold(0f32, |acc, kk| x[r * k + kk].mul_add(rows[kk * o + c], acc));
                want[r * o + c] = acc + b[c];
            }
        }
        let mut got = vec![0f32; n * o];
        gemm(Simd::Avx2, &x, n, &Matrix::new(rows, k, o), &b, &mut got);
        assert!(got == want, "{n}x{k}x{o}: the AVX2 kernel's sums differ from k-order FMA");
    }
}

#[test]
fn simd_kernels_agree() {
    use dossier_ner::gemm::{Matrix, Simd, gemm, simd_level};
    let best = simd_level();
    for &(n, k, o) in
        &[(1usize, 3usize, 16usize), (5, 96, 48), (13, 64, 80), (49, 96, 864), (61, 384, 288), (7, 17, 32)]
    {
        let x: Vec<f32> = (0..n * k).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.013).collect();
        let w = Matrix::new((0..k * o).map(|i| ((i * 53 % 97) as f32 - 48.0) * 0.021).collect(), k, o);
        let b: Vec<f32> = (0..o).map(|i| i as f32 * 0.1 - 1.0).collect();
        let run = |s: Simd| {
            let mut out = vec![0f32; n * o];
            gemm(s, &x, n, &w, &b, &mut out);
            out
        };
        let p = run(Simd::Portable);
        for s in [Simd::Avx2, Simd::Avx512] {
            if s > best {
                continue;
            }
            let q = run(s);
            for (a, c) in p.iter().zip(&q) {
                assert!((a - c).abs() <= 1e-4 * (1.0 + a.abs()), "{s:?} {n}x{k}x{o}: {a} vs {c}");
            }
            if s == Simd::Avx512 {
                // same accumulation order as the AVX2 kernel: bit-identical
                assert_eq!(q, run(Simd::Avx2), "{n}x{k}x{o}");
            }
        }
    }
}

#[test]
fn avx2_path_matches_default_path() {
    let fast = load();
    let avx2 = load().without_avx512();
    let root = env!("CARGO_MANIFEST_DIR");
    let raw = std::fs::read_to_string(format!("{root}/tests/fixtures/ner_parity.json")).expect("fixture");
    let v: serde_json::Value = serde_json::from_str(&raw).expect("json");
    for d in v["documents"].as_array().expect("documents").iter().step_by(7) {
        let text = d["text"].as_str().expect("text");
        assert_eq!(fast.extract(text), avx2.extract(text));
    }
}
