//! Small dense matrix products for the network, `out = x . wt + bias`, with
//! `x` row-major (n x k) and `wt` the *transposed* weight matrix (k x o,
//! row-major). An AVX2+FMA micro-kernel (6 rows x 16 columns, selected at
//! runtime) is used when the CPU supports it; otherwise a portable loop.

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

/// out[n x o] = x[n x k] . wt[k x o] + bias[o]
#[allow(clippy::too_many_arguments)]
pub fn gemm(simd: bool, x: &[f32], n: usize, k: usize, wt: &[f32], o: usize, bias: &[f32], out: &mut [f32]) {
    assert!(x.len() >= n * k && wt.len() >= k * o && bias.len() >= o && out.len() >= n * o);
    #[cfg(target_arch = "x86_64")]
    {
        if simd && o & 15 == 0 {
            // SAFETY: feature presence checked by the caller via simd_available();
            // bounds asserted above.
            unsafe { avx::gemm(x, n, k, wt, o, bias, out) };
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

    /// # Safety
    /// The CPU must support AVX2 and FMA; `x`, `wt`, `bias`, `out` must hold
    /// at least n*k, k*o, o and n*o floats; `o` must be a multiple of 16.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gemm(x: &[f32], n: usize, k: usize, wt: &[f32], o: usize, bias: &[f32], out: &mut [f32]) {
        let mut r = 0;
        // SAFETY: forwarded from the caller's contract.
        unsafe {
            while r + 6 <= n {
                block::<6>(x, r, k, wt, o, bias, out);
                r += 6;
            }
            match n - r {
                5 => block::<5>(x, r, k, wt, o, bias, out),
                4 => block::<4>(x, r, k, wt, o, bias, out),
                3 => block::<3>(x, r, k, wt, o, bias, out),
                2 => block::<2>(x, r, k, wt, o, bias, out),
                1 => block::<1>(x, r, k, wt, o, bias, out),
                _ => {}
            }
        }
    }

    /// # Safety
    /// As for [`gemm`], with rows `r0..r0+MR` inside `x` and `out`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn block<const MR: usize>(
        x: &[f32],
        r0: usize,
        k: usize,
        wt: &[f32],
        o: usize,
        bias: &[f32],
        out: &mut [f32],
    ) {
        // SAFETY: all pointer offsets stay within the slices per the contract above.
        unsafe {
            let xp = x.as_ptr().add(r0 * k);
            let wp = wt.as_ptr();
            let op = out.as_mut_ptr().add(r0 * o);
            let mut c = 0;
            while c < o {
                let mut acc0 = [_mm256_setzero_ps(); MR];
                let mut acc1 = [_mm256_setzero_ps(); MR];
                let mut wrow = wp.add(c);
                for kk in 0..k {
                    let w0 = _mm256_loadu_ps(wrow);
                    let w1 = _mm256_loadu_ps(wrow.add(8));
                    for m in 0..MR {
                        let xv = _mm256_broadcast_ss(&*xp.add(m * k + kk));
                        acc0[m] = _mm256_fmadd_ps(xv, w0, acc0[m]);
                        acc1[m] = _mm256_fmadd_ps(xv, w1, acc1[m]);
                    }
                    wrow = wrow.add(o);
                }
                let b0 = _mm256_loadu_ps(bias.as_ptr().add(c));
                let b1 = _mm256_loadu_ps(bias.as_ptr().add(c + 8));
                for m in 0..MR {
                    _mm256_storeu_ps(op.add(m * o + c), _mm256_add_ps(acc0[m], b0));
                    _mm256_storeu_ps(op.add(m * o + c + 8), _mm256_add_ps(acc1[m], b1));
                }
                c += 16;
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
