//! Tables (`.csv`, `.tsv`): each row becomes a line of `column: value` pairs, so a row reads
//! as text and its words are found with their column names.

use super::{Extracted, LoadError, Loader, decode_text, reject_binary};
use crate::model::DocFormat;

/// Comma- or tab-separated values, with a header row.
pub struct CsvLoader;

impl Loader for CsvLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["csv", "tsv"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Csv
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        reject_binary(bytes)?;
        let text = decode_text(bytes);
        let first = text.lines().next().unwrap_or_default();
        let delimiter =
            [b'\t', b';', b','].into_iter().max_by_key(|d| first.matches(char::from(*d)).count()).unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
        let headers: Vec<String> =
            reader.headers().map(|h| h.iter().map(|s| s.trim().to_owned()).collect()).unwrap_or_default();
        let mut out = String::new();
        let mut cut = false;
        let limit = super::output_limit();
        for record in reader.records() {
            let Ok(record) = record else { continue };
            let cells: Vec<String> = record
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(i, v)| match headers.get(i).filter(|h| !h.is_empty()) {
                    Some(h) => format!("{h}: {}", v.trim()),
                    None => v.trim().to_owned(),
                })
                .collect();
            if !cells.is_empty() {
                // Each cell repeats its column's name: long names make the text outgrow the file.
                let line = cells.join(" · ");
                if out.len() + line.len() + 1 > limit {
                    cut = true;
                    break;
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
        if out.is_empty() && !headers.is_empty() {
            out = headers.join(" · ");
        }
        let meta = crate::model::DocMeta { truncated: cut, ..Default::default() };
        Ok(Extracted { title: None, text: out.trim_end().to_owned(), meta, ..Extracted::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_as_column_value_pairs() {
        let got = CsvLoader.extract(b"name,city,amount\nHelen Ward,Northport,\"1,200\"\nTom Becker,,50\n").unwrap();
        assert_eq!(got.text, "name: Helen Ward · city: Northport · amount: 1,200\nname: Tom Becker · amount: 50");
    }

    #[test]
    fn long_column_names_repeated_in_every_row_are_cut_at_the_output_limit() {
        // Five 200 KB column names and 20,000 short rows: 1.2 MB that would expand to 20 GB.
        let header = (0..5).map(|i| format!("{i}{}", "x".repeat(200_000))).collect::<Vec<_>>().join(",");
        let csv = format!(
            "{header}
{}",
            "1,2,3,4,5
"
            .repeat(20_000)
        );
        let got = super::super::with_output_limit(8 << 20, || CsvLoader.extract(csv.as_bytes())).unwrap();
        assert!(got.meta.truncated);
        assert!(got.text.len() <= 8 << 20 && got.text.len() > 7 << 20, "{}", got.text.len());
        let small = CsvLoader
            .extract(
                b"a,b
1,2
",
            )
            .unwrap();
        assert!(!small.meta.truncated);
    }

    #[test]
    fn tabs_semicolons_and_ragged_rows() {
        let got = CsvLoader.extract(b"a\tb\n1\t2\t3\n").unwrap();
        assert_eq!(got.text, "a: 1 · b: 2 · 3");
        let got = CsvLoader.extract(b"x;y\n\xe9t\xe9;5\n").unwrap();
        assert_eq!(got.text, "x: \u{e9}t\u{e9} · y: 5");
    }
}
