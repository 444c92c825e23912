//! What can go wrong, how it reads on stderr and which exit code it gives.

use std::fmt;

use serde_json::Value;

/// Exit code when the request (or the command line) is wrong: retrying the
/// same thing will not help.
pub const EXIT_REQUEST: u8 = 1;
/// Exit code when the server or the network failed: a retry may succeed.
pub const EXIT_SERVER: u8 = 2;

/// The longest piece of a non-problem error body shown: enough to recognise
/// a proxy's error page, not so much that it buries the message.
const BODY_EXCERPT_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The server answered with an error status.
    #[error("{0}")]
    Http(HttpError),
    /// No (complete) answer: refused, reset, timed out.
    #[error("cannot reach {url}: {reason}")]
    Transport { url: String, reason: String },
    /// An answer that breaks the API's contract, e.g. a unit without ETag.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// A problem on this side: a file, its JSON, stdout.
    #[error("{0}")]
    Local(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Http(e) if e.status < 500 => EXIT_REQUEST,
            Self::Local(_) => EXIT_REQUEST,
            Self::Http(_) | Self::Transport { .. } | Self::Protocol(_) => EXIT_SERVER,
        }
    }

    /// Whether the same request may succeed a little later: what a write is
    /// retried on, and what `changes --follow` waits out.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Http(e) => e.status >= 500,
            Self::Protocol(_) | Self::Local(_) => false,
        }
    }

    /// The full text for stderr: `error: ...`, then suggestions and a hint
    /// when there are any, one per line.
    pub fn report(&self) -> String {
        let mut text = format!("error: {self}");
        if let Self::Http(e) = self {
            if !e.suggestions.is_empty() {
                text.push_str("\nsuggestions:");
                for suggestion in &e.suggestions {
                    text.push_str("\n  ");
                    text.push_str(suggestion);
                }
            }
            if let Some(hint) = hint(e.status) {
                text.push_str("\nhint: ");
                text.push_str(hint);
            }
        }
        text
    }
}

/// The obvious next step after some statuses.
fn hint(status: u16) -> Option<&'static str> {
    match status {
        401 => Some("the token was not accepted; check --token or MDM_TOKEN"),
        412 => Some("the unit changed since you read it; run get again"),
        428 => Some(
            "the server wants the unit's ETag: pass --if-match ETAG (get prints it), \
             or leave --if-match out to use the current one",
        ),
        _ => None,
    }
}

/// An error answer, read from its RFC 9457 problem body where it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    /// The status of the HTTP answer (not the body's `status`, which a
    /// proxy's body would not have).
    pub status: u16,
    pub title: String,
    pub detail: Option<String>,
    /// The problem's `suggestions`, each as a line for a person.
    pub suggestions: Vec<String>,
}

impl HttpError {
    pub fn from_answer(status: u16, body: &[u8]) -> Self {
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(problem)) => {
                let text = |name: &str| {
                    problem
                        .get(name)
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                };
                Self {
                    status,
                    title: text("title").unwrap_or_else(|| reason.to_string()),
                    detail: text("detail"),
                    suggestions: problem
                        .get("suggestions")
                        .and_then(Value::as_array)
                        .map(|list| list.iter().map(describe_suggestion).collect())
                        .unwrap_or_default(),
                }
            }
            // Not a problem body (a proxy's page, a bare text): its start
            // usually names the cause.
            _ => {
                let text = String::from_utf8_lossy(body);
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let detail = if text.chars().count() > BODY_EXCERPT_CHARS {
                    let excerpt: String = text.chars().take(BODY_EXCERPT_CHARS).collect();
                    Some(format!("{excerpt}…"))
                } else {
                    Some(text).filter(|t| !t.is_empty())
                };
                Self {
                    status,
                    title: reason.to_string(),
                    detail,
                    suggestions: Vec::new(),
                }
            }
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

/// One suggestion as a line. The address validation's suggestions are
/// `{"address": {street, number, letter, postal_code, post_town, ..},
/// "register_id", "reason"}`; they are written the way the server writes
/// addresses in its messages (`Sveavägen 12 B, 113 50 Stockholm`). Any
/// other shape is shown as JSON rather than dropped.
fn describe_suggestion(suggestion: &Value) -> String {
    let address = suggestion
        .get("address")
        .filter(|a| a.is_object())
        .unwrap_or(suggestion);
    let field = |name: &str| address.get(name).and_then(Value::as_str);
    match (field("street"), suggestion.as_str()) {
        (Some(street), _) => {
            let mut line = street.to_string();
            for part in [field("number"), field("letter")].into_iter().flatten() {
                line.push(' ');
                line.push_str(part);
            }
            let place: Vec<&str> = [field("postal_code"), field("post_town")]
                .into_iter()
                .flatten()
                .collect();
            if !place.is_empty() {
                line.push_str(", ");
                line.push_str(&place.join(" "));
            }
            line
        }
        (None, Some(text)) => text.to_string(),
        (None, None) => suggestion.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn problem(status: u16, body: Value) -> Failure {
        Failure::Http(HttpError::from_answer(status, body.to_string().as_bytes()))
    }

    #[test]
    fn a_problem_reads_status_title_detail() {
        let failure = problem(
            404,
            json!({"type": "urn:mdm:problem:not-found", "title": "Not Found", "status": 404,
                   "detail": "there is no unit with HSA-id SE1"}),
        );
        assert_eq!(
            failure.report(),
            "error: 404 Not Found: there is no unit with HSA-id SE1"
        );
        assert_eq!(failure.exit_code(), 1);
        assert!(!failure.is_transient());
    }

    #[test]
    fn a_stale_etag_gets_the_hint() {
        let failure = problem(
            412,
            json!({"title": "Precondition Failed", "status": 412, "detail": "the unit is at version 5, not 4"}),
        );
        assert_eq!(
            failure.report(),
            "error: 412 Precondition Failed: the unit is at version 5, not 4\n\
             hint: the unit changed since you read it; run get again"
        );
        assert_eq!(failure.exit_code(), 1);
    }

    #[test]
    fn a_missing_if_match_says_to_pass_it() {
        let failure = problem(
            428,
            json!({"title": "Precondition Required", "detail": "send If-Match"}),
        );
        let report = failure.report();
        assert!(
            report.starts_with("error: 428 Precondition Required: send If-Match\nhint: "),
            "{report}"
        );
        assert!(report.contains("--if-match"), "{report}");
    }

    #[test]
    fn suggestions_are_listed_one_address_per_line() {
        let failure = problem(
            422,
            json!({
                "type": "urn:mdm:problem:unknown-address",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": "Sveavägen 99 is not in the register",
                "suggestions": [
                    {"address": {"street": "Sveavägen", "number": "9", "letter": "B",
                                 "postal_code": "111 57", "post_town": "Stockholm"},
                     "register_id": "a", "reason": "nearby-number"},
                    {"address": {"street": "Sveavägen", "number": "98",
                                 "postal_code": "113 50", "post_town": "Stockholm"},
                     "register_id": "b", "reason": "nearby-number"},
                    "Odengatan 1, 113 22 Stockholm",
                    {"something": "else"}
                ]
            }),
        );
        assert_eq!(
            failure.report(),
            "error: 422 Unprocessable Content: Sveavägen 99 is not in the register\n\
             suggestions:\n  \
             Sveavägen 9 B, 111 57 Stockholm\n  \
             Sveavägen 98, 113 50 Stockholm\n  \
             Odengatan 1, 113 22 Stockholm\n  \
             {\"something\":\"else\"}"
        );
    }

    #[test]
    fn a_body_that_is_no_problem_still_explains() {
        let failure = Failure::Http(HttpError::from_answer(
            502,
            b"<html>\n  <body>upstream   connect error</body></html>",
        ));
        assert_eq!(
            failure.report(),
            "error: 502 Bad Gateway: <html> <body>upstream connect error</body></html>"
        );
        assert_eq!(failure.exit_code(), 2);
        assert!(failure.is_transient());

        let empty = Failure::Http(HttpError::from_answer(503, b""));
        assert_eq!(empty.report(), "error: 503 Service Unavailable");

        let long = "x".repeat(BODY_EXCERPT_CHARS + 10);
        let long = HttpError::from_answer(500, long.as_bytes());
        assert_eq!(long.detail.unwrap().chars().count(), BODY_EXCERPT_CHARS + 1);
    }

    #[test]
    fn a_problem_without_title_uses_the_status_reason() {
        let failure = problem(409, json!({"detail": "HSA-id SE1 exists"}));
        assert_eq!(failure.report(), "error: 409 Conflict: HSA-id SE1 exists");
    }

    #[test]
    fn exit_codes_separate_retryable_from_not() {
        let transport = Failure::Transport {
            url: "http://127.0.0.1:1/x".into(),
            reason: "connection refused".into(),
        };
        assert_eq!(
            transport.report(),
            "error: cannot reach http://127.0.0.1:1/x: connection refused"
        );
        assert_eq!(transport.exit_code(), 2);
        assert!(transport.is_transient());
        assert_eq!(Failure::Protocol("no ETag".into()).exit_code(), 2);
        assert_eq!(Failure::Local("a.json is not JSON".into()).exit_code(), 1);
        assert_eq!(problem(400, json!({})).exit_code(), 1);
        assert_eq!(problem(500, json!({})).exit_code(), 2);
    }
}
