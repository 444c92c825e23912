//! Serialising places as NDJSON or CSV.
//!
//! Lines are formatted by hand into one reusable buffer: the benchmark
//! generates a million places on the fly, and going through `serde_json`
//! values or `write!` per field would cost allocations and formatting
//! machinery per place. The buffer is handed to the writer in large chunks so
//! an unbuffered `File` or a line-buffered stdout is as fast as a `BufWriter`.

use std::io::{self, Write};

use crate::Format;

// The import format's fields, in the order every line carries them: the
// importer's own list, so the two cannot drift apart.
use mdm_address_register::line_format::FIELDS;

/// Flush to the writer once this much is buffered.
const CHUNK: usize = 64 * 1024;

/// An `objektidentitet`: fixed text for anchors, 128 bits for generated places.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Id<'a> {
    Text(&'a str),
    Bits(u64, u64),
}

/// One address place, borrowed from the generator's state.
#[derive(Debug)]
pub(crate) struct Place<'a> {
    pub(crate) id: Id<'a>,
    pub(crate) street: &'a str,
    pub(crate) number: Option<u32>,
    /// An ASCII capital letter.
    pub(crate) letter: Option<u8>,
    /// "NNN NN".
    pub(crate) postal_code: &'a str,
    pub(crate) post_town: &'a str,
    pub(crate) municipality_code: &'a str,
    pub(crate) municipality: &'a str,
    pub(crate) reserved: bool,
    /// (northing, easting) in decimetres, so one decimal prints exactly.
    pub(crate) position: Option<(u64, u64)>,
}

pub(crate) struct Sink<'w, W: Write> {
    out: &'w mut W,
    buf: Vec<u8>,
    format: Format,
}

impl<'w, W: Write> Sink<'w, W> {
    pub(crate) fn new(out: &'w mut W, format: Format) -> Self {
        let mut buf = Vec::with_capacity(CHUNK + 1024);
        if format == Format::Csv {
            buf.extend_from_slice(FIELDS.join(",").as_bytes());
            buf.push(b'\n');
        }
        Self { out, buf, format }
    }

    pub(crate) fn place(&mut self, place: &Place<'_>) -> io::Result<()> {
        match self.format {
            Format::Ndjson => json_line(&mut self.buf, place),
            Format::Csv => csv_line(&mut self.buf, place),
        }
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }
}

fn status(place: &Place<'_>) -> &'static str {
    if place.reserved {
        "reserverad"
    } else {
        "gällande"
    }
}

fn json_line(buf: &mut Vec<u8>, p: &Place<'_>) {
    buf.extend_from_slice(b"{\"objektidentitet\":\"");
    push_id(buf, p.id);
    buf.extend_from_slice(b"\",\"objektversion\":1,\"adressomrade\":");
    push_json_str(buf, p.street);
    if let Some(n) = p.number {
        buf.extend_from_slice(b",\"adressplatsnummer\":\"");
        push_u64(buf, u64::from(n));
        buf.push(b'"');
    }
    if let Some(letter) = p.letter {
        buf.extend_from_slice(b",\"bokstavstillagg\":\"");
        buf.push(letter);
        buf.push(b'"');
    }
    buf.extend_from_slice(b",\"postnummer\":");
    push_json_str(buf, p.postal_code);
    buf.extend_from_slice(b",\"postort\":");
    push_json_str(buf, p.post_town);
    buf.extend_from_slice(b",\"kommunkod\":");
    push_json_str(buf, p.municipality_code);
    buf.extend_from_slice(b",\"kommunnamn\":");
    push_json_str(buf, p.municipality);
    buf.extend_from_slice(b",\"status\":");
    push_json_str(buf, status(p));
    if let Some((north, east)) = p.position {
        buf.extend_from_slice(b",\"nordkoordinat\":");
        push_decimetres(buf, north);
        buf.extend_from_slice(b",\"ostkoordinat\":");
        push_decimetres(buf, east);
    }
    buf.extend_from_slice(b"}\n");
}

fn csv_line(buf: &mut Vec<u8>, p: &Place<'_>) {
    push_id(buf, p.id);
    buf.extend_from_slice(b",1,");
    push_csv_field(buf, p.street);
    buf.push(b',');
    if let Some(n) = p.number {
        push_u64(buf, u64::from(n));
    }
    buf.push(b',');
    if let Some(letter) = p.letter {
        buf.push(letter);
    }
    for field in [
        p.postal_code,
        p.post_town,
        p.municipality_code,
        p.municipality,
        status(p),
    ] {
        buf.push(b',');
        push_csv_field(buf, field);
    }
    buf.push(b',');
    if let Some((north, _)) = p.position {
        push_decimetres(buf, north);
    }
    buf.push(b',');
    if let Some((_, east)) = p.position {
        push_decimetres(buf, east);
    }
    buf.push(b'\n');
}

fn push_id(buf: &mut Vec<u8>, id: Id<'_>) {
    match id {
        Id::Text(text) => buf.extend_from_slice(text.as_bytes()),
        Id::Bits(hi, lo) => push_uuid(buf, hi, lo),
    }
}

/// 8-4-4-4-12 lower-case hex.
fn push_uuid(buf: &mut Vec<u8>, hi: u64, lo: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bits = (u128::from(hi) << 64) | u128::from(lo);
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            buf.push(b'-');
        }
        let nibble = (bits >> (124 - 4 * i)) & 0xf;
        buf.push(HEX[nibble as usize]);
    }
}

pub(crate) fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Decimetres as metres with exactly one decimal: 65812345 -> "6581234.5".
fn push_decimetres(buf: &mut Vec<u8>, dm: u64) {
    push_u64(buf, dm / 10);
    buf.push(b'.');
    buf.push(b'0' + (dm % 10) as u8);
}

/// A JSON string literal. Names are plain text, but escaping keeps the output
/// valid JSON whatever a data table might one day contain.
fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        buf.extend_from_slice(s.as_bytes());
    } else {
        for b in s.bytes() {
            match b {
                b'"' => buf.extend_from_slice(b"\\\""),
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                0..0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    buf.extend_from_slice(b"\\u00");
                    buf.push(HEX[usize::from(b >> 4)]);
                    buf.push(HEX[usize::from(b & 0xf)]);
                }
                _ => buf.push(b),
            }
        }
    }
    buf.push(b'"');
}

/// An RFC 4180 field: quoted, with quotes doubled, only when it holds a
/// comma, quote or line break.
pub(crate) fn push_csv_field(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Place<'static> {
        Place {
            id: Id::Bits(0x6f1c_0e3a_3b7e_4c55, 0x9d0e_2a4b_1c9e_7f10),
            street: "Sveavägen",
            number: Some(44),
            letter: Some(b'B'),
            postal_code: "111 34",
            post_town: "Stockholm",
            municipality_code: "0180",
            municipality: "Stockholm",
            reserved: false,
            position: Some((65_812_340, 6_741_230)),
        }
    }

    #[test]
    fn json_line_matches_the_import_format() {
        let mut buf = Vec::new();
        json_line(&mut buf, &sample());
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "{\"objektidentitet\":\"6f1c0e3a-3b7e-4c55-9d0e-2a4b1c9e7f10\",\"objektversion\":1,\
             \"adressomrade\":\"Sveavägen\",\"adressplatsnummer\":\"44\",\"bokstavstillagg\":\"B\",\
             \"postnummer\":\"111 34\",\"postort\":\"Stockholm\",\"kommunkod\":\"0180\",\
             \"kommunnamn\":\"Stockholm\",\"status\":\"gällande\",\"nordkoordinat\":6581234.0,\
             \"ostkoordinat\":674123.0}\n"
        );
    }

    #[test]
    fn absent_values_are_omitted_in_json_and_empty_in_csv() {
        let place = Place {
            number: None,
            letter: None,
            position: None,
            reserved: true,
            ..sample()
        };
        let mut json = Vec::new();
        json_line(&mut json, &place);
        let json = String::from_utf8(json).unwrap();
        assert!(!json.contains("adressplatsnummer") && !json.contains("bokstavstillagg"));
        assert!(!json.contains("koordinat") && json.contains("\"reserverad\""));
        let mut csv = Vec::new();
        csv_line(&mut csv, &place);
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "6f1c0e3a-3b7e-4c55-9d0e-2a4b1c9e7f10,1,Sveavägen,,,111 34,Stockholm,0180,\
             Stockholm,reserverad,,\n"
        );
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        let field = |s: &str| {
            let mut buf = Vec::new();
            push_csv_field(&mut buf, s);
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(field("Sankt Eriksgatan"), "Sankt Eriksgatan");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hej\""), "\"say \"\"hej\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(""), "");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut buf = Vec::new();
        push_json_str(&mut buf, "a\"b\\c\nd\u{1}");
        assert_eq!(buf, b"\"a\\\"b\\\\c\\nd\\u0001\"");
        let parsed: String = serde_json::from_slice(&buf).unwrap();
        assert_eq!(parsed, "a\"b\\c\nd\u{1}");
    }

    #[test]
    fn numbers() {
        let mut buf = Vec::new();
        push_u64(&mut buf, 0);
        buf.push(b' ');
        push_u64(&mut buf, u64::MAX);
        buf.push(b' ');
        push_decimetres(&mut buf, 65_812_345);
        assert_eq!(buf, b"0 18446744073709551615 6581234.5");
    }
}
