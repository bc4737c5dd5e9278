//! Loader for `assets/ner/ner_model.bin`: `b"DSNER001"`, u32le header length,
//! JSON header, padding to 4 bytes, then a little-endian f32 blob.

use std::collections::HashMap;

use serde::Deserialize;

use crate::ModelError;

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
    pub fn parse(bytes: &[u8]) -> Result<Asset, ModelError> {
        if bytes.len() < 12 || &bytes[..8] != b"DSNER001" {
            return Err(ModelError::BadMagic);
        }
        let hlen = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        let hend = 12usize.checked_add(hlen).ok_or(ModelError::Damaged("bad header length"))?;
        if hend > bytes.len() {
            return Err(ModelError::Damaged("truncated header"));
        }
        let header: Header = serde_json::from_slice(&bytes[12..hend])?;
        if header.format != "dossier-ner-v1" {
            return Err(ModelError::Format(header.format));
        }
        let dstart = hend.div_ceil(4) * 4;
        if dstart > bytes.len() || (bytes.len() - dstart) & 3 != 0 {
            return Err(ModelError::Damaged("bad data section"));
        }
        let data: Vec<f32> =
            bytes[dstart..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        Ok(Asset { header, data })
    }

    /// Copy a tensor out, checking its shape.
    pub fn tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ModelError> {
        let m = self.header.tensors.get(name).ok_or_else(|| ModelError::MissingTensor(name.to_owned()))?;
        if m.shape != shape {
            return Err(ModelError::Shape { name: name.to_owned(), got: m.shape.clone(), expected: shape.to_vec() });
        }
        let n: usize = shape.iter().product();
        let end = m.offset.checked_add(n).ok_or_else(|| ModelError::OutOfBounds(name.to_owned()))?;
        if end > self.data.len() {
            return Err(ModelError::OutOfBounds(name.to_owned()));
        }
        Ok(self.data[m.offset..end].to_vec())
    }
}
