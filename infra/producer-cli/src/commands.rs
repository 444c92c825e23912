//! The commands: results to stdout, everything about them to stderr, so
//! that stdout can be piped into `jq` or a file as it is.

use std::io::Write as _;

use reqwest::Method;

use crate::changes::{self, ChangesOptions};
use crate::cli::{Cli, Command};
use crate::client::{Answer, Api, JSON, MERGE_PATCH};
use crate::failure::Failure;

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let api = Api::new(cli.url, cli.token.expose())?;
    match cli.command {
        Command::Get { hsa_id } => {
            let answer = api.get(api.unit_url(&hsa_id)).await?;
            print_body(&answer)?;
            print_etag(&answer);
        }
        Command::Create { file } => {
            let body = file.read_json()?;
            let answer = api
                .write(
                    Method::POST,
                    api.producer_url(None),
                    Some((JSON, body)),
                    None,
                )
                .await?;
            print_write(&answer)?;
        }
        Command::Update {
            hsa_id,
            file,
            if_match,
        } => {
            // The file first: a typo in it should not cost a round trip.
            let body = file.read_json()?;
            let tag = etag_for(&api, &hsa_id, if_match).await?;
            let answer = api
                .write(
                    Method::PUT,
                    api.producer_url(Some(&hsa_id)),
                    Some((JSON, body)),
                    Some(&tag),
                )
                .await?;
            print_write(&answer)?;
        }
        Command::Patch {
            hsa_id,
            patch,
            if_match,
        } => {
            let body = patch.read_json()?;
            let tag = etag_for(&api, &hsa_id, if_match).await?;
            let answer = api
                .write(
                    Method::PATCH,
                    api.producer_url(Some(&hsa_id)),
                    Some((MERGE_PATCH, body)),
                    Some(&tag),
                )
                .await?;
            print_write(&answer)?;
        }
        Command::Retire { hsa_id, if_match } => {
            let tag = etag_for(&api, &hsa_id, if_match).await?;
            let answer = api
                .write(
                    Method::DELETE,
                    api.producer_url(Some(&hsa_id)),
                    None,
                    Some(&tag),
                )
                .await?;
            print_write(&answer)?;
        }
        Command::Changes {
            since,
            limit,
            follow,
            interval_seconds,
        } => {
            changes::print(
                &api,
                ChangesOptions {
                    since,
                    limit,
                    follow,
                    interval: std::time::Duration::from_secs(interval_seconds),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// The `If-Match` to send: the given one, or the unit's current ETag.
/// Reading it here gives up the check that nobody changed the unit since
/// *you* read it; that is what asking for a one-step update means, and
/// `--if-match` keeps the check for those who want it.
async fn etag_for(api: &Api, hsa_id: &str, given: Option<String>) -> Result<String, Failure> {
    if let Some(tag) = given {
        return Ok(tag);
    }
    let answer = api.get(api.unit_url(hsa_id)).await?;
    let tag = answer.header("etag").ok_or_else(|| {
        Failure::Protocol(format!(
            "unit {hsa_id} came without an ETag; pass --if-match"
        ))
    })?;
    eprintln!("note: using the unit's current ETag {tag}");
    Ok(tag.to_string())
}

fn print_write(answer: &Answer) -> Result<(), Failure> {
    if answer.header("idempotent-replayed") == Some("true") {
        eprintln!("note: the server had already done this request and replayed its result");
    }
    print_body(answer)?;
    if let Some(location) = answer.header("location") {
        eprintln!("location: {location}");
    }
    print_etag(answer);
    Ok(())
}

fn print_etag(answer: &Answer) {
    if let Some(tag) = answer.header("etag") {
        eprintln!("etag: {tag}");
    }
}

/// The body, pretty-printed when it is JSON (it always should be) and as
/// text otherwise, so that nothing the server said is lost.
fn print_body(answer: &Answer) -> Result<(), Failure> {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let text = match serde_json::from_slice::<serde_json::Value>(&answer.body) {
        Ok(value) => serde_json::to_string_pretty(&value)
            .map_err(|e| Failure::Local(format!("cannot print the answer: {e}")))?,
        Err(_) => String::from_utf8_lossy(&answer.body).trim_end().to_string(),
    };
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        // The reader went away (`| head`): nothing more to do for it.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Local(format!("cannot write to stdout: {e}"))),
        Ok(()) => Ok(()),
    }
}
