//! A synthetic copy of Lantmäteriet's address register (belägenhetsadresser)
//! for Stockholm County.
//!
//! Two uses shape it: a small demo register that `up --demo` loads (see
//! [`demo`], committed as `infra/demo/address-register.ndjson`), and
//! registers of a million places that the benchmark generates on the fly (see
//! [`generate`]), which is why generation streams to a [`Write`] in bounded
//! memory and formats lines by hand.
//!
//! The output is the platform's import line format, one place per line:
//!
//! ```text
//! {"objektidentitet":"6f1c0e3a-...","objektversion":1,"adressomrade":"Sveavägen",
//!  "adressplatsnummer":"44","bokstavstillagg":"B","postnummer":"111 34",
//!  "postort":"Stockholm","kommunkod":"0180","kommunnamn":"Stockholm",
//!  "status":"gällande","nordkoordinat":6581234.0,"ostkoordinat":674123.0}
//! ```
//!
//! Absent values (no number, no letter, no coordinates) are left out of the
//! JSON object and empty in CSV. Output is a pure function of
//! ([`Config::places`], [`Config::seed`]): the generator has its own PRNG and
//! touches no clock, environment or hash-map iteration order.

mod anchors;
mod data;
mod generator;
mod names;
mod output;
mod rng;

pub use rng::Rng;

use std::io::{self, Write};

/// Output encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One JSON object per line, keys in import-format order.
    #[default]
    Ndjson,
    /// A header row of the twelve field names, then one row per place
    /// (comma-separated, RFC 4180 quoting where needed, `\n` line ends).
    Csv,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Config {
    /// Number of address places (lines, not counting a CSV header).
    pub places: usize,
    /// Seed of the generator; the same (places, seed) gives the same bytes.
    pub seed: u64,
}

/// The generated part of the demo register.
const DEMO: Config = Config {
    places: 2_000,
    seed: 2026,
};

/// Writes `config.places` places (exactly that many lines, plus a header for
/// CSV) to `out`; deterministic for a (places, seed) pair.
///
/// Places are spread over the county's 26 municipalities roughly by
/// population. Identities are unique, and so is (street, number, letter,
/// postal code); neither collides with the demo's anchor places.
pub fn generate(config: &Config, format: Format, out: &mut impl Write) -> io::Result<()> {
    let mut sink = output::Sink::new(out, format);
    generator::Generator::new(config.seed).run(config.places, &mut sink)?;
    sink.finish()
}

/// The demo register: the fixed anchor places first (the demo's units
/// reference them), then 2 000 `generate`d places (seed 2026), as NDJSON.
pub fn demo(out: &mut impl Write) -> io::Result<()> {
    let mut sink = output::Sink::new(out, Format::Ndjson);
    for anchor in &anchors::ANCHORS {
        sink.place(&anchor.place())?;
    }
    generator::Generator::new(DEMO.seed).run(DEMO.places, &mut sink)?;
    sink.finish()
}
