//! Runs every case in `cases.txt` (the format is described at the top of that file) and reports
//! all failing lines at once, so one run shows the whole picture.

use mdm_address_normalise::{
    AddressError, Normalised, Parts, edit_distance, fold, is_similar, normalise_line,
    normalise_parts, postal_code, street_key,
};

const CASES: &str = include_str!("cases.txt");

/// Guards against the table silently shrinking, e.g. through a broken comment marker.
const MIN_CASES: usize = 80;

#[test]
fn cases_from_table() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (index, raw) in CASES.lines().enumerate() {
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        count += 1;
        if let Err(why) = check(text) {
            failures.push(format!("line {}: {text}\n    {why}", index + 1));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        count >= MIN_CASES,
        "only {count} cases, expected at least {MIN_CASES}"
    );
}

fn check(text: &str) -> Result<(), String> {
    let (inputs, expected) = text
        .split_once("=>")
        .ok_or_else(|| "no \"=>\" between inputs and expectation".to_string())?;
    let mut inputs = inputs.split('|').map(str::trim);
    let kind = inputs.next().unwrap_or_default();
    let inputs: Vec<String> = inputs.map(unescape).collect::<Result<_, _>>()?;
    let expected: Vec<String> = expected
        .split('|')
        .map(|f| unescape(f.trim()))
        .collect::<Result<_, _>>()?;
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();

    match kind {
        "line" => {
            let [line] = arity::<1>(&inputs)?;
            let got = normalise_line(line).map_err(|e| format!("unexpected error {e:?}"))?;
            compare_normalised(&got, &expected)?;
            fixed_point(&got)
        }
        "line-err" => {
            let [line] = arity::<1>(&inputs)?;
            compare_error(normalise_line(line), &expected)
        }
        "parts" => {
            let parts = parts_from(&inputs)?;
            let got = normalise_parts(&parts).map_err(|e| format!("unexpected error {e:?}"))?;
            compare_normalised(&got, &expected)?;
            fixed_point(&got)
        }
        "parts-err" => {
            let parts = parts_from(&inputs)?;
            compare_error(normalise_parts(&parts), &expected)
        }
        "postal" => {
            let [input] = arity::<1>(&inputs)?;
            let [want] = arity::<1>(&expected)?;
            let got = postal_code(input).map_err(|e| format!("unexpected error {e:?}"))?;
            same("postal code", got.as_str(), want)
        }
        "postal-err" => {
            let [input] = arity::<1>(&inputs)?;
            let [want_kind] = arity::<1>(&expected)?;
            compare_error(postal_code(input), &[want_kind, "postal_code"])
        }
        "key" => {
            let [input] = arity::<1>(&inputs)?;
            let [want] = arity::<1>(&expected)?;
            same("street_key", street_key(input).as_str(), want)?;
            // A key is itself a street: keying it again must not change it.
            same("street_key of the key", street_key(want).as_str(), want)
        }
        "fold" => {
            let [input] = arity::<1>(&inputs)?;
            let [want] = arity::<1>(&expected)?;
            same("fold", fold(input).as_str(), want)
        }
        "distance" => {
            let [a, b] = arity::<2>(&inputs)?;
            let [want] = arity::<1>(&expected)?;
            let want: usize = want.parse().map_err(|_| format!("bad distance {want:?}"))?;
            same("distance", &edit_distance(a, b), &want)?;
            same("distance reversed", &edit_distance(b, a), &want)
        }
        "similar" => {
            let [a, b] = arity::<2>(&inputs)?;
            let [want] = arity::<1>(&expected)?;
            let want = match want {
                "yes" => true,
                "no" => false,
                other => return Err(format!("expected yes or no, not {other:?}")),
            };
            same("is_similar", &is_similar(a, b), &want)?;
            same("is_similar reversed", &is_similar(b, a), &want)
        }
        other => Err(format!("unknown case kind {other:?}")),
    }
}

fn arity<'a, const N: usize>(fields: &[&'a str]) -> Result<[&'a str; N], String> {
    <[&str; N]>::try_from(fields)
        .map_err(|_| format!("expected {N} fields here, found {}", fields.len()))
}

fn parts_from<'a>(inputs: &[&'a str]) -> Result<Parts<'a>, String> {
    let [street, number, letter, postal, town] = arity::<5>(inputs)?;
    Ok(Parts {
        street,
        number: optional(number),
        letter: optional(letter),
        postal_code: optional(postal),
        post_town: optional(town),
    })
}

fn optional(field: &str) -> Option<&str> {
    (field != "-").then_some(field)
}

fn compare_normalised(got: &Normalised, expected: &[&str]) -> Result<(), String> {
    let [street, number, letter, postal, town, apartment] = arity::<6>(expected)?;
    let want = Normalised {
        street: street.to_string(),
        number: optional(number).map(str::to_string),
        letter: optional(letter).map(str::to_string),
        postal_code: optional(postal).map(str::to_string),
        post_town: optional(town).map(str::to_string),
        apartment: optional(apartment).map(str::to_string),
    };
    same("result", got, &want)
}

/// Feeding a normalised address back in must give it back unchanged (bar the apartment, which
/// `Parts` has no field for); otherwise stored addresses would drift on every save.
fn fixed_point(first: &Normalised) -> Result<(), String> {
    let again = normalise_parts(&Parts {
        street: &first.street,
        number: first.number.as_deref(),
        letter: first.letter.as_deref(),
        postal_code: first.postal_code.as_deref(),
        post_town: first.post_town.as_deref(),
    })
    .map_err(|e| format!("normalising the result again failed: {e:?}"))?;
    let want = Normalised {
        apartment: None,
        ..first.clone()
    };
    same("result normalised again", &again, &want)
}

/// `expected` is `Kind | field` optionally followed by texts the message must contain.
fn compare_error<T: std::fmt::Debug>(
    got: Result<T, AddressError>,
    expected: &[&str],
) -> Result<(), String> {
    let [kind, field, texts @ ..] = expected else {
        return Err("expected at least `Kind | field`".to_string());
    };
    let err = match got {
        Ok(value) => return Err(format!("expected {kind} error, got Ok({value:?})")),
        Err(err) => err,
    };
    same("kind", &format!("{:?}", err.kind), &kind.to_string())?;
    same("field", &err.field, field)?;
    same("Display", &err.to_string(), &err.message)?;
    if err.message.trim().is_empty() {
        return Err("empty message".to_string());
    }
    for text in texts {
        if !err.message.contains(text) {
            return Err(format!(
                "message {:?} does not contain {text:?}",
                err.message
            ));
        }
    }
    Ok(())
}

fn same<T: PartialEq + std::fmt::Debug + ?Sized>(
    what: &str,
    got: &T,
    want: &T,
) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {want:?}"))
    }
}

/// Escapes let the table hold characters that are invisible or awkward in a text file.
fn unescape(field: &str) -> Result<String, String> {
    if field == "\"\"" {
        return Ok(String::new());
    }
    let mut out = String::new();
    let mut rest = field;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escape = &rest[at + 1..];
        if let Some(after) = escape.strip_prefix('t') {
            out.push('\t');
            rest = after;
        } else if let Some(after) = escape.strip_prefix('\\') {
            out.push('\\');
            rest = after;
        } else if let Some(after) = escape.strip_prefix("u{") {
            let (hex, after) = after
                .split_once('}')
                .ok_or_else(|| format!("unclosed \\u{{ in {field:?}"))?;
            let code = u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| format!("bad \\u{{{hex}}} in {field:?}"))?;
            out.push(code);
            rest = after;
        } else if let Some(after) = escape.strip_prefix("rep{") {
            let (spec, after) = after
                .split_once('}')
                .ok_or_else(|| format!("unclosed \\rep{{ in {field:?}"))?;
            let (count, text) = spec
                .split_once(':')
                .ok_or_else(|| format!("\\rep{{N:text}} needs a colon in {field:?}"))?;
            let count: usize = count
                .parse()
                .map_err(|_| format!("bad repeat count in {field:?}"))?;
            out.push_str(&text.repeat(count));
            rest = after;
        } else {
            return Err(format!("unknown escape in {field:?}"));
        }
    }
    out.push_str(rest);
    Ok(out)
}
