//! Loader for `assets/ner/ner_model.bin`: `b"DSNER001"`, u32le header length,
//! JSON header, padding to 4 bytes, then a little-endian f32 blob.

use std::collections::HashMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct TensorMeta {
    pub offset: usize,
    pub shape: Vec<usize>,
}

#[derive(Debug, Deserialize)]
pub struct SpecialJson {
    pub key: String,
    pub tokens: Vec<(String, Option<String>)>,
    pub pattern: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct TokenizerJson {
    pub prefix_search: String,
    pub suffix_search: String,
    pub infix_finditer: String,
    pub url_match: String,
    pub specials: Vec<SpecialJson>,
}

#[derive(Debug, Deserialize)]
pub struct UnicodeJson {
    pub isspace: Vec<(u32, u32)>,
    pub isalpha: Vec<(u32, u32)>,
    pub isupper: Vec<(u32, u32)>,
    pub isdigit: Vec<(u32, u32)>,
    pub isdecimal: Vec<(u32, u32)>,
    pub isalnum: Vec<(u32, u32)>,
    pub lower: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct Header {
    pub format: String,
    pub tensors: HashMap<String, TensorMeta>,
    pub seeds: Vec<u32>,
    pub moves: Vec<String>,
    pub unseen_classes: Vec<usize>,
    pub norm_table: HashMap<String, String>,
    pub base_norms: HashMap<String, String>,
    pub symbols: HashMap<String, u64>,
    pub tokenizer: TokenizerJson,
    pub unicode: UnicodeJson,
}

/// Parsed asset: header plus the f32 data.
pub struct Asset {
    pub header: Header,
    pub data: Vec<f32>,
}

impl Asset {
    pub fn parse(bytes: &[u8]) -> Result<Asset, String> {
        if bytes.len() < 12 || &bytes[..8] != b"DSNER001" {
            return Err("not a Dossier NER asset (bad magic)".into());
        }
        let hlen = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        let hend = 12usize.checked_add(hlen).ok_or("bad header length")?;
        if hend > bytes.len() {
            return Err("truncated header".into());
        }
        let header: Header = serde_json::from_slice(&bytes[12..hend]).map_err(|e| format!("header json: {e}"))?;
        if header.format != "dossier-ner-v1" {
            return Err(format!("unsupported asset format {}", header.format));
        }
        let dstart = hend.div_ceil(4) * 4;
        if dstart > bytes.len() || (bytes.len() - dstart) & 3 != 0 {
            return Err("bad data section".into());
        }
        let data: Vec<f32> =
            bytes[dstart..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        Ok(Asset { header, data })
    }

    /// Copy a tensor out, checking its shape.
    pub fn tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let m = self.header.tensors.get(name).ok_or_else(|| format!("missing tensor {name}"))?;
        if m.shape != shape {
            return Err(format!("tensor {name}: shape {:?}, expected {:?}", m.shape, shape));
        }
        let n: usize = shape.iter().product();
        let end = m.offset.checked_add(n).ok_or("overflow")?;
        if end > self.data.len() {
            return Err(format!("tensor {name} out of bounds"));
        }
        Ok(self.data[m.offset..end].to_vec())
    }
}
