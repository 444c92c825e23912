//! Fixed places at the top of the demo register.
//!
//! The demo's units point at the first three by `objektidentitet`; the
//! neighbours are there so validating a demo address meets the cases a real
//! register has: the next house on the same street, the same street continuing
//! in the next postal code, and letters on the same number. The generator
//! never emits an anchor's (street, postal code) pair, so none of these can be
//! duplicated by the generated part.

use crate::output::{Id, Place};

#[derive(Debug)]
pub(crate) struct Anchor {
    id: &'static str,
    street: &'static str,
    number: u32,
    letter: Option<u8>,
    postal_code: &'static str,
    post_town: &'static str,
    municipality_code: &'static str,
    municipality: &'static str,
    /// Metres; the anchors sit on whole metres.
    north: u64,
    east: u64,
}

impl Anchor {
    pub(crate) fn place(&self) -> Place<'_> {
        Place {
            id: Id::Text(self.id),
            street: self.street,
            number: Some(self.number),
            letter: self.letter,
            postal_code: self.postal_code,
            post_town: self.post_town,
            municipality_code: self.municipality_code,
            municipality: self.municipality,
            reserved: false,
            position: Some((self.north * 10, self.east * 10)),
        }
    }
}

const fn stockholm(
    id: &'static str,
    street: &'static str,
    number: u32,
    postal_code: &'static str,
    north: u64,
    east: u64,
) -> Anchor {
    Anchor {
        id,
        street,
        number,
        letter: None,
        postal_code,
        post_town: "Stockholm",
        municipality_code: "0180",
        municipality: "Stockholm",
        north,
        east,
    }
}

const fn solna(id: &'static str, number: u32, letter: Option<u8>, north: u64, east: u64) -> Anchor {
    Anchor {
        id,
        street: "Storgatan",
        number,
        letter,
        postal_code: "171 48",
        post_town: "Solna",
        municipality_code: "0184",
        municipality: "Solna",
        north,
        east,
    }
}

pub(crate) const ANCHORS: [Anchor; 15] = [
    // Referenced by the demo units.
    stockholm(
        "8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70",
        "Sveavägen",
        44,
        "111 34",
        6_581_234,
        674_123,
    ),
    solna(
        "2f9e7d41-6c3a-4b1e-8f20-7a5d9c0e4b12",
        12,
        Some(b'B'),
        6_585_500,
        671_900,
    ),
    Anchor {
        id: "d4a7c9e3-1b2f-4e6d-a8c0-5f3e1d7b9a24",
        street: "Tornvägen",
        number: 3,
        letter: None,
        postal_code: "183 34",
        post_town: "Täby",
        municipality_code: "0160",
        municipality: "Täby",
        north: 6_594_010,
        east: 674_950,
    },
    // Sveavägen's even side runs north-north-west: 22 m north and 6 m west
    // per step of two numbers.
    stockholm(
        "3a6e1f52-9c07-4d8b-b1e4-6c2f0a9d3e81",
        "Sveavägen",
        40,
        "111 34",
        6_581_190,
        674_135,
    ),
    stockholm(
        "5b0d2c83-7e14-4f6a-8d39-1e7a4c6b2f05",
        "Sveavägen",
        42,
        "111 34",
        6_581_212,
        674_129,
    ),
    stockholm(
        "9e4f7a16-2d58-4c3b-a0f7-8b1d5e2c6a93",
        "Sveavägen",
        46,
        "111 34",
        6_581_256,
        674_117,
    ),
    stockholm(
        "c17b3e95-4a2d-4e08-9f6c-2d8e0b7a5f31",
        "Sveavägen",
        48,
        "111 34",
        6_581_278,
        674_111,
    ),
    // The same street continuing in the neighbouring postal code.
    stockholm(
        "7d2a9c40-5e1b-4b73-8c6e-3f9a1d0b4e57",
        "Sveavägen",
        50,
        "113 59",
        6_581_300,
        674_105,
    ),
    stockholm(
        "e85c1b37-0f6d-4a29-b4e8-7c3d2a9f1b06",
        "Sveavägen",
        52,
        "113 59",
        6_581_322,
        674_099,
    ),
    // Letters on the same number, and the houses either side.
    solna(
        "41f8d0c6-8b3e-4d17-9a2c-5e6b7f0d3c48",
        12,
        Some(b'A'),
        6_585_492,
        671_894,
    ),
    solna(
        "a3c6e9b2-7d14-4f85-8e0a-1b9d4c7f2e63",
        12,
        Some(b'C'),
        6_585_508,
        671_906,
    ),
    solna(
        "6e0b4d19-3f72-4a5c-b8d1-9c2e5a7f0b84",
        10,
        None,
        6_585_470,
        671_880,
    ),
    solna(
        "f2d75a8e-1c39-4b06-a7e4-0d6f3b9c8a15",
        14,
        None,
        6_585_530,
        671_920,
    ),
    stockholm(
        "0c9e3b74-6a1f-4d28-8b5e-2f7c1a4d9e36",
        "Kungsgatan",
        5,
        "111 43",
        6_580_930,
        674_560,
    ),
    // Kungsholmen, for the demo unit there.
    stockholm(
        "b6a14f2d-9e83-4c57-9d0b-3a8e6c1f7b29",
        "Fleminggatan",
        22,
        "112 26",
        6_580_960,
        673_280,
    ),
];

/// Whether the generator must keep away from this street in this postal code.
pub(crate) fn reserved(street: &str, postal_code: &str) -> bool {
    ANCHORS
        .iter()
        .any(|a| a.postal_code == postal_code && a.street == street)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::MUNICIPALITIES;

    #[test]
    fn anchors_fit_the_generator_tables() {
        for a in &ANCHORS {
            let m = MUNICIPALITIES
                .iter()
                .find(|m| m.code == a.municipality_code)
                .unwrap();
            assert_eq!(m.name, a.municipality);
            assert!(
                (m.north.0..=m.north.1).contains(&(a.north as u32)),
                "{}",
                a.id
            );
            assert!((m.east.0..=m.east.1).contains(&(a.east as u32)), "{}", a.id);
            // The postal code is one the municipality's post town owns.
            let code: u32 = a.postal_code.replace(' ', "").parse().unwrap();
            let town = m
                .towns
                .iter()
                .find(|t| (0..t.code_count()).any(|i| t.code_at(i).0 == code))
                .unwrap_or_else(|| panic!("{} not in {}", a.postal_code, m.name));
            assert_eq!(town.name, a.post_town);
        }
    }

    #[test]
    fn anchor_ids_and_keys_are_unique() {
        for (i, a) in ANCHORS.iter().enumerate() {
            for b in &ANCHORS[i + 1..] {
                assert_ne!(a.id, b.id);
                assert!(
                    (a.street, a.number, a.letter, a.postal_code)
                        != (b.street, b.number, b.letter, b.postal_code)
                );
            }
        }
    }
}
