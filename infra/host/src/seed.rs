//! `--seed FILE`: documents written into a store at start-up, only where the
//! key is still absent, so re-running never overwrites what users changed.
//! The file is JSON: `{ "store": "default", "documents": { "<key>": <json>, … } }`.
//! Units (`unit/…` documents) are then indexed for search as the registry
//! would have indexed them; they have no history or change-feed entries.

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
    let mut units = Vec::new();
    for (key, value) in &seed.documents {
        if key.starts_with("unit/") {
            let unit: mdm_types::Unit = serde_json::from_value(value.clone())
                .with_context(|| format!("seed key {key} is not a unit"))?;
            units.push(unit);
        }
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
    if !units.is_empty() {
        let mut target = crate::blocking_store::Blocking {
            store: store.clone(),
            handle: tokio::runtime::Handle::current(),
        };
        tokio::task::spawn_blocking(move || {
            mdm_unit_registry::search::index_all(&mut target, &units)
        })
        .await
        .context("the indexing thread failed")?
        .map_err(|e| anyhow::anyhow!("could not index the seeded units: {e}"))?;
    }
    Ok((written, present))
}
