//! The vocabulary of the generated register: Region Stockholm's own care
//! providers, the kinds of care unit and sub-unit with their codes, and the
//! words private providers' names are built from.
//!
//! Provider names are the real ones; everything else is synthetic. The
//! business classification codes have the shape of HSA's verksamhetskod
//! (four digits) and are used consistently (1100 primary care, 1300
//! emergency care, 1710 physiotherapy, 2100 psychiatry, 4000 dental care ...),
//! but they are not an authoritative copy of the code system.

/// Which mix of care units a provider runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// Primary care, child and maternity care, psychiatry, rehab, home care.
    Primary = 0,
    /// Hospital clinics and specialist outpatient units.
    Hospital = 1,
    /// Dental care.
    Dental = 2,
}

/// One of Region Stockholm's own care providers.
#[derive(Debug)]
pub(crate) struct RegionProvider {
    pub(crate) name: &'static str,
    /// Share of the region's units.
    pub(crate) weight: u32,
    pub(crate) profile: Profile,
    /// Where its units cluster: (post town, name used in unit names). The
    /// name is empty where units are named after their place only.
    pub(crate) campuses: &'static [(&'static str, &'static str)],
    /// The word every unit name starts with, where the provider brands its
    /// units (Folktandvården Farsta).
    pub(crate) brand_word: Option<&'static str>,
    pub(crate) web: &'static str,
}

/// Region Stockholm first: it gets the fixed HSA-id `SE2321000016-0001` and is
/// the first unit of every register. The others are added as the register
/// grows (see `plan`), most units first.
pub(crate) const REGION_PROVIDERS: [RegionProvider; 7] = [
    RegionProvider {
        name: "Region Stockholm",
        weight: 30,
        profile: Profile::Primary,
        campuses: &[("Stockholm", "")],
        brand_word: None,
        web: "https://www.regionstockholm.se",
    },
    RegionProvider {
        name: "Stockholms läns sjukvårdsområde",
        weight: 22,
        profile: Profile::Primary,
        campuses: &[("Stockholm", "")],
        brand_word: None,
        web: "https://www.slso.se",
    },
    RegionProvider {
        name: "Karolinska Universitetssjukhuset",
        weight: 14,
        profile: Profile::Hospital,
        campuses: &[
            ("Solna", "Karolinska Solna"),
            ("Huddinge", "Karolinska Huddinge"),
        ],
        brand_word: None,
        web: "https://www.karolinska.se",
    },
    RegionProvider {
        name: "Folktandvården Stockholms län",
        weight: 8,
        profile: Profile::Dental,
        campuses: &[("Stockholm", "")],
        brand_word: Some("Folktandvården"),
        web: "https://www.folktandvardenstockholm.se",
    },
    RegionProvider {
        name: "Södersjukhuset",
        weight: 9,
        profile: Profile::Hospital,
        campuses: &[("Stockholm", "Södersjukhuset")],
        brand_word: None,
        web: "https://www.sodersjukhuset.se",
    },
    RegionProvider {
        name: "Danderyds sjukhus",
        weight: 7,
        profile: Profile::Hospital,
        campuses: &[("Danderyd", "Danderyds sjukhus")],
        brand_word: None,
        web: "https://www.ds.se",
    },
    RegionProvider {
        name: "Södertälje sjukhus",
        weight: 5,
        profile: Profile::Hospital,
        campuses: &[("Södertälje", "Södertälje sjukhus")],
        brand_word: None,
        web: "https://www.sodertaljesjukhus.se",
    },
];

/// Which sub-units a care unit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Primary,
    Child,
    Psychiatry,
    Hospital,
    Rehab,
    Home,
    Dental,
}

/// A kind of care unit.
#[derive(Debug)]
pub(crate) struct CareUnitType {
    /// The first word(s) of the unit's name.
    pub(crate) word: &'static str,
    /// Relative frequency per [`Profile`] (primary, hospital, dental).
    pub(crate) weight: [u32; 3],
    /// Verksamhetskoder: the first always, up to two more of the rest.
    pub(crate) codes: &'static [&'static str],
    /// Vårdformer: the first always, the second sometimes.
    pub(crate) care_types: &'static [&'static str],
    /// HSA business type outside hospitals (hospital units are always `01`).
    pub(crate) business_type: &'static str,
    pub(crate) family: Family,
}

const fn t(
    word: &'static str,
    weight: [u32; 3],
    codes: &'static [&'static str],
    care_types: &'static [&'static str],
    business_type: &'static str,
    family: Family,
) -> CareUnitType {
    CareUnitType {
        word,
        weight,
        codes,
        care_types,
        business_type,
        family,
    }
}

use Family as F;

/// "Vårdcentral" is by far the most frequent word, as in the real directory,
/// so a name search for it is unselective (thousands of hits at 50 000 units).
#[rustfmt::skip]
pub(crate) const CARE_UNIT_TYPES: [CareUnitType; 35] = [
    // Primary care.
    t("Vårdcentral", [34, 0, 0], &["1100", "1710", "1110", "1120", "1410"], &["01", "03"], "02", F::Primary),
    t("Husläkarmottagning", [10, 0, 0], &["1100", "1710", "1410"], &["01"], "02", F::Primary),
    t("Närakut", [3, 2, 0], &["1300", "1100"], &["01"], "02", F::Primary),
    t("BVC", [5, 0, 0], &["1110", "1900"], &["01"], "02", F::Child),
    t("Barnmottagning", [3, 2, 0], &["1900", "1110"], &["01"], "02", F::Child),
    t("MVC", [4, 0, 0], &["1120", "1800"], &["01"], "02", F::Child),
    t("Barnmorskemottagning", [2, 0, 0], &["1120"], &["01"], "02", F::Child),
    t("Ungdomsmottagning", [3, 0, 0], &["1130", "1120"], &["01"], "02", F::Child),
    t("Psykiatrimottagning", [7, 3, 0], &["2100", "2120"], &["01", "02"], "03", F::Psychiatry),
    t("BUP-mottagning", [3, 0, 0], &["2110", "2100"], &["01"], "03", F::Psychiatry),
    t("Beroendemottagning", [2, 1, 0], &["2120", "2100"], &["01", "02"], "03", F::Psychiatry),
    t("Rehabmottagning", [4, 1, 0], &["1700", "1710", "1720", "1730"], &["01"], "02", F::Rehab),
    t("Fysioterapimottagning", [2, 0, 0], &["1710", "1700"], &["01"], "02", F::Rehab),
    t("Logopedmottagning", [1, 0, 0], &["1730"], &["01"], "02", F::Rehab),
    t("ASIH", [2, 0, 0], &["3010", "3000"], &["03"], "03", F::Home),
    t("Hemsjukvård", [2, 0, 0], &["3000"], &["03"], "03", F::Home),
    t("Geriatrisk mottagning", [1, 3, 0], &["1520", "1500"], &["01", "02"], "03", F::Hospital),
    // Hospitals.
    t("Akutmottagning", [0, 5, 0], &["1300", "1500", "1600"], &["01"], "01", F::Hospital),
    t("Medicinkliniken", [0, 4, 0], &["1500", "1510"], &["02", "01"], "01", F::Hospital),
    t("Kirurgkliniken", [0, 4, 0], &["1600", "1620"], &["02", "01"], "01", F::Hospital),
    t("Ortopedmottagning", [0, 4, 0], &["1610", "1700"], &["01", "02"], "01", F::Hospital),
    t("Kardiologmottagning", [0, 3, 0], &["1510", "1500"], &["01", "02"], "01", F::Hospital),
    t("Kvinnokliniken", [0, 3, 0], &["1800", "1120"], &["02", "01"], "01", F::Hospital),
    t("Barnkliniken", [0, 2, 0], &["1900", "1300"], &["02", "01"], "01", F::Hospital),
    t("Hudmottagning", [0, 2, 0], &["2200"], &["01"], "01", F::Hospital),
    t("Ögonmottagning", [0, 2, 0], &["2300"], &["01"], "01", F::Hospital),
    t("Öron-näs-halsmottagning", [0, 2, 0], &["2400"], &["01"], "01", F::Hospital),
    t("Neurologmottagning", [0, 2, 0], &["2500", "1500"], &["01", "02"], "01", F::Hospital),
    t("Onkologiska kliniken", [0, 2, 0], &["2600"], &["02", "01"], "01", F::Hospital),
    t("Infektionskliniken", [0, 2, 0], &["2700", "1500"], &["02", "01"], "01", F::Hospital),
    t("Dialysmottagning", [0, 2, 0], &["2800", "1500"], &["01"], "01", F::Hospital),
    // Dental care.
    t("Tandvårdsklinik", [0, 0, 5], &["4000", "4010"], &["01"], "02", F::Dental),
    t("Tandläkarmottagning", [0, 0, 4], &["4000", "4010"], &["01"], "02", F::Dental),
    t("Specialisttandvård", [0, 0, 2], &["4020", "4000"], &["01"], "02", F::Dental),
    t("Tandreglering", [0, 0, 1], &["4030", "4020"], &["01"], "02", F::Dental),
];

/// Sub-unit names and codes of a family. A `#` in the name is replaced by a
/// digit: medical wards are numbered 1x, surgical wards 6x, so two wards of
/// one clinic never share a name.
pub(crate) fn sub_units(family: Family) -> &'static [(&'static str, &'static str)] {
    match family {
        Family::Primary => &[
            ("Sjuksköterskemottagning", "1100"),
            ("Läkarmottagning", "1100"),
            ("Rehab", "1710"),
            ("Laboratorium", "1410"),
            ("Diabetesmottagning", "1500"),
            ("Astma/KOL-mottagning", "1500"),
            ("Psykosocial mottagning", "2100"),
            ("Vaccinationsmottagning", "1100"),
        ],
        Family::Child => &[
            ("Sjuksköterskemottagning", "1110"),
            ("Barnmorskemottagning", "1120"),
            ("Psykologmottagning", "2110"),
            ("Amningsmottagning", "1120"),
            ("Ultraljud", "1800"),
        ],
        Family::Psychiatry => &[
            ("Öppenvårdsteam", "2100"),
            ("Mobilt team", "2100"),
            ("Ångestmottagning", "2100"),
            ("Dagverksamhet", "2100"),
            ("Psykosteam", "2100"),
            ("Ätstörningsteam", "2110"),
        ],
        Family::Hospital => &[
            ("Vårdavdelning 1#", "1500"),
            ("Vårdavdelning 6#", "1600"),
            ("Dagvård", "1500"),
            ("Operation", "1600"),
            ("Mottagning", "1500"),
            ("Laboratorium", "1410"),
            ("Intensivvård", "1300"),
            ("Observationsavdelning", "1300"),
        ],
        Family::Rehab => &[
            ("Arbetsterapi", "1720"),
            ("Fysioterapi", "1710"),
            ("Bassängträning", "1710"),
            ("Logopedi", "1730"),
            ("Hjälpmedel", "1700"),
        ],
        Family::Home => &[
            ("Palliativt team", "3010"),
            ("Hemsjukvårdsteam", "3000"),
            ("Nattpatrull", "3000"),
            ("Specialistteam", "3010"),
        ],
        Family::Dental => &[
            ("Barntandvård", "4010"),
            ("Tandhygienist", "4000"),
            ("Käkkirurgi", "4020"),
            ("Akuttandvård", "4000"),
        ],
    }
}

/// First halves of private providers' brand names: Ek + backen = Ekbacken.
pub(crate) const BRAND_STEMS: [&str; 32] = [
    "Ek", "Björk", "Lind", "Sol", "Sjö", "Berg", "Ros", "Al", "Strand", "Hav", "Lärk", "Gran",
    "Tall", "Asp", "Hassel", "Rönn", "Lönn", "Vide", "Ljung", "Klöver", "Falk", "Svan", "Trast",
    "Stjärn", "Mån", "Silver", "Guld", "Kvarn", "Bäck", "Sten", "Vind", "Ängs",
];

pub(crate) const BRAND_ENDINGS: [&str; 12] = [
    "backen", "dalen", "gården", "viken", "udden", "hagen", "lunden", "parken", "torget", "kullen",
    "bron", "ängen",
];

/// Brands that are not compounds, for variety.
pub(crate) const BRAND_NAMES: [&str; 10] = [
    "Vitalis",
    "Medicus",
    "Hälsoporten",
    "Läkarhuset",
    "Familjeläkarna",
    "Citydoktorn",
    "Norrmalmskliniken",
    "Kvartersdoktorn",
    "Närhälsan",
    "Husdoktorn",
];

/// What a private provider's company name ends in, by [`Profile`].
pub(crate) fn company_words(profile: Profile) -> &'static [&'static str] {
    match profile {
        Profile::Primary => &["Vård", "Hälsa", "Läkarhus", "Vårdcentral", "Medicin"],
        Profile::Hospital => &["Specialistvård", "Kliniken", "Medical"],
        Profile::Dental => &["Tandvård", "Tandläkare"],
    }
}

/// Words a place name is sometimes qualified with: Farsta Centrum.
pub(crate) const QUALIFIERS: [&str; 8] = [
    "Centrum", "Norra", "Södra", "Västra", "Östra", "City", "Torg", "Strand",
];

/// The district an inner-city postal prefix lies in: post town Stockholm
/// covers all of them, and units are named after the district.
pub(crate) fn inner_city_district(postal_code: &str) -> Option<&'static str> {
    Some(match postal_code.get(..3)? {
        "111" => "City",
        "112" => "Kungsholmen",
        "113" => "Vasastan",
        "114" => "Östermalm",
        "115" => "Gärdet",
        "116" | "118" => "Södermalm",
        "117" => "Liljeholmen",
        "120" => "Hammarby Sjöstad",
        _ => return None,
    })
}
