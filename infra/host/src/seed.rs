//! `--seed FILE`: documents written into a store at start-up, only where the
//! key is still absent, so re-running never overwrites what users changed.
//! The file is JSON: `{ "store": "default", "documents": { "<key>": <json>, … } }`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use serde::Deserialize;

use crate::kv::StoreCatalog;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default = "default_store")]
    store: String,
    documents: BTreeMap<String, serde_json::Value>,
}

fn default_store() -> String {
    "default".into()
}

/// Loads `path` into its store; returns (written, already present).
pub async fn apply(path: &Path, stores: &StoreCatalog) -> anyhow::Result<(usize, usize)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read seed file {}", path.display()))?;
    let seed: SeedFile = serde_json::from_str(&text)
        .with_context(|| format!("seed file {} is not valid", path.display()))?;
    let Some(store) = stores.get(&seed.store) else {
        bail!(
            "seed file {} names store {:?}, which is not defined",
            path.display(),
            seed.store
        );
    };
    let (mut written, mut present) = (0, 0);
    for (key, value) in &seed.documents {
        let bytes = serde_json::to_vec(value)?;
        if store
            .compare_and_swap(key, None, &bytes)
            .await
            .with_context(|| format!("could not write seed key {key}"))?
        {
            written += 1;
        } else {
            present += 1;
        }
    }
    Ok((written, present))
}
