//! Street and address-area names that read as Swedish.
//!
//! Most names are compounds of a stem and a street word ("Björk" + "vägen"),
//! optionally with a direction or size word in front ("Norra", "Lilla"), as in
//! the real register. On top of that come streets named after people ("Selma
//! Lagerlöfs väg"), names every Swedish town has (Storgatan, Kyrkvägen ...)
//! and the well-known streets of inner Stockholm, each placed in the postal
//! area it really lies in.

/// How many house numbers a street of this kind typically gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    /// Through streets: vägen, gatan, allén, leden.
    Long,
    /// Side streets: gränd, stigen, backen, slingan ...
    Short,
    /// Squares: torget, plan, platsen.
    Tiny,
}

pub(crate) const STEMS: [&str; 199] = [
    // Trees and plants.
    "Björk",
    "Ek",
    "Tall",
    "Gran",
    "Lind",
    "Al",
    "Asp",
    "Lönn",
    "Rönn",
    "Hassel",
    "Alm",
    "Ask",
    "Hägg",
    "Sälg",
    "Oxel",
    "Fläder",
    "Syren",
    "Hagtorns",
    "Vide",
    "En",
    "Ljung",
    "Blåbärs",
    "Lingon",
    "Hallon",
    "Smultron",
    "Nypon",
    "Ros",
    "Lilje",
    "Viol",
    "Klöver",
    "Vass",
    "Säv",
    "Moss",
    "Ormbunks",
    "Kastanj",
    "Poppel",
    "Humle",
    "Äppel",
    "Päron",
    "Plommon",
    "Körsbärs",
    "Vinbärs",
    "Krusbärs",
    "Tulpan",
    "Nejlike",
    "Blåklints",
    "Vallmo",
    "Gullvive",
    "Kamomill",
    "Timotej",
    // Landscape and weather.
    "Sjö",
    "Strand",
    "Berg",
    "Dal",
    "Äng",
    "Hag",
    "Skogs",
    "Mark",
    "Kärr",
    "Ås",
    "Back",
    "Hed",
    "Udd",
    "Vik",
    "Holm",
    "Näs",
    "Käll",
    "Bäck",
    "Å",
    "Fors",
    "Sand",
    "Sten",
    "Klipp",
    "Häll",
    "Myr",
    "Löv",
    "Sol",
    "Stjärn",
    "Norrskens",
    "Regnbågs",
    "Brunns",
    "Skär",
    "Fjärd",
    "Sund",
    "Ström",
    "Sommar",
    "Vinter",
    "Höst",
    "Morgon",
    "Afton",
    // Buildings, trades and village life.
    "Kyrk",
    "Skol",
    "Kvarn",
    "Hamn",
    "Prästgårds",
    "Gårds",
    "Bruks",
    "Smedje",
    "Tull",
    "Stations",
    "Post",
    "Bangårds",
    "Tegel",
    "Kalk",
    "Såg",
    "Ting",
    "Kapell",
    "Klock",
    "Torn",
    "Park",
    "Idrotts",
    "Bad",
    "Fyr",
    "Båt",
    "Varvs",
    "Fiskar",
    "Smed",
    "Mjölnar",
    "Skräddar",
    "Bagar",
    "Skomakar",
    "Timmermans",
    "Murar",
    "Snickar",
    "Klockar",
    "Jägar",
    "Bonde",
    "Skeppar",
    "Lots",
    "Gästgivar",
    "Mejeri",
    "Brygg",
    "Slotts",
    "Borg",
    "Herrgårds",
    "Torp",
    "Gärdes",
    "Åker",
    "Vete",
    "Råg",
    "Korn",
    "Havre",
    "Lin",
    "Plog",
    "Slåtter",
    "Trädgårds",
    "Ladugårds",
    "Stall",
    "Vagn",
    "Spår",
    "Bro",
    "Färje",
    "Fabriks",
    "Verkstads",
    // History.
    "Kung",
    "Drottning",
    "Prins",
    "Riddar",
    "Hertig",
    "Greve",
    "Jarl",
    "Väpnar",
    "Knekt",
    "Dragon",
    "Husar",
    "Runstens",
    "Viking",
    "Tingshus",
    "Midsommar",
    // Animals.
    "Räv",
    "Hjort",
    "Älg",
    "Rådjurs",
    "Ekorr",
    "Trast",
    "Lärk",
    "Svan",
    "Örn",
    "Falk",
    "Hök",
    "Duv",
    "Sparv",
    "Mås",
    "Tärn",
    "Gök",
    "Uggle",
    "Björn",
    "Varg",
    "Lo",
    "Bäver",
    "Utter",
    "Tjäder",
    "Orr",
    "Vip",
    "Abborr",
    "Ejder",
    "Skarv",
    "Häger",
    "Tran",
];

/// Street words in definite form, with relative frequency and length class.
pub(crate) const SUFFIXES: [(&str, u32, Length); 22] = [
    ("vägen", 34, Length::Long),
    ("gatan", 12, Length::Long),
    ("gränd", 6, Length::Short),
    ("stigen", 8, Length::Short),
    ("backen", 6, Length::Short),
    ("allén", 3, Length::Long),
    ("torget", 2, Length::Tiny),
    ("plan", 2, Length::Tiny),
    ("slingan", 5, Length::Short),
    ("gången", 4, Length::Short),
    ("svängen", 3, Length::Short),
    ("kroken", 3, Length::Short),
    ("höjden", 2, Length::Short),
    ("platsen", 1, Length::Tiny),
    ("promenaden", 1, Length::Long),
    ("kajen", 1, Length::Short),
    ("leden", 2, Length::Long),
    ("hagen", 2, Length::Short),
    ("lunden", 2, Length::Short),
    ("ringen", 2, Length::Short),
    ("bågen", 1, Length::Short),
    ("terrassen", 1, Length::Short),
];

pub(crate) const MODIFIERS: [&str; 8] = [
    "Norra ", "Södra ", "Östra ", "Västra ", "Lilla ", "Stora ", "Övre ", "Nedre ",
];

const FIRST_NAMES: [&str; 40] = [
    "Anna", "Selma", "Greta", "Astrid", "Karin", "Elsa", "Ingrid", "Märta", "Sigrid", "Hilda",
    "Ellen", "Maja", "Alva", "Kerstin", "Ebba", "Sofia", "Fredrika", "Agnes", "Ester", "Tyra",
    "Gustav", "Carl", "Erik", "Lars", "Anders", "Nils", "Olof", "Per", "Johan", "Sven", "Axel",
    "Oscar", "Evert", "Harald", "Knut", "Gunnar", "Birger", "Torsten", "Hjalmar", "Ture",
];

// None ends in s, x or z, so the genitive is always name + "s".
const SURNAMES: [&str; 50] = [
    "Lagerlöf",
    "Lindgren",
    "Bremer",
    "Key",
    "Branting",
    "Söderberg",
    "Strindberg",
    "Almqvist",
    "Bellman",
    "Taube",
    "Nordenskiöld",
    "Linné",
    "Polhem",
    "Swedenborg",
    "Scheele",
    "Tegnér",
    "Geijer",
    "Fröding",
    "Boye",
    "Martinson",
    "Moberg",
    "Ekelöf",
    "Dagerman",
    "Lindqvist",
    "Zorn",
    "Larsson",
    "Josephson",
    "Eriksson",
    "Sjöberg",
    "Nordström",
    "Wallenberg",
    "Hammarskjöld",
    "Myrdal",
    "Palme",
    "Edgren",
    "Hedin",
    "Nobel",
    "Ericsson",
    "Lundström",
    "Hagberg",
    "Wikström",
    "Holmberg",
    "Sandell",
    "Fridell",
    "Tham",
    "Rudbeck",
    "Stenhammar",
    "Alfvén",
    "Berwald",
    "Roman",
];

/// Street words for person names, indefinite after a genitive.
const PERSON_KINDS: [(&str, u32, Length); 7] = [
    (" väg", 40, Length::Long),
    (" gata", 25, Length::Long),
    (" gränd", 12, Length::Short),
    (" plan", 8, Length::Tiny),
    (" torg", 5, Length::Tiny),
    (" allé", 5, Length::Long),
    (" backe", 5, Length::Short),
];

/// Names found in almost every Swedish town. The first four are weighted up:
/// they are the ones the register is known to repeat most.
pub(crate) const COMMON: [(&str, u32); 36] = [
    ("Storgatan", 4),
    ("Kyrkvägen", 4),
    ("Skolvägen", 4),
    ("Stationsvägen", 4),
    ("Skolgatan", 1),
    ("Järnvägsgatan", 1),
    ("Parkvägen", 1),
    ("Kungsgatan", 1),
    ("Drottninggatan", 1),
    ("Nygatan", 1),
    ("Torggatan", 1),
    ("Strandvägen", 1),
    ("Idrottsvägen", 1),
    ("Industrivägen", 1),
    ("Bangårdsvägen", 1),
    ("Villavägen", 1),
    ("Ringvägen", 1),
    ("Kvarnvägen", 1),
    ("Sjövägen", 1),
    ("Byvägen", 1),
    ("Prästgårdsvägen", 1),
    ("Hamngatan", 1),
    ("Tallvägen", 1),
    ("Björkvägen", 1),
    ("Granvägen", 1),
    ("Ekvägen", 1),
    ("Lindvägen", 1),
    ("Skogsvägen", 1),
    ("Ängsvägen", 1),
    ("Vallgatan", 1),
    ("Tingsvägen", 1),
    ("Allén", 1),
    ("Kyrkogatan", 1),
    ("Bergsgatan", 1),
    ("Trädgårdsgatan", 1),
    ("Postvägen", 1),
];

/// Well-known Stockholm streets with the postal-code prefix they lie in.
pub(crate) const FAMOUS: [(&str, u16); 62] = [
    ("Drottninggatan", 111),
    ("Kungsgatan", 111),
    ("Hamngatan", 111),
    ("Regeringsgatan", 111),
    ("Vasagatan", 111),
    ("Klarabergsgatan", 111),
    ("Malmskillnadsgatan", 111),
    ("Västerlånggatan", 111),
    ("Biblioteksgatan", 111),
    ("Mäster Samuelsgatan", 111),
    ("Sankt Eriksgatan", 112),
    ("Fleminggatan", 112),
    ("Hantverkargatan", 112),
    ("Kungsholmsgatan", 112),
    ("Fridhemsgatan", 112),
    ("Scheelegatan", 112),
    ("Norr Mälarstrand", 112),
    ("Hornsbergs strand", 112),
    ("Sveavägen", 113),
    ("Odengatan", 113),
    ("Upplandsgatan", 113),
    ("Dalagatan", 113),
    ("Rörstrandsgatan", 113),
    ("Tegnérgatan", 113),
    ("Karlbergsvägen", 113),
    ("Torsgatan", 113),
    ("Birger Jarlsgatan", 114),
    ("Karlavägen", 114),
    ("Strandvägen", 114),
    ("Östermalmsgatan", 114),
    ("Linnégatan", 114),
    ("Valhallavägen", 114),
    ("Sibyllegatan", 114),
    ("Narvavägen", 115),
    ("Lidingövägen", 115),
    ("Banérgatan", 115),
    ("Askrikegatan", 115),
    ("Götgatan", 116),
    ("Folkungagatan", 116),
    ("Bondegatan", 116),
    ("Skånegatan", 116),
    ("Åsögatan", 116),
    ("Katarina Bangata", 116),
    ("Renstiernas gata", 116),
    ("Hornsgatan", 117),
    ("Långholmsgatan", 117),
    ("Hornsbruksgatan", 117),
    ("Heleneborgsgatan", 117),
    ("Lignagatan", 117),
    ("Ringvägen", 118),
    ("Sankt Paulsgatan", 118),
    ("Swedenborgsgatan", 118),
    ("Rosenlundsgatan", 118),
    ("Krukmakargatan", 118),
    ("Bergsunds strand", 118),
    ("Hammarby allé", 120),
    ("Lugnets allé", 120),
    ("Sickla kanalgata", 120),
    ("Hägerstensvägen", 126),
    ("Götalandsvägen", 125),
    ("Larsbodavägen", 123),
    ("Drottningholmsvägen", 167),
];

/// Stems and endings for address areas without numbers (farms, hamlets).
const AREA_STEMS: [&str; 24] = [
    "Björk", "Ek", "Lind", "Sjö", "Berg", "Dal", "Sand", "Sten", "Löv", "Ås", "Kvarn", "Kyrk",
    "Tall", "Gran", "Asp", "Al", "Hag", "Äng", "Söder", "Öster", "Väster", "Norr", "Hammar", "Bro",
];
const AREA_ENDINGS: [&str; 11] = [
    "by", "sta", "torp", "gården", "näs", "berga", "vik", "hult", "holmen", "udden", "ö",
];

/// Identifies a compound or person name; used to prefer names not yet used in
/// the municipality.
pub(crate) const COMPOUND_COUNT: usize = (MODIFIERS.len() + 1) * STEMS.len() * SUFFIXES.len();
const PERSON_COUNT: usize = FIRST_NAMES.len() * SURNAMES.len() * PERSON_KINDS.len();
pub(crate) const NAME_SPACE: usize = COMPOUND_COUNT + PERSON_COUNT;

pub(crate) fn suffix_weights() -> [u32; SUFFIXES.len()] {
    SUFFIXES.map(|(_, w, _)| w)
}

pub(crate) fn person_kind_weights() -> [u32; PERSON_KINDS.len()] {
    PERSON_KINDS.map(|(_, w, _)| w)
}

pub(crate) fn common_weights() -> [u32; COMMON.len()] {
    COMMON.map(|(_, w)| w)
}

/// Compound id from parts; `modifier` 0 means none.
pub(crate) fn compound_id(modifier: usize, stem: usize, suffix: usize) -> usize {
    (modifier * STEMS.len() + stem) * SUFFIXES.len() + suffix
}

pub(crate) fn person_id(first: usize, last: usize, kind: usize) -> usize {
    COMPOUND_COUNT + (first * SURNAMES.len() + last) * PERSON_KINDS.len() + kind
}

pub(crate) fn first_name_count() -> usize {
    FIRST_NAMES.len()
}

pub(crate) fn surname_count() -> usize {
    SURNAMES.len()
}

/// Renders a name id into `out` (cleared first) and returns its length class.
pub(crate) fn render(id: usize, out: &mut String) -> Length {
    out.clear();
    if id < COMPOUND_COUNT {
        let suffix = id % SUFFIXES.len();
        let rest = id / SUFFIXES.len();
        let (stem, modifier) = (rest % STEMS.len(), rest / STEMS.len());
        if modifier > 0 {
            out.push_str(MODIFIERS[modifier - 1]);
        }
        let (word, _, length) = SUFFIXES[suffix];
        compound(STEMS[stem], word, out);
        length
    } else {
        let id = id - COMPOUND_COUNT;
        let kind = id % PERSON_KINDS.len();
        let rest = id / PERSON_KINDS.len();
        let (last, first) = (rest % SURNAMES.len(), rest / SURNAMES.len());
        let (word, _, length) = PERSON_KINDS[kind];
        out.push_str(FIRST_NAMES[first]);
        out.push(' ');
        out.push_str(SURNAMES[last]);
        out.push('s');
        out.push_str(word);
        length
    }
}

/// Joins stem and word. Swedish drops the third of three equal consonants in
/// a closed compound ("Tall" + "lunden" is written "Tallunden").
fn compound(stem: &str, word: &str, out: &mut String) {
    let mut tail = stem.chars().rev();
    let (last, before) = (tail.next(), tail.next());
    let doubled = last.is_some() && last == before && word.starts_with(last.unwrap_or(' '));
    if doubled {
        out.push_str(&stem[..stem.len() - last.map_or(0, char::len_utf8)]);
    } else {
        out.push_str(stem);
    }
    // Stems are capitalised; the street word joins in lower case.
    out.push_str(word);
}

/// An address-area name ("Lövsta", "Sjögården") into `out`.
pub(crate) fn area_name(stem: usize, ending: usize, out: &mut String) {
    out.clear();
    out.push_str(AREA_STEMS[stem % AREA_STEMS.len()]);
    out.push_str(AREA_ENDINGS[ending % AREA_ENDINGS.len()]);
}

pub(crate) fn area_stem_count() -> usize {
    AREA_STEMS.len()
}

pub(crate) fn area_ending_count() -> usize {
    AREA_ENDINGS.len()
}

pub(crate) fn is_famous(name: &str) -> bool {
    FAMOUS.iter().any(|&(f, _)| f == name)
}

/// A set of name ids, one bit each; sized by [`NAME_SPACE`] so it never grows
/// with the number of places.
#[derive(Debug)]
pub(crate) struct NameSet {
    bits: Vec<u64>,
}

impl NameSet {
    pub(crate) fn new(size: usize) -> Self {
        Self {
            bits: vec![0; size.div_ceil(64)],
        }
    }

    pub(crate) fn clear(&mut self) {
        self.bits.fill(0);
    }

    /// Adds `id`; false if it was already there.
    pub(crate) fn insert(&mut self, id: usize) -> bool {
        let (word, bit) = (id / 64, 1u64 << (id % 64));
        let fresh = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        fresh
    }

    pub(crate) fn contains(&self, id: usize) -> bool {
        self.bits[id / 64] & (1u64 << (id % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(id: usize) -> String {
        let mut s = String::new();
        render(id, &mut s);
        s
    }

    #[test]
    fn compounds_read_naturally() {
        let stem = |s: &str| STEMS.iter().position(|&x| x == s).unwrap();
        let suffix = |s: &str| SUFFIXES.iter().position(|&(x, _, _)| x == s).unwrap();
        assert_eq!(
            name(compound_id(0, stem("Björk"), suffix("vägen"))),
            "Björkvägen"
        );
        assert_eq!(
            name(compound_id(0, stem("Tall"), suffix("lunden"))),
            "Tallunden"
        );
        assert_eq!(
            name(compound_id(0, stem("Moss"), suffix("stigen"))),
            "Mosstigen"
        );
        assert_eq!(
            name(compound_id(5, stem("Kvarn"), suffix("torget"))),
            "Lilla Kvarntorget"
        );
        assert_eq!(
            name(compound_id(0, stem("Sjö"), suffix("gränd"))),
            "Sjögränd"
        );
        assert_eq!(name(person_id(1, 0, 0)), "Selma Lagerlöfs väg");
    }

    #[test]
    fn every_id_renders_to_a_distinct_name() {
        let mut seen = std::collections::HashSet::new();
        for id in 0..NAME_SPACE {
            let n = name(id);
            assert!(!n.is_empty() && !n.contains(['"', ',', '\\']));
            seen.insert(n);
        }
        // Distinct ids must give distinct strings, or the municipality-level
        // "prefer a fresh name" bookkeeping would be off.
        assert_eq!(seen.len(), NAME_SPACE);
    }

    #[test]
    fn stems_are_unique() {
        let mut s = STEMS.to_vec();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), STEMS.len());
        let mut f: Vec<&str> = FAMOUS.iter().map(|f| f.0).collect();
        f.sort_unstable();
        f.dedup();
        assert_eq!(f.len(), FAMOUS.len());
    }

    #[test]
    fn name_set() {
        let mut set = NameSet::new(NAME_SPACE);
        assert!(set.insert(NAME_SPACE - 1));
        assert!(!set.insert(NAME_SPACE - 1));
        assert!(set.contains(NAME_SPACE - 1) && !set.contains(0));
        set.clear();
        assert!(!set.contains(NAME_SPACE - 1));
    }
}
