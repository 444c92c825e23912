//! The committed demo register must be exactly what the generator produces,
//! so the file can never drift from the code. After a deliberate change to
//! the generator, regenerate it with
//! `cargo run -p mdm-register-gen -- --demo -o infra/demo/address-register.ndjson`.

use std::collections::HashSet;
use std::process::Command;

use serde_json::Value;

const COMMITTED: &str = include_str!("../../demo/address-register.ndjson");

/// Points at the first differing line instead of dumping half a megabyte.
fn assert_same(actual: &[u8], what: &str) {
    if actual == COMMITTED.as_bytes() {
        return;
    }
    let actual = String::from_utf8_lossy(actual);
    let line = actual
        .lines()
        .zip(COMMITTED.lines())
        .position(|(a, c)| a != c)
        .map_or_else(
            || "(one is a prefix of the other)".to_owned(),
            |i| format!("line {}", i + 1),
        );
    panic!(
        "{what} differs from infra/demo/address-register.ndjson at {line}; \
         regenerate with `cargo run -p mdm-register-gen -- --demo -o infra/demo/address-register.ndjson`"
    );
}

#[test]
fn demo_output_equals_the_committed_file() {
    let mut out = Vec::new();
    mdm_register_gen::demo(&mut out).unwrap();
    assert_same(&out, "demo()");
}

#[test]
fn the_binary_writes_the_same_demo_to_stdout() {
    let output = Command::new(env!("CARGO_BIN_EXE_mdm-register-gen"))
        .arg("--demo")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_same(&output.stdout, "`mdm-register-gen --demo`");
}

fn lines() -> Vec<Value> {
    COMMITTED
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn anchors_come_first_with_their_fixed_fields() {
    let lines = lines();
    assert_eq!(lines.len(), 15 + 2_000);
    let expect = [
        (
            "8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70",
            "Sveavägen",
            "44",
            None,
            "111 34",
            "Stockholm",
            "0180",
            "Stockholm",
            6_581_234.0,
            674_123.0,
        ),
        (
            "2f9e7d41-6c3a-4b1e-8f20-7a5d9c0e4b12",
            "Storgatan",
            "12",
            Some("B"),
            "171 48",
            "Solna",
            "0184",
            "Solna",
            6_585_500.0,
            671_900.0,
        ),
        (
            "d4a7c9e3-1b2f-4e6d-a8c0-5f3e1d7b9a24",
            "Tornvägen",
            "3",
            None,
            "183 34",
            "Täby",
            "0160",
            "Täby",
            6_594_010.0,
            674_950.0,
        ),
    ];
    for (line, (id, street, number, letter, postal, town, code, name, north, east)) in
        lines.iter().zip(expect)
    {
        assert_eq!(line["objektidentitet"], id);
        assert_eq!(line["objektversion"], 1);
        assert_eq!(line["adressomrade"], street);
        assert_eq!(line["adressplatsnummer"], number);
        assert_eq!(line.get("bokstavstillagg").and_then(Value::as_str), letter);
        assert_eq!(line["postnummer"], postal);
        assert_eq!(line["postort"], town);
        assert_eq!(line["kommunkod"], code);
        assert_eq!(line["kommunnamn"], name);
        assert_eq!(line["status"], "gällande");
        assert_eq!(line["nordkoordinat"].as_f64(), Some(north));
        assert_eq!(line["ostkoordinat"].as_f64(), Some(east));
    }
    // The neighbours, also fixed, ahead of the generated part.
    let neighbours: Vec<(String, String, Option<String>, String)> = lines[3..15]
        .iter()
        .map(|l| {
            (
                l["adressomrade"].as_str().unwrap().to_owned(),
                l["adressplatsnummer"].as_str().unwrap().to_owned(),
                l.get("bokstavstillagg")
                    .map(|v| v.as_str().unwrap().to_owned()),
                l["postnummer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let n = |s: &str, num: &str, letter: Option<&str>, pc: &str| {
        (
            s.to_owned(),
            num.to_owned(),
            letter.map(str::to_owned),
            pc.to_owned(),
        )
    };
    for want in [
        n("Sveavägen", "40", None, "111 34"),
        n("Sveavägen", "42", None, "111 34"),
        n("Sveavägen", "46", None, "111 34"),
        n("Sveavägen", "48", None, "111 34"),
        n("Sveavägen", "50", None, "113 59"),
        n("Sveavägen", "52", None, "113 59"),
        n("Storgatan", "12", Some("A"), "171 48"),
        n("Storgatan", "12", Some("C"), "171 48"),
        n("Storgatan", "10", None, "171 48"),
        n("Storgatan", "14", None, "171 48"),
        n("Kungsgatan", "5", None, "111 43"),
        n("Fleminggatan", "22", None, "112 26"),
    ] {
        assert!(neighbours.contains(&want), "missing anchor {want:?}");
    }
}

#[test]
fn the_generated_part_never_collides_with_an_anchor() {
    let lines = lines();
    let mut ids = HashSet::new();
    let mut keys = HashSet::new();
    for l in &lines {
        assert!(ids.insert(l["objektidentitet"].as_str().unwrap().to_owned()));
        let key = (
            l["adressomrade"].as_str().unwrap().to_owned(),
            l.get("adressplatsnummer").map(ToString::to_string),
            l.get("bokstavstillagg").map(ToString::to_string),
            l["postnummer"].as_str().unwrap().to_owned(),
        );
        assert!(keys.insert(key.clone()), "duplicate {key:?}");
    }
    let fleming = lines
        .iter()
        .filter(|l| {
            l["adressomrade"] == "Fleminggatan"
                && l["adressplatsnummer"] == "22"
                && l["postnummer"] == "112 26"
        })
        .count();
    assert_eq!(fleming, 1);
    // Nor does the generator put anchor streets into anchor postal codes.
    for l in &lines[15..] {
        let pair = (
            l["adressomrade"].as_str().unwrap(),
            l["postnummer"].as_str().unwrap(),
        );
        assert!(
            ![
                ("Sveavägen", "111 34"),
                ("Sveavägen", "113 59"),
                ("Storgatan", "171 48"),
                ("Tornvägen", "183 34"),
                ("Kungsgatan", "111 43"),
                ("Fleminggatan", "112 26"),
            ]
            .contains(&pair),
            "{pair:?}"
        );
    }
}
