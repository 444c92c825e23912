//! Spin's runtime configuration file (`--runtime-config-file`), as far as the
//! host supports it: key-value stores. `[key_value_store.<label>]` with
//! `type = "spin"` (SQLite, optional `path`) or `type = "redis"` (`url`).
//! Without a file, the `default` store is SQLite at `.spin/sqlite_key_value.db`
//! beside the manifest, as under `spin up`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Errors reading the runtime configuration.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeConfigError {
    /// The file could not be read.
    #[error("could not read runtime config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The TOML is malformed or has a field the host does not know.
    #[error("invalid runtime config {path}: {message}")]
    Parse { path: PathBuf, message: String },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeConfigFile {
    #[serde(default)]
    key_value_store: BTreeMap<String, StoreConfig>,
}

/// How one key-value store label is backed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StoreConfig {
    /// Spin's built-in store: SQLite.
    Spin {
        /// Database file; relative paths are relative to the runtime config file.
        path: Option<PathBuf>,
    },
    /// A Redis server.
    Redis {
        /// e.g. `redis://127.0.0.1:6379` or `redis+unix:///run/redis.sock`.
        url: String,
    },
}

/// The resolved store configuration: every label the application may use.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// label → (backend, SQLite file resolved to an absolute-ish path).
    pub stores: BTreeMap<String, ResolvedStore>,
}

/// A store with its paths resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedStore {
    Sqlite(PathBuf),
    Redis(String),
}

impl RuntimeConfig {
    /// Reads `file` (if any). `state_dir` is the app's `.spin` directory.
    pub fn load(file: Option<&Path>, state_dir: &Path) -> Result<Self, RuntimeConfigError> {
        let default_db = state_dir.join("sqlite_key_value.db");
        let mut stores = BTreeMap::new();
        stores.insert(
            "default".to_string(),
            ResolvedStore::Sqlite(default_db.clone()),
        );
        let Some(file) = file else {
            return Ok(Self { stores });
        };
        let text = std::fs::read_to_string(file).map_err(|source| RuntimeConfigError::Read {
            path: file.to_path_buf(),
            source,
        })?;
        let parsed: RuntimeConfigFile =
            toml::from_str(&text).map_err(|e| RuntimeConfigError::Parse {
                path: file.to_path_buf(),
                message: e.to_string(),
            })?;
        let base = file.parent().unwrap_or(Path::new("."));
        for (label, config) in parsed.key_value_store {
            let resolved = match config {
                StoreConfig::Spin { path: None } => ResolvedStore::Sqlite(default_db.clone()),
                StoreConfig::Spin { path: Some(p) } => ResolvedStore::Sqlite(base.join(p)),
                StoreConfig::Redis { url } => ResolvedStore::Redis(url),
            };
            stores.insert(label, resolved);
        }
        Ok(Self { stores })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<RuntimeConfig, RuntimeConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("runtime-config.toml");
        std::fs::write(&file, text).unwrap();
        RuntimeConfig::load(Some(&file), &dir.path().join(".spin"))
    }

    #[test]
    fn default_store_is_sqlite_without_a_file() {
        let config = RuntimeConfig::load(None, Path::new("/app/.spin")).unwrap();
        assert_eq!(
            config.stores["default"],
            ResolvedStore::Sqlite(PathBuf::from("/app/.spin/sqlite_key_value.db"))
        );
    }

    #[test]
    fn redis_replaces_the_default_store() {
        let config =
            load("[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:6379\"\n")
                .unwrap();
        assert_eq!(
            config.stores["default"],
            ResolvedStore::Redis("redis://127.0.0.1:6379".into())
        );
    }

    #[test]
    fn spin_store_path_is_relative_to_the_file() {
        let config =
            load("[key_value_store.audit]\ntype = \"spin\"\npath = \"data/audit.db\"\n").unwrap();
        match &config.stores["audit"] {
            ResolvedStore::Sqlite(p) => assert!(p.ends_with("data/audit.db")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(config.stores.contains_key("default"));
    }

    #[test]
    fn unknown_store_type_is_an_error_naming_it() {
        let err = load("[key_value_store.default]\ntype = \"azure_cosmos\"\n").unwrap_err();
        assert!(err.to_string().contains("azure_cosmos"), "{err}");
    }

    #[test]
    fn unknown_section_is_an_error_naming_it() {
        let err = load("[sqlite_database.default]\ntype = \"spin\"\n").unwrap_err();
        assert!(err.to_string().contains("sqlite_database"), "{err}");
    }

    #[test]
    fn redis_without_url_is_an_error() {
        let err = load("[key_value_store.default]\ntype = \"redis\"\n").unwrap_err();
        assert!(err.to_string().contains("url"), "{err}");
    }
}
