//! What Spin accepts as a component `source`, the host accepts: a
//! WebAssembly component as it is, or a core module turned into a component
//! at load time. A core module carries its WIT world in `component-type`
//! custom sections (what `wit-bindgen` embeds, directly or through spin-sdk);
//! one built for `wasm32-wasip1` also imports `wasi_snapshot_preview1`, which
//! the WASI preview1 adapter translates to WASI 0.2. A module built for
//! `wasm32-unknown-unknown` needs no adapter.

use std::borrow::Cow;

use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};

/// What a `source` file holds, read from its preamble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmKind {
    Component,
    CoreModule,
}

/// Why a file could not be made into a component.
#[derive(Debug, thiserror::Error)]
pub enum ComponentizeError {
    #[error("not a WebAssembly binary (no `\\0asm` preamble)")]
    NotWasm,
    #[error("unknown WebAssembly binary version {0:?}")]
    UnknownVersion([u8; 4]),
    #[error(
        "the core module has no component-type metadata: build it with wit-bindgen or spin-sdk \
         (e.g. `cargo build --target wasm32-wasip1`), or build a component for wasm32-wasip2"
    )]
    NoWorld,
    #[error("could not turn the core module into a component: {0:#}")]
    Encode(anyhow::Error),
}

/// Tells a component from a core module by the binary's version field
/// (a core module is version 1; a component is version 0xd, layer 1).
pub fn kind(bytes: &[u8]) -> Result<WasmKind, ComponentizeError> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(ComponentizeError::NotWasm);
    }
    let version: [u8; 4] = bytes[4..8].try_into().expect("four bytes");
    match version {
        [1, 0, 0, 0] => Ok(WasmKind::CoreModule),
        [0x0d, 0, 1, 0] => Ok(WasmKind::Component),
        other => Err(ComponentizeError::UnknownVersion(other)),
    }
}

/// The component for `bytes`: unchanged when it already is one, otherwise
/// the core module encoded as a component (adapted when it uses WASI
/// preview1).
pub fn componentize(bytes: &[u8]) -> Result<Cow<'_, [u8]>, ComponentizeError> {
    match kind(bytes)? {
        WasmKind::Component => Ok(Cow::Borrowed(bytes)),
        WasmKind::CoreModule => encode(bytes).map(Cow::Owned),
    }
}

fn encode(module: &[u8]) -> Result<Vec<u8>, ComponentizeError> {
    let (world, preview1) = inspect(module)?;
    if !world {
        return Err(ComponentizeError::NoWorld);
    }
    let mut encoder = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(module)
        .map_err(ComponentizeError::Encode)?;
    if preview1 {
        // The reactor adapter: the module's exports (the HTTP handler) are
        // called from outside, it has no `_start` of its own.
        encoder = encoder
            .adapter(
                WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
            )
            .map_err(ComponentizeError::Encode)?;
    }
    encoder.encode().map_err(ComponentizeError::Encode)
}

/// The module's custom-section names and whether it imports from
/// `wasi_snapshot_preview1`, read with wasmparser (no full validation: the
/// encoder validates).
fn inspect(module: &[u8]) -> Result<(bool, bool), ComponentizeError> {
    let (mut world, mut preview1) = (false, false);
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.map_err(|e| ComponentizeError::Encode(e.into()))? {
            wasmparser::Payload::CustomSection(section) => {
                world |= section.name().starts_with("component-type");
            }
            wasmparser::Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    let import = import.map_err(|e| ComponentizeError::Encode(e.into()))?;
                    preview1 |= import.module == WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME;
                }
            }
            _ => {}
        }
    }
    Ok((world, preview1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preamble_tells_components_from_modules() {
        assert_eq!(kind(b"\0asm\x01\0\0\0").unwrap(), WasmKind::CoreModule);
        assert_eq!(kind(b"\0asm\x0d\0\x01\0").unwrap(), WasmKind::Component);
        assert!(matches!(
            kind(b"\x7fELF\x02\x01\x01\0"),
            Err(ComponentizeError::NotWasm)
        ));
        assert!(matches!(kind(b"\0asm"), Err(ComponentizeError::NotWasm)));
        assert!(matches!(
            kind(b"\0asm\x02\0\0\0"),
            Err(ComponentizeError::UnknownVersion([2, 0, 0, 0]))
        ));
    }

    #[test]
    fn a_component_passes_through_unchanged() {
        let bytes = b"\0asm\x0d\0\x01\0";
        assert!(matches!(componentize(bytes).unwrap(), Cow::Borrowed(b) if b == bytes));
    }

    /// A module with one import `(import "<module>" "f" (func (type 0)))`.
    fn module_importing(module_name: &str) -> Vec<u8> {
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        // type section: one func type () -> ()
        out.extend([1, 4, 1, 0x60, 0, 0]);
        let mut import = vec![1u8];
        import.push(module_name.len() as u8);
        import.extend(module_name.as_bytes());
        import.extend([1, b'f', 0x00, 0]);
        out.push(2); // the import section
        out.push(import.len() as u8);
        out.extend(import);
        out
    }

    #[test]
    fn preview1_imports_are_recognised() {
        assert_eq!(
            inspect(&module_importing("wasi_snapshot_preview1")).unwrap(),
            (false, true)
        );
        assert_eq!(inspect(&module_importing("env")).unwrap(), (false, false));
        assert_eq!(inspect(b"\0asm\x01\0\0\0").unwrap(), (false, false));
    }

    #[test]
    fn a_module_without_a_world_is_refused_with_advice() {
        let err = componentize(&module_importing("wasi_snapshot_preview1")).unwrap_err();
        assert!(matches!(err, ComponentizeError::NoWorld));
        assert!(err.to_string().contains("wit-bindgen"), "{err}");
    }
}
