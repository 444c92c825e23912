//! Generates the data-contract types and the data catalogue from `wit/`;
//! the generator is `src/codegen.rs`.

#[path = "src/codegen.rs"]
mod codegen;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

fn main() {
    // One clear line, without the backtrace that `RUST_BACKTRACE` would add
    // to an error returned from `main`; `cargo::error` fails the build.
    if let Err(error) = run() {
        for line in format!("{error:#}").lines() {
            println!("cargo::error={line}");
        }
    }
}

fn run() -> Result<()> {
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").context("CARGO_MANIFEST_DIR unset")?);
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").context("OUT_DIR unset")?);
    let wit_dir = manifest_dir.join("../../wit");
    let wit_dir = std::fs::canonicalize(&wit_dir).unwrap_or(wit_dir);
    println!("cargo::rerun-if-changed={}", wit_dir.display());

    let mut resolve = wit_parser::Resolve::default();
    let (package, _sources) = match resolve.push_dir(&wit_dir) {
        Ok(pushed) => pushed,
        // `render_error` adds the file, line and column of a syntax error.
        Err(error) => bail!(
            "cannot parse the WIT in {}: {}",
            wit_dir.display(),
            resolve.render_error(&error)
        ),
    };
    let generated = codegen::generate(&resolve, package).with_context(|| {
        format!(
            "cannot generate the data contract from the WIT in {}",
            wit_dir.display()
        )
    })?;
    std::fs::write(out_dir.join("types.rs"), generated.rust)?;
    std::fs::write(out_dir.join("catalogue.json"), generated.catalogue_json)?;
    Ok(())
}
