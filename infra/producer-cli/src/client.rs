//! HTTP to the MDM API: addresses, authentication, the write retry.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, IF_MATCH};
use reqwest::{Method, RequestBuilder, Url};

use crate::failure::{Failure, HttpError};
use crate::key;

/// Media type of unit and unit-input bodies.
pub const JSON: &str = "application/json";
/// Media type of `PATCH` bodies.
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// Pause before the one retry of a write: long enough for a restarting
/// instance or a dropped connection to recover, short enough for a terminal.
const RETRY_PAUSE: Duration = Duration::from_millis(500);
/// A server that does not accept a connection in this time is not there.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Bounds a hung request; every call of the API answers far sooner.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A successful answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

pub struct Api {
    http: reqwest::Client,
    base: Url,
    authorization: HeaderValue,
}

impl Api {
    pub fn new(base: Url, token: &str) -> Result<Self, Failure> {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| Failure::Local("the token is not a valid header value".into()))?;
        // Keeps the token out of reqwest's and hyper's debug output.
        authorization.set_sensitive(true);
        let http = reqwest::Client::builder()
            // The API does not redirect. A redirect means a wrong --url, and
            // following it would turn a POST or PUT into a GET on 301/302.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("mdm-producer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Failure::Local(format!("cannot set up HTTP: {}", chain(&e))))?;
        Ok(Self {
            http,
            base,
            authorization,
        })
    }

    /// `/api/v1/units/{hsa-id}`: the read side.
    pub fn unit_url(&self, hsa_id: &str) -> Url {
        self.url(&["api", "v1", "units", hsa_id])
    }

    /// `/api/v1/producer/units[/{hsa-id}]`: the write side.
    pub fn producer_url(&self, hsa_id: Option<&str>) -> Url {
        match hsa_id {
            Some(id) => self.url(&["api", "v1", "producer", "units", id]),
            None => self.url(&["api", "v1", "producer", "units"]),
        }
    }

    /// `/api/v1/changes?since=&limit=`.
    pub fn changes_url(&self, since: u64, limit: Option<u64>) -> Url {
        let mut url = self.url(&["api", "v1", "changes"]);
        url.query_pairs_mut()
            .append_pair("since", &since.to_string());
        if let Some(limit) = limit {
            url.query_pairs_mut()
                .append_pair("limit", &limit.to_string());
        }
        url
    }

    /// The base address with `segments` appended, each percent-encoded as a
    /// path segment (an HSA-id cannot add a `/` or `?` of its own).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        // `parse_base_url` only lets http(s) addresses through, and those
        // always have a path to extend.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    pub async fn get(&self, url: Url) -> Result<Answer, Failure> {
        let request = self.request(Method::GET, url.clone());
        self.send(request, &url).await
    }

    /// A write: a fresh `Idempotency-Key`, and one retry with the same key
    /// (and the same body: the server fingerprints it) when the first
    /// attempt got no answer or a 5xx. The key makes the retry safe: if the
    /// first attempt did take effect, the server replays its result instead
    /// of writing twice.
    pub async fn write(
        &self,
        method: Method,
        url: Url,
        body: Option<(&'static str, Vec<u8>)>,
        if_match: Option<&str>,
    ) -> Result<Answer, Failure> {
        let key = key::new_key();
        let mut retried = false;
        loop {
            let mut request = self
                .request(method.clone(), url.clone())
                .header("idempotency-key", &key);
            if let Some(tag) = if_match {
                request = request.header(IF_MATCH, tag);
            }
            if let Some((content_type, bytes)) = &body {
                request = request
                    .header(CONTENT_TYPE, *content_type)
                    .body(bytes.clone());
            }
            let outcome = self.send(request, &url).await;
            match outcome {
                Err(failure) if failure.is_transient() && !retried => {
                    eprintln!("note: {failure}; retrying once with the same Idempotency-Key");
                    retried = true;
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
                outcome => return outcome,
            }
        }
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.http
            .request(method, url)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, "application/json, application/problem+json")
    }

    async fn send(&self, request: RequestBuilder, url: &Url) -> Result<Answer, Failure> {
        let transport = |e: reqwest::Error| Failure::Transport {
            url: url.to_string(),
            reason: chain(&e.without_url()),
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // A body cut off mid-way is a lost answer like a refused connection.
        let body = response.bytes().await.map_err(transport)?.to_vec();
        if (200..300).contains(&status) {
            Ok(Answer {
                status,
                headers,
                body,
            })
        } else {
            Err(Failure::Http(HttpError::from_answer(status, &body)))
        }
    }
}

/// An error with its causes: reqwest's own message ("error sending
/// request") says little without the io error underneath it.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // hyper repeats a cause's text in its own message at times.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(base: &str) -> Api {
        Api::new(crate::cli::parse_base_url(base).unwrap(), "t").unwrap()
    }

    #[test]
    fn addresses_keep_a_path_prefix_and_encode_ids() {
        let api = api("https://mdm.example/prefix/");
        assert_eq!(
            api.unit_url("SE2321000016-A1").as_str(),
            "https://mdm.example/prefix/api/v1/units/SE2321000016-A1"
        );
        assert_eq!(
            api.producer_url(Some("a/b?c")).as_str(),
            "https://mdm.example/prefix/api/v1/producer/units/a%2Fb%3Fc"
        );
        let api = self::api("http://127.0.0.1:3000");
        assert_eq!(
            api.producer_url(None).as_str(),
            "http://127.0.0.1:3000/api/v1/producer/units"
        );
        assert_eq!(
            api.changes_url(7, Some(50)).as_str(),
            "http://127.0.0.1:3000/api/v1/changes?since=7&limit=50"
        );
        assert_eq!(
            api.changes_url(0, None).as_str(),
            "http://127.0.0.1:3000/api/v1/changes?since=0"
        );
    }
}
