//! `mdm-register-gen`: writes a synthetic Stockholm County address register
//! to stdout or a file. Nothing but the register goes to stdout, so the output
//! can be piped straight into an import.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use mdm_register_gen::{Config, Format, demo, generate};

#[derive(Parser, Debug)]
#[command(
    name = "mdm-register-gen",
    about = "Synthetic Lantmäteriet address register for Stockholm County"
)]
struct Args {
    /// Number of address places to generate.
    #[arg(long, default_value_t = 2_000, conflicts_with = "demo")]
    places: usize,
    /// Seed; the same places and seed give the same output.
    #[arg(long, default_value_t = 2026, conflicts_with = "demo")]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Ndjson, conflicts_with = "demo")]
    format: FormatArg,
    /// Write the demo register (fixed anchor places plus 2 000 generated
    /// places) instead.
    #[arg(long)]
    demo: bool,
    /// Output file; stdout when absent.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The library's `Format` stays free of clap; this mirrors it for the CLI.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Ndjson,
    Csv,
}

fn write(args: &Args, out: &mut impl Write) -> io::Result<()> {
    if args.demo {
        return demo(out);
    }
    let format = match args.format {
        FormatArg::Ndjson => Format::Ndjson,
        FormatArg::Csv => Format::Csv,
    };
    let config = Config {
        places: args.places,
        seed: args.seed,
    };
    generate(&config, format, out)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    match &args.output {
        Some(path) => {
            let mut file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            write(&args, &mut file).with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let mut stdout = io::stdout().lock();
            match write(&args, &mut stdout) {
                // `| head` closing the pipe early is not a failure.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                other => other.context("writing to stdout")?,
            }
        }
    }
    Ok(())
}
