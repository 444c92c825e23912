//! Spin's `fermyon:spin/variables@2.0.0`: a component reads the variables its
//! manifest entry declares, resolved once at start-up (defaults, overridden by
//! `SPIN_VARIABLE_*`), so a lookup per request is a map read.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::HasData;

use crate::bindings::spin_variables as wit;

/// The resolved variables of one component.
pub type ComponentVariables = Arc<HashMap<String, String>>;

pub struct VariablesData;

impl HasData for VariablesData {
    type Data<'a> = &'a ComponentVariables;
}

pub fn add_to_linker<T: Send + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
    get: fn(&mut T) -> &ComponentVariables,
) -> wasmtime::Result<()> {
    wit::add_to_linker::<T, VariablesData>(linker, get)
}

impl wit::Host for &ComponentVariables {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, wit::Error>> {
        if mdm_manifest::VariableName::new(&name).is_err() {
            return Ok(Err(wit::Error::InvalidName(format!(
                "{name:?} is not a variable name: use lowercase letters, digits and '_'"
            ))));
        }
        Ok(match HashMap::get(self, &name) {
            Some(v) => Ok(v.clone()),
            None => Err(wit::Error::Undefined(format!(
                "no variable {name:?} is defined for this component"
            ))),
        })
    }
}
