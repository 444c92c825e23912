//! The streaming generator.
//!
//! Places come out municipality by municipality, post town by post town,
//! postal code by postal code, street by street, so nothing grows with the
//! number of places: the state is the current street, the names used in the
//! current postal code and a fixed-size bitset of names used in the current
//! municipality.
//!
//! Uniqueness of (street, number, letter, postal code) holds by construction:
//! every postal code is visited once (codes are drawn in ascending order from
//! ranges that belong to one post town only), a street name appears in at most
//! one run of a postal code, and a run never repeats a (number, letter).

use std::f64::consts::TAU;
use std::io::{self, Write};

use crate::anchors;
use crate::data::{self, Area, MUNICIPALITIES, Municipality, PostTown};
use crate::names::{self, COMMON, FAMOUS, Length, NAME_SPACE, NameSet, STEMS};
use crate::output::{Id, Place, Sink};
use crate::rng::{Rng, mix64};

/// Share of places with status "reserverad" (planned, not yet built).
const RESERVED_SHARE: f64 = 0.03;
/// Share of places without coordinates.
const NO_POSITION_SHARE: f64 = 0.01;
/// Chance that a house number gets a letter run (A, B[, C]); with runs of 2.4
/// places on average this gives the ~8 % of places with a letter.
const LETTER_RUN_CHANCE: f64 = 0.036;
/// Chance that a lettered number also keeps its plain form ("12", "12 A" ...).
const PLAIN_WITH_LETTERS_CHANCE: f64 = 0.2;
/// Chance that a street cut off by the end of a postal code's quota goes on
/// in the next postal code with the following numbers.
const CONTINUE_CHANCE: f64 = 0.45;
const CONTINUE_CHANCE_FAMOUS: f64 = 0.85;
/// Metres along the street per house number (odd and even alternate sides).
const SEQUENTIAL_STEP: f64 = 7.0;
/// Distance-based (rural) numbering counts in units of ten metres.
const DISTANCE_STEP: f64 = 10.0;
/// Metres from the street's centre line to a house.
const SIDE_OFFSET: f64 = 9.0;

#[derive(Debug)]
struct Street {
    name: String,
    famous: bool,
    /// The next house number to hand out.
    next: u32,
    /// House numbers still to hand out.
    left: u32,
    /// Rural distance-based numbering (large gaps) instead of 1, 2, 3 ...
    distance: bool,
    /// Position of the (virtual) number 0; numbers lie along `dir` from it.
    origin: (f64, f64),
    dir: (f64, f64),
    step: f64,
}

impl Street {
    /// Where house `number` stands; letters step a few metres along.
    fn position(&self, number: u32, letter_slot: u32) -> (f64, f64) {
        let along = f64::from(number) * self.step + f64::from(letter_slot) * 4.0;
        let side = if number % 2 == 1 {
            SIDE_OFFSET
        } else {
            -SIDE_OFFSET
        };
        (
            self.origin.0 + self.dir.0 * along - self.dir.1 * side,
            self.origin.1 + self.dir.1 * along + self.dir.0 * side,
        )
    }
}

/// The postal code currently being filled.
#[derive(Clone, Copy)]
struct District<'a> {
    municipality: &'a Municipality,
    town: &'a PostTown,
    postal_code: &'a str,
}

pub(crate) struct Generator {
    rng: Rng,
    /// Key of the id permutation, separate from `rng` so ids do not depend on
    /// how many random numbers the places before consumed.
    id_key: u64,
    serial: u64,
    /// Well-known streets exist once per register.
    famous_used: [bool; FAMOUS.len()],
    /// Compound and person names used in the current municipality; preferring
    /// fresh ones keeps a municipality's names mostly unique, as in reality.
    used: NameSet,
    /// Common names (Storgatan ...) used in the current post town, or in the
    /// whole municipality for Stockholm, whose street names are unique.
    common_used: u64,
    /// Street and area names of the current postal code.
    code_names: Vec<String>,
    scratch: String,
    suffix_weights: [u32; names::SUFFIXES.len()],
    person_kind_weights: [u32; 7],
    common_weights: [u32; COMMON.len()],
}

impl Generator {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            id_key: mix64(seed ^ 0x5851_f42d_4c95_7f2d),
            serial: 0,
            famous_used: [false; FAMOUS.len()],
            used: NameSet::new(NAME_SPACE),
            common_used: 0,
            code_names: Vec::new(),
            scratch: String::new(),
            suffix_weights: names::suffix_weights(),
            person_kind_weights: names::person_kind_weights(),
            common_weights: names::common_weights(),
        }
    }

    pub(crate) fn run<W: Write>(
        &mut self,
        places: usize,
        sink: &mut Sink<'_, W>,
    ) -> io::Result<()> {
        let weights = MUNICIPALITIES.each_ref().map(|m| m.population);
        let counts = data::apportion(places, &weights);
        for (municipality, count) in MUNICIPALITIES.iter().zip(counts) {
            if count > 0 {
                self.municipality(municipality, count, sink)?;
            }
        }
        Ok(())
    }

    fn municipality<W: Write>(
        &mut self,
        municipality: &Municipality,
        places: usize,
        sink: &mut Sink<'_, W>,
    ) -> io::Result<()> {
        self.used.clear();
        self.common_used = 0;
        let per_code = places_per_code(places);
        let weights: Vec<u32> = municipality.towns.iter().map(|t| t.weight).collect();
        let counts = data::apportion(places, &weights);
        for (town, count) in municipality.towns.iter().zip(counts) {
            if count == 0 {
                continue;
            }
            if !municipality.is_stockholm() {
                // Each post town is its own village or suburb with its own
                // Storgatan and Skolvägen.
                self.common_used = 0;
            }
            self.town(municipality, town, count, per_code, sink)?;
        }
        Ok(())
    }

    fn town<W: Write>(
        &mut self,
        municipality: &Municipality,
        town: &PostTown,
        places: usize,
        per_code: usize,
        sink: &mut Sink<'_, W>,
    ) -> io::Result<()> {
        let available = town.code_count();
        let codes = places.div_ceil(per_code).clamp(1, available);
        let mut carry = None;
        let mut remaining = places;
        for j in 0..codes {
            // One code from each of `codes` equal slices of the town's codes:
            // ascending, never repeated, spread over the whole range.
            let (lo, hi) = (j * available / codes, (j + 1) * available / codes);
            let (code, area) = town.code_at(lo + self.rng.index(hi - lo));
            let codes_left = codes - j;
            let quota = if codes_left == 1 {
                remaining
            } else {
                let mean = remaining as f64 / codes_left as f64;
                let drawn = (mean * (0.5 + self.rng.unit())).round() as usize;
                // Every later code still gets at least one place.
                drawn.clamp(1, remaining - (codes_left - 1))
            };
            let postal_code = format!("{:03} {:02}", code / 100, code % 100);
            let district = District {
                municipality,
                town,
                postal_code: &postal_code,
            };
            let more = codes_left > 1;
            carry = self.postal_code(district, code, area, quota, carry, more, sink)?;
            remaining -= quota;
        }
        Ok(())
    }

    /// Fills one postal code with exactly `quota` places. Returns the street
    /// to continue in the next postal code, if any.
    #[allow(clippy::too_many_arguments)]
    fn postal_code<W: Write>(
        &mut self,
        d: District<'_>,
        code: u32,
        area: Area,
        quota: usize,
        carry: Option<Street>,
        more: bool,
        sink: &mut Sink<'_, W>,
    ) -> io::Result<Option<Street>> {
        self.code_names.clear();
        let centre = self.point_in(area);
        let mut street = carry.filter(|s| !anchors::reserved(&s.name, d.postal_code));
        if let Some(s) = &street {
            self.code_names.push(s.name.clone());
        }
        let rural = f64::from(d.municipality.rurality) / 100.0;
        let mut left = quota;
        while left > 0 {
            let mut current = match street.take() {
                Some(s) => s,
                None => {
                    if self.rng.chance(0.02 + 0.25 * rural) && self.area_place(d, centre, sink)? {
                        left -= 1;
                        continue;
                    }
                    self.new_street(d.municipality, code, d.postal_code, centre)?
                }
            };
            self.numbers(d, &mut current, &mut left, sink)?;
            if current.left > 0 && more {
                let chance = if current.famous {
                    CONTINUE_CHANCE_FAMOUS
                } else {
                    CONTINUE_CHANCE
                };
                if self.rng.chance(chance) {
                    return Ok(Some(current));
                }
            }
        }
        Ok(None)
    }

    /// Hands out house numbers of `street` until it ends or the postal code's
    /// quota is used up.
    fn numbers<W: Write>(
        &mut self,
        d: District<'_>,
        street: &mut Street,
        left: &mut usize,
        sink: &mut Sink<'_, W>,
    ) -> io::Result<()> {
        while *left > 0 && street.left > 0 {
            let number = street.next;
            let mut run = 0;
            if *left >= 2 && self.rng.chance(LETTER_RUN_CHANCE) {
                // A run is never split over two postal codes.
                run = if self.rng.chance(0.6) { 2 } else { 3 };
                run = run.min(*left);
            }
            if run >= 2 {
                if *left > run && self.rng.chance(PLAIN_WITH_LETTERS_CHANCE) {
                    let at = street.position(number, 0);
                    self.emit(d, &street.name, Some(number), None, at, sink)?;
                    *left -= 1;
                }
                for slot in 0..run as u32 {
                    let at = street.position(number, slot + 1);
                    let letter = b'A' + slot as u8;
                    self.emit(d, &street.name, Some(number), Some(letter), at, sink)?;
                    *left -= 1;
                }
            } else {
                let at = street.position(number, 0);
                self.emit(d, &street.name, Some(number), None, at, sink)?;
                *left -= 1;
            }
            street.left -= 1;
            street.next = if street.distance {
                number + self.rng.range(3, 60)
            } else {
                // Mostly consecutive, with the odd gap of a demolished or
                // merged house.
                let u = self.rng.unit();
                if u < 0.05 {
                    number + 2
                } else if u < 0.06 {
                    number + self.rng.range(3, 5)
                } else {
                    number + 1
                }
            };
        }
        Ok(())
    }

    /// An address area without a number (a farm or hamlet). False if no free
    /// name turned up, in which case the caller starts a street instead.
    fn area_place<W: Write>(
        &mut self,
        d: District<'_>,
        centre: (f64, f64),
        sink: &mut Sink<'_, W>,
    ) -> io::Result<bool> {
        for _ in 0..8 {
            let stem = self.rng.index(names::area_stem_count());
            let ending = self.rng.index(names::area_ending_count());
            names::area_name(stem, ending, &mut self.scratch);
            if self.allowed(&self.scratch, d.postal_code) {
                let name = self.scratch.clone();
                self.code_names.push(name.clone());
                let at = (
                    centre.0 + (self.rng.unit() - 0.5) * 1_200.0,
                    centre.1 + (self.rng.unit() - 0.5) * 1_200.0,
                );
                self.emit(d, &name, None, None, at, sink)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn new_street(
        &mut self,
        municipality: &Municipality,
        code: u32,
        postal_code: &str,
        centre: (f64, f64),
    ) -> io::Result<Street> {
        let (name, length, famous) = self.choose_name(municipality, code, postal_code)?;
        self.code_names.push(name.clone());
        let rural = f64::from(municipality.rurality) / 100.0;
        let distance = !famous && length == Length::Long && self.rng.chance(0.3 * rural);
        let count = if famous {
            self.rng.log_uniform(25, 140)
        } else if distance {
            self.rng.range(3, 25)
        } else {
            match length {
                Length::Long => self.rng.log_uniform(3, 70),
                Length::Short => self.rng.log_uniform(2, 24),
                Length::Tiny => self.rng.log_uniform(1, 9),
            }
        };
        let first = if distance {
            self.rng.range(1, 25)
        } else if self.rng.chance(0.05) {
            2
        } else {
            1
        };
        let angle = self.rng.unit() * TAU;
        let dir = (angle.cos(), angle.sin());
        let start = (
            centre.0 + (self.rng.unit() - 0.5) * 800.0,
            centre.1 + (self.rng.unit() - 0.5) * 800.0,
        );
        let step = if distance {
            DISTANCE_STEP
        } else {
            SEQUENTIAL_STEP
        };
        let back = f64::from(first) * step;
        Ok(Street {
            name,
            famous,
            next: first,
            left: count,
            distance,
            origin: (start.0 - dir.0 * back, start.1 - dir.1 * back),
            dir,
            step,
        })
    }

    /// A street name not yet in this postal code (and not an anchor's there).
    fn choose_name(
        &mut self,
        municipality: &Municipality,
        code: u32,
        postal_code: &str,
    ) -> io::Result<(String, Length, bool)> {
        let stockholm = municipality.is_stockholm();
        if stockholm && self.rng.chance(0.35) {
            let prefix = (code / 100) as u16;
            let open: Vec<usize> = (0..FAMOUS.len())
                .filter(|&i| {
                    FAMOUS[i].1 == prefix
                        && !self.famous_used[i]
                        && self.allowed(FAMOUS[i].0, postal_code)
                })
                .collect();
            if !open.is_empty() {
                let i = open[self.rng.index(open.len())];
                self.famous_used[i] = true;
                return Ok((FAMOUS[i].0.to_owned(), Length::Long, true));
            }
        }
        if self.rng.chance(if stockholm { 0.03 } else { 0.12 }) {
            let i = self.rng.weighted(&self.common_weights);
            let name = COMMON[i].0;
            // Stockholm's Kungsgatan or Ringvägen is the famous one only.
            if self.common_used & (1 << i) == 0
                && !(stockholm && names::is_famous(name))
                && self.allowed(name, postal_code)
            {
                self.common_used |= 1 << i;
                return Ok((name.to_owned(), Length::Long, false));
            }
        }
        if self.rng.chance(if stockholm { 0.12 } else { 0.05 }) {
            for _ in 0..4 {
                let first = self.rng.index(names::first_name_count());
                let last = self.rng.index(names::surname_count());
                let kind = self.rng.weighted(&self.person_kind_weights);
                if let Some(found) = self.try_name(
                    names::person_id(first, last, kind),
                    postal_code,
                    stockholm,
                    true,
                ) {
                    return Ok(found);
                }
            }
        }
        // Plain compounds first; when those run out in a big municipality,
        // "Norra"/"Lilla" variants; then a reused name (fine in another
        // postal code); finally a sweep that cannot miss a free name.
        for attempt in 0..32 {
            let id = self.draw_compound(if attempt < 8 { 0.07 } else { 0.5 });
            if let Some(found) = self.try_name(id, postal_code, stockholm, true) {
                return Ok(found);
            }
        }
        for _ in 0..64 {
            let id = self.draw_compound(0.07);
            if let Some(found) = self.try_name(id, postal_code, stockholm, false) {
                return Ok(found);
            }
        }
        let start = self.rng.index(NAME_SPACE);
        for k in 0..NAME_SPACE {
            if let Some(found) =
                self.try_name((start + k) % NAME_SPACE, postal_code, stockholm, false)
            {
                return Ok(found);
            }
        }
        Err(io::Error::other(
            "more streets in one postal code than the name tables can tell apart",
        ))
    }

    fn draw_compound(&mut self, modifier_chance: f64) -> usize {
        let modifier = if self.rng.chance(modifier_chance) {
            1 + self.rng.index(names::MODIFIERS.len())
        } else {
            0
        };
        let stem = self.rng.index(STEMS.len());
        let suffix = self.rng.weighted(&self.suffix_weights);
        names::compound_id(modifier, stem, suffix)
    }

    fn try_name(
        &mut self,
        id: usize,
        postal_code: &str,
        stockholm: bool,
        fresh_only: bool,
    ) -> Option<(String, Length, bool)> {
        if fresh_only && self.used.contains(id) {
            return None;
        }
        let length = names::render(id, &mut self.scratch);
        if (stockholm && names::is_famous(&self.scratch))
            || !self.allowed(&self.scratch, postal_code)
        {
            return None;
        }
        self.used.insert(id);
        Some((self.scratch.clone(), length, false))
    }

    fn allowed(&self, name: &str, postal_code: &str) -> bool {
        !self.code_names.iter().any(|n| n == name) && !anchors::reserved(name, postal_code)
    }

    fn emit<W: Write>(
        &mut self,
        d: District<'_>,
        street: &str,
        number: Option<u32>,
        letter: Option<u8>,
        at: (f64, f64),
        sink: &mut Sink<'_, W>,
    ) -> io::Result<()> {
        let (hi, lo) = self.next_id();
        let reserved = self.rng.chance(RESERVED_SHARE);
        let position = if self.rng.chance(NO_POSITION_SHARE) {
            None
        } else {
            // Sub-metre jitter so the tenths digit varies like surveyed data.
            let north = at.0 + (self.rng.unit() - 0.5) * 3.0;
            let east = at.1 + (self.rng.unit() - 0.5) * 3.0;
            let m = d.municipality;
            let north = north.clamp(f64::from(m.north.0), f64::from(m.north.1));
            let east = east.clamp(f64::from(m.east.0), f64::from(m.east.1));
            Some(((north * 10.0).round() as u64, (east * 10.0).round() as u64))
        };
        sink.place(&Place {
            id: Id::Bits(hi, lo),
            street,
            number,
            letter,
            postal_code: d.postal_code,
            post_town: d.town.name,
            municipality_code: d.municipality.code,
            municipality: d.municipality.name,
            reserved,
            position,
        })
    }

    /// A version-4-shaped UUID that is unique by construction: 64 of its 122
    /// free bits are a bijection of the serial number, the rest are noise.
    fn next_id(&mut self) -> (u64, u64) {
        let v = mix64(self.serial ^ self.id_key);
        self.serial += 1;
        let noise = mix64(v ^ self.id_key.rotate_left(29));
        // v's bits 63..16 and 11..0 fill the high half around the version
        // nibble; bits 15..12 go next to the variant bits.
        let hi = (v & !0xffff) | 0x4000 | (v & 0x0fff);
        let lo = (0b10 << 62) | (((v >> 12) & 0xf) << 58) | (noise & ((1 << 58) - 1));
        (hi, lo)
    }

    /// A uniform point in a disc.
    fn point_in(&mut self, area: Area) -> (f64, f64) {
        let r = f64::from(area.radius) * self.rng.unit().sqrt();
        let a = self.rng.unit() * TAU;
        (
            f64::from(area.north) + r * a.cos(),
            f64::from(area.east) + r * a.sin(),
        )
    }
}

/// Places per postal code: small registers still get several postal codes
/// per municipality, large ones settle at the few hundred of a real code.
fn places_per_code(places: usize) -> usize {
    ((places as f64).sqrt() * 3.0).clamp(12.0, 220.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v4_shaped_and_distinct() {
        let mut g = Generator::new(5);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50_000 {
            let (hi, lo) = g.next_id();
            assert_eq!((hi >> 12) & 0xf, 4);
            assert_eq!(lo >> 62, 0b10);
            assert!(seen.insert((hi, lo)));
        }
    }

    #[test]
    fn places_per_code_is_bounded() {
        assert_eq!(places_per_code(1), 12);
        assert_eq!(places_per_code(10_000_000), 220);
    }
}
