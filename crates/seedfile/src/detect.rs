//! Which format a file is, from its first bytes: JSON starts with `[` or
//! `{`, PSKC is XML with a `KeyContainer`, and a CSV is known by its
//! header (Token2's when it has a hash column or no `upn`).

use crate::Format;
use crate::csv_formats::{HASH, INTERVAL, SECRET, SERIAL, UPN, position};

/// The format of plain (decrypted) `bytes`, if it is one OathDesk reads.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    match text[start] {
        b'[' | b'{' => Some(Format::Token2Json),
        b'<' if contains(&text[start..], b"KeyContainer") => Some(Format::Pskc),
        b'<' => None,
        _ => csv_format(&text[start..]),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A CSV whose header names a serial, a secret and an interval.
fn csv_format(text: &[u8]) -> Option<Format> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let h = reader.headers().ok()?;
    [SERIAL, SECRET, INTERVAL]
        .iter()
        .all(|n| position(h, n).is_some())
        .then(|| {
            if position(h, HASH).is_some() || position(h, UPN).is_none() {
                Format::Token2Csv
            } else {
                Format::EntraCsv
            }
        })
}
