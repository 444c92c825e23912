//! `mdm-unit-gen`: writes a seed file of synthetic care units to stdout or a
//! file. Nothing but the seed file goes to stdout, so it can be redirected.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use mdm_unit_gen::{Config, generate, write_seed};

#[derive(Parser, Debug)]
#[command(
    name = "mdm-unit-gen",
    about = "Synthetic register of Region Stockholm's care units, as a host seed file"
)]
struct Args {
    /// Number of units, care providers included.
    #[arg(long, default_value_t = 200)]
    units: usize,
    /// Seed of the units; the same units, seed and register seed give the
    /// same file.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Seed of the address register (mdm-register-gen --seed) the visiting
    /// addresses come from; it has max(2 × units, 2000) places.
    #[arg(long, default_value_t = 2026)]
    register_seed: u64,
    /// Output file; stdout when absent.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let units = generate(&Config {
        units: args.units,
        seed: args.seed,
        register_seed: args.register_seed,
    });
    match &args.output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            write_seed(&units, &mut BufWriter::new(file))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let mut stdout = BufWriter::new(io::stdout().lock());
            match write_seed(&units, &mut stdout).and_then(|()| stdout.flush()) {
                // `| head` closing the pipe early is not a failure.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                other => other.context("writing to stdout")?,
            }
        }
    }
    Ok(())
}
