//! Normalisation of Swedish street addresses (belägenhetsadresser) as people type them, so that
//! they can be looked up in Lantmäteriet's address register.
//!
//! The crate is pure `std`, does no I/O and keeps no state, because it runs inside WebAssembly
//! components as well as natively.
//!
//! An address is a street or area name (adressområde), an address-place number
//! (adressplatsnummer), an optional letter (bokstavstillägg), a postal code (postnummer,
//! `NNN NN`) and a post town (postort). Apartment numbers (`lgh 1101`) are split off because they
//! identify a dwelling inside the address place, not the place itself.
//!
//! # Abbreviations
//!
//! Abbreviations are matched case-insensitively on whole whitespace-separated words. Except for
//! `S:t` and `S:ta` the dot is required, because without it the word could be a real name.
//!
//! | Written                          | Where                                   | Becomes    | Example                               |
//! |----------------------------------|-----------------------------------------|------------|---------------------------------------|
//! | `…gat.`                          | end of a word, ≥ 2 letters before it    | `…gatan`   | `Storgat.` → `Storgatan`              |
//! | `…g.`                            | end of a word, ≥ 2 letters before it    | `…gatan`   | `Drottningg.` → `Drottninggatan`      |
//! | `…väg.`                          | end of a word, ≥ 2 letters before it    | `…vägen`   | `Tornväg.` → `Tornvägen`              |
//! | `…v.`                            | end of a word, ≥ 2 letters before it    | `…vägen`   | `Sveav.` → `Sveavägen`                |
//! | `…pl.`                           | end of a word, ≥ 2 letters before it    | `…platsen` | `Medborgarpl.` → `Medborgarplatsen`   |
//! | `…gr.`                           | end of a word, ≥ 2 letters before it    | `…gränd`   | `Prästgr.` → `Prästgränd`             |
//! | `S:t`, `S:t.`, `St.`             | first word of the street                | `Sankt`    | `S:t Eriksg.` → `Sankt Eriksgatan`    |
//! | `S:ta`, `S:ta.`, `Sta.`          | first word of the street                | `Sankta`   | `S:ta Gertruds väg` → `Sankta Gertruds väg` |
//!
//! Only the attached forms are expanded. A standalone `g.` or `v.` (`Drottning g.`) is left as
//! written: whether it should be joined to the previous word (`Drottninggatan`) or stand alone
//! (`Drottning Kristinas väg`) depends on the name, and guessing wrong would hide the street.
//!
//! # Apartments
//!
//! `lgh 1101`, `lgh. 1101`, `lgh1101`, `lgh nr 1101`, `lägenhet 1101`, `lägenhetsnr 1101` and
//! `lägenhetsnummer 1101` (any case) are taken out of the street wherever they stand. One to six
//! digits are accepted and kept as written, because leading zeros are meaningful there (`0901`
//! is a floor below the entrance).
//!
//! # Example
//!
//! ```
//! let n = mdm_address_normalise::normalise_line("sveavägen 12b, lgh 1101, 11157 STOCKHOLM").unwrap();
//! assert_eq!(n.street, "Sveavägen");
//! assert_eq!(n.number.as_deref(), Some("12"));
//! assert_eq!(n.letter.as_deref(), Some("B"));
//! assert_eq!(n.postal_code.as_deref(), Some("111 57"));
//! assert_eq!(n.post_town.as_deref(), Some("Stockholm"));
//! assert_eq!(n.apartment.as_deref(), Some("1101"));
//! ```

use std::borrow::Cow;
use std::fmt;

/// Longest street name accepted, in characters, after normalisation.
const MAX_STREET: usize = 100;
/// Longest one-line address accepted, in characters, before any work is done.
const MAX_LINE: usize = 300;
/// Longest post town in the register.
const MAX_TOWN: usize = 27;
/// Longest address-place number, in digits, once leading zeros are gone.
const MAX_NUMBER_DIGITS: usize = 5;
/// Longest apartment number accepted; the standard form has 4 digits.
const MAX_APARTMENT_DIGITS: usize = 6;

/// Suffix abbreviations, longest first so that `väg.` wins over `g.`.
const SUFFIXES: [(&str, &str); 6] = [
    ("gat.", "gatan"),
    ("väg.", "vägen"),
    ("pl.", "platsen"),
    ("gr.", "gränd"),
    ("g.", "gatan"),
    ("v.", "vägen"),
];

/// Longest first, so that `lägenhetsnummer` is not read as `lägenhet` + garbage.
const APARTMENT_WORDS: [&str; 4] = ["lägenhetsnummer", "lägenhetsnr", "lägenhet", "lgh"];

/// Longest first, so that `postbox` is not read as `post` + `box`.
const BOX_WORDS: [&str; 4] = ["postfack", "postbox", "fack", "box"];

const POSTAL_EXPECTED: &str = "expected 5 digits written \"NNN NN\", e.g. \"111 57\"";
const LETTER_EXPECTED: &str = "expected one or two letters A–Z, as in \"12 B\" or \"12 AB\"";

/// A normalised address. Every field already in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    /// Street in display form: whitespace collapsed and trimmed, abbreviations expanded,
    /// first character upper-cased, the rest kept as written, except that an all-upper-case
    /// input word is rendered with only its first letter upper case ("SVEAVÄGEN" -> "Sveavägen").
    pub street: String,
    /// Address-place number: ASCII digits, no leading zeros ("012" -> "12"). None if not given.
    pub number: Option<String>,
    /// Letter suffix, upper case, 1–2 letters A–Z or Å Ä Ö. None if not given.
    pub letter: Option<String>,
    /// "NNN NN". None if not given.
    pub postal_code: Option<String>,
    /// Post town: whitespace collapsed; all-upper-case or all-lower-case words get first letter
    /// upper and the rest lower ("STOCKHOLM" -> "Stockholm", "upplands väsby" -> "Upplands Väsby");
    /// mixed case kept. None if not given.
    pub post_town: Option<String>,
    /// Apartment number split off from the street ("lgh 1101" -> "1101"). None if not given.
    pub apartment: Option<String>,
}

/// Structured input, as sent in JSON. Every part optional except street; the street may itself
/// contain the number, letter and apartment ("Sveavägen 12 B lgh 1101") when `number` is None.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts<'a> {
    pub street: &'a str,
    /// May be "12", "12B", "12 b" (the letter is then split off).
    pub number: Option<&'a str>,
    /// "b" -> "B".
    pub letter: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub post_town: Option<&'a str>,
}

/// What is wrong with an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nothing (or only whitespace/punctuation) where a street is required.
    Empty,
    /// "Box 123" etc.: a postal address, not a visiting address.
    BoxAddress,
    /// Number not digits, zero, more than 5 digits, or a range like "12-14".
    BadNumber,
    /// Letter not 1–2 letters, or given twice inconsistently (number "12B" and letter "C").
    BadLetter,
    /// Not 5 digits / first digit 0 / garbage.
    BadPostalCode,
    /// Empty after trimming or longer than 27 chars or contains digits.
    BadPostTown,
    /// Street longer than 100 chars, or whole line longer than 300 chars.
    TooLong,
}

/// A rejected address, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError {
    pub kind: ErrorKind,
    /// JSON field the problem is in: "street", "number", "letter", "postal_code", "post_town", or "line".
    pub field: &'static str,
    /// A sentence for a person: names what was given and what is expected, in English.
    pub message: String,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AddressError {}

/// A problem found by a helper that cannot know which input field it came from; the caller
/// attaches the field.
#[derive(Debug)]
struct Issue {
    kind: ErrorKind,
    message: String,
}

impl Issue {
    fn new(kind: ErrorKind, message: String) -> Self {
        Issue { kind, message }
    }

    fn at(self, field: &'static str) -> AddressError {
        AddressError {
            kind: self.kind,
            field,
            message: self.message,
        }
    }
}

/// An address-place number with its optional letter, both canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    number: String,
    letter: Option<String>,
}

impl Place {
    fn written(&self) -> String {
        match &self.letter {
            Some(letter) => format!("{} {letter}", self.number),
            None => self.number.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Structured input
// ---------------------------------------------------------------------------------------------

/// Normalises an address given field by field.
pub fn normalise_parts(parts: &Parts<'_>) -> Result<Normalised, AddressError> {
    const STREET: &str = "street";

    // Commas are treated as spaces so that "Sveavägen 12 B, lgh 1101" works in the street field.
    let mut tokens: Vec<&str> = parts
        .street
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    if !tokens.iter().any(|t| has_alphanumeric(t)) {
        return Err(empty_street().at(STREET));
    }
    if let Some(text) = box_text(&tokens, parts.number) {
        return Err(box_issue(&text).at(STREET));
    }
    let apartment = take_apartment(&mut tokens, &mut None).map_err(|i| i.at(STREET))?;
    let NumberSplit {
        street: street_tokens,
        place: street_place,
        trailing,
    } = split_number(&tokens).map_err(|i| i.at(STREET))?;
    if let (Some(place), false) = (&street_place, trailing.is_empty()) {
        return Err(after_number_in_street(place, trailing).at(STREET));
    }

    let field_place = parts
        .number
        .map(|n| parse_number(&collapse(n)))
        .transpose()
        .map_err(|i| i.at("number"))?;
    let letter_field = parts
        .letter
        .map(|l| parse_letter(&collapse(l)))
        .transpose()
        .map_err(|i| i.at("letter"))?;

    let number = match (&street_place, &field_place) {
        (Some(s), Some(f)) if s.number != f.number => {
            return Err(Issue::new(
                ErrorKind::BadNumber,
                format!(
                    "the street \"{}\" already contains the number \"{}\", but the number field says \"{}\"; give the number in one place only",
                    collapse(parts.street),
                    s.written(),
                    f.written()
                ),
            )
            .at("number"));
        }
        (Some(s), _) => Some(s.number.clone()),
        (None, Some(f)) => Some(f.number.clone()),
        (None, None) => None,
    };

    let letter = merge_letters(&[
        (street_place.and_then(|p| p.letter), "in the street"),
        (field_place.and_then(|p| p.letter), "in the number field"),
        (letter_field, "in the letter field"),
    ])
    .map_err(|i| i.at("letter"))?;
    if let (Some(letter), None) = (&letter, &number) {
        return Err(Issue::new(
            ErrorKind::BadLetter,
            format!(
                "the letter \"{letter}\" was given without an address number; a letter only qualifies a number, as in \"12 {letter}\""
            ),
        )
        .at("letter"));
    }

    let street = finish_street(street_tokens).map_err(|i| i.at(STREET))?;
    let postal_code = parts.postal_code.map(postal_code).transpose()?;
    let post_town = parts
        .post_town
        .map(post_town)
        .transpose()
        .map_err(|i| i.at("post_town"))?;

    Ok(Normalised {
        street,
        number,
        letter,
        postal_code,
        post_town,
        apartment,
    })
}

/// The letter may arrive from three places; they must agree.
fn merge_letters(sources: &[(Option<String>, &str)]) -> Result<Option<String>, Issue> {
    let mut chosen: Option<(&str, &str)> = None;
    for (letter, source) in sources {
        let Some(letter) = letter else { continue };
        match chosen {
            None => chosen = Some((letter, source)),
            Some((first, first_source)) if first != letter => {
                return Err(Issue::new(
                    ErrorKind::BadLetter,
                    format!(
                        "the letter is given as \"{first}\" {first_source} and as \"{letter}\" {source}; give one letter"
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(chosen.map(|(letter, _)| letter.to_string()))
}

fn after_number_in_street(place: &Place, trailing: &[&str]) -> Issue {
    let rest = trailing.join(" ");
    let kind = if trailing[0].starts_with(char::is_alphabetic) {
        ErrorKind::BadLetter
    } else {
        ErrorKind::BadNumber
    };
    Issue::new(
        kind,
        format!(
            "\"{rest}\" after the number \"{}\" in the street is not understood; the street may end with a number, a letter and an apartment (\"Sveavägen 12 B lgh 1101\"), and the postal code and post town belong in their own fields",
            place.written()
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// One-line input
// ---------------------------------------------------------------------------------------------

/// One-line address as people write it, e.g. "Sveavägen 12 B, lgh 1101, 111 57 Stockholm",
/// "sveavägen 12b 11157 stockholm", "Drottningg. 5, SE-111 51 STOCKHOLM", "Storgatan 3".
pub fn normalise_line(line: &str) -> Result<Normalised, AddressError> {
    parse_line(line).map_err(|i| i.at("line"))
}

fn parse_line(line: &str) -> Result<Normalised, Issue> {
    let length = line.chars().count();
    if length > MAX_LINE {
        return Err(Issue::new(
            ErrorKind::TooLong,
            format!("the address line has {length} characters; at most {MAX_LINE} are accepted"),
        ));
    }

    let mut parts: Vec<Vec<&str>> = line
        .split(',')
        .map(|p| p.split_whitespace().collect::<Vec<_>>())
        .filter(|p| p.iter().any(|t| has_alphanumeric(t)) && !is_care_of(p))
        .collect();
    if parts.len() > 1 && parts.last().is_some_and(|p| is_country(p)) {
        parts.pop();
    }

    let mut apartment = None;
    for part in &mut parts {
        take_apartment(part, &mut apartment)?;
    }
    parts.retain(|p| p.iter().any(|t| has_alphanumeric(t)));

    // Any part, not just the first: a box next to a street still makes this a postal address.
    for part in &parts {
        if let Some(text) = box_text(part, None) {
            return Err(box_issue(&text));
        }
    }

    let Some((first, rest)) = parts.split_first() else {
        return Err(empty_street());
    };

    let (head, mut postal, mut town) = match find_postal_in_first(first)? {
        Some((at, used, code)) => {
            let after = &first[at + used..];
            (
                &first[..at],
                Some(code),
                (!after.is_empty()).then_some(after),
            )
        }
        None => (&first[..], None, None),
    };
    let NumberSplit {
        street: street_tokens,
        mut place,
        trailing,
    } = split_number(head)?;
    if let Some(place) = &place
        && !trailing.is_empty()
    {
        if postal.is_some() {
            return Err(between_number_and_postal(place, trailing));
        }
        let lead = trailing[0];
        if starts_with_digit(lead) {
            return Err(not_postal(&trailing.join(" ")));
        }
        if !lead.starts_with(char::is_alphabetic) {
            return Err(between_number_and_postal(place, trailing));
        }
        town = Some(trailing);
    }

    for (index, part) in rest.iter().enumerate() {
        if postal.is_none() && town.is_none() {
            if let Some((used, code)) = match_postal(part)? {
                postal = Some(code);
                if part.len() > used {
                    town = Some(&part[used..]);
                }
                continue;
            }
            // "Sveavägen, 12 B, 111 57 Stockholm": the number in its own part.
            if index == 0 && place.is_none() && starts_with_digit(part[0]) && part.len() <= 2 {
                place = Some(parse_number(&part.join(" "))?);
                continue;
            }
            if starts_with_digit(part[0]) {
                return Err(not_postal(&part.join(" ")));
            }
        }
        if town.is_none() {
            town = Some(part);
            continue;
        }
        return Err(Issue::new(
            ErrorKind::BadPostTown,
            format!(
                "\"{}\" was not expected after \"{}\"; write the street and number first, then the postal code and post town, as in \"Sveavägen 12 B, 111 57 Stockholm\"",
                part.join(" "),
                town.map(|t| t.join(" ")).unwrap_or_default()
            ),
        ));
    }

    // "Box, 12" only shows itself as a box once the number has been found in its own part.
    if let Some(place) = &place
        && let Some(text) = box_text(street_tokens, Some(&place.number))
    {
        return Err(box_issue(&text));
    }
    let street = finish_street(street_tokens)?;
    let post_town = town.map(|t| post_town(&t.join(" "))).transpose()?;
    let (number, letter) = match place {
        Some(Place { number, letter }) => (Some(number), letter),
        None => (None, None),
    };
    Ok(Normalised {
        street,
        number,
        letter,
        postal_code: postal,
        post_town,
        apartment,
    })
}

/// Looks for the postal code inside the first comma-separated part ("Storgatan 3 111 57 Stockholm").
/// Returns the token index where it starts, how many tokens it uses, and the canonical code.
///
/// A bare five-digit group right after the street name could be the address number, so an
/// unprefixed code is only taken when a number precedes it or a town follows it.
fn find_postal_in_first(tokens: &[&str]) -> Result<Option<(usize, usize, String)>, Issue> {
    for at in 1..tokens.len() {
        let Some((used, prefixed)) = postal_shape(&tokens[at..]) else {
            continue;
        };
        let number_before = tokens[1..at].iter().any(|t| starts_with_digit(t));
        let town_after = tokens.len() > at + used;
        if prefixed || number_before || town_after {
            let code = parse_postal(&tokens[at..at + used].join(" "))?;
            return Ok(Some((at, used, code)));
        }
    }
    Ok(None)
}

/// A postal code at the start of a later comma-separated part.
fn match_postal(tokens: &[&str]) -> Result<Option<(usize, String)>, Issue> {
    match postal_shape(tokens) {
        Some((used, _)) => Ok(Some((used, parse_postal(&tokens[..used].join(" "))?))),
        None => Ok(None),
    }
}

/// Whether the tokens start with something shaped like a postal code (ignoring its validity, so
/// that "011 57" is reported as a bad code instead of being taken for something else).
/// Returns the number of tokens used and whether a country prefix was present.
fn postal_shape(tokens: &[&str]) -> Option<(usize, bool)> {
    let (first, rest) = tokens.split_first()?;
    if first.eq_ignore_ascii_case("se") {
        let (next, after) = rest.split_first()?;
        return digit_groups(next, after).map(|used| (used + 1, true));
    }
    for prefix in ["se-", "s-"] {
        if let Some(digits) = strip_prefix_ci(first, prefix) {
            return digit_groups(digits, rest).map(|used| (used, true));
        }
    }
    digit_groups(first, rest).map(|used| (used, false))
}

/// "11157" (one token) or "111" "57" (two tokens).
fn digit_groups(first: &str, rest: &[&str]) -> Option<usize> {
    if is_digits(first, 5) {
        Some(1)
    } else if is_digits(first, 3) && rest.first().is_some_and(|t| is_digits(t, 2)) {
        Some(2)
    } else {
        None
    }
}

fn between_number_and_postal(place: &Place, trailing: &[&str]) -> Issue {
    let rest = trailing.join(" ");
    if trailing[0].starts_with(char::is_alphabetic) {
        Issue::new(
            ErrorKind::BadLetter,
            format!(
                "\"{rest}\" after the number \"{}\" is not a letter suffix; {LETTER_EXPECTED}",
                place.written()
            ),
        )
    } else {
        Issue::new(
            ErrorKind::BadNumber,
            format!(
                "\"{} {rest}\" is not an address number; expected one number, optionally followed by a letter, as in \"12 B\"",
                place.written()
            ),
        )
    }
}

fn not_postal(text: &str) -> Issue {
    Issue::new(
        ErrorKind::BadPostalCode,
        format!(
            "\"{text}\" does not start with a postal code; {POSTAL_EXPECTED}, followed by the post town"
        ),
    )
}

fn is_care_of(part: &[&str]) -> bool {
    part.first()
        .is_some_and(|t| strip_prefix_ci(t, "c/o").is_some())
}

fn is_country(part: &[&str]) -> bool {
    let [word] = part else { return false };
    word.eq_ignore_ascii_case("sverige") || word.eq_ignore_ascii_case("sweden")
}

// ---------------------------------------------------------------------------------------------
// Pieces shared by both inputs
// ---------------------------------------------------------------------------------------------

/// Street tokens taken apart by [`split_number`].
struct NumberSplit<'t, 's> {
    street: &'t [&'s str],
    place: Option<Place>,
    /// Tokens after the number and letter; what they may be depends on the input form.
    trailing: &'t [&'s str],
}

/// Splits street tokens into the street name, the number (with letter) and whatever follows.
/// The number is the first token after the first word that starts with a digit, so that names
/// such as "1:a Långgatan" keep their leading digits.
fn split_number<'t, 's>(tokens: &'t [&'s str]) -> Result<NumberSplit<'t, 's>, Issue> {
    let Some(at) = tokens
        .iter()
        .skip(1)
        .position(|t| starts_with_digit(t))
        .map(|p| p + 1)
    else {
        return Ok(NumberSplit {
            street: tokens,
            place: None,
            trailing: &[],
        });
    };
    let mut place = parse_number(tokens[at])?;
    let mut rest = &tokens[at + 1..];
    if place.letter.is_none()
        && let Some((next, after)) = rest.split_first()
        && let Ok(letter) = parse_letter(next)
    {
        place.letter = Some(letter);
        rest = after;
    }
    Ok(NumberSplit {
        street: &tokens[..at],
        place: Some(place),
        trailing: rest,
    })
}

/// "12", "012", "12B", "12 b", "12AB" -> number and letter.
fn parse_number(text: &str) -> Result<Place, Issue> {
    let digit_len = text.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = text.split_at(digit_len);
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    if digit_len == 0 {
        return Err(Issue::new(
            ErrorKind::BadNumber,
            format!(
                "\"{text}\" is not an address number; expected digits, optionally followed by a letter, as in \"12\" or \"12 B\""
            ),
        ));
    }
    let letter = if rest.is_empty() {
        None
    } else if rest.chars().all(char::is_alphabetic) {
        Some(parse_letter(rest)?)
    } else if rest.starts_with(['-', '–', '—', '/', '&'])
        && rest.chars().any(|c| c.is_ascii_digit())
    {
        return Err(Issue::new(
            ErrorKind::BadNumber,
            format!(
                "\"{text}\" looks like a range of numbers; give the single number of the entrance, as in \"{digits}\""
            ),
        ));
    } else {
        return Err(Issue::new(
            ErrorKind::BadNumber,
            format!(
                "\"{text}\" is not an address number; expected digits, optionally followed by a letter without a hyphen, as in \"12\" or \"12 B\""
            ),
        ));
    };
    let number = digits.trim_start_matches('0');
    if number.is_empty() {
        return Err(Issue::new(
            ErrorKind::BadNumber,
            format!("\"{text}\" is not an address number; address numbers start at 1"),
        ));
    }
    if number.len() > MAX_NUMBER_DIGITS {
        return Err(Issue::new(
            ErrorKind::BadNumber,
            format!(
                "\"{text}\" is not an address number; address numbers have at most {MAX_NUMBER_DIGITS} digits"
            ),
        ));
    }
    Ok(Place {
        number: number.to_string(),
        letter,
    })
}

/// "b" -> "B"; Å, Ä and Ö count as letters because the register uses them.
fn parse_letter(text: &str) -> Result<String, Issue> {
    // Checked before upper-casing, since "ß" would otherwise pass as "SS".
    let count = text.chars().count();
    let valid = (1..=2).contains(&count)
        && text
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, 'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö'));
    if valid {
        Ok(text.to_uppercase())
    } else {
        Err(Issue::new(
            ErrorKind::BadLetter,
            format!("\"{text}\" is not a letter suffix; {LETTER_EXPECTED}"),
        ))
    }
}

/// Removes apartment designations from `tokens`. `found` carries an apartment already seen in
/// another part of a line so that two different ones are caught.
fn take_apartment(
    tokens: &mut Vec<&str>,
    found: &mut Option<String>,
) -> Result<Option<String>, Issue> {
    let mut at = 0;
    while at < tokens.len() {
        let Some(attached) = apartment_rest(tokens[at]) else {
            at += 1;
            continue;
        };
        let mut end = at + 1;
        let digits = if attached.is_empty() {
            if tokens.get(end).is_some_and(|t| is_nr(t)) {
                end += 1;
            }
            let digits = tokens.get(end).copied().unwrap_or("");
            end = (end + 1).min(tokens.len());
            digits
        } else {
            attached
        };
        let written = tokens[at..end].join(" ");
        if !(1..=MAX_APARTMENT_DIGITS).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Issue::new(
                ErrorKind::BadNumber,
                format!(
                    "\"{written}\" is not an apartment number; expected \"lgh\" followed by 1 to {MAX_APARTMENT_DIGITS} digits (usually 4), as in \"lgh 1101\""
                ),
            ));
        }
        match found {
            Some(previous) if previous != digits => {
                return Err(Issue::new(
                    ErrorKind::BadNumber,
                    format!(
                        "two different apartment numbers are given (\"{previous}\" and \"{digits}\"); give one"
                    ),
                ));
            }
            Some(_) => {}
            None => *found = Some(digits.to_string()),
        }
        tokens.drain(at..end);
    }
    Ok(found.clone())
}

/// For an apartment keyword token, what follows the keyword (empty when the digits are in the
/// next token). None when the token is not an apartment keyword, e.g. "Lghvägen".
fn apartment_rest(token: &str) -> Option<&str> {
    APARTMENT_WORDS.iter().find_map(|word| {
        let rest = strip_prefix_ci(token, word)?;
        let rest = rest.strip_prefix(['.', ':']).unwrap_or(rest);
        let rest = match strip_prefix_ci(rest, "nr") {
            Some(after) => after.strip_prefix(['.', ':']).unwrap_or(after),
            None => rest,
        };
        rest.bytes().all(|b| b.is_ascii_digit()).then_some(rest)
    })
}

fn is_nr(token: &str) -> bool {
    strip_prefix_ci(token, "nr").is_some_and(|rest| matches!(rest, "" | "." | ":"))
}

/// The box designation as written ("Box 123"), if the street is a box address. The keyword
/// must be the whole first word so that "Boxvägen 3" stays a street.
fn box_text(tokens: &[&str], number_field: Option<&str>) -> Option<String> {
    let (first, rest) = tokens.split_first()?;
    let digits = BOX_WORDS
        .iter()
        .find_map(|word| strip_prefix_ci(first, word))?;
    if !digits.is_empty() {
        return digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| first.to_string());
    }
    match (rest.first(), number_field) {
        (Some(next), _) if starts_with_digit(next) => Some(format!("{first} {next}")),
        (None, Some(number)) => Some(format!("{first} {}", collapse(number))),
        _ => None,
    }
}

fn box_issue(text: &str) -> Issue {
    Issue::new(
        ErrorKind::BoxAddress,
        format!(
            "\"{text}\" is a postal address (a box at the post office), never a visiting address; give the street address where visitors come"
        ),
    )
}

fn empty_street() -> Issue {
    Issue::new(
        ErrorKind::Empty,
        "no street name was given; expected a street address such as \"Sveavägen 12 B\""
            .to_string(),
    )
}

fn finish_street(tokens: &[&str]) -> Result<String, Issue> {
    if !tokens.iter().any(|t| t.chars().any(char::is_alphabetic)) {
        return Err(empty_street());
    }
    let street = display_street(tokens);
    let length = street.chars().count();
    if length > MAX_STREET {
        return Err(Issue::new(
            ErrorKind::TooLong,
            format!(
                "the street name has {length} characters; street names have at most {MAX_STREET}"
            ),
        ));
    }
    Ok(street)
}

fn display_street(tokens: &[&str]) -> String {
    let words: Vec<String> = tokens
        .iter()
        .enumerate()
        .map(|(i, word)| {
            // The first word is capitalised before the all-upper test: otherwise "aB" would
            // become "AB" here and "Ab" when the result is normalised again.
            let word = if i == 0 {
                upper_first(word)
            } else {
                (*word).to_string()
            };
            let cased = if is_all_upper(&word) {
                upper_first(&word.to_lowercase())
            } else {
                word
            };
            expand_word(&cased, i == 0).into_owned()
        })
        .collect();
    words.join(" ")
}

/// Upper-case only the first character: the register writes names such as "Drottning
/// Kristinas väg" with later words in lower case, so they must not be title-cased.
fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    // A character whose capital is several letters ("ß" -> "SS") is title-cased ("Ss"), so the
    // result is not an all-capitals word that a second normalisation would change again.
    let mut capital = first.to_uppercase();
    let mut out: String = capital.next().into_iter().collect();
    out.extend(capital.flat_map(char::to_lowercase));
    out.push_str(chars.as_str());
    out
}

fn is_all_upper(word: &str) -> bool {
    word.chars().any(char::is_uppercase) && !word.chars().any(char::is_lowercase)
}

fn expand_word(word: &str, first: bool) -> Cow<'_, str> {
    if first {
        match word.to_lowercase().as_str() {
            "s:t" | "s:t." | "st." => return Cow::Borrowed("Sankt"),
            "s:ta" | "s:ta." | "sta." => return Cow::Borrowed("Sankta"),
            _ => {}
        }
    }
    for (suffix, replacement) in SUFFIXES {
        if let Some(stem) = strip_suffix_ci(word, suffix) {
            let letters = stem.chars().filter(|c| c.is_alphabetic()).count();
            let ends_in_letter = stem.chars().next_back().is_some_and(char::is_alphabetic);
            // Stop at the first matching suffix even when its stem is too short: "Väg." must
            // not fall through to the `g.` rule and become "Vägatan".
            if letters >= 2 && ends_in_letter {
                return Cow::Owned(format!("{stem}{replacement}"));
            }
            return Cow::Borrowed(word);
        }
    }
    Cow::Borrowed(word)
}

/// Normalises a post town.
fn post_town(text: &str) -> Result<String, Issue> {
    let town = collapse(text);
    if town.is_empty() {
        return Err(Issue::new(
            ErrorKind::BadPostTown,
            "the post town is empty; expected a name such as \"Stockholm\"".to_string(),
        ));
    }
    let length = town.chars().count();
    if length > MAX_TOWN {
        return Err(Issue::new(
            ErrorKind::BadPostTown,
            format!("\"{town}\" has {length} characters; post towns have at most {MAX_TOWN}"),
        ));
    }
    if town.chars().any(char::is_numeric) || !town.chars().any(char::is_alphabetic) {
        return Err(Issue::new(
            ErrorKind::BadPostTown,
            format!(
                "\"{town}\" is not a post town; expected a name without digits, such as \"Stockholm\""
            ),
        ));
    }
    // Hyphenated towns ("DALS-ED") are treated as two words so both halves get a capital.
    let words: Vec<String> = town
        .split(' ')
        .map(|word| {
            word.split('-')
                .map(|piece| {
                    let upper = piece.chars().any(char::is_uppercase);
                    let lower = piece.chars().any(char::is_lowercase);
                    if upper != lower {
                        upper_first(&piece.to_lowercase())
                    } else {
                        piece.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect();
    Ok(words.join(" "))
}

// ---------------------------------------------------------------------------------------------
// Postal codes
// ---------------------------------------------------------------------------------------------

/// "11157", "111 57", "111-57"? (no: reject), "SE-111 57", "S-111 57", "SE 11157" -> "111 57".
pub fn postal_code(input: &str) -> Result<String, AddressError> {
    parse_postal(input).map_err(|i| i.at("postal_code"))
}

fn parse_postal(input: &str) -> Result<String, Issue> {
    let text = collapse(input);
    if text.is_empty() {
        return Err(Issue::new(
            ErrorKind::BadPostalCode,
            format!("the postal code is empty; {POSTAL_EXPECTED}"),
        ));
    }
    // "S " is not accepted as a prefix: in a line it could just as well be the letter S.
    let body = ["se-", "s-", "se "]
        .iter()
        .find_map(|prefix| strip_prefix_ci(&text, prefix))
        .unwrap_or(&text);
    let digits: String = match body.split_once(' ') {
        None if is_digits(body, 5) => body.to_string(),
        Some((head, tail)) if is_digits(head, 3) && is_digits(tail, 2) => format!("{head}{tail}"),
        _ => {
            return Err(Issue::new(
                ErrorKind::BadPostalCode,
                format!("\"{text}\" is not a postal code; {POSTAL_EXPECTED}"),
            ));
        }
    };
    if digits.starts_with('0') {
        return Err(Issue::new(
            ErrorKind::BadPostalCode,
            format!("\"{text}\" is not a postal code; Swedish postal codes never start with 0"),
        ));
    }
    Ok(format!("{} {}", &digits[..3], &digits[3..]))
}

// ---------------------------------------------------------------------------------------------
// Matching keys and fuzzy comparison
// ---------------------------------------------------------------------------------------------

/// The matching key of a street name: abbreviations expanded (same rules as normalisation),
/// whitespace collapsed, lower-cased (Unicode lower case, å ä ö kept). Hyphens kept.
/// `street_key("  SANKT  Eriksg. ") == "sankt eriksgatan"`;
/// `street_key("S:t Eriksgatan") == "sankt eriksgatan"`.
pub fn street_key(street: &str) -> String {
    let words: Vec<Cow<'_, str>> = street
        .split_whitespace()
        .enumerate()
        .map(|(i, word)| expand_word(word, i == 0))
        .collect();
    words.join(" ").to_lowercase()
}

/// street_key further folded for fuzzy comparison: å ä à á -> a, ö ø ó ò -> o, é è ê ë -> e,
/// ü ú -> u, í -> i, hyphens become spaces. `fold("Sveavägen") == "sveavagen"`.
pub fn fold(street: &str) -> String {
    let folded: String = street_key(street).chars().map(fold_char).collect();
    // A hyphen between spaces ("Anders - Pers") would otherwise leave a double space.
    collapse(&folded)
}

fn fold_char(c: char) -> char {
    match c {
        'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'ü' | 'ú' | 'ù' | 'û' => 'u',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        '-' => ' ',
        other => other,
    }
}

/// Optimal-string-alignment (restricted Damerau–Levenshtein) distance over chars:
/// insert, delete, substitute, transpose adjacent = 1 each.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    // Three rolling rows: a transposition looks two rows back.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Whether `candidate` is a plausible misspelling of `wanted` (both already keys): compares fold()s;
/// allowed distance 1 when the shorter folded string has ≤ 5 chars, 2 when ≤ 10, else 3.
/// Identical folds count as similar (e.g. "sveavagen" vs "sveavägen").
/// An empty fold is never similar to a non-empty one, since any one-letter name would match it.
pub fn is_similar(wanted: &str, candidate: &str) -> bool {
    let wanted = fold(wanted);
    let candidate = fold(candidate);
    if wanted == candidate {
        return true;
    }
    let wanted_len = wanted.chars().count();
    let candidate_len = candidate.chars().count();
    let shorter = wanted_len.min(candidate_len);
    if shorter == 0 {
        return false;
    }
    let allowed = match shorter {
        0..=5 => 1,
        6..=10 => 2,
        _ => 3,
    };
    // The length difference is a lower bound on the distance and saves the quadratic work.
    wanted_len.abs_diff(candidate_len) <= allowed && edit_distance(&wanted, &candidate) <= allowed
}

// ---------------------------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------------------------

/// Collapses any run of Unicode whitespace (including no-break spaces) to one space and trims.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_alphanumeric(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

fn starts_with_digit(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_digit())
}

fn is_digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

/// Case-insensitive prefix strip; `prefix` must be lower case.
fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = text;
    for wanted in prefix.chars() {
        let mut chars = rest.chars();
        let c = chars.next()?;
        if !c.to_lowercase().eq(std::iter::once(wanted)) {
            return None;
        }
        rest = chars.as_str();
    }
    Some(rest)
}

/// Case-insensitive suffix strip; `suffix` must be lower case.
fn strip_suffix_ci<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let mut rest = text;
    for wanted in suffix.chars().rev() {
        let mut chars = rest.chars();
        let c = chars.next_back()?;
        if !c.to_lowercase().eq(std::iter::once(wanted)) {
            return None;
        }
        rest = chars.as_str();
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: [&str; 10] = [
        "",
        "a",
        "ab",
        "ba",
        "sveavägen",
        "sveavgäen",
        "drottninggatan",
        "kitten",
        "sitting",
        "åäö",
    ];

    #[test]
    fn edit_distance_is_symmetric() {
        for a in WORDS {
            for b in WORDS {
                assert_eq!(edit_distance(a, b), edit_distance(b, a), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn edit_distance_is_zero_only_for_equal_strings() {
        for a in WORDS {
            for b in WORDS {
                assert_eq!(edit_distance(a, b) == 0, a == b, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn adjacent_transposition_costs_one() {
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("sveavägen", "sveavgäen"), 1);
        assert_eq!(edit_distance("götgatan", "gtögatan"), 1);
    }

    #[test]
    fn edit_distance_is_bounded_by_the_longer_length() {
        for a in WORDS {
            for b in WORDS {
                let longer = a.chars().count().max(b.chars().count());
                let gap = a.chars().count().abs_diff(b.chars().count());
                let d = edit_distance(a, b);
                assert!(gap <= d && d <= longer, "{a:?} vs {b:?}: {d}");
            }
        }
    }

    #[test]
    fn restricted_distance_does_not_edit_a_transposed_pair_twice() {
        // True Damerau–Levenshtein gives 2 here; the restricted variant gives 3.
        assert_eq!(edit_distance("ca", "abc"), 3);
    }

    #[test]
    fn error_displays_its_message() {
        let err = normalise_line("Box 123").unwrap_err();
        assert_eq!(err.to_string(), err.message);
        assert!(err.message.starts_with("\"Box 123\" is a postal address"));
    }
}
