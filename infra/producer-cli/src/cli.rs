//! The command line.

use std::fmt;
use std::io::Read as _;
use std::path::PathBuf;
use std::str::FromStr;

use clap::builder::NonEmptyStringValueParser;
use clap::{Parser, Subcommand};
use reqwest::Url;

use crate::failure::Failure;

/// Command-line client for masterdata producers of MDM on Spin.
///
/// Exit codes: 0 done; 1 the request or the command line is wrong (4xx),
/// retrying will not help; 2 the server or the network failed (5xx, no
/// connection), a later retry may succeed.
#[derive(Debug, Parser)]
#[command(name = "mdm-producer", version)]
pub struct Cli {
    /// Base address of the MDM API (a path prefix is kept).
    #[arg(
        long,
        env = "MDM_URL",
        default_value = "http://127.0.0.1:3000",
        value_parser = parse_base_url
    )]
    pub url: Url,

    /// Bearer token of the producer. Prefer the environment variable: a
    /// command line is visible to other users of the machine.
    // `hide_env_values`: `--help` would otherwise print the secret.
    #[arg(long, env = "MDM_TOKEN", hide_env_values = true)]
    pub token: Token,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand, PartialEq)]
pub enum Command {
    /// Print a unit as pretty JSON to stdout and its ETag to stderr.
    Get {
        #[arg(value_parser = NonEmptyStringValueParser::new())]
        hsa_id: String,
    },
    /// Create a unit from a unit-input JSON file (`-` reads stdin) and print
    /// the created unit.
    Create { file: Input },
    /// Replace a unit's client-settable fields with a unit-input JSON file
    /// (`-` reads stdin) and print the result.
    Update {
        #[arg(value_parser = NonEmptyStringValueParser::new())]
        hsa_id: String,
        file: Input,
        /// ETag of the version you changed; without it the unit is read
        /// first and its current ETag is used.
        #[arg(long, value_name = "ETAG", value_parser = parse_etag)]
        if_match: Option<String>,
    },
    /// Apply a JSON merge patch (RFC 7396) from a file (`-` reads stdin)
    /// and print the result.
    Patch {
        #[arg(value_parser = NonEmptyStringValueParser::new())]
        hsa_id: String,
        patch: Input,
        /// ETag of the version you changed; without it the unit is read
        /// first and its current ETag is used.
        #[arg(long, value_name = "ETAG", value_parser = parse_etag)]
        if_match: Option<String>,
    },
    /// Retire a unit and print it.
    Retire {
        #[arg(value_parser = NonEmptyStringValueParser::new())]
        hsa_id: String,
        /// ETag of the version you retire; without it the unit is read
        /// first and its current ETag is used.
        #[arg(long, value_name = "ETAG", value_parser = parse_etag)]
        if_match: Option<String>,
    },
    /// Print the change feed as NDJSON, one change per line, and the
    /// `next_since` to resume from on stderr at the end.
    Changes {
        /// Print the changes after this sequence number (0: from the start).
        #[arg(long, default_value_t = 0)]
        since: u64,
        /// Changes per page (the server's default when left out).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
        /// Keep polling for new changes until interrupted (ctrl-c).
        #[arg(long)]
        follow: bool,
        /// With --follow: seconds to wait when there is nothing new.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
        interval_seconds: u64,
    },
}

/// The bearer token. A newtype so that `Debug` (of [`Cli`], in a test
/// failure or a log) never shows it.
#[derive(Clone, PartialEq)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl FromStr for Token {
    type Err = String;

    fn from_str(token: &str) -> Result<Self, String> {
        let token = token.trim();
        // `Bearer ` with nothing after it would only earn a 401 later.
        if token.is_empty() {
            return Err("the token is empty".into());
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the token must be visible ASCII characters without spaces".into());
        }
        Ok(Self(token.to_string()))
    }
}

/// Where a JSON body comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl FromStr for Input {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        match name {
            "" => Err("the file name is empty".into()),
            "-" => Ok(Self::Stdin),
            path => Ok(Self::File(path.into())),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stdin => f.write_str("stdin"),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

impl Input {
    /// The bytes, after checking they are JSON: a typo in a file is
    /// reported here, with its line and column, rather than as the server's
    /// 400. The bytes are sent as read, not re-serialised, so that a retry
    /// carries exactly the body the idempotency record fingerprinted.
    pub fn read_json(&self) -> Result<Vec<u8>, Failure> {
        let mut bytes = Vec::new();
        let read = match self {
            Self::Stdin => std::io::stdin().read_to_end(&mut bytes).map(drop),
            Self::File(path) => std::fs::read(path).map(|b| bytes = b),
        };
        read.map_err(|e| Failure::Local(format!("cannot read {self}: {e}")))?;
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
            .map_err(|e| Failure::Local(format!("{self} is not JSON: {e}")))?;
        Ok(bytes)
    }
}

/// An http(s) address that paths can be appended to. A query or fragment
/// would end up in the middle of every request's address, so it is dropped.
pub fn parse_base_url(text: &str) -> Result<Url, String> {
    let mut url = Url::parse(text).map_err(|e| format!("not an address: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme must be http or https, not {}",
            url.scheme()
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// An `If-Match` value. `get` prints the ETag with its quotes (`"3"`), and a
/// shell eats them unless they are escaped, so a bare `3` is quoted here.
pub fn parse_etag(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the ETag is empty".into());
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("an ETag is visible ASCII characters without spaces, e.g. \"3\"".into());
    }
    if text == "*" || text.starts_with('"') || text.starts_with("W/\"") {
        Ok(text.to_string())
    } else {
        Ok(format!("\"{text}\""))
    }
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("mdm-producer").chain(args.iter().copied()))
    }

    #[test]
    fn update_takes_id_file_and_optional_if_match() {
        let cli = parse(&[
            "--token",
            "t0k",
            "update",
            "SE2321000016-A1",
            "unit.json",
            "--if-match",
            "7",
        ])
        .unwrap();
        assert_eq!(cli.token.expose(), "t0k");
        assert_eq!(
            cli.command,
            Command::Update {
                hsa_id: "SE2321000016-A1".into(),
                file: Input::File("unit.json".into()),
                if_match: Some("\"7\"".into()),
            }
        );
        let cli = parse(&["--token", "t", "update", "X", "-"]).unwrap();
        assert_eq!(
            cli.command,
            Command::Update {
                hsa_id: "X".into(),
                file: Input::Stdin,
                if_match: None,
            }
        );
    }

    #[test]
    fn url_is_parsed_and_checked() {
        let cli = parse(&[
            "--url",
            "https://mdm.example/base/?x=1",
            "--token",
            "t",
            "get",
            "X",
        ])
        .unwrap();
        assert_eq!(cli.url.as_str(), "https://mdm.example/base/");
        let err = parse(&["--url", "ftp://mdm.example", "--token", "t", "get", "X"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation);
        let err = parse(&["--url", "not a url", "--token", "t", "get", "X"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation);
    }

    #[test]
    fn changes_defaults_and_options() {
        let cli = parse(&["--token", "t", "changes"]).unwrap();
        assert_eq!(
            cli.command,
            Command::Changes {
                since: 0,
                limit: None,
                follow: false,
                interval_seconds: 2,
            }
        );
        let cli = parse(&[
            "--token",
            "t",
            "changes",
            "--since",
            "41",
            "--limit",
            "5",
            "--follow",
            "--interval-seconds",
            "9",
        ])
        .unwrap();
        assert_eq!(
            cli.command,
            Command::Changes {
                since: 41,
                limit: Some(5),
                follow: true,
                interval_seconds: 9,
            }
        );
        // A zero interval would poll in a tight loop; a zero limit is refused
        // by the server anyway.
        for bad in [
            ["--interval-seconds", "0"],
            ["--limit", "0"],
            ["--since", "-1"],
        ] {
            let mut args = vec!["--token", "t", "changes"];
            args.extend(bad);
            assert!(parse(&args).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn empty_arguments_are_refused() {
        assert!(parse(&["--token", "t", "get", ""]).is_err());
        assert!(parse(&["--token", "", "get", "X"]).is_err());
        assert!(parse(&["--token", "t", "create", ""]).is_err());
        assert!(parse(&["--token", "t", "retire", "X", "--if-match", " "]).is_err());
        assert!(parse(&["--token", "t"]).is_err());
    }

    #[test]
    fn etags_are_quoted_unless_they_already_are() {
        assert_eq!(parse_etag("3").unwrap(), "\"3\"");
        assert_eq!(parse_etag("\"3\"").unwrap(), "\"3\"");
        assert_eq!(parse_etag(" W/\"3\" ").unwrap(), "W/\"3\"");
        assert_eq!(parse_etag("*").unwrap(), "*");
        assert!(parse_etag("3 4").is_err());
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let cli = parse(&["--token", "s3cret-token", "get", "X"]).unwrap();
        let debug = format!("{cli:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("redacted"), "{debug}");
    }

    #[test]
    fn stdin_is_a_dash() {
        assert_eq!("-".parse::<Input>().unwrap(), Input::Stdin);
        assert_eq!("a.json".parse::<Input>().unwrap().to_string(), "a.json");
        assert_eq!(Input::Stdin.to_string(), "stdin");
    }
}
