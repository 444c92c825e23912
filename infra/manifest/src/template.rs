//! `{{ variable }}` templates, as used in component `variables` values and
//! `allowed_outbound_hosts` entries.
//!
//! Spin (`crates/expressions/src/template.rs`): the text is a sequence of
//! literal parts and expressions. An expression starts at `{{` and runs to the
//! next `}}`; the text in between is trimmed and names an application variable.
//! An unmatched `{{` is an error. There is no escaping, and a lone `}}` is
//! literal text.

/// One part of a parsed template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part<'a> {
    /// Literal text, copied as is.
    Literal(&'a str),
    /// A `{{ name }}` placeholder (name already trimmed).
    Variable(&'a str),
}

/// Splits a template into parts; fails on an unmatched `{{`.
pub(crate) fn parse(template: &str) -> Result<Vec<Part<'_>>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after_open) = rest.strip_prefix("{{") {
            let Some(close) = after_open.find("}}") else {
                return Err("unmatched '{{' in template".into());
            };
            parts.push(Part::Variable(after_open[..close].trim()));
            rest = &after_open[close + 2..];
        } else {
            let end = rest.find("{{").unwrap_or(rest.len());
            parts.push(Part::Literal(&rest[..end]));
            rest = &rest[end..];
        }
    }
    Ok(parts)
}

/// True if the template has no placeholder.
pub(crate) fn is_literal(parts: &[Part<'_>]) -> bool {
    parts.iter().all(|p| matches!(p, Part::Literal(_)))
}

/// Renders a parsed template, looking each placeholder up with `lookup`.
/// Returns the name of the first placeholder `lookup` cannot resolve.
pub(crate) fn render<'a>(
    parts: &[Part<'a>],
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, &'a str> {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::Variable(name) => out.push_str(&lookup(name).ok_or(*name)?),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_literals_and_placeholders() {
        use Part::*;
        let cases: &[(&str, &[Part<'_>])] = &[
            ("", &[]),
            ("a", &[Literal("a")]),
            (
                "a-{{ expr }}-b",
                &[Literal("a-"), Variable("expr"), Literal("-b")],
            ),
            ("{{e1}}{{  e2  }}", &[Variable("e1"), Variable("e2")]),
            ("a }} b", &[Literal("a }} b")]),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap(), *expected, "{text:?}");
        }
    }

    #[test]
    fn unmatched_open_braces_are_rejected() {
        assert!(parse("{{ matched }} {{ unmatched").is_err());
    }

    #[test]
    fn render_reports_the_unresolved_name() {
        let parts = parse("https://{{ host }}:{{port}}").unwrap();
        let got = render(&parts, |n| (n == "host").then(|| "example.com".to_owned()));
        assert_eq!(got, Err("port"));
    }
}
