use std::time::Instant;
fn main() {
    let simd = dossier_ner::gemm::simd_level();
    let simd = match std::env::args().nth(1).as_deref() {
        Some("avx2") => dossier_ner::gemm::Simd::Avx2,
        Some("portable") => dossier_ner::gemm::Simd::Portable,
        _ => simd,
    };
    let (n, k, o) = (400usize, 96usize, 864usize);
    let x: Vec<f32> = (0..n * k).map(|i| (i % 17) as f32 * 0.01).collect();
    let w = dossier_ner::gemm::Matrix::new((0..k * o).map(|i| (i % 13) as f32 * 0.01).collect(), k, o);
    let b = vec![0f32; o];
    let mut out = vec![0f32; n * o];
    for &(rows, label) in &[(n, "full 400 rows"), (49, "block 49 rows")] {
        let reps = 2000 * 400 / rows / 4;
        let t0 = Instant::now();
        for _ in 0..reps {
            dossier_ner::gemm::gemm(simd, &x[..rows * k], rows, &w, &b, &mut out[..rows * o]);
        }
        let dt = t0.elapsed().as_secs_f64();
        let gmac = (reps * rows * k * o) as f64 / dt / 1e9;
        println!("{label}: {gmac:.1} GMAC/s (simd={simd:?})");
    }
}
