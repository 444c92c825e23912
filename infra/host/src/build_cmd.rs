//! `mdm-host build`: runs each component's `[component.<id>.build].command`
//! in its `workdir` (relative to the manifest), as `spin build` does.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};

/// One build step taken from the manifest.
#[derive(Debug, Clone)]
pub struct BuildStep {
    pub component_id: String,
    pub commands: Vec<String>,
    pub workdir: Option<String>,
}

/// Runs the steps in order, stopping at the first failure with a message
/// naming the component and the command.
pub fn run(manifest_dir: &Path, steps: &[BuildStep]) -> anyhow::Result<()> {
    for step in steps {
        let dir = match &step.workdir {
            Some(w) => manifest_dir.join(w),
            None => manifest_dir.to_path_buf(),
        };
        for command in &step.commands {
            eprintln!("Building component {} with `{command}`", step.component_id);
            let status = Command::new("sh")
                .arg("-c")
                .arg(command)
                .current_dir(&dir)
                .status()
                .with_context(|| {
                    format!("could not start `{command}` for {}", step.component_id)
                })?;
            if !status.success() {
                bail!(
                    "build of component {} failed: `{command}` exited with {status}",
                    step.component_id
                );
            }
        }
    }
    Ok(())
}
