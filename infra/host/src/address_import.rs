//! `mdm-host import-addresses FILE`: loads a whole address-register file
//! (the line format of `mdm_address_register::line_format`) into a store,
//! through the same code as `POST /api/v1/address-register/import`: the same
//! idempotence, the same compare-and-swap writes, the same index documents.
//! Only the batches are bigger and the store is reached directly.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use mdm_address_register::import::{Tally, apply};
use mdm_address_register::line_format::{self, Format, Incoming};
use mdm_kv::Store;
use tokio::runtime::Handle;

use crate::blocking_store::Blocking;

/// Places per batch: big enough that each index document is rewritten a few
/// times per file at most, small enough to keep memory flat.
const BATCH: usize = 20_000;

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    pub received: u64,
    pub tally: Tally,
    pub elapsed: Duration,
}

impl Summary {
    pub fn rejected(&self) -> usize {
        self.tally.errors.len()
    }
}

/// The file's format from its name: `.csv` is CSV, anything else NDJSON.
pub fn format_of(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("csv") => Format::Csv,
        _ => Format::Ndjson,
    }
}

/// Imports `path` into `store`; `progress` is called after every batch.
pub async fn import_file(
    path: &Path,
    format: Format,
    store: Arc<dyn Store>,
    progress: impl Fn(&Summary) + Send + 'static,
) -> anyhow::Result<Summary> {
    let bytes = tokio::fs::read(path)
        .await
        .with_context(|| format!("could not read {}", path.display()))?;
    let handle = Handle::current();
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut summary = Summary::default();
        let mut target = Blocking { store, handle };
        let mut run = |batch: Vec<Incoming>, summary: &mut Summary| -> anyhow::Result<()> {
            let tally = apply(&mut target, batch)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .context("the store failed during the import; run it again to complete it")?;
            summary.tally.add(tally);
            summary.elapsed = started.elapsed();
            progress(summary);
            Ok(())
        };
        match format {
            Format::Ndjson => {
                // Batches of whole lines, numbered as in the file.
                let mut offset = 0u32;
                for chunk in split_lines(&bytes, BATCH) {
                    let lines = line_format::parse(chunk, Format::Ndjson)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    let count =
                        u32::try_from(chunk.split(|b| *b == b'\n').count()).unwrap_or(u32::MAX);
                    let batch = collect(lines, offset, &mut summary);
                    run(batch, &mut summary)?;
                    offset += count.saturating_sub(u32::from(chunk.ends_with(b"\n")));
                }
            }
            Format::Csv => {
                // CSV fields may hold quoted newlines, so the file is read
                // whole and the places are batched afterwards.
                let lines = line_format::parse(&bytes, Format::Csv)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let mut places = collect(lines, 0, &mut summary);
                while !places.is_empty() {
                    let rest = places.split_off(places.len().min(BATCH));
                    run(places, &mut summary)?;
                    places = rest;
                }
            }
        }
        summary.tally.errors.sort_by_key(|e| e.line);
        summary.elapsed = started.elapsed();
        Ok(summary)
    })
    .await
    .context("the import thread failed")?
}

fn collect(
    lines: Vec<Result<Incoming, line_format::LineError>>,
    offset: u32,
    summary: &mut Summary,
) -> Vec<Incoming> {
    let mut places = Vec::with_capacity(lines.len());
    for line in lines {
        summary.received += 1;
        match line {
            Ok(mut incoming) => {
                incoming.line += offset;
                places.push(incoming);
            }
            Err(mut error) => {
                error.line += offset;
                summary.tally.errors.push(error);
            }
        }
    }
    places
}

/// Splits `bytes` into pieces of at most `lines` lines, at line ends.
fn split_lines(bytes: &[u8], lines: usize) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        let mut seen = 0;
        while seen < lines {
            match rest[end..].iter().position(|b| *b == b'\n') {
                Some(i) => {
                    end += i + 1;
                    seen += 1;
                }
                None => {
                    end = rest.len();
                    break;
                }
            }
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

/// Runs an import, printing progress (unless `quiet`) and the first refused
/// lines.
pub async fn import_and_report(
    path: &Path,
    store: Arc<dyn Store>,
    quiet: bool,
) -> anyhow::Result<Summary> {
    if !path.exists() {
        bail!("address register file {} does not exist", path.display());
    }
    let summary = import_file(path, format_of(path), store, move |s: &Summary| {
        if !quiet {
            eprint!(
                "\r  {} places read, {} created, {} updated, {} unchanged, {} removed, {} refused",
                s.received,
                s.tally.created,
                s.tally.updated,
                s.tally.unchanged,
                s.tally.removed,
                s.tally.errors.len()
            );
        }
    })
    .await?;
    if !quiet {
        eprintln!();
    }
    for error in summary.tally.errors.iter().take(20) {
        eprintln!("  line {}: {}", error.line, error.message);
    }
    if summary.rejected() > 20 {
        eprintln!("  … and {} more refused lines", summary.rejected() - 20);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_at_line_ends() {
        let pieces: Vec<&[u8]> = split_lines(b"a\nb\nc\nd", 2).collect();
        assert_eq!(pieces, [&b"a\nb\n"[..], &b"c\nd"[..]]);
        let pieces: Vec<&[u8]> = split_lines(b"a\nb\n", 2).collect();
        assert_eq!(pieces, [&b"a\nb\n"[..]]);
    }
}
