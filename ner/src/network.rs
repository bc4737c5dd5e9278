//! The NER network of `en_core_web_sm` 3.8.0 (`spacy.TransitionBasedParser.v2`):
//!
//! 1. `MultiHashEmbed.v2`: four `HashEmbed` tables (NORM 5000, PREFIX 1000,
//!    SUFFIX 2500, SHAPE 2500 rows, width 96), each summing 4 hashed rows.
//! 2. Mixing layer: Maxout(96, 384, 3 pieces) + LayerNorm.
//! 3. `MaxoutWindowEncoder.v2`: 4 residual blocks of expand_window(1) +
//!    Maxout(96, 288, 3 pieces) + LayerNorm, run over the document padded with
//!    4 zero rows on each side (thinc `with_array(pad=4)`).
//! 4. Linear 96 -> 64.
//! 5. PrecomputableAffine lower layer (nF=3, nO=64, nP=2): per-token, per-slot
//!    products are computed once; a state's hidden vector is the sum of its 3
//!    slot vectors (or the slot's padding vector) + bias, maxout over 2 pieces.
//! 6. Upper Linear 64 -> 74 action scores.

use super::ModelError;
use super::asset::Asset;
use super::gemm::{Matrix, Simd, gemm, gemm_bf16, transpose};

pub const WIDTH: usize = 96;
pub const PIECES: usize = 3;
pub const HIDDEN: usize = 64;
pub const NF: usize = 3;
pub const NP: usize = 2;
pub const PAD: usize = 4;

/// Maxout + LayerNorm block; weights stored transposed (n_in x WIDTH*PIECES).
pub struct MaxoutLn {
    /// n_in x (WIDTH*PIECES), piece-major columns (see [`piece_major_cols`])
    pub wt: Matrix,
    pub b: Vec<f32>,
    pub g: Vec<f32>,
    pub beta: Vec<f32>,
}

pub struct Network {
    pub simd: Simd,
    pub embed: Vec<(Vec<f32>, usize, u32)>, // (table, rows, seed)
    pub mix: MaxoutLn,
    /// Encoder layers; `wt` is (3*WIDTH) x (WIDTH*PIECES) over the window
    /// [left | centre | right]. `cat` re-arranges it as WIDTH x (3*WIDTH*PIECES)
    /// so one product gives the left/centre/right contributions of a row.
    pub enc: Vec<MaxoutLn>,
    pub enc_cat: Vec<Matrix>,
    /// Experimental (off by default): bf16-packed `enc_cat` of layers 2-4,
    /// used by [`Self::tok2vec_rows`] when set (see `NerModel::with_bf16`).
    pub enc_cat_bf16: Option<Vec<Vec<u16>>>,
    pub lin_wt: Matrix, // WIDTH x HIDDEN
    pub lin_b: Vec<f32>,
    pub lower_wt: Matrix,    // HIDDEN x (NF*HIDDEN*NP)
    pub lower_b: Vec<f32>,   // HIDDEN*NP
    pub lower_pad: Vec<f32>, // NF x HIDDEN*NP
    pub upper_w: Vec<f32>,   // n_classes x HIDDEN
    pub upper_b: Vec<f32>,
    /// HIDDEN x n_padded transposed upper weights (zero-padded to 16 columns).
    pub upper_wt: Matrix,
    pub upper_bp: Vec<f32>,
    pub n_padded: usize,
    pub n_classes: usize,
}

#[inline(always)]
fn add_into(dst: &mut [f32], src: &[f32]) {
    for (a, &b) in dst.iter_mut().zip(src) {
        *a += b;
    }
}

/// Maxout over PIECES then LayerNorm, for one row of WIDTH*PIECES values.
/// `row` is piece-major: [piece 0 (WIDTH) | piece 1 | piece 2].
#[inline(always)]
fn maxout_ln_row(row: &[f32], out: &mut [f32], g: &[f32], beta: &[f32]) {
    let (p0, rest) = row.split_at(WIDTH);
    let (p1, p2) = rest.split_at(WIDTH);
    for (((o, &a), &b), &c) in out[..WIDTH].iter_mut().zip(p0).zip(p1).zip(&p2[..WIDTH]) {
        let m = if b > a { b } else { a };
        *o = if c > m { c } else { m };
    }
    layer_norm(out, g, beta);
}

/// Re-order maxout output columns from thinc's (o, p) interleaving to
/// piece-major (p, o) so the maxout is an element-wise max of 3 vectors.
fn piece_major_cols(wt: &[f32], rows: usize) -> Vec<f32> {
    let op = WIDTH * PIECES;
    let mut out = vec![0f32; rows * op];
    for r in 0..rows {
        for o in 0..WIDTH {
            for p in 0..PIECES {
                out[r * op + p * WIDTH + o] = wt[r * op + o * PIECES + p];
            }
        }
    }
    out
}

impl MaxoutLn {
    fn load(a: &Asset, idx: usize, n_in: usize) -> Result<MaxoutLn, ModelError> {
        let w = a.tensor(&format!("maxout{idx}.W"), &[WIDTH, PIECES, n_in])?;
        let b = a.tensor(&format!("maxout{idx}.b"), &[WIDTH, PIECES])?;
        Ok(MaxoutLn {
            wt: Matrix::new(piece_major_cols(&transpose(&w, WIDTH * PIECES, n_in), n_in), n_in, WIDTH * PIECES),
            b: piece_major_cols(&b, 1),
            g: a.tensor(&format!("ln{idx}.G"), &[WIDTH])?,
            beta: a.tensor(&format!("ln{idx}.b"), &[WIDTH])?,
        })
    }

    /// Apply to `n` rows of `x` (n x n_in), writing n x WIDTH into `out`.
    #[inline(always)]
    pub fn forward(&self, simd: Simd, x: &[f32], n: usize, out: &mut [f32], scratch: &mut Vec<f32>) {
        let op = WIDTH * PIECES;
        scratch.resize(n * op, 0.0);
        gemm(simd, x, n, &self.wt, &self.b, scratch);
        for r in 0..n {
            maxout_ln_row(&scratch[r * op..(r + 1) * op], &mut out[r * WIDTH..(r + 1) * WIDTH], &self.g, &self.beta);
        }
    }
}

/// thinc LayerNorm: (x - mean) / sqrt(var + 1e-8) * G + b.
#[inline(always)]
pub fn layer_norm(x: &mut [f32], g: &[f32], b: &[f32]) {
    let n = x.len() as f32;
    // 8 partial sums (lane l sums elements l, l+8, ...), then lanes in order.
    let mut acc = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks.remainder();
    for ch in chunks {
        for l in 0..8 {
            acc[l] += ch[l];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for &v in tail {
        sum += v;
    }
    let mean = sum / n;
    let mut acc = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks.remainder();
    for ch in chunks {
        for l in 0..8 {
            let d = ch[l] - mean;
            acc[l] += d * d;
        }
    }
    let mut ss: f32 = acc.iter().sum();
    for &v in tail {
        let d = v - mean;
        ss += d * d;
    }
    let var = ss / n + 1e-8;
    let inv = 1.0 / var.sqrt();
    for ((v, &gk), &bk) in x.iter_mut().zip(g).zip(b) {
        *v = (*v - mean) * inv * gk + bk;
    }
}

impl Network {
    pub fn load(a: &Asset) -> Result<Network, ModelError> {
        let rows = [5000usize, 1000, 2500, 2500];
        if a.header.seeds.len() != 4 {
            return Err(ModelError::Damaged("expected 4 hash embedding seeds"));
        }
        let mut embed = Vec::new();
        for (i, &r) in rows.iter().enumerate() {
            embed.push((a.tensor(&format!("embed{i}.E"), &[r, WIDTH])?, r, a.header.seeds[i]));
        }
        let n_classes = a.header.moves.len();
        let enc = (1..=4).map(|i| MaxoutLn::load(a, i, WIDTH * 3)).collect::<Result<Vec<_>, _>>()?;
        let op = WIDTH * PIECES;
        let enc_cat = enc
            .iter()
            .map(|l| {
                // wt: (3*WIDTH) x op  ->  cat: WIDTH x (3*op)
                let mut cat = vec![0f32; WIDTH * 3 * op];
                for w in 0..3 {
                    for i in 0..WIDTH {
                        let src = &l.wt.rows()[(w * WIDTH + i) * op..(w * WIDTH + i + 1) * op];
                        cat[i * 3 * op + w * op..i * 3 * op + (w + 1) * op].copy_from_slice(src);
                    }
                }
                Matrix::new(cat, WIDTH, 3 * op)
            })
            .collect();
        let lin_w = a.tensor("linear.W", &[HIDDEN, WIDTH])?;
        let upper_w = a.tensor("upper.W", &[n_classes, HIDDEN])?;
        let upper_b = a.tensor("upper.b", &[n_classes])?;
        let n_padded = n_classes.div_ceil(16) * 16;
        let mut upper_wt = vec![0f32; HIDDEN * n_padded];
        for c in 0..n_classes {
            for h in 0..HIDDEN {
                upper_wt[h * n_padded + c] = upper_w[c * HIDDEN + h];
            }
        }
        let upper_wt = Matrix::new(upper_wt, HIDDEN, n_padded);
        let mut upper_bp = vec![0f32; n_padded];
        upper_bp[..n_classes].copy_from_slice(&upper_b);
        let lower_w = a.tensor("lower.W", &[NF, HIDDEN, NP, HIDDEN])?;
        Ok(Network {
            simd: super::gemm::simd_level(),
            embed,
            mix: MaxoutLn::load(a, 0, WIDTH * 4)?,
            enc,
            enc_cat,
            enc_cat_bf16: None,
            lin_wt: Matrix::new(transpose(&lin_w, HIDDEN, WIDTH), WIDTH, HIDDEN),
            lin_b: a.tensor("linear.b", &[HIDDEN])?,
            lower_wt: Matrix::new(transpose(&lower_w, NF * HIDDEN * NP, HIDDEN), HIDDEN, NF * HIDDEN * NP),
            lower_b: a.tensor("lower.b", &[HIDDEN, NP])?,
            lower_pad: a.tensor("lower.pad", &[1, NF, HIDDEN, NP])?,
            upper_w,
            upper_b,
            upper_wt,
            upper_bp,
            n_padded,
            n_classes,
        })
    }

    /// Sum the 4 HashEmbed rows for each feature column: one 4*WIDTH row.
    #[inline(always)]
    pub fn embed_concat(&self, ids: &[u64; 4], dst: &mut [f32]) {
        dst[..WIDTH * 4].fill(0.0);
        for (c, (table, rows, seed)) in self.embed.iter().enumerate() {
            let keys = super::hash::hash_uint64_x4(ids[c], *seed);
            let d = &mut dst[c * WIDTH..(c + 1) * WIDTH];
            for k in keys {
                let row = (k as usize) % rows;
                let src = &table[row * WIDTH..(row + 1) * WIDTH];
                for j in 0..WIDTH {
                    d[j] += src[j];
                }
            }
        }
    }

    /// Per-word part of the network: mixing-layer output (WIDTH) followed by
    /// the first encoder layer's [left|centre|right] projections (3*WIDTH*PIECES).
    pub const WORD_ROW: usize = WIDTH + 3 * WIDTH * PIECES;

    /// Compute [`Self::WORD_ROW`] floats for each word (feature ids) into `out`.
    pub fn word_rows(&self, word_ids: &[[u64; 4]], out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if self.simd != Simd::Portable {
            // SAFETY: a non-portable Simd level is only selected after run-time
            // detection of AVX2 and FMA.
            return unsafe { self.word_rows_avx2(word_ids, out) };
        }
        self.word_rows_impl(word_ids, out)
    }

    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn word_rows_avx2(&self, word_ids: &[[u64; 4]], out: &mut [f32]) {
        self.word_rows_impl(word_ids, out)
    }

    #[inline(always)]
    fn word_rows_impl(&self, word_ids: &[[u64; 4]], out: &mut [f32]) {
        let simd = self.simd;
        let nu = word_ids.len();
        let op = WIDTH * PIECES;
        let mut cat = vec![0f32; nu * WIDTH * 4];
        for (u, ids) in word_ids.iter().enumerate() {
            self.embed_concat(ids, &mut cat[u * WIDTH * 4..(u + 1) * WIDTH * 4]);
        }
        let mut xu = vec![0f32; nu * WIDTH];
        let mut scratch = Vec::new();
        self.mix.forward(simd, &cat, nu, &mut xu, &mut scratch);
        let zero_b = vec![0f32; 3 * op];
        let mut zu = vec![0f32; nu * 3 * op];
        gemm(simd, &xu, nu, &self.enc_cat[0], &zero_b, &mut zu);
        for u in 0..nu {
            let dst = &mut out[u * Self::WORD_ROW..(u + 1) * Self::WORD_ROW];
            dst[..WIDTH].copy_from_slice(&xu[u * WIDTH..(u + 1) * WIDTH]);
            dst[WIDTH..].copy_from_slice(&zu[u * 3 * op..(u + 1) * 3 * op]);
        }
    }

    /// Token vectors (n x HIDDEN) for a document whose tokens are given as
    /// references to per-word rows (see [`Self::word_rows`]).
    ///
    /// Each encoder layer computes, per padded row r,
    /// `b + L(x[r-1]) + C(x[r]) + R(x[r+1])` where L/C/R are the three window
    /// blocks of the Maxout weights (zero rows outside the padded sequence),
    /// then maxout, LayerNorm and the residual sum. The first layer's L/C/R
    /// projections come from the per-word rows; later layers are computed in
    /// blocks of rows so the projections stay in cache.
    pub fn tok2vec_rows(&self, rows: &[&[f32]]) -> Vec<f32> {
        #[cfg(target_arch = "x86_64")]
        if self.simd != Simd::Portable {
            // SAFETY: a non-portable Simd level is only selected after run-time
            // detection of AVX2 and FMA.
            return unsafe { self.tok2vec_rows_avx2(rows) };
        }
        self.tok2vec_rows_impl(rows)
    }

    /// [`Self::tok2vec_rows_impl`] compiled with AVX2 enabled (same
    /// arithmetic, wider auto-vectorisation; no FMA contraction in Rust).
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tok2vec_rows_avx2(&self, rows: &[&[f32]]) -> Vec<f32> {
        self.tok2vec_rows_impl(rows)
    }

    #[inline(always)]
    fn tok2vec_rows_impl(&self, rows: &[&[f32]]) -> Vec<f32> {
        const BLOCK: usize = 48;
        let simd = self.simd;
        let n = rows.len();
        let op = WIDTH * PIECES;
        let zop = 3 * op;
        let total = n + 2 * PAD;
        let mut x = vec![0f32; total * WIDTH];
        for (t, row) in rows.iter().enumerate() {
            x[(PAD + t) * WIDTH..(PAD + t + 1) * WIDTH].copy_from_slice(&row[..WIDTH]);
        }
        let mut y = vec![0f32; WIDTH];
        let mut pre = vec![0f32; op];
        // layer 1 from per-word projections
        {
            let layer = &self.enc[0];
            let zrow = |r: usize| -> Option<&[f32]> {
                if r >= PAD && r < PAD + n { Some(&rows[r - PAD][WIDTH..WIDTH + zop]) } else { None }
            };
            // layer l (1-based) only needs rows [l, total - l): rows further out
            // are never read by the following layers.
            for r in 1..total - 1 {
                pre.copy_from_slice(&layer.b);
                if let Some(z) = zrow(r - 1) {
                    add_into(&mut pre, &z[..op]);
                }
                if let Some(z) = zrow(r) {
                    add_into(&mut pre, &z[op..2 * op]);
                }
                if let Some(z) = zrow(r + 1) {
                    add_into(&mut pre, &z[2 * op..]);
                }
                maxout_ln_row(&pre, &mut y, &layer.g, &layer.beta);
                add_into(&mut x[r * WIDTH..(r + 1) * WIDTH], &y);
            }
        }
        let zero_b = vec![0f32; zop];
        // zb row j holds the projections of padded row r0 - 1 + j, computed
        // from the layer's input (before the rows of the block are updated).
        // Each row is projected once: the last two rows of a block (r1 - 1,
        // r1) are carried over as rows 0 and 1 of the next block.
        // (a block projects at most BLOCK rows, after the 2 carried ones, and never more than
        // the padded sequence has: a short document does not clear a full block's buffer)
        let mut zb = vec![0f32; (BLOCK.min(total) + 2) * zop];
        for li in 1..self.enc.len() {
            let layer = &self.enc[li];
            let (lo, hi) = (li + 1, total - (li + 1));
            let mut r0 = lo;
            let mut first = true;
            while r0 < hi {
                // rows r0..r1 are updated; rows r0-1..=r1 are needed
                let (r1, have) = if first { ((r0 + BLOCK - 2).min(hi), 0) } else { ((r0 + BLOCK).min(hi), 2) };
                let g0 = r0 - 1 + have;
                let rend = r1 + 1;
                let xs = &x[g0 * WIDTH..rend * WIDTH];
                match &self.enc_cat_bf16 {
                    Some(p) => gemm_bf16(xs, rend - g0, WIDTH, &p[li], zop, &zero_b, &mut zb[have * zop..]),
                    None => gemm(simd, xs, rend - g0, &self.enc_cat[li], &zero_b, &mut zb[have * zop..]),
                }
                for r in r0..r1 {
                    let i = r + 1 - r0;
                    let zl = &zb[(i - 1) * zop..(i - 1) * zop + op];
                    let zc = &zb[i * zop + op..i * zop + 2 * op];
                    let zr = &zb[(i + 1) * zop + 2 * op..(i + 2) * zop];
                    for ((((p, &b), &l), &c), &rr) in pre.iter_mut().zip(&layer.b).zip(zl).zip(zc).zip(zr) {
                        *p = b + l + c + rr;
                    }
                    maxout_ln_row(&pre, &mut y, &layer.g, &layer.beta);
                    add_into(&mut x[r * WIDTH..(r + 1) * WIDTH], &y);
                }
                // carry rows r1 - 1 and r1 (zb rows r1 - r0 and r1 - r0 + 1)
                let j = r1 - r0;
                zb.copy_within(j * zop..(j + 2) * zop, 0);
                r0 = r1;
                first = false;
            }
        }
        let mut out = vec![0f32; n * HIDDEN];
        gemm(simd, &x[PAD * WIDTH..(PAD + n) * WIDTH], n, &self.lin_wt, &self.lin_b, &mut out);
        out
    }

    /// Token vectors for a document given distinct words' feature ids and
    /// the per-token word index (no caching).
    pub fn tok2vec(&self, word_ids: &[[u64; 4]], tok_word: &[usize]) -> Vec<f32> {
        let mut rows = vec![0f32; word_ids.len() * Self::WORD_ROW];
        self.word_rows(word_ids, &mut rows);
        let refs: Vec<&[f32]> = tok_word.iter().map(|&u| &rows[u * Self::WORD_ROW..(u + 1) * Self::WORD_ROW]).collect();
        self.tok2vec_rows(&refs)
    }

    /// Action scores for `n` hidden vectors (n x HIDDEN) -> n x n_padded.
    pub fn scores(&self, hidden: &[f32], n: usize, out: &mut [f32]) {
        gemm(self.simd, hidden, n, &self.upper_wt, &self.upper_bp, out);
    }

    /// Precompute lower-layer slot vectors: n x NF x (HIDDEN*NP).
    pub fn precompute(&self, t: &[f32], n: usize) -> Vec<f32> {
        let o = NF * HIDDEN * NP;
        let mut out = vec![0f32; n * o];
        let zero = vec![0f32; o];
        gemm(self.simd, t, n, &self.lower_wt, &zero, &mut out);
        out
    }
}
