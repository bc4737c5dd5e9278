//! Small dense matrix products for the network, `out = x . wt + bias`, with
//! `x` row-major (n x k) and `wt` the *transposed* weight matrix (k x o,
//! row-major, see [`Matrix`]). Kernels, selected at run time: AVX-512F (up to
//! 12 rows x 32 columns), AVX2+FMA (6 rows x 16 columns, over 16-column weight
//! panels and blocks of 48 rows), or a portable loop. The two SIMD kernels
//! accumulate every output in the same order (one FMA per k, in k order, bias
//! added last), so they give bit-identical results.

/// Which matrix kernel to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Simd {
    /// Plain Rust loops (auto-vectorised for the baseline target).
    Portable,
    /// AVX2 + FMA.
    Avx2,
    /// AVX-512F (+ AVX2/FMA for the helpers).
    Avx512,
}

/// The best kernel this CPU supports.
pub fn simd_level() -> Simd {
    #[cfg(target_arch = "x86_64")]
    {
        if simd_available() {
            if std::is_x86_feature_detected!("avx512f") {
                return Simd::Avx512;
            }
            return Simd::Avx2;
        }
    }
    Simd::Portable
}

/// Whether the AVX2/FMA kernel can be used on this CPU.
pub fn simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether slices of these lengths hold an `n x k` by `k x o` product: sizes that overflow
/// never do (a wrapped product must not pass for a small one before unchecked SIMD loads).
fn fits(x: usize, wt: usize, bias: usize, out: usize, n: usize, k: usize, o: usize) -> bool {
    let holds = |len: usize, a: usize, b: usize| a.checked_mul(b).is_some_and(|need| len >= need);
    holds(x, n, k) && holds(wt, k, o) && bias >= o && holds(out, n, o)
}

/// A weight matrix `k x o` (the transposed weights of a layer), kept in two layouts: row-major
/// (the portable and AVX-512 kernels read 8, 16 or 32 columns of a row) and, when `o` is a
/// multiple of 16, as `o / 16` contiguous panels of `k x 16` (the AVX2 kernel streams one panel
/// while it sweeps a block of rows, so the weights come in one line after another).
pub struct Matrix {
    k: usize,
    o: usize,
    rows: Vec<f32>,
    panels: Vec<f32>,
}

impl Matrix {
    /// `rows` is `k x o`, row-major.
    pub fn new(rows: Vec<f32>, k: usize, o: usize) -> Matrix {
        assert_eq!(Some(rows.len()), k.checked_mul(o), "a {k} x {o} matrix");
        let mut panels = Vec::new();
        if o.is_multiple_of(16) {
            panels.reserve(k * o);
            for c in (0..o).step_by(16) {
                for r in 0..k {
                    panels.extend_from_slice(&rows[r * o + c..r * o + c + 16]);
                }
            }
        }
        Matrix { k, o, rows, panels }
    }

    /// The `k x o` values, row-major.
    pub fn rows(&self) -> &[f32] {
        &self.rows
    }

    pub fn k(&self) -> usize {
        self.k
    }

    pub fn o(&self) -> usize {
        self.o
    }
}

/// out[n x o] = x[n x k] . w[k x o] + bias[o]. `simd` is what the caller asks for; a kernel
/// this CPU lacks is never run (the level is capped at [`simd_level`]).
pub fn gemm(simd: Simd, x: &[f32], n: usize, w: &Matrix, bias: &[f32], out: &mut [f32]) {
    let (k, o, wt) = (w.k, w.o, &w.rows[..]);
    assert!(fits(x.len(), wt.len(), bias.len(), out.len(), n, k, o), "matrix sizes do not fit");
    let simd = simd.min(simd_level());
    #[cfg(target_arch = "x86_64")]
    {
        if simd == Simd::Avx512 && o & 15 == 0 {
            // SAFETY: `simd` is capped at simd_level(), which detected avx512f (and avx2/fma)
            // at run time; bounds asserted above.
            unsafe { avx512::gemm(x, n, k, wt, o, bias, out) };
            return;
        }
        if simd != Simd::Portable && o & 15 == 0 {
            // SAFETY: `simd` is capped at simd_level(), which detected avx2 and fma at run
            // time; bounds asserted above, and `panels` holds as many floats as `rows` when
            // o is a multiple of 16.
            unsafe { avx::gemm(x, n, k, &w.panels, o, bias, out) };
            return;
        }
    }
    let _ = simd;
    portable(x, n, k, wt, o, bias, out);
}

fn portable(x: &[f32], n: usize, k: usize, wt: &[f32], o: usize, bias: &[f32], out: &mut [f32]) {
    // Register-blocked kernel: 4 rows x 16 columns of accumulators, written so
    // that LLVM vectorises it for the baseline SIMD of the target (SSE2 / NEON).
    const MR: usize = 4;
    const NR: usize = 8;
    let full_cols = o / NR * NR;
    let mut r = 0;
    while r < n {
        let mr = MR.min(n - r);
        let mut c = 0;
        while c < full_cols {
            let mut acc = [[0f32; NR]; MR];
            for kk in 0..k {
                let wrow: &[f32; NR] = match wt[kk * o + c..kk * o + c + NR].try_into() {
                    Ok(a) => a,
                    Err(_) => return,
                };
                for m in 0..mr {
                    let xv = x[(r + m) * k + kk];
                    let a = &mut acc[m];
                    for j in 0..NR {
                        a[j] += xv * wrow[j];
                    }
                }
            }
            for m in 0..mr {
                let orow = &mut out[(r + m) * o + c..(r + m) * o + c + NR];
                for j in 0..NR {
                    orow[j] = acc[m][j] + bias[c + j];
                }
            }
            c += NR;
        }
        // remaining columns
        for m in 0..mr {
            for cc in full_cols..o {
                let mut a = 0f32;
                for kk in 0..k {
                    a += x[(r + m) * k + kk] * wt[kk * o + cc];
                }
                out[(r + m) * o + cc] = a + bias[cc];
            }
        }
        r += mr;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx {
    use std::arch::x86_64::*;

    /// Rows per cache block: one weight panel (k x 16) is swept over the block's
    /// rows. For the encoder (k = 96) the panel and the block's x rows fit in L1;
    /// for the mixing layer (k = 384) they do not, and come from L2.
    const ROW_BLOCK: usize = 48;

    /// `out = x . w + bias` with `wp` the weights as panels (see [`super::Matrix`]).
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA; `x`, `wp`, `bias`, `out` must hold
    /// at least n*k, k*o, o and n*o floats; `o` must be a multiple of 16.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gemm(x: &[f32], n: usize, k: usize, wp: &[f32], o: usize, bias: &[f32], out: &mut [f32]) {
        let mut rb = 0;
        while rb < n {
            let re = (rb + ROW_BLOCK).min(n);
            let mut c = 0;
            while c < o {
                // SAFETY: forwarded from the caller's contract.
                unsafe { strip(x, rb, re, k, wp.as_ptr().add(c * k), o, c, bias, out) };
                c += 16;
            }
            rb = re;
        }
    }

    /// Columns c..c+16 of rows rb..re; `panel` is their weights, k rows of 16.
    ///
    /// # Safety
    /// As for [`gemm`], with c + 16 <= o, re <= n and `panel` holding k * 16 floats.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn strip(
        x: &[f32],
        rb: usize,
        re: usize,
        k: usize,
        panel: *const f32,
        o: usize,
        c: usize,
        bias: &[f32],
        out: &mut [f32],
    ) {
        let mut r = rb;
        // SAFETY: forwarded.
        unsafe {
            while r + 6 <= re {
                block::<6>(x, r, k, panel, o, c, bias, out);
                r += 6;
            }
            match re - r {
                5 => block::<5>(x, r, k, panel, o, c, bias, out),
                4 => block::<4>(x, r, k, panel, o, c, bias, out),
                3 => block::<3>(x, r, k, panel, o, c, bias, out),
                2 => block::<2>(x, r, k, panel, o, c, bias, out),
                1 => block::<1>(x, r, k, panel, o, c, bias, out),
                _ => {}
            }
        }
    }

    /// MR rows x 16 columns micro-kernel; the k loop is unrolled by 4 (the
    /// accumulation order is unchanged).
    ///
    /// # Safety
    /// As for [`strip`], with rows r0..r0+MR inside `x` and `out`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn block<const MR: usize>(
        x: &[f32],
        r0: usize,
        k: usize,
        panel: *const f32,
        o: usize,
        c: usize,
        bias: &[f32],
        out: &mut [f32],
    ) {
        // SAFETY: all pointer offsets stay within the slices per the contract above.
        unsafe {
            let xp = x.as_ptr().add(r0 * k);
            let op = out.as_mut_ptr().add(r0 * o);
            let mut acc0 = [_mm256_setzero_ps(); MR];
            let mut acc1 = [_mm256_setzero_ps(); MR];
            let mut wrow = panel;
            let mut kk = 0;
            while kk + 4 <= k {
                for u in 0..4 {
                    let w0 = _mm256_loadu_ps(wrow);
                    let w1 = _mm256_loadu_ps(wrow.add(8));
                    for m in 0..MR {
                        let xv = _mm256_broadcast_ss(&*xp.add(m * k + kk + u));
                        acc0[m] = _mm256_fmadd_ps(xv, w0, acc0[m]);
                        acc1[m] = _mm256_fmadd_ps(xv, w1, acc1[m]);
                    }
                    wrow = wrow.add(16);
                }
                kk += 4;
            }
            while kk < k {
                let w0 = _mm256_loadu_ps(wrow);
                let w1 = _mm256_loadu_ps(wrow.add(8));
                for m in 0..MR {
                    let xv = _mm256_broadcast_ss(&*xp.add(m * k + kk));
                    acc0[m] = _mm256_fmadd_ps(xv, w0, acc0[m]);
                    acc1[m] = _mm256_fmadd_ps(xv, w1, acc1[m]);
                }
                wrow = wrow.add(16);
                kk += 1;
            }
            let b0 = _mm256_loadu_ps(bias.as_ptr().add(c));
            let b1 = _mm256_loadu_ps(bias.as_ptr().add(c + 8));
            for m in 0..MR {
                _mm256_storeu_ps(op.add(m * o + c), _mm256_add_ps(acc0[m], b0));
                _mm256_storeu_ps(op.add(m * o + c + 8), _mm256_add_ps(acc1[m], b1));
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    /// Rows per cache block: the block's x rows and one 32-column weight strip
    /// (k x 32) stay in L1 while the strip is swept over the block.
    const ROW_BLOCK: usize = 48;

    /// # Safety
    /// The CPU must support AVX-512F; `x`, `wt`, `bias`, `out` must hold at
    /// least n*k, k*o, o and n*o floats; `o` must be a multiple of 16.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub unsafe fn gemm(x: &[f32], n: usize, k: usize, wt: &[f32], o: usize, bias: &[f32], out: &mut [f32]) {
        let mut rb = 0;
        while rb < n {
            let re = (rb + ROW_BLOCK).min(n);
            let mut c = 0;
            while c < o {
                // SAFETY: forwarded from the caller's contract (c + 32 <= o, or
                // c + 16 <= o for the last strip since o is a multiple of 16).
                unsafe {
                    if c + 32 <= o {
                        strip::<2>(x, rb, re, k, wt, o, c, bias, out);
                        c += 32;
                    } else {
                        strip::<1>(x, rb, re, k, wt, o, c, bias, out);
                        c += 16;
                    }
                }
            }
            rb = re;
        }
    }

    /// Columns c..c+16*NV of rows rb..re.
    ///
    /// # Safety
    /// As for [`gemm`], with c + 16*NV <= o and re <= n.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn strip<const NV: usize>(
        x: &[f32],
        rb: usize,
        re: usize,
        k: usize,
        wt: &[f32],
        o: usize,
        c: usize,
        bias: &[f32],
        out: &mut [f32],
    ) {
        let mut r = rb;
        // SAFETY: forwarded.
        unsafe {
            while r + 12 <= re {
                block::<12, NV>(x, r, k, wt, o, c, bias, out);
                r += 12;
            }
            match re - r {
                11 => block::<11, NV>(x, r, k, wt, o, c, bias, out),
                10 => block::<10, NV>(x, r, k, wt, o, c, bias, out),
                9 => block::<9, NV>(x, r, k, wt, o, c, bias, out),
                8 => block::<8, NV>(x, r, k, wt, o, c, bias, out),
                7 => block::<7, NV>(x, r, k, wt, o, c, bias, out),
                6 => block::<6, NV>(x, r, k, wt, o, c, bias, out),
                5 => block::<5, NV>(x, r, k, wt, o, c, bias, out),
                4 => block::<4, NV>(x, r, k, wt, o, c, bias, out),
                3 => block::<3, NV>(x, r, k, wt, o, c, bias, out),
                2 => block::<2, NV>(x, r, k, wt, o, c, bias, out),
                1 => block::<1, NV>(x, r, k, wt, o, c, bias, out),
                _ => {}
            }
        }
    }

    /// MR rows x 16*NV columns micro-kernel.
    ///
    /// # Safety
    /// As for [`strip`], with rows r0..r0+MR inside `x` and `out`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn block<const MR: usize, const NV: usize>(
        x: &[f32],
        r0: usize,
        k: usize,
        wt: &[f32],
        o: usize,
        c: usize,
        bias: &[f32],
        out: &mut [f32],
    ) {
        // SAFETY: all pointer offsets stay within the slices per the contract above.
        unsafe {
            let xp = x.as_ptr().add(r0 * k);
            let op = out.as_mut_ptr().add(r0 * o);
            let mut acc = [[_mm512_setzero_ps(); NV]; MR];
            let mut wrow = wt.as_ptr().add(c);
            for kk in 0..k {
                let mut w = [_mm512_setzero_ps(); NV];
                for (v, wv) in w.iter_mut().enumerate() {
                    *wv = _mm512_loadu_ps(wrow.add(16 * v));
                }
                for (m, a) in acc.iter_mut().enumerate() {
                    let xv = _mm512_set1_ps(*xp.add(m * k + kk));
                    for v in 0..NV {
                        a[v] = _mm512_fmadd_ps(xv, w[v], a[v]);
                    }
                }
                wrow = wrow.add(o);
            }
            for v in 0..NV {
                let b = _mm512_loadu_ps(bias.as_ptr().add(c + 16 * v));
                for (m, a) in acc.iter().enumerate() {
                    _mm512_storeu_ps(op.add(m * o + c + 16 * v), _mm512_add_ps(a[v], b));
                }
            }
        }
    }
}

/// Whether the CPU has AVX512-BF16 (for the experimental [`gemm_bf16`]).
pub fn bf16_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        simd_level() == Simd::Avx512 && std::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// f32 -> bf16 bits, round to nearest even (NaN kept quiet).
pub fn to_bf16(v: f32) -> u16 {
    let b = v.to_bits();
    if v.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    let round = 0x7fff + ((b >> 16) & 1);
    (b.wrapping_add(round) >> 16) as u16
}

/// Pack a (k x o) row-major f32 weight matrix for [`gemm_bf16`]: k rounded up
/// to even; element (kp, c, j) = bf16(w[2*kp + j][c]), j in 0..2.
pub fn pack_bf16(wt: &[f32], k: usize, o: usize) -> Vec<u16> {
    let kp = k.div_ceil(2);
    let mut out = vec![0u16; kp * o * 2];
    for kk in 0..k {
        for c in 0..o {
            out[((kk / 2) * o + c) * 2 + (kk & 1)] = to_bf16(wt[kk * o + c]);
        }
    }
    out
}

/// Experimental reduced-precision product (off by default): x and the
/// weights rounded to bf16, products accumulated in f32 with AVX512-BF16.
/// out[n x o] = x[n x k] . w[k x o] + bias; `wp` from [`pack_bf16`].
/// Without AVX512-BF16: a scalar loop with the same rounding (slow, same results).
pub fn gemm_bf16(x: &[f32], n: usize, k: usize, wp: &[u16], o: usize, bias: &[f32], out: &mut [f32]) {
    gemm_bf16_impl(bf16_available(), x, n, k, wp, o, bias, out)
}

/// [`gemm_bf16`] without the AVX512-BF16 kernel (for testing the fallback).
#[doc(hidden)]
pub fn gemm_bf16_portable(x: &[f32], n: usize, k: usize, wp: &[u16], o: usize, bias: &[f32], out: &mut [f32]) {
    gemm_bf16_impl(false, x, n, k, wp, o, bias, out)
}

#[allow(clippy::too_many_arguments)]
fn gemm_bf16_impl(simd: bool, x: &[f32], n: usize, k: usize, wp: &[u16], o: usize, bias: &[f32], out: &mut [f32]) {
    let kp = k.div_ceil(2);
    let packed = kp.saturating_mul(2);
    assert!(fits(x.len(), wp.len(), bias.len(), out.len(), n, k, o), "matrix sizes do not fit");
    assert!(o.checked_mul(packed).is_some_and(|need| wp.len() >= need), "packed weights do not fit");
    // x as bf16 pairs (one u32 per pair of k)
    let mut xb = vec![0u32; n * kp];
    for r in 0..n {
        for p in 0..kp {
            let lo = to_bf16(x[r * k + 2 * p]) as u32;
            let hi = if 2 * p + 1 < k { to_bf16(x[r * k + 2 * p + 1]) as u32 } else { 0 };
            xb[r * kp + p] = lo | (hi << 16);
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        if simd && o & 31 == 0 {
            // SAFETY: `simd` is bf16_available() (avx512f + avx512bf16 detected
            // at run time) or false; sizes asserted
            // above (xb holds n*kp pairs, wp kp*o pairs, o a multiple of 32).
            unsafe { avx512bf16::gemm(&xb, n, kp, wp, o, bias, out) };
            return;
        }
    }
    // reference path: same rounding of inputs, f32 accumulation
    let f = |h: u32| f32::from_bits(h << 16);
    for r in 0..n {
        for c in 0..o {
            let mut a = 0f32;
            for p in 0..kp {
                let xv = xb[r * kp + p];
                let w0 = wp[(p * o + c) * 2] as u32;
                let w1 = wp[(p * o + c) * 2 + 1] as u32;
                // VDPBF16PS order: odd element first (products are exact in f32)
                a += f(xv >> 16) * f(w1);
                a += f(xv & 0xffff) * f(w0);
            }
            out[r * o + c] = a + bias[c];
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512bf16 {
    use std::arch::x86_64::*;

    /// # Safety
    /// CPU with avx512f + avx512bf16; xb: n*kp, wp: kp*o*2, bias: o, out: n*o;
    /// o a multiple of 32.
    #[target_feature(enable = "avx512f,avx512bf16")]
    pub unsafe fn gemm(xb: &[u32], n: usize, kp: usize, wp: &[u16], o: usize, bias: &[f32], out: &mut [f32]) {
        // SAFETY: forwarded.
        unsafe {
            let mut c = 0;
            while c < o {
                let mut r = 0;
                while r + 12 <= n {
                    block::<12>(xb, r, kp, wp, o, c, bias, out);
                    r += 12;
                }
                match n - r {
                    11 => block::<11>(xb, r, kp, wp, o, c, bias, out),
                    10 => block::<10>(xb, r, kp, wp, o, c, bias, out),
                    9 => block::<9>(xb, r, kp, wp, o, c, bias, out),
                    8 => block::<8>(xb, r, kp, wp, o, c, bias, out),
                    7 => block::<7>(xb, r, kp, wp, o, c, bias, out),
                    6 => block::<6>(xb, r, kp, wp, o, c, bias, out),
                    5 => block::<5>(xb, r, kp, wp, o, c, bias, out),
                    4 => block::<4>(xb, r, kp, wp, o, c, bias, out),
                    3 => block::<3>(xb, r, kp, wp, o, c, bias, out),
                    2 => block::<2>(xb, r, kp, wp, o, c, bias, out),
                    1 => block::<1>(xb, r, kp, wp, o, c, bias, out),
                    _ => {}
                }
                c += 32;
            }
        }
    }

    /// # Safety
    /// As for [`gemm`], rows r0..r0+MR, columns c..c+32.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx512f,avx512bf16")]
    unsafe fn block<const MR: usize>(
        xb: &[u32],
        r0: usize,
        kp: usize,
        wp: &[u16],
        o: usize,
        c: usize,
        bias: &[f32],
        out: &mut [f32],
    ) {
        // SAFETY: offsets within the slices per the contract above.
        unsafe {
            let xp = xb.as_ptr().add(r0 * kp);
            let mut acc0 = [_mm512_setzero_ps(); MR];
            let mut acc1 = [_mm512_setzero_ps(); MR];
            let mut w = wp.as_ptr().add(c * 2);
            for p in 0..kp {
                let w0: __m512bh = std::mem::transmute(_mm512_loadu_si512(w as *const __m512i));
                let w1: __m512bh = std::mem::transmute(_mm512_loadu_si512(w.add(32) as *const __m512i));
                for m in 0..MR {
                    let xv: __m512bh = std::mem::transmute(_mm512_set1_epi32(*xp.add(m * kp + p) as i32));
                    acc0[m] = _mm512_dpbf16_ps(acc0[m], xv, w0);
                    acc1[m] = _mm512_dpbf16_ps(acc1[m], xv, w1);
                }
                w = w.add(o * 2);
            }
            let b0 = _mm512_loadu_ps(bias.as_ptr().add(c));
            let b1 = _mm512_loadu_ps(bias.as_ptr().add(c + 16));
            let op = out.as_mut_ptr().add(r0 * o + c);
            for m in 0..MR {
                _mm512_storeu_ps(op.add(m * o), _mm512_add_ps(acc0[m], b0));
                _mm512_storeu_ps(op.add(m * o + 16), _mm512_add_ps(acc1[m], b1));
            }
        }
    }
}

/// Transpose a row-major (rows x cols) matrix.
pub fn transpose(w: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = w[r * cols + c];
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_that_overflow_never_fit() {
        assert!(fits(6, 6, 3, 4, 2, 3, 2));
        assert!(!fits(6, 6, 3, 4, 2, 3, 3));
        // n * k wraps to 0 in release arithmetic: it must not pass for an empty product.
        assert!(!fits(0, 0, 0, 0, usize::MAX / 2 + 1, 2, 0));
        assert!(!fits(8, 8, 8, 8, usize::MAX, usize::MAX, 1));
    }

    #[test]
    fn asking_for_a_kernel_the_cpu_lacks_runs_one_it_has() {
        // Whatever is asked, the result is the portable product's (the kernels agree).
        let (n, k, o) = (3, 5, 16);
        let x: Vec<f32> = (0..n * k).map(|i| i as f32 * 0.5).collect();
        let wt: Vec<f32> = (0..k * o).map(|i| (i % 7) as f32).collect();
        let bias = vec![1.0; o];
        let mut want = vec![0.0; n * o];
        let w = Matrix::new(wt, k, o);
        gemm(Simd::Portable, &x, n, &w, &bias, &mut want);
        for simd in [Simd::Avx2, Simd::Avx512] {
            let mut got = vec![0.0; n * o];
            gemm(simd, &x, n, &w, &bias, &mut got);
            assert_eq!(got, want, "{simd:?}");
        }
    }
}
