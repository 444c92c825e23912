//! Properties of `generate` over a 100 000-place register: shape of every
//! line, uniqueness, determinism, and that the realism knobs land where the
//! import format's users expect them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::process::Command;
use std::sync::OnceLock;

use mdm_register_gen::{Config, Format, generate};
use serde_json::Value;

use mdm_address_register::line_format::{FIELDS, Format as LineFormat, parse};

/// Stockholm County's municipalities, written out independently of the
/// generator's own table.
const MUNICIPALITIES: [(&str, &str); 26] = [
    ("0114", "Upplands Väsby"),
    ("0115", "Vallentuna"),
    ("0117", "Österåker"),
    ("0120", "Värmdö"),
    ("0123", "Järfälla"),
    ("0125", "Ekerö"),
    ("0126", "Huddinge"),
    ("0127", "Botkyrka"),
    ("0128", "Salem"),
    ("0136", "Haninge"),
    ("0138", "Tyresö"),
    ("0139", "Upplands-Bro"),
    ("0140", "Nykvarn"),
    ("0160", "Täby"),
    ("0162", "Danderyd"),
    ("0163", "Sollentuna"),
    ("0180", "Stockholm"),
    ("0181", "Södertälje"),
    ("0182", "Nacka"),
    ("0183", "Sundbyberg"),
    ("0184", "Solna"),
    ("0186", "Lidingö"),
    ("0187", "Vaxholm"),
    ("0188", "Norrtälje"),
    ("0191", "Sigtuna"),
    ("0192", "Nynäshamn"),
];

const BIG: Config = Config {
    places: 100_000,
    seed: 42,
};

fn render(config: &Config, format: Format) -> String {
    let mut out = Vec::new();
    generate(config, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The 100 000-place register, generated once for all tests in this file.
fn big() -> &'static (String, Vec<Value>) {
    static BIG_REGISTER: OnceLock<(String, Vec<Value>)> = OnceLock::new();
    BIG_REGISTER.get_or_init(|| {
        let text = render(&BIG, Format::Ndjson);
        let parsed = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        (text, parsed)
    })
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).map(|x| {
        x.as_str()
            .unwrap_or_else(|| panic!("{key} not a string: {v}"))
    })
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

fn is_postal_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6
        && b[3] == b' '
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 3 || c.is_ascii_digit())
        && b[0] != b'0'
}

#[test]
fn same_seed_same_bytes_and_different_seed_different_bytes() {
    let a = Config {
        places: 5_000,
        seed: 1,
    };
    let b = Config { seed: 2, ..a };
    for format in [Format::Ndjson, Format::Csv] {
        assert_eq!(render(&a, format), render(&a, format));
        assert_ne!(render(&a, format), render(&b, format));
    }
}

#[test]
fn exactly_the_requested_number_of_lines() {
    for places in [0, 1, 2, 25, 26, 27, 999, 12_345] {
        let config = Config { places, seed: 3 };
        let ndjson = render(&config, Format::Ndjson);
        assert_eq!(ndjson.lines().count(), places, "ndjson, {places}");
        assert!(ndjson.is_empty() || ndjson.ends_with('\n'));
        let csv = render(&config, Format::Csv);
        assert_eq!(csv.lines().count(), places + 1, "csv, {places}");
    }
    assert_eq!(big().1.len(), BIG.places);
}

#[test]
fn ids_and_addresses_are_unique() {
    let mut ids = HashSet::new();
    let mut keys = HashSet::new();
    for v in &big().1 {
        assert!(ids.insert(str_field(v, "objektidentitet").unwrap()), "{v}");
        let key = (
            str_field(v, "adressomrade").unwrap(),
            str_field(v, "adressplatsnummer"),
            str_field(v, "bokstavstillagg"),
            str_field(v, "postnummer").unwrap(),
        );
        assert!(keys.insert(key), "duplicate address {key:?}");
    }
}

#[test]
fn every_line_has_the_import_shape() {
    let (text, lines) = big();
    let municipalities: HashMap<&str, &str> = MUNICIPALITIES.into_iter().collect();
    let mut postal_owner: HashMap<&str, (&str, &str)> = HashMap::new();
    for (raw, v) in text.lines().zip(lines) {
        // Keys present appear in the import format's order, nothing else.
        let object = v.as_object().unwrap();
        assert!(object.keys().all(|k| FIELDS.contains(&k.as_str())), "{raw}");
        let mut last = 0;
        for key in FIELDS.iter().filter(|k| object.contains_key(**k)) {
            let at = raw.find(&format!("\"{key}\":")).unwrap();
            assert!(at >= last, "{key} out of order: {raw}");
            last = at;
        }
        assert!(
            is_uuid_v4(str_field(v, "objektidentitet").unwrap()),
            "{raw}"
        );
        assert_eq!(v["objektversion"], 1);
        assert!(!str_field(v, "adressomrade").unwrap().is_empty());
        if let Some(n) = str_field(v, "adressplatsnummer") {
            assert!(!n.starts_with('0') && n.parse::<u32>().is_ok(), "{raw}");
        }
        if let Some(l) = str_field(v, "bokstavstillagg") {
            assert!(["A", "B", "C"].contains(&l), "{raw}");
            assert!(v.get("adressplatsnummer").is_some());
        }
        let postal = str_field(v, "postnummer").unwrap();
        assert!(is_postal_code(postal), "{raw}");
        let code = str_field(v, "kommunkod").unwrap();
        assert_eq!(
            municipalities.get(code),
            Some(&str_field(v, "kommunnamn").unwrap())
        );
        // A postal code belongs to one post town in one municipality.
        let owner = (str_field(v, "postort").unwrap(), code);
        assert_eq!(
            *postal_owner.entry(postal).or_insert(owner),
            owner,
            "{postal}"
        );
        assert!(["gällande", "reserverad"].contains(&str_field(v, "status").unwrap()));
        match (v.get("nordkoordinat"), v.get("ostkoordinat")) {
            (Some(n), Some(e)) => {
                let (n, e) = (n.as_f64().unwrap(), e.as_f64().unwrap());
                assert!((6_520_000.0..=6_680_000.0).contains(&n), "{raw}");
                assert!((630_000.0..=730_000.0).contains(&e), "{raw}");
                for key in ["nordkoordinat", "ostkoordinat"] {
                    let start = raw.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
                    let number: String = raw[start..]
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.')
                        .collect();
                    let (_, decimals) = number.split_once('.').unwrap();
                    assert_eq!(decimals.len(), 1, "{raw}");
                }
            }
            (None, None) => {}
            _ => panic!("one coordinate without the other: {raw}"),
        }
    }
}

#[test]
fn shares_look_like_the_real_register() {
    let lines = &big().1;
    let n = lines.len() as f64;
    let share = |f: &dyn Fn(&Value) -> bool| lines.iter().filter(|v| f(v)).count() as f64 / n;
    let letters = share(&|v| v.get("bokstavstillagg").is_some());
    let reserved = share(&|v| v["status"] == "reserverad");
    let no_number = share(&|v| v.get("adressplatsnummer").is_none());
    let no_position = share(&|v| v.get("nordkoordinat").is_none());
    let stockholm = share(&|v| v["kommunkod"] == "0180");
    assert!((0.06..0.10).contains(&letters), "letters {letters}");
    assert!((0.02..0.04).contains(&reserved), "reserved {reserved}");
    assert!((0.002..0.01).contains(&no_number), "no number {no_number}");
    assert!(
        (0.005..0.015).contains(&no_position),
        "no position {no_position}"
    );
    assert!((0.37..0.44).contains(&stockholm), "Stockholm {stockholm}");
    let present: BTreeSet<&str> = lines
        .iter()
        .map(|v| str_field(v, "kommunkod").unwrap())
        .collect();
    assert_eq!(present.len(), 26);
}

#[test]
fn letters_come_as_runs_from_a() {
    let mut runs: HashMap<(&str, &str, &str), BTreeSet<&str>> = HashMap::new();
    for v in &big().1 {
        if let Some(letter) = str_field(v, "bokstavstillagg") {
            let key = (
                str_field(v, "adressomrade").unwrap(),
                str_field(v, "adressplatsnummer").unwrap(),
                str_field(v, "postnummer").unwrap(),
            );
            runs.entry(key).or_default().insert(letter);
        }
    }
    assert!(runs.len() > 1_000);
    for (key, letters) in runs {
        let letters: Vec<&str> = letters.into_iter().collect();
        let expected = &["A", "B", "C"][..letters.len()];
        assert!(
            letters.len() >= 2 && letters == expected,
            "{key:?}: {letters:?}"
        );
    }
}

#[test]
fn common_names_recur_and_streets_cross_postal_codes() {
    let lines = &big().1;
    for name in ["Storgatan", "Kyrkvägen", "Skolvägen", "Stationsvägen"] {
        let municipalities: BTreeSet<&str> = lines
            .iter()
            .filter(|v| v["adressomrade"] == name)
            .map(|v| str_field(v, "kommunkod").unwrap())
            .collect();
        assert!(
            municipalities.len() >= 3,
            "{name} only in {municipalities:?}"
        );
    }
    // (street, municipality) -> postal code -> (lowest, highest) number.
    type NumberRanges<'a> = HashMap<&'a str, (u32, u32)>;
    let mut spans: HashMap<(&str, &str), NumberRanges> = HashMap::new();
    for v in lines {
        let Some(number) = str_field(v, "adressplatsnummer") else {
            continue;
        };
        let number: u32 = number.parse().unwrap();
        let street = (
            str_field(v, "adressomrade").unwrap(),
            str_field(v, "kommunkod").unwrap(),
        );
        let range = spans
            .entry(street)
            .or_default()
            .entry(str_field(v, "postnummer").unwrap())
            .or_insert((number, number));
        range.0 = range.0.min(number);
        range.1 = range.1.max(number);
    }
    // Streets continuing into the next postal code with the next numbers.
    let continued = spans
        .values()
        .filter(|codes| {
            let mut ranges: Vec<(u32, u32)> = codes.values().copied().collect();
            ranges.sort_unstable();
            ranges.len() >= 2 && ranges.windows(2).all(|w| w[0].1 < w[1].0)
        })
        .count();
    assert!(continued >= 100, "{continued}");
    // Well-known inner-city streets exist, and once.
    let sveavagen: BTreeSet<&str> = lines
        .iter()
        .filter(|v| v["adressomrade"] == "Sveavägen")
        .map(|v| str_field(v, "kommunkod").unwrap())
        .collect();
    assert_eq!(sveavagen.into_iter().collect::<Vec<_>>(), ["0180"]);
}

#[test]
fn csv_has_the_header_and_the_same_places() {
    let config = Config {
        places: 3_000,
        seed: 9,
    };
    let csv = render(&config, Format::Csv);
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some(FIELDS.join(",").as_str()));
    let ndjson = render(&config, Format::Ndjson);
    for (row, line) in rows.zip(ndjson.lines()) {
        // Nothing in the generated data needs quoting, so a plain split is
        // an exact parse here; the quoting itself is unit-tested.
        assert!(!row.contains('"'), "{row}");
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), 12, "{row}");
        let v: Value = serde_json::from_str(line).unwrap();
        for (field, cell) in FIELDS.iter().zip(cells) {
            let expected = match v.get(*field) {
                None => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            assert_eq!(cell, expected, "{field} in {row}");
        }
    }
}

#[test]
fn the_binary_takes_places_seed_format_and_output() {
    let bin = env!("CARGO_BIN_EXE_mdm-register-gen");
    let out = Command::new(bin)
        .args(["--places", "10", "--seed", "5", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let expected = render(
        &Config {
            places: 10,
            seed: 5,
        },
        Format::Csv,
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);

    let dir = std::env::temp_dir().join(format!("register-gen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("reg.ndjson");
    let out = Command::new(bin)
        .args(["--places", "25", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "nothing on stdout with -o");
    let written = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        written,
        render(
            &Config {
                places: 25,
                seed: 2026
            },
            Format::Ndjson
        )
    );

    let conflict = Command::new(bin)
        .args(["--demo", "--places", "5"])
        .output()
        .unwrap();
    assert!(!conflict.status.success(), "--demo takes no --places");
}

/// Everything the generator writes is taken whole by the platform's import.
#[test]
fn every_generated_line_is_importable() {
    for (format, line_format) in [
        (Format::Ndjson, LineFormat::Ndjson),
        (Format::Csv, LineFormat::Csv),
    ] {
        let mut out = Vec::new();
        generate(
            &Config {
                places: 20_000,
                seed: 11,
            },
            format,
            &mut out,
        )
        .unwrap();
        let lines = parse(&out, line_format).unwrap();
        assert_eq!(lines.len(), 20_000);
        let refused: Vec<_> = lines
            .iter()
            .filter_map(|l| l.as_ref().err())
            .take(5)
            .collect();
        assert!(refused.is_empty(), "{refused:?}");
    }
}
