//! The import line format: one address place per line, with Lantmäteriet's
//! field names written in ASCII.
//!
//! | field               | required | meaning                                          |
//! |---------------------|----------|--------------------------------------------------|
//! | `objektidentitet`   | yes      | the place's UUID                                 |
//! | `objektversion`     | yes      | its version, a whole number ≥ 1                  |
//! | `adressomrade`      | yes      | street or area name (adressområde)               |
//! | `adressplatsnummer` | no       | number, 1–5 digits                               |
//! | `bokstavstillagg`   | no       | letter, 1–2 letters                              |
//! | `postnummer`        | yes      | postal code, `NNN NN` or `NNNNN`                 |
//! | `postort`           | yes      | post town                                        |
//! | `kommunkod`         | yes      | municipality code, 4 digits                      |
//! | `kommunnamn`        | yes      | municipality name                                |
//! | `status`            | yes      | `gällande`, `reserverad` or `avregistrerad` (or `current`, `reserved`, `withdrawn`) |
//! | `nordkoordinat`     | no       | SWEREF 99 TM northing, metres                    |
//! | `ostkoordinat`      | no       | SWEREF 99 TM easting, metres (both or neither)   |
//!
//! NDJSON (`application/x-ndjson`): one JSON object per line; an unknown
//! field is an error, so a misspelt `bokstavstilagg` cannot silently drop
//! letters. CSV (`text/csv`): a header row naming the columns (any order,
//! the same names, unknown ones refused), comma-separated, RFC 4180 quoting.
//! Blank lines are skipped. Line numbers in errors are 1-based lines of the
//! body (for CSV the header is line 1).

use mdm_types::{Address, AddressPlace, PlaceStatus};
use serde::Deserialize;

/// The two encodings of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    /// The format of a request's media type (parameters ignored).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
                Some(Self::Ndjson)
            }
            "text/csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// One place read from a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub line: u32,
    pub place: AddressPlace,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u32,
    pub message: String,
}

/// A whole body that cannot be read line by line (a bad CSV header).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BodyError(pub String);

pub const FIELDS: [&str; 12] = [
    "objektidentitet",
    "objektversion",
    "adressomrade",
    "adressplatsnummer",
    "bokstavstillagg",
    "postnummer",
    "postort",
    "kommunkod",
    "kommunnamn",
    "status",
    "nordkoordinat",
    "ostkoordinat",
];

const REQUIRED: [&str; 8] = [
    "objektidentitet",
    "objektversion",
    "adressomrade",
    "postnummer",
    "postort",
    "kommunkod",
    "kommunnamn",
    "status",
];

/// Numbers may come as JSON strings or numbers: exports differ.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    Str(String),
    Num(u64),
}

impl Text {
    fn into_string(self) -> String {
        match self {
            Self::Str(s) => s,
            Self::Num(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceLine {
    objektidentitet: String,
    objektversion: Text,
    adressomrade: String,
    #[serde(default)]
    adressplatsnummer: Option<Text>,
    #[serde(default)]
    bokstavstillagg: Option<String>,
    postnummer: Text,
    postort: String,
    kommunkod: Text,
    kommunnamn: String,
    status: String,
    #[serde(default)]
    nordkoordinat: Option<f64>,
    #[serde(default)]
    ostkoordinat: Option<f64>,
}

/// Reads every line of `body`.
pub fn parse(body: &[u8], format: Format) -> Result<Vec<Result<Incoming, LineError>>, BodyError> {
    match format {
        Format::Ndjson => Ok(parse_ndjson(body)),
        Format::Csv => parse_csv(body),
    }
}

/// Reads one address place given as a JSON object in the line format (as
/// the online source answers).
pub fn parse_place(json: &[u8]) -> Result<AddressPlace, String> {
    let raw: PlaceLine =
        serde_json::from_slice(json).map_err(|e| format!("not a valid address place: {e}"))?;
    to_place(raw)
}

fn parse_ndjson(body: &[u8]) -> Vec<Result<Incoming, LineError>> {
    body.split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.trim_ascii().is_empty())
        .map(|(i, line)| {
            let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let error = |message: String| LineError {
                line: line_no,
                message,
            };
            let raw: PlaceLine = serde_json::from_slice(line)
                .map_err(|e| error(format!("not a valid address-place line: {e}")))?;
            to_place(raw)
                .map(|place| Incoming {
                    line: line_no,
                    place,
                })
                .map_err(error)
        })
        .collect()
}

fn parse_csv(body: &[u8]) -> Result<Vec<Result<Incoming, LineError>>, BodyError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| BodyError(format!("the CSV header row cannot be read: {e}")))?
        .clone();
    for name in &headers {
        if !FIELDS.contains(&name) {
            return Err(BodyError(format!(
                "the CSV header names an unknown column {name:?}; the columns are {}",
                FIELDS.join(", ")
            )));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|f| !headers.iter().any(|h| h == **f)) {
        return Err(BodyError(format!(
            "the CSV header lacks the required column {missing:?}"
        )));
    }
    let mut lines = Vec::new();
    for record in reader.records() {
        let result = match record {
            Err(e) => {
                let line = e.position().map(|p| line_at(body, p)).unwrap_or(0);
                Err(LineError {
                    line,
                    message: format!("not a valid CSV line: {e}"),
                })
            }
            Ok(record) => {
                let line = record.position().map(|p| line_at(body, p)).unwrap_or(0);
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                csv_place(&headers, &record)
                    .map(|place| Incoming { line, place })
                    .map_err(|message| LineError { line, message })
            }
        };
        lines.push(result);
    }
    Ok(lines)
}

/// The 1-based line of the body a CSV record starts on (the reader's own
/// line count skips blank lines).
fn line_at(body: &[u8], position: &csv::Position) -> u32 {
    let mut offset = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(body.len());
    // A record's position may point at blank lines the reader skipped.
    while offset < body.len() && matches!(body[offset], b'\n' | b'\r') {
        offset += 1;
    }
    let newlines = body[..offset].iter().filter(|b| **b == b'\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

fn csv_place(
    headers: &csv::StringRecord,
    record: &csv::StringRecord,
) -> Result<AddressPlace, String> {
    let field = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let required = |name: &str| {
        field(name)
            .map(str::to_string)
            .ok_or_else(|| format!("{name} is empty"))
    };
    let coordinate = |name: &str| {
        field(name)
            .map(|v| {
                v.parse::<f64>()
                    .map_err(|_| format!("{name} {v:?} is not a number of metres"))
            })
            .transpose()
    };
    to_place(PlaceLine {
        objektidentitet: required("objektidentitet")?,
        objektversion: Text::Str(required("objektversion")?),
        adressomrade: required("adressomrade")?,
        adressplatsnummer: field("adressplatsnummer").map(|v| Text::Str(v.to_string())),
        bokstavstillagg: field("bokstavstillagg").map(str::to_string),
        postnummer: Text::Str(required("postnummer")?),
        postort: required("postort")?,
        kommunkod: Text::Str(required("kommunkod")?),
        kommunnamn: required("kommunnamn")?,
        status: required("status")?,
        nordkoordinat: coordinate("nordkoordinat")?,
        ostkoordinat: coordinate("ostkoordinat")?,
    })
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lantmäteriet's `objektidentitet` is a UUID: 8-4-4-4-12 hex digits.
pub fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn to_place(raw: PlaceLine) -> Result<AddressPlace, String> {
    let id = raw.objektidentitet.trim().to_ascii_lowercase();
    if !is_uuid(&id) {
        return Err(format!(
            "objektidentitet {:?} is not a UUID",
            raw.objektidentitet
        ));
    }
    let version_text = raw.objektversion.into_string();
    let register_version = version_text
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| format!("objektversion {version_text:?} is not a whole number ≥ 1"))?;
    let street = collapse(&raw.adressomrade);
    if street.is_empty() || street.chars().count() > 100 {
        return Err("adressomrade must be 1 to 100 characters".into());
    }
    let number = match raw.adressplatsnummer.map(Text::into_string) {
        None => None,
        Some(n) if n.trim().is_empty() => None,
        Some(n) => {
            let digits = n.trim();
            if digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("adressplatsnummer {n:?} is not 1 to 5 digits"));
            }
            let trimmed = digits.trim_start_matches('0');
            if trimmed.is_empty() {
                return Err(format!("adressplatsnummer {n:?} is zero"));
            }
            Some(trimmed.to_string())
        }
    };
    let letter = match raw.bokstavstillagg.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) if (1..=2).contains(&l.chars().count()) && l.chars().all(char::is_alphabetic) => {
            Some(l.to_uppercase())
        }
        Some(l) => return Err(format!("bokstavstillagg {l:?} is not 1 or 2 letters")),
    };
    if letter.is_some() && number.is_none() {
        return Err("bokstavstillagg is given without adressplatsnummer".into());
    }
    let postal_text = raw.postnummer.into_string();
    let postal_code = mdm_address_normalise::postal_code(&postal_text)
        .map_err(|e| format!("postnummer: {}", e.message))?;
    let post_town = collapse(&raw.postort);
    if post_town.is_empty() || post_town.chars().count() > 27 {
        return Err("postort must be 1 to 27 characters".into());
    }
    let municipality_code = raw.kommunkod.into_string().trim().to_string();
    if municipality_code.len() != 4 || !municipality_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("kommunkod {municipality_code:?} is not 4 digits"));
    }
    let municipality = collapse(&raw.kommunnamn);
    if municipality.is_empty() {
        return Err("kommunnamn is empty".into());
    }
    let status = match raw.status.trim().to_lowercase().as_str() {
        "gällande" | "current" => PlaceStatus::Current,
        "reserverad" | "reserved" => PlaceStatus::Reserved,
        "avregistrerad" | "withdrawn" => PlaceStatus::Withdrawn,
        other => {
            return Err(format!(
                "status {other:?} is not one of gällande, reserverad, avregistrerad"
            ));
        }
    };
    let (northing, easting) = match (raw.nordkoordinat, raw.ostkoordinat) {
        (None, None) => (None, None),
        (Some(n), Some(e)) if n.is_finite() && e.is_finite() => (Some(n), Some(e)),
        _ => {
            return Err("nordkoordinat and ostkoordinat come together, as finite numbers".into());
        }
    };
    Ok(AddressPlace {
        register_id: id,
        register_version,
        address: Address {
            street,
            number,
            letter,
            postal_code,
            post_town,
            municipality_code: Some(municipality_code),
        },
        municipality,
        status,
        northing,
        easting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"objektidentitet":"8C1B6A2E-0F4D-4A8E-9A55-3F0E2D9C1B70","objektversion":2,"adressomrade":" Sveavägen ","adressplatsnummer":"044","bokstavstillagg":"b","postnummer":"11134","postort":"Stockholm","kommunkod":"0180","kommunnamn":"Stockholm","status":"gällande","nordkoordinat":6581234.0,"ostkoordinat":674123.0}"#;

    fn one(body: &str, format: Format) -> Result<Incoming, LineError> {
        let mut lines = parse(body.as_bytes(), format).unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        lines.remove(0)
    }

    #[test]
    fn an_ndjson_line_becomes_a_canonical_place() {
        let place = one(GOOD, Format::Ndjson).unwrap().place;
        assert_eq!(place.register_id, "8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70");
        assert_eq!(place.register_version, 2);
        assert_eq!(place.address.street, "Sveavägen");
        assert_eq!(place.address.number.as_deref(), Some("44"));
        assert_eq!(place.address.letter.as_deref(), Some("B"));
        assert_eq!(place.address.postal_code, "111 34");
        assert_eq!(place.address.municipality_code.as_deref(), Some("0180"));
        assert_eq!(place.status, PlaceStatus::Current);
        assert_eq!(place.northing, Some(6581234.0));
    }

    #[test]
    fn every_broken_field_is_named() {
        let cases = [
            ("objektidentitet", "\"x\"", "not a UUID"),
            ("objektversion", "0", "≥ 1"),
            ("adressomrade", "\"  \"", "adressomrade"),
            ("adressplatsnummer", "\"12-14\"", "adressplatsnummer"),
            ("bokstavstillagg", "\"ABC\"", "bokstavstillagg"),
            ("postnummer", "\"011 34\"", "postnummer"),
            ("kommunkod", "\"180\"", "kommunkod"),
            ("status", "\"okänd\"", "status"),
            ("ostkoordinat", "null", "come together"),
        ];
        for (field, value, expected) in cases {
            let mut doc: serde_json::Value = serde_json::from_str(GOOD).unwrap();
            doc[field] = serde_json::from_str(value).unwrap();
            let err = one(&doc.to_string(), Format::Ndjson).unwrap_err();
            assert!(err.message.contains(expected), "{field}: {}", err.message);
        }
    }

    #[test]
    fn unknown_and_missing_fields_are_refused() {
        let misspelt = GOOD.replace("bokstavstillagg", "bokstavstilagg");
        let err = one(&misspelt, Format::Ndjson).unwrap_err();
        assert!(err.message.contains("unknown field"), "{}", err.message);
        let missing = GOOD.replace(r#""postort":"Stockholm","#, "");
        let err = one(&missing, Format::Ndjson).unwrap_err();
        assert!(err.message.contains("postort"), "{}", err.message);
    }

    #[test]
    fn ndjson_lines_are_numbered_and_blank_lines_skipped() {
        let body = format!("{GOOD}\n\n  \nnot json\n{GOOD}\n");
        let lines = parse(body.as_bytes(), Format::Ndjson).unwrap();
        let numbers: Vec<u32> = lines
            .iter()
            .map(|l| match l {
                Ok(i) => i.line,
                Err(e) => e.line,
            })
            .collect();
        assert_eq!(numbers, [1, 4, 5]);
        assert!(lines[1].is_err());
    }

    #[test]
    fn csv_with_columns_in_any_order_and_quoting() {
        let body = "status,objektidentitet,objektversion,adressomrade,adressplatsnummer,postnummer,postort,kommunkod,kommunnamn\n\
                    gällande,2f9e7d41-6c3a-4b1e-8f20-7a5d9c0e4b12,1,\"Storgatan, norra\",12,171 48,Solna,0184,Solna\n\
                    \n\
                    avregistrerad,d4a7c9e3-1b2f-4e6d-a8c0-5f3e1d7b9a24,3,Tornvägen,,18334,Täby,0160,Täby\n";
        let lines = parse(body.as_bytes(), Format::Csv).unwrap();
        assert_eq!(lines.len(), 2);
        let first = lines[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(first.place.address.street, "Storgatan, norra");
        assert_eq!(first.place.northing, None);
        let second = lines[1].as_ref().unwrap();
        assert_eq!(second.line, 4);
        assert_eq!(second.place.status, PlaceStatus::Withdrawn);
        assert_eq!(second.place.address.number, None);
    }

    #[test]
    fn csv_headers_are_checked_once() {
        let err = parse(b"objektidentitet,gata\n", Format::Csv).unwrap_err();
        assert!(err.0.contains("\"gata\""), "{err}");
        let err = parse(b"objektidentitet,status\n", Format::Csv).unwrap_err();
        assert!(err.0.contains("required column"), "{err}");
    }

    #[test]
    fn media_types_pick_the_format() {
        assert_eq!(
            Format::from_media_type("application/x-ndjson; charset=utf-8"),
            Some(Format::Ndjson)
        );
        assert_eq!(Format::from_media_type("TEXT/CSV"), Some(Format::Csv));
        assert_eq!(Format::from_media_type("application/json"), None);
    }
}
