//! Per-request host state: one flat struct of contexts with tiny views that
//! only hand out fields (the shape `wasmtime serve` uses).

use wasmtime::StoreLimits;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::kv::{KvCtx, KvView};
use crate::outbound::OutboundHooks;
use crate::variables::ComponentVariables;

pub struct HostState {
    pub table: ResourceTable,
    pub wasi: WasiCtx,
    pub http: WasiHttpCtx,
    pub outbound: OutboundHooks,
    pub kv: KvCtx,
    pub variables: ComponentVariables,
    pub limits: StoreLimits,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

impl HostState {
    pub fn kv_view(&mut self) -> KvView<'_> {
        KvView {
            ctx: &mut self.kv,
            table: &mut self.table,
        }
    }
}
