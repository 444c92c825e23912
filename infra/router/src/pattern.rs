//! Route patterns: compiled once at start-up into token lists, matched per
//! request without allocating.
//!
//! Spin 3 hands each route to routefinder 0.5 (`crates/http/src/routes.rs`,
//! `Router::parse_route`): `/a/...` becomes `/a/*`, everything else is used as
//! is. This module reproduces routefinder 0.5's *behaviour*:
//!
//! * Parsing: leading and trailing `/` are ignored; the text is cut at every
//!   `/` and `.`; empty pieces vanish (`/a//b` is `/a/b`); a piece `:name` is
//!   a parameter, `*` a wildcard, anything else literal text. A `.` directly
//!   after literal text stays part of that text (`/v1.0` is the literal
//!   `v1.0`); after a parameter it is a separator (`/:file.json`).
//! * Matching: leading and trailing `/` of the request path are ignored;
//!   literal text must match exactly; a parameter takes one non-empty
//!   segment (up to `/`, or up to `.` when followed by `.`); a trailing
//!   wildcard takes the rest, including nothing (`/a/...` matches `/a`).
//! * Precedence: routes are kept in routefinder's order and the first match
//!   wins. Tokens are compared left to right - literal beats parameter beats
//!   wildcard - then the route with more `.` separators, then the shorter
//!   one. Equally specific routes keep manifest order.

use std::cmp::Ordering;
use std::ops::Range;

/// One token of a compiled route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// A `/` between two pieces.
    Slash,
    /// A `.` separator (after a parameter or wildcard, or leading).
    Dot,
    /// Literal text.
    Literal(Box<str>),
    /// `:name`.
    Param(Box<str>),
    /// `*` (Spin's `/...`).
    Wildcard,
}

/// A compiled route pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
    dots: usize,
}

impl Pattern {
    /// Compiles a routefinder route spec (`/users/:id`, `/files/*`).
    ///
    /// Deliberate difference: routefinder accepts a wildcard that is not the
    /// last token and then panics on the first request that reaches it;
    /// such routes are rejected here.
    pub(crate) fn parse(spec: &str) -> Result<Self, String> {
        let spec = spec.trim_start_matches('/').trim_end_matches('/');
        let mut tokens: Vec<Token> = Vec::new();
        let mut separator: Option<u8> = None;
        let mut rest = spec;
        loop {
            let cut = rest.find(['/', '.']);
            let piece = &rest[..cut.unwrap_or(rest.len())];
            let token = match piece.as_bytes() {
                [] => None,
                [b'*'] => Some(Token::Wildcard),
                [b'*', ..] => {
                    return Err(format!(
                        "a wildcard has no name: replace `{piece}` with `*` (or end the route with `/...`)"
                    ));
                }
                [b':'] => return Err("route parameters must be named (`:name`)".into()),
                [b':', ..] => Some(Token::Param(piece[1..].into())),
                _ => Some(Token::Literal(piece.into())),
            };
            if separator == Some(b'.') {
                match tokens.last_mut() {
                    Some(Token::Literal(text)) => *text = format!("{text}.").into(),
                    _ => tokens.push(Token::Dot),
                }
            }
            if let Some(token) = token {
                if separator == Some(b'/') {
                    tokens.push(Token::Slash);
                }
                tokens.push(token);
            }
            match cut {
                Some(at) => {
                    separator = Some(rest.as_bytes()[at]);
                    rest = &rest[at + 1..];
                }
                None => break,
            }
        }

        for (i, token) in tokens.iter().enumerate() {
            let next = tokens.get(i + 1);
            match token {
                Token::Wildcard if next.is_some() => {
                    return Err("a wildcard (`*` or `/...`) must end the route".into());
                }
                Token::Param(_) if !matches!(next, None | Some(Token::Slash | Token::Dot)) => {
                    return Err("a route parameter must be followed by `/`, `.` or the end".into());
                }
                _ => {}
            }
        }
        let dots = tokens.iter().filter(|t| **t == Token::Dot).count();
        Ok(Self { tokens, dots })
    }

    /// Names of the parameters, in match order.
    pub(crate) fn params(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().filter_map(|t| match t {
            Token::Param(name) => Some(&**name),
            _ => None,
        })
    }

    /// Number of parameters.
    pub(crate) fn param_count(&self) -> usize {
        self.params().count()
    }

    /// Matches `path` (leading/trailing `/` are ignored). For every
    /// parameter, and for the wildcard, `capture` receives the byte range of
    /// the captured text within `path`.
    pub(crate) fn matches(
        &self,
        path: &str,
        mut capture: impl FnMut(Capture, Range<usize>),
    ) -> bool {
        let start = path.len() - path.trim_start_matches('/').len();
        let end = start + path[start..].trim_end_matches('/').len();
        let text = &path[..end];
        let bytes = text.as_bytes();
        let mut pos = start;
        for (i, token) in self.tokens.iter().enumerate() {
            let next = self.tokens.get(i + 1);
            match token {
                Token::Literal(literal) => {
                    if !text[pos..].starts_with(&**literal) {
                        return false;
                    }
                    pos += literal.len();
                }
                Token::Param(_) => {
                    if pos == end {
                        return false;
                    }
                    let stop = if next == Some(&Token::Dot) {
                        match text[pos..].find(['.', '/']) {
                            Some(at) if bytes[pos + at] == b'.' => pos + at,
                            _ => return false,
                        }
                    } else {
                        text[pos..].find('/').map_or(end, |at| pos + at)
                    };
                    capture(Capture::Param, pos..stop);
                    pos = stop;
                }
                Token::Wildcard => {
                    capture(Capture::Wildcard, pos..end);
                    pos = end;
                }
                Token::Slash => match (bytes.get(pos), next) {
                    (Some(b'/'), Some(_)) => pos += 1,
                    (None, None | Some(Token::Wildcard)) => {}
                    _ => return false,
                },
                Token::Dot => {
                    if bytes.get(pos) != Some(&b'.') {
                        return false;
                    }
                    pos += 1;
                }
            }
        }
        matches!(&text[pos..], "" | "/")
    }

    /// routefinder 0.5's ordering of two routes: `Less` means `self` is tried
    /// before `other`. Equal specificity yields `Greater`, so a route added
    /// later goes after the ones already present.
    pub(crate) fn precedence(&self, other: &Pattern) -> Ordering {
        for (mine, theirs) in self.tokens.iter().zip(&other.tokens) {
            match token_specificity(mine, theirs) {
                Ordering::Equal => {}
                more_or_less => return more_or_less.reverse(),
            }
        }
        match self.dots.cmp(&other.dots) {
            Ordering::Equal => {}
            more_or_less => return more_or_less.reverse(),
        }
        match other.tokens.len().cmp(&self.tokens.len()) {
            Ordering::Equal => Ordering::Greater,
            longer_or_shorter => longer_or_shorter.reverse(),
        }
    }
}

/// What a capture range belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capture {
    Param,
    Wildcard,
}

/// How specific token `a` is compared with `b` at the same position
/// (`Greater`: `a` is more specific).
///
/// Literal > parameter > wildcard > `/`. A `.` is "more specific" than
/// anything but `/` when it comes first - and routefinder also rates literal,
/// parameter and wildcard above `.` when *they* come first. That asymmetry
/// is kept on purpose: combined with insertion into a sorted list it
/// reproduces routefinder's (insertion-order dependent) result for routes
/// such as `/.well-known/...` next to `/...`.
fn token_specificity(a: &Token, b: &Token) -> Ordering {
    use Token::*;
    let separator = |t: &Token| matches!(t, Slash | Dot);
    let rank = |t: &Token| match t {
        Literal(_) => 3,
        Param(_) => 2,
        Wildcard => 1,
        Slash | Dot => 0,
    };
    if separator(a) && separator(b) {
        return Ordering::Equal;
    }
    if *a == Dot {
        return Ordering::Greater;
    }
    if *b == Dot {
        return Ordering::Greater;
    }
    rank(a).cmp(&rank(b))
}

/// Inserts `item` where routefinder's `BTreeMap` would put it: before the
/// first present route it is more specific than, otherwise at the end.
///
/// With consistent comparisons this is a stable sort. The asymmetric `.`
/// cases follow routefinder's single-node B-tree (up to 11 routes); larger
/// route tables containing such routes may order them differently.
pub(crate) fn insert_by_precedence<T>(
    list: &mut Vec<T>,
    item: T,
    pattern: impl Fn(&T) -> &Pattern,
) {
    let at = list
        .iter()
        .position(|present| pattern(&item).precedence(pattern(present)) == Ordering::Less)
        .unwrap_or(list.len());
    list.insert(at, item);
}

#[cfg(test)]
mod tests {
    use super::*;
    use Token::*;

    fn lit(s: &str) -> Token {
        Literal(s.into())
    }

    #[test]
    fn parses_like_routefinder() {
        let cases: &[(&str, Vec<Token>)] = &[
            ("", vec![]),
            ("/", vec![]),
            ("/*", vec![Wildcard]),
            (
                "/api/v1/*",
                vec![lit("api"), Slash, lit("v1"), Slash, Wildcard],
            ),
            ("/users/:id", vec![lit("users"), Slash, Param("id".into())]),
            ("/a//b/", vec![lit("a"), Slash, lit("b")]),
            ("/v1.0/x", vec![lit("v1."), lit("0"), Slash, lit("x")]),
            ("/:file.json", vec![Param("file".into()), Dot, lit("json")]),
            (
                "/.well-known/x",
                vec![Dot, lit("well-known"), Slash, lit("x")],
            ),
        ];
        for (spec, tokens) in cases {
            assert_eq!(&Pattern::parse(spec).unwrap().tokens, tokens, "{spec:?}");
        }
        assert!(Pattern::parse("/a/*/b").is_err());
        assert!(Pattern::parse("/a/*rest").is_err());
        assert!(Pattern::parse("/a/:").is_err());
    }

    #[test]
    fn matches_like_routefinder() {
        let cases: &[(&str, &str, bool)] = &[
            ("/", "/", true),
            ("/", "", true),
            ("/", "/a", false),
            ("/a", "/a/", true),
            ("/a", "/ab", false),
            ("/a/*", "/a", true),
            ("/a/*", "/ab", false),
            ("/a/:x", "/a", false),
            ("/a/:x", "/a/", false),
            ("/a/:x", "/a/1/", true),
            ("/a/:x", "/a/1/2", false),
            ("/a/:x/b", "/a//b", true),
            ("/:file.json", "/report.json", true),
            ("/:file.json", "/report.xml", false),
        ];
        for (spec, path, expected) in cases {
            let got = Pattern::parse(spec).unwrap().matches(path, |_, _| {});
            assert_eq!(got, *expected, "{spec} ~ {path}");
        }
    }
}
