//! Building the units: providers, their care units, and the care units'
//! sub-units, in that order, from one PRNG stream.

use std::collections::HashSet;

use mdm_types::{
    Address, AddressVerification, Contact, Ownership, Source, Unit, UnitKind, UnitStatus,
    VerifiedAddress,
};

use crate::calendar::{Moment, date, days_from_civil};
use crate::catalogue::{
    BRAND_ENDINGS, BRAND_NAMES, BRAND_STEMS, CARE_UNIT_TYPES, CareUnitType, Family, Profile,
    QUALIFIERS, REGION_PROVIDERS, company_words, inner_city_district, sub_units,
};
use crate::register::Pool;
use crate::rng::Rng;

/// Region Stockholm's organisation number; every region-owned unit carries it.
pub(crate) const REGION_ORGANISATION_NUMBER: &str = "2321000016";
const REGION_HSA_PREFIX: &str = "SE2321000016-";
const REGION_EMAIL_DOMAIN: &str = "regionstockholm.se";
/// Who the server-owned `created_by` / `updated_by` name.
const SEEDER: &str = "seed";
const VERIFICATION_SOURCE: &str = "lantmateriet-register";
const COUNTY_CODE: &str = "01";
/// Names longer than this are cut at a word (the contract's limit).
pub(crate) const MAX_NAME_CHARS: usize = 64;

/// Private providers' share of all units, once the register is big enough
/// for one private provider with a few units (from 40 units on).
const PRIVATE_SHARE: f64 = 0.05;
const PRIVATE_FROM_UNITS: usize = 40;
/// One more of the region's own providers per this many region units.
const UNITS_PER_REGION_PROVIDER: usize = 50;
/// Chance that a care unit, or a sub-unit of an active care unit, is
/// retired; with retired care units' sub-units retired too, about 3% of all
/// units end up retired.
const RETIRED: f64 = 0.02;
/// Share of sub-units without a visiting address.
const SUB_UNIT_WITHOUT_ADDRESS: f64 = 0.10;
/// Relative frequency of 0, 1, 2, 3, 4 sub-units under a care unit (mean 1.4).
const SUB_UNIT_COUNTS: [u32; 5] = [25, 30, 25, 12, 8];

/// How often a care unit's name is drawn before a duplicate is accepted.
const NAME_ATTEMPTS: u32 = 6;

/// Characters of an HSA-id's local part.
const HSA_CHARS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Relative frequency of local-part lengths 4, 5, 6, 7, 8.
const HSA_SUFFIX_LENGTHS: [u32; 5] = [40, 25, 20, 10, 5];

/// The span `created_at` is spread over.
const FIRST_DAY: i64 = days_from_civil(2025, 1, 1);
const LAST_DAY: i64 = days_from_civil(2026, 12, 31);
/// Office hours (UTC minutes of the day) that records are created in.
const OPENS: i64 = 7 * 60;
const CLOSES: i64 = 17 * 60 + 59;

/// Who owns a block of units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Region(usize),
    Private,
}

/// A provider and how many units (itself included) its block has.
#[derive(Debug)]
struct Block {
    owner: Owner,
    units: usize,
}

/// Splits `units` into provider blocks: the region's providers first, in
/// [`REGION_PROVIDERS`] order, then the private ones.
fn plan(units: usize, rng: &mut Rng) -> Vec<Block> {
    if units == 0 {
        return Vec::new();
    }
    let private = if units >= PRIVATE_FROM_UNITS {
        (units as f64 * PRIVATE_SHARE).round() as usize
    } else {
        0
    };
    let region = units - private;
    let count = REGION_PROVIDERS
        .len()
        .min(1 + region / UNITS_PER_REGION_PROVIDER);
    let providers = &REGION_PROVIDERS[..count];
    let total: usize = providers.iter().map(|p| p.weight as usize).sum();
    let mut blocks: Vec<Block> = providers
        .iter()
        .enumerate()
        .map(|(i, p)| Block {
            owner: Owner::Region(i),
            units: (region * p.weight as usize / total).max(1),
        })
        .collect();
    // Region Stockholm takes what rounding left over. It has the largest
    // weight and the others were rounded down (or up to 1 only while there are
    // at least 50 units per provider), so it keeps at least one unit.
    let others: usize = blocks[1..].iter().map(|b| b.units).sum();
    blocks[0].units = region - others;

    // Private providers: mostly small practices, a few chains. Block sizes
    // are log-uniform in 2..=60.
    let mut left = private;
    while left > 0 {
        let size = (2.0 * 30f64.powf(rng.unit())) as usize;
        let size = size.clamp(1, left);
        blocks.push(Block {
            owner: Owner::Private,
            units: size,
        });
        left -= size;
    }
    blocks
}

/// What units of a provider inherit from it.
#[derive(Debug)]
struct Provider {
    hsa_id: String,
    organisation_number: String,
    ownership: Ownership,
    source: Source,
    profile: Profile,
    /// (post town, name for unit names); the name may be empty.
    campuses: Vec<(String, String)>,
    /// Region: a word that replaces the unit type (Folktandvården). Private:
    /// the brand put in front of unit names (Ekbacken Vårdcentral Farsta).
    brand: Option<String>,
    email_domain: String,
    web: String,
    created: Moment,
    valid_from: i64,
}

/// What sub-units inherit from their care unit.
#[derive(Debug)]
struct CareUnit {
    hsa_id: String,
    /// The place part of the name (Farsta, Sveavägen, Södersjukhuset).
    place_word: String,
    postal_code: Option<String>,
    town: String,
    municipality_code: Option<String>,
    created: Moment,
    valid_from: i64,
    valid_to: Option<i64>,
    care_types: Vec<String>,
    first_code: String,
    family: Family,
}

pub(crate) struct Generator {
    rng: Rng,
    pool: Pool,
    ids: HashSet<String>,
    organisation_numbers: HashSet<String>,
    brands: HashSet<String>,
    /// Names of the current provider's care units.
    care_unit_names: HashSet<String>,
    units: Vec<Unit>,
}

impl Generator {
    pub(crate) fn new(rng: Rng, pool: Pool, capacity: usize) -> Self {
        Self {
            rng,
            pool,
            ids: HashSet::with_capacity(capacity),
            organisation_numbers: HashSet::new(),
            brands: HashSet::new(),
            care_unit_names: HashSet::new(),
            units: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn run(mut self, units: usize) -> Vec<Unit> {
        for block in plan(units, &mut self.rng) {
            let provider = match block.owner {
                Owner::Region(i) => self.region_provider(i),
                Owner::Private => self.private_provider(),
            };
            self.care_unit_names.clear();
            let mut left = block.units - 1;
            while left > 0 {
                let care_unit = self.care_unit(&provider);
                left -= 1;
                // Siblings get different kinds, so no two share a name.
                let mut kinds = sub_units(care_unit.family).to_vec();
                self.rng.shuffle(&mut kinds);
                let count = self.rng.weighted(SUB_UNIT_COUNTS.iter().copied());
                kinds.truncate(count.min(left));
                for &kind in &kinds {
                    self.sub_unit(&provider, &care_unit, kind);
                }
                left -= kinds.len();
            }
        }
        self.units
    }

    fn region_provider(&mut self, index: usize) -> Provider {
        let spec = &REGION_PROVIDERS[index];
        // Region Stockholm keeps the well-known id the demo data uses.
        let hsa_id = if index == 0 {
            let id = format!("{REGION_HSA_PREFIX}0001");
            self.ids.insert(id.clone());
            id
        } else {
            self.new_hsa_id(REGION_HSA_PREFIX)
        };
        let provider = Provider {
            hsa_id,
            organisation_number: REGION_ORGANISATION_NUMBER.into(),
            ownership: Ownership::Region,
            source: Source::Mdm,
            profile: spec.profile,
            campuses: spec
                .campuses
                .iter()
                .map(|&(town, name)| (town.to_owned(), name.to_owned()))
                .collect(),
            brand: spec.brand_word.map(str::to_owned),
            email_domain: REGION_EMAIL_DOMAIN.into(),
            web: spec.web.into(),
            created: self.provider_moment(),
            valid_from: self
                .rng
                .range(days_from_civil(1995, 1, 1), days_from_civil(2012, 12, 31)),
        };
        let town = provider.campuses[0].0.clone();
        let place = self.pool.in_town(&town);
        self.push_provider(&provider, spec.name.to_owned(), "registrator", place);
        provider
    }

    fn private_provider(&mut self) -> Provider {
        let organisation_number = self.new_organisation_number();
        let profile = match self.rng.weighted([70, 10, 20].into_iter()) {
            0 => Profile::Primary,
            1 => Profile::Hospital,
            _ => Profile::Dental,
        };
        // Brands should differ, but a register big enough to use up the
        // combinations may repeat one rather than loop.
        let mut attempt = 0;
        let (brand, name) = loop {
            let brand = if self.rng.chance(0.8) {
                format!(
                    "{}{}",
                    self.rng.pick(&BRAND_STEMS),
                    self.rng.pick(&BRAND_ENDINGS)
                )
            } else {
                (*self.rng.pick(&BRAND_NAMES)).to_owned()
            };
            let name = format!("{brand} {} AB", self.rng.pick(company_words(profile)));
            attempt += 1;
            if self.brands.insert(name.clone()) || attempt >= 20 {
                break (brand, name);
            }
        };
        let domain = format!("{}.se", slug(name.trim_end_matches(" AB"), ""));
        let place = self.pool.any();
        let town = place.map_or_else(
            || "Stockholm".to_owned(),
            |i| self.pool.place(i).post_town.clone(),
        );
        let provider = Provider {
            hsa_id: self.new_hsa_id(&format!("SE{organisation_number}-")),
            organisation_number,
            ownership: Ownership::Private,
            source: Source::Ek,
            profile,
            campuses: vec![(town, String::new())],
            brand: Some(brand),
            web: format!("https://www.{domain}"),
            email_domain: domain,
            created: self.provider_moment(),
            valid_from: self
                .rng
                .range(days_from_civil(1995, 1, 1), days_from_civil(2022, 12, 31)),
        };
        self.push_provider(&provider, name, "info", place);
        provider
    }

    fn push_provider(&mut self, p: &Provider, name: String, mailbox: &str, place: Option<u32>) {
        let visiting_address = place.map(|i| self.verified(i, p.created));
        let municipality_code = place.map(|i| self.pool.place(i).municipality_code.clone());
        let phone = self.phone(municipality_code.as_deref());
        // Head offices have a box address for mail.
        let postal_address = Address {
            street: format!("Box {}", self.rng.range(1000, 29_999)),
            number: None,
            letter: None,
            postal_code: format!("10{} {:02}", self.rng.range(0, 9), self.rng.range(10, 99)),
            post_town: "Stockholm".into(),
            municipality_code: None,
        };
        self.units.push(Unit {
            hsa_id: p.hsa_id.clone(),
            name: fit(name),
            kind: UnitKind::CareProvider,
            parent: None,
            care_provider: p.hsa_id.clone(),
            organisation_number: p.organisation_number.clone(),
            ownership: p.ownership,
            source: p.source,
            status: UnitStatus::Active,
            visiting_address,
            postal_address: Some(postal_address),
            contact: Some(Contact {
                phone: Some(phone),
                email: Some(format!("{mailbox}@{}", p.email_domain)),
                web: Some(p.web.clone()),
            }),
            business_classification_codes: Vec::new(),
            care_types: Vec::new(),
            business_type: None,
            municipality_code,
            county_code: Some(COUNTY_CODE.into()),
            valid_from: Some(date(p.valid_from)),
            valid_to: None,
            version: 1,
            created_at: p.created.rfc3339(),
            created_by: SEEDER.into(),
            updated_at: p.created.rfc3339(),
            updated_by: SEEDER.into(),
            change_seq: None,
        });
    }

    fn care_unit(&mut self, p: &Provider) -> CareUnit {
        let profile = p.profile as usize;
        let ty: &CareUnitType = &CARE_UNIT_TYPES[self
            .rng
            .weighted(CARE_UNIT_TYPES.iter().map(|t| t.weight[profile]))];
        let (campus_town, campus_name) = self.rng.pick(&p.campuses).clone();

        // Hospitals' and private chains' units cluster around their campus or
        // home town; the rest of the units spread like the population.
        let place = if p.campuses[0].1.is_empty() && p.ownership == Ownership::Region {
            self.pool.any()
        } else if self.rng.chance(0.5) {
            self.pool.in_town(&campus_town)
        } else {
            self.pool.any()
        };

        // A provider does not name two care units alike: a name already
        // taken is drawn again (another of the place's words), a few times.
        let mut attempts = 0;
        let (name, place_word) = loop {
            let place_word = if !campus_name.is_empty() && self.rng.chance(0.35) {
                campus_name.clone()
            } else {
                match place {
                    Some(i) => self.place_word(i),
                    None => campus_town.clone(),
                }
            };
            let word = match (&p.brand, p.ownership) {
                (Some(brand_word), Ownership::Region) if self.rng.chance(0.8) => {
                    brand_word.as_str()
                }
                _ => ty.word,
            };
            let name = fit(match (&p.brand, p.ownership) {
                (Some(brand), Ownership::Private) if self.rng.chance(0.6) => {
                    format!("{brand} {word} {place_word}")
                }
                _ => format!("{word} {place_word}"),
            });
            attempts += 1;
            if self.care_unit_names.insert(name.clone()) || attempts >= NAME_ATTEMPTS {
                break (name, place_word);
            }
        };

        let created = self.after(p.created, LAST_DAY - p.created.day);
        let valid_from = self.rng.range(p.valid_from, created.day);
        let valid_to = self
            .rng
            .chance(RETIRED)
            .then(|| self.rng.range(valid_from, created.day));

        let mut codes = vec![ty.codes[0].to_owned()];
        let extra = self.rng.index(ty.codes.len().min(3));
        let mut rest: Vec<&str> = ty.codes[1..].to_vec();
        self.rng.shuffle(&mut rest);
        codes.extend(rest.iter().take(extra).map(|c| (*c).to_owned()));

        let mut care_types = vec![ty.care_types[0].to_owned()];
        if ty.care_types.len() > 1 && self.rng.chance(0.35) {
            care_types.push(ty.care_types[1].to_owned());
        }
        let business_type = if p.profile == Profile::Hospital {
            "01"
        } else {
            ty.business_type
        };

        let hsa_id = self.new_hsa_id(&prefix_of(&p.hsa_id));
        let municipality_code = place.map(|i| self.pool.place(i).municipality_code.clone());
        let contact = Contact {
            phone: self
                .rng
                .chance(0.95)
                .then(|| self.phone(municipality_code.as_deref())),
            email: self
                .rng
                .chance(0.7)
                .then(|| format!("{}@{}", slug(&name, "."), p.email_domain)),
            web: self.rng.chance(0.8).then(|| {
                if p.ownership == Ownership::Region && p.profile != Profile::Hospital {
                    format!(
                        "https://www.1177.se/hitta-vard/kontaktkort/{}",
                        slug(&name, "-")
                    )
                } else {
                    p.web.clone()
                }
            }),
        };
        let context = CareUnit {
            hsa_id: hsa_id.clone(),
            place_word,
            postal_code: place.map(|i| self.pool.place(i).postal_code.clone()),
            town: place.map_or(campus_town, |i| self.pool.place(i).post_town.clone()),
            municipality_code: municipality_code.clone(),
            created,
            valid_from,
            valid_to,
            care_types: care_types.clone(),
            first_code: codes[0].clone(),
            family: ty.family,
        };
        self.units.push(Unit {
            hsa_id,
            name,
            kind: UnitKind::CareUnit,
            parent: Some(p.hsa_id.clone()),
            care_provider: p.hsa_id.clone(),
            organisation_number: p.organisation_number.clone(),
            ownership: p.ownership,
            source: p.source,
            status: status(valid_to),
            visiting_address: place.map(|i| self.verified(i, created)),
            postal_address: None,
            contact: Some(contact),
            business_classification_codes: codes,
            care_types,
            business_type: Some(business_type.into()),
            municipality_code,
            county_code: Some(COUNTY_CODE.into()),
            valid_from: Some(date(valid_from)),
            valid_to: valid_to.map(date),
            version: 1,
            created_at: created.rfc3339(),
            created_by: SEEDER.into(),
            updated_at: created.rfc3339(),
            updated_by: SEEDER.into(),
            change_seq: None,
        });
        context
    }

    fn sub_unit(&mut self, p: &Provider, cu: &CareUnit, (word, code): (&str, &str)) {
        let word = word.replace('#', &self.rng.range(0, 9).to_string());

        let place = if self.rng.chance(SUB_UNIT_WITHOUT_ADDRESS) {
            None
        } else {
            match &cu.postal_code {
                Some(code) => self.pool.near(code, &cu.town),
                None => self.pool.in_town(&cu.town),
            }
        };
        // Mostly named like the care unit; some after their own street, which
        // keeps street names (the rare words of a name search) frequent.
        let name = match place {
            Some(i) if self.rng.chance(0.25) => format!("{word} {}", self.pool.place(i).street),
            _ => format!("{word} {}", cu.place_word),
        };
        let name = fit(name);

        let created = self.after(cu.created, 90);
        // A retired care unit's sub-units ended no later than it did.
        let (valid_from, valid_to) = match cu.valid_to {
            Some(end) => {
                let from = self.rng.range(cu.valid_from, end);
                (from, Some(self.rng.range(from, end)))
            }
            None => {
                let from = self.rng.range(cu.valid_from, created.day);
                let to = self
                    .rng
                    .chance(RETIRED)
                    .then(|| self.rng.range(from, created.day));
                (from, to)
            }
        };

        let mut codes = vec![code.to_owned()];
        if cu.first_code != code && self.rng.chance(0.5) {
            codes.push(cu.first_code.clone());
        }
        let care_types = if self.rng.chance(0.7) {
            cu.care_types[..1].to_vec()
        } else {
            cu.care_types.clone()
        };

        let municipality_code = match place {
            Some(i) => Some(self.pool.place(i).municipality_code.clone()),
            None => cu.municipality_code.clone(),
        };
        let phone = self
            .rng
            .chance(0.7)
            .then(|| self.phone(municipality_code.as_deref()));
        let email = self
            .rng
            .chance(0.3)
            .then(|| format!("{}@{}", slug(&name, "."), p.email_domain));
        let contact = (phone.is_some() || email.is_some()).then_some(Contact {
            phone,
            email,
            web: None,
        });
        let hsa_id = self.new_hsa_id(&prefix_of(&p.hsa_id));
        self.units.push(Unit {
            hsa_id,
            name,
            kind: UnitKind::OrganisationalUnit,
            parent: Some(cu.hsa_id.clone()),
            care_provider: p.hsa_id.clone(),
            organisation_number: p.organisation_number.clone(),
            ownership: p.ownership,
            source: p.source,
            status: status(valid_to),
            visiting_address: place.map(|i| self.verified(i, created)),
            postal_address: None,
            contact,
            business_classification_codes: codes,
            care_types,
            business_type: None,
            municipality_code,
            county_code: Some(COUNTY_CODE.into()),
            valid_from: Some(date(valid_from)),
            valid_to: valid_to.map(date),
            version: 1,
            created_at: created.rfc3339(),
            created_by: SEEDER.into(),
            updated_at: created.rfc3339(),
            updated_by: SEEDER.into(),
            change_seq: None,
        });
    }

    /// The place part of a unit name: mostly the locality, often the
    /// street (rare words for a name search), sometimes a qualified locality.
    fn place_word(&mut self, index: u32) -> String {
        let place = self.pool.place(index);
        let locality = if place.post_town == "Stockholm" {
            inner_city_district(&place.postal_code).unwrap_or("Stockholm")
        } else {
            place.post_town.as_str()
        };
        let roll = self.rng.unit();
        if roll < 0.55 {
            locality.to_owned()
        } else if roll < 0.90 {
            place.street.clone()
        } else {
            format!("{locality} {}", self.rng.pick(&QUALIFIERS))
        }
    }

    fn verified(&self, index: u32, at: Moment) -> VerifiedAddress {
        let place = self.pool.place(index);
        VerifiedAddress {
            address: Address {
                street: place.street.clone(),
                number: place.number.clone(),
                letter: place.letter.clone(),
                postal_code: place.postal_code.clone(),
                post_town: place.post_town.clone(),
                municipality_code: Some(place.municipality_code.clone()),
            },
            verification: AddressVerification {
                register_id: place.register_id.clone(),
                source: VERIFICATION_SOURCE.into(),
                verified_at: at.rfc3339(),
            },
        }
    }

    /// A Stockholm number (+46 8), or a Norrtälje one (+46 176).
    fn phone(&mut self, municipality_code: Option<&str>) -> String {
        if municipality_code == Some("0188") {
            format!(
                "+46 176 {:02} {:02} {:02}",
                self.rng.range(10, 99),
                self.rng.range(0, 99),
                self.rng.range(0, 99)
            )
        } else {
            format!(
                "+46 8 {} {} {:02}",
                self.rng.range(100, 999),
                self.rng.range(100, 999),
                self.rng.range(0, 99)
            )
        }
    }

    /// Providers were loaded first, in the first weeks of 2025.
    fn provider_moment(&mut self) -> Moment {
        Moment {
            day: self.rng.range(FIRST_DAY, FIRST_DAY + 30),
            minute: self.rng.range(OPENS, 10 * 60),
        }
    }

    /// A moment during office hours, no earlier than `start` and at most
    /// `max_days` after it (and not after 2026).
    fn after(&mut self, start: Moment, max_days: i64) -> Moment {
        let day = self
            .rng
            .range(start.day, (start.day + max_days).min(LAST_DAY));
        let minute = self.rng.range(OPENS, CLOSES);
        let minute = if day == start.day {
            minute.max(start.minute)
        } else {
            minute
        };
        Moment { day, minute }
    }

    fn new_hsa_id(&mut self, prefix: &str) -> String {
        loop {
            let len = 4 + self.rng.weighted(HSA_SUFFIX_LENGTHS.iter().copied());
            let mut id = String::with_capacity(prefix.len() + len);
            id.push_str(prefix);
            for _ in 0..len {
                id.push(char::from(*self.rng.pick(HSA_CHARS)));
            }
            debug_assert!(mdm_identifiers::check_hsa_id(&id).is_ok(), "{id}");
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
    }

    /// A joint-stock company's number: 556 or 559, six digits, Luhn digit.
    fn new_organisation_number(&mut self) -> String {
        loop {
            let mut digits = String::with_capacity(10);
            digits.push_str(if self.rng.chance(0.8) { "556" } else { "559" });
            for _ in 0..6 {
                digits.push(char::from(b'0' + self.rng.below(10) as u8));
            }
            digits.push(luhn_digit(&digits));
            debug_assert!(mdm_identifiers::is_valid_organisation_number(&digits));
            if self.organisation_numbers.insert(digits.clone()) {
                return digits;
            }
        }
    }
}

fn status(valid_to: Option<i64>) -> UnitStatus {
    if valid_to.is_some() {
        UnitStatus::Retired
    } else {
        UnitStatus::Active
    }
}

/// `SE2321000016-` of `SE2321000016-0001`.
fn prefix_of(hsa_id: &str) -> String {
    let end = hsa_id.find('-').map_or(hsa_id.len(), |i| i + 1);
    hsa_id[..end].to_owned()
}

/// The Luhn check digit over nine digits, doubling from the first.
fn luhn_digit(nine: &str) -> char {
    let sum: u32 = nine
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            let v = if i % 2 == 0 { d * 2 } else { d };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// A name cut at the last whole word that fits [`MAX_NAME_CHARS`] (a single
/// over-long word is cut mid-word).
pub(crate) fn fit(name: String) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name;
    }
    let mut out = String::new();
    for word in name.split(' ') {
        let extra = usize::from(!out.is_empty()) + word.chars().count();
        if out.chars().count() + extra > MAX_NAME_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = name.chars().take(MAX_NAME_CHARS).collect();
    }
    out
}

/// Lower-case ASCII for e-mail addresses, domains and URLs: å/ä → a, ö → o,
/// anything else that is not a letter or digit → `sep` (collapsed).
pub(crate) fn slug(text: &str, sep: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if pending && !out.is_empty() {
                out.push_str(sep);
            }
            pending = false;
            out.push(c);
        } else {
            pending = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_adds_up_and_grows_providers() {
        let mut rng = Rng::new(3);
        for units in [1, 2, 3, 39, 40, 41, 50, 99, 200, 1_000, 50_000] {
            let blocks = plan(units, &mut rng);
            assert_eq!(blocks.iter().map(|b| b.units).sum::<usize>(), units);
            assert!(blocks.iter().all(|b| b.units >= 1));
            assert_eq!(blocks[0].owner, Owner::Region(0));
        }
        let region = |units| {
            plan(units, &mut Rng::new(1))
                .iter()
                .filter(|b| b.owner != Owner::Private)
                .count()
        };
        assert_eq!(region(10), 1);
        assert_eq!(region(200), 4);
        assert_eq!(region(50_000), REGION_PROVIDERS.len());
        assert!(plan(0, &mut rng).is_empty());
    }

    #[test]
    fn luhn_matches_the_identifier_check() {
        assert_eq!(luhn_digit("232100001"), '6');
        assert_eq!(luhn_digit("556559423"), '0');
    }

    #[test]
    fn names_are_cut_at_words() {
        let long = "Öron-näs-halsmottagning Drottning Kristinas väg Centrum Norra Västra Östra";
        let cut = fit(long.to_owned());
        assert!(cut.chars().count() <= MAX_NAME_CHARS);
        assert!(long.starts_with(&cut) && !cut.ends_with(' '));
        assert_eq!(fit("Vårdcentral Farsta".into()), "Vårdcentral Farsta");
        assert_eq!(fit("x".repeat(70)).len(), MAX_NAME_CHARS);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Vårdcentral Östra Ängby", "."),
            "vardcentral.ostra.angby"
        );
        assert_eq!(
            slug("Astma/KOL-mottagning Farsta", "-"),
            "astma-kol-mottagning-farsta"
        );
        assert_eq!(slug("Ekbacken Läkarhus", ""), "ekbackenlakarhus");
    }

    #[test]
    fn hsa_prefix() {
        assert_eq!(prefix_of("SE2321000016-0001"), "SE2321000016-");
    }
}
