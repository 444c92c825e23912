//! A synthetic register of Region Stockholm's care units (the HSA care
//! directory's providers, care units and organisational units) as a seed
//! file for the host: small for the demo, tens of thousands of units for
//! benchmarks.
//!
//! Every unit is a [`mdm_types::Unit`] as the registry stores it (version 1,
//! no change sequence number). The register has the shape the registry's
//! queries meet in production:
//!
//! - **Hierarchy.** Region Stockholm (`SE2321000016-0001`) first, then more
//!   of the region's own providers (Karolinska, Södersjukhuset, Folktandvården
//!   ...) as the register grows, then private providers (about 5% of the
//!   units; own organisation numbers, HSA-ids under `SE<orgno>-`, source
//!   `ek`). Each provider is followed by its care units, each care unit by
//!   its organisational units (0–4), so parents always come first.
//! - **Addresses.** Visiting addresses are current places of the register
//!   `mdm-register-gen` generates for [`register_config`], each place used at
//!   most once; sub-units are placed near their care unit, about 10% have no
//!   address.
//! - **Names.** A unit type and a place ("Vårdcentral Farsta",
//!   "Psykiatrimottagning Sveavägen", "Ekbacken Vårdcentral Solna
//!   Centrum"): common words (Vårdcentral) occur in thousands of names at
//!   50 000 units, street names and private brands in a handful.
//!
//! Output is a pure function of [`Config`]: the generator has its own PRNG
//! and reads no clock, environment or hash-map iteration order.

mod calendar;
mod catalogue;
mod generator;
mod register;
mod rng;

use std::collections::HashSet;
use std::io::{self, Write};

pub use mdm_types::Unit;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Config {
    /// Number of units, providers included.
    pub units: usize,
    /// Seed of the hierarchy, names, codes and dates.
    pub seed: u64,
    /// Seed of the address register the visiting addresses come from.
    pub register_seed: u64,
}

/// The smallest address register generated: small registers would leave the
/// demo's units few places to spread over.
const MIN_PLACES: usize = 2_000;

/// The address register that [`generate`] takes visiting addresses from:
/// `max(2 × units, 2 000)` places with [`Config::register_seed`]. Load the
/// same register (`mdm-register-gen --places N --seed S`) for the units'
/// addresses to validate.
#[must_use]
pub fn register_config(config: &Config) -> mdm_register_gen::Config {
    mdm_register_gen::Config {
        places: config.units.saturating_mul(2).max(MIN_PLACES),
        seed: config.register_seed,
    }
}

/// Exactly `config.units` units, deterministic; the provider first, parents
/// before children.
///
/// # Panics
///
/// Never in practice: generating the address register writes to memory only.
#[must_use]
pub fn generate(config: &Config) -> Vec<Unit> {
    if config.units == 0 {
        return Vec::new();
    }
    let mut rng = rng::Rng::new(config.seed);
    let pool = register::Pool::generate(&register_config(config), &mut rng)
        .expect("the address register is generated into memory and parses");
    let units = generator::Generator::new(rng, pool, config.units).run(config.units);
    debug_assert_eq!(units.len(), config.units);
    units
}

/// The seed file JSON (documents keyed `unit/<hsa-id>`), written to `out`:
/// `{"store":"default","documents":{"unit/…":{…},…}}`, one document per line.
///
/// Writes in many small pieces: give it a buffered writer.
///
/// # Errors
///
/// `InvalidInput` if two units share an HSA-id (the seed file would silently
/// keep only one), else whatever `out` fails with.
pub fn write_seed(units: &[Unit], out: &mut impl Write) -> io::Result<()> {
    let mut seen = HashSet::with_capacity(units.len());
    out.write_all(b"{\"store\":\"default\",\"documents\":{")?;
    for (i, unit) in units.iter().enumerate() {
        if !seen.insert(unit.hsa_id.as_str()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("HSA-id {} occurs twice", unit.hsa_id),
            ));
        }
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &format!("unit/{}", unit.hsa_id))?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, unit)?;
    }
    out.write_all(b"\n}}\n")?;
    out.flush()
}
