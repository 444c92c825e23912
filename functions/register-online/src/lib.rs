//! The optional online source: when our copy of the register (refreshed from
//! Lantmäteriet's weekly bulk file) does not know an address, Lantmäteriet's
//! online address API may already have it.
//!
//! Off unless the component's variable `lantmateriet_url` is set (Spin
//! variables; the URL's host must be in `allowed_outbound_hosts`). The
//! credential is `lantmateriet_api_key`, sent as a bearer token.
//!
//! Two calls, after Belägenhetsadress Direkt v4.2's operations:
//! `GET {url}/referens/fritext?adress=<text>&maxHits=N` answers references
//! `[{"objektidentitet": "...", "beteckning": "..."}]`, then
//! `GET {url}/{objektidentitet}` answers the place as a JSON object with the
//! fields of our import line format. The exact JSON shape of Lantmäteriet's
//! answers is an assumption to confirm against its published schema before
//! production (see ARCHITECTURE.md); the tests run against a local stand-in.
//!
//! The online source only confirms: an address is taken when one of the
//! places it returns is current and is exactly the address asked about.
//! When the API cannot be reached, the local answer stands.

use mdm_address_normalise::Normalised;
use mdm_http_kit::percent_encode;
use mdm_types::{Address, PlaceStatus};
use serde::Deserialize;
use spin_sdk::http::{Method, Request, Response};

/// The name of this source in verification records.
pub const ONLINE_SOURCE: &str = "lantmateriet-online";
/// References looked at per question.
const MAX_HITS: usize = 3;

/// A configured online source.
#[derive(Debug, Clone)]
pub struct Online {
    base: String,
    key: String,
}

#[derive(Deserialize)]
struct Reference {
    objektidentitet: String,
}

impl Online {
    /// The source, when the component's variables configure one.
    pub fn configured() -> Option<Self> {
        let base = spin_sdk::variables::get("lantmateriet_url").ok()?;
        let base = base.trim().trim_end_matches('/').to_string();
        if base.is_empty() {
            return None;
        }
        let key = spin_sdk::variables::get("lantmateriet_api_key").unwrap_or_default();
        Some(Self { base, key })
    }

    /// Asks the online register for exactly `query`: its address (in the
    /// register's spelling) and `objektidentitet` when it is a current place.
    /// Failures are logged and read as "not found".
    pub fn confirm(&self, query: &Normalised) -> Option<(Address, String)> {
        match self.try_confirm(query) {
            Ok(found) => found,
            Err(message) => {
                eprintln!("online address register: {message}");
                None
            }
        }
    }

    fn try_confirm(&self, query: &Normalised) -> Result<Option<(Address, String)>, String> {
        let text = mdm_address_register::validate::describe(query);
        let url = format!(
            "{}/referens/fritext?adress={}&maxHits={MAX_HITS}",
            self.base,
            percent_encode(&text)
        );
        let references: Vec<Reference> = serde_json::from_slice(&self.get(&url)?)
            .map_err(|e| format!("unexpected reference list: {e}"))?;
        let wanted_key = mdm_address_normalise::street_key(&query.street);
        for reference in references.iter().take(MAX_HITS) {
            if !mdm_address_register::line_format::is_uuid(&reference.objektidentitet) {
                continue;
            }
            let body = self.get(&format!("{}/{}", self.base, reference.objektidentitet))?;
            let place = mdm_address_register::line_format::parse_place(&body)?;
            let a = &place.address;
            if place.status == PlaceStatus::Current
                && mdm_address_normalise::street_key(&a.street) == wanted_key
                && a.number == query.number
                && a.letter == query.letter
                && query
                    .postal_code
                    .as_ref()
                    .is_none_or(|p| *p == a.postal_code)
            {
                return Ok(Some((place.address, place.register_id)));
            }
        }
        Ok(None)
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut request = Request::builder();
        request
            .method(Method::Get)
            .uri(url)
            .header("accept", "application/json");
        if !self.key.is_empty() {
            request.header("authorization", format!("Bearer {}", self.key));
        }
        let response: Response = spin_executor::run(spin_sdk::http::send(request.build()))
            .map_err(|e| format!("GET {url}: {e}"))?;
        if *response.status() != 200 {
            return Err(format!("GET {url}: status {}", response.status()));
        }
        Ok(response.into_body())
    }
}
