//! Hash functions reproducing spaCy's string ids and thinc's `HashEmbed` keys.
//!
//! * [`hash_string`]: MurmurHash64A (seed 1) over UTF-8 bytes, as used by
//!   `spacy.strings.hash_string` for every string id.
//! * [`hash_uint64_x4`]: thinc's `MurmurHash3_x86_128_uint64` (which is, despite
//!   its name, the x64 128-bit finaliser applied to one 8-byte key), giving four
//!   u32 keys per id.

/// MurmurHash64A of `data` with `seed` (Austin Appleby's reference algorithm).
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let len = data.len();
    let mut h: u64 = seed ^ (len as u64).wrapping_mul(M);
    let nblocks = len / 8;
    for i in 0..nblocks {
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[i * 8..i * 8 + 8]);
        let mut k = u64::from_le_bytes(b);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = &data[nblocks * 8..];
    let rem = len & 7;
    if rem > 0 {
        for i in (0..rem).rev() {
            h ^= (tail[i] as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// spaCy's `hash_string`: MurmurHash64A with seed 1 over the UTF-8 bytes.
pub fn hash_string(s: &str) -> u64 {
    murmur64a(s.as_bytes(), 1)
}

/// thinc's `MurmurHash3_x86_128_uint64(val, seed)`: four 32-bit keys.
pub fn hash_uint64_x4(val: u64, seed: u32) -> [u32; 4] {
    let mut h1: u64 = val;
    h1 = h1.wrapping_mul(0x87c3_7b91_1142_53d5);
    h1 = h1.rotate_left(31);
    h1 = h1.wrapping_mul(0x4cf5_ad43_2745_937f);
    h1 ^= seed as u64;
    h1 ^= 8;
    let mut h2: u64 = seed as u64;
    h2 ^= 8;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    [h1 as u32, (h1 >> 32) as u32, h2 as u32, (h2 >> 32) as u32]
}

#[inline]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn spacy_vectors() {
        assert_eq!(hash_string("hello"), 5983625672228268878);
    }
}
