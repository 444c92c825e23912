//! `changes`: the change feed as NDJSON.
//!
//! The resume point printed at the end only moves past a page once all of
//! its lines are flushed to stdout, so a reader that stops (`| head`,
//! ctrl-c, an error) and resumes from it gets every change at least once.

use std::io::{BufWriter, ErrorKind, Write as _};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::client::Api;
use crate::failure::Failure;

#[derive(Debug, Clone, PartialEq)]
pub struct ChangesOptions {
    pub since: u64,
    pub limit: Option<u64>,
    pub follow: bool,
    /// With `follow`: the wait when there is nothing new, or after a
    /// transient failure.
    pub interval: Duration,
}

/// A page of the feed. Changes stay JSON values so that fields this client
/// does not know yet are passed through, not dropped.
#[derive(Debug, Deserialize)]
struct Page {
    changes: Vec<Value>,
    next_since: u64,
}

/// Why the loop ended without a failure.
enum Stop {
    /// Caught up (without `--follow`).
    Done,
    /// ctrl-c, or stdout closed.
    Interrupted,
}

/// Prints the feed from `options.since`, then `next_since: N` on stderr,
/// also when it ends in a failure.
pub async fn print(api: &Api, options: ChangesOptions) -> Result<(), Failure> {
    // ctrl-c arrives through a task so that the handler is installed once,
    // for the whole run, not only while one particular wait is in progress.
    let (interrupt, mut interrupted) = oneshot::channel::<()>();
    let listener = tokio::spawn(async move {
        match tokio::signal::ctrl_c().await {
            Ok(()) => {
                let _ = interrupt.send(());
            }
            // No handler: ctrl-c then ends the process the usual way; keep
            // the sender so that `interrupted` does not fire by itself.
            Err(_) => std::future::pending::<()>().await,
        }
    });
    let mut resume = options.since;
    let outcome = poll(api, &options, &mut interrupted, &mut resume).await;
    listener.abort();
    eprintln!("next_since: {resume}");
    outcome.map(|_: Stop| ())
}

async fn poll(
    api: &Api,
    options: &ChangesOptions,
    interrupted: &mut oneshot::Receiver<()>,
    resume: &mut u64,
) -> Result<Stop, Failure> {
    let mut since = options.since;
    loop {
        let fetched = tokio::select! {
            fetched = api.get(api.changes_url(since, options.limit)) => fetched,
            _ = &mut *interrupted => return Ok(Stop::Interrupted),
        };
        let answer = match fetched {
            Ok(answer) => answer,
            // A follower is meant to outlive a restart of the server.
            Err(failure) if options.follow && failure.is_transient() => {
                eprintln!(
                    "warning: {failure}; polling again in {}s",
                    options.interval.as_secs()
                );
                if wait(options.interval, interrupted).await {
                    return Ok(Stop::Interrupted);
                }
                continue;
            }
            Err(failure) => return Err(failure),
        };
        let page: Page = serde_json::from_slice(&answer.body).map_err(|e| {
            Failure::Protocol(format!("a change page is not {{changes, next_since}}: {e}"))
        })?;
        // Going back would print changes twice and could loop for ever.
        if page.next_since < since {
            return Err(Failure::Protocol(format!(
                "next_since {} is before since {since}",
                page.next_since
            )));
        }
        if !write_page(&page.changes)? {
            return Ok(Stop::Interrupted);
        }
        *resume = page.next_since;
        if page.next_since == since {
            if !options.follow {
                return Ok(Stop::Done);
            }
            if wait(options.interval, interrupted).await {
                return Ok(Stop::Interrupted);
            }
        }
        since = page.next_since;
    }
}

/// Writes one line per change; `false` when stdout is closed.
fn write_page(changes: &[Value]) -> Result<bool, Failure> {
    // Buffered, flushed once per page: one write per page instead of one
    // per line when stdout is a pipe.
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = changes
        .iter()
        .try_for_each(|change| writeln!(out, "{change}"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Failure::Local(format!("cannot write to stdout: {e}"))),
    }
}

/// Sleeps for `interval`; `true` when interrupted first.
async fn wait(interval: Duration, interrupted: &mut oneshot::Receiver<()>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(interval) => false,
        _ = interrupted => true,
    }
}
