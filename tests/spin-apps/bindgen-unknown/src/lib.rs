//! A component written against wasi:http 0.2.0 with nothing but wit-bindgen
//! bindings (the `wasi` crate), built as a core module for
//! `wasm32-unknown-unknown`: no WASI preview1 imports, only the embedded
//! component-type metadata. The host must turn it into a component at load
//! time, as Spin does.
//!
//! It answers every request with what it received: method, path and query,
//! the request headers (sorted) and the body's length, and sets a few
//! headers of its own so the corpus can check they pass through unchanged.

use wasi::exports::http::incoming_handler::Guest;
use wasi::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasi::io::streams::StreamError;

struct Echo;

impl Guest for Echo {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let method = match request.method() {
            Method::Get => "GET".to_string(),
            Method::Post => "POST".to_string(),
            Method::Put => "PUT".to_string(),
            Method::Delete => "DELETE".to_string(),
            Method::Patch => "PATCH".to_string(),
            Method::Head => "HEAD".to_string(),
            Method::Options => "OPTIONS".to_string(),
            Method::Connect => "CONNECT".to_string(),
            Method::Trace => "TRACE".to_string(),
            Method::Other(m) => m,
        };
        let path = request.path_with_query().unwrap_or_default();
        let mut headers: Vec<(String, String)> = request
            .headers()
            .entries()
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
            .collect();
        headers.sort();
        let body_len = read_body(&request);

        let mut json = format!(
            "{{\"method\":{},\"path\":{},\"body_length\":{body_len},\"headers\":{{",
            quote(&method),
            quote(&path)
        );
        for (i, (k, v)) in headers.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&quote(k));
            json.push(':');
            json.push_str(&quote(v));
        }
        json.push_str("}}");

        let status = if method == "POST" { 201 } else { 200 };
        respond(
            out,
            status,
            &[
                ("content-type", "application/json"),
                ("x-corpus", "bindgen-unknown"),
                ("cache-control", "no-store"),
                // Two fields of one name: both must reach the client.
                ("set-cookie", "a=1; Path=/"),
                ("set-cookie", "b=2; Path=/"),
            ],
            json.as_bytes(),
        );
    }
}

/// Reads the request body to its end and returns its length.
fn read_body(request: &IncomingRequest) -> usize {
    let Ok(body) = request.consume() else {
        return 0;
    };
    let Ok(stream) = body.stream() else {
        return 0;
    };
    let mut len = 0;
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => len += chunk.len(),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(_)) => break,
        }
    }
    len
}

fn respond(out: ResponseOutparam, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let entries: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    let fields = Fields::from_list(&entries).expect("valid response headers");
    let response = OutgoingResponse::new(fields);
    response.set_status_code(status).expect("a valid status");
    let outgoing = response.body().expect("the body is taken once");
    ResponseOutparam::set(out, Ok(response));
    {
        let stream = outgoing.write().expect("the stream is taken once");
        for chunk in body.chunks(4096) {
            stream
                .blocking_write_and_flush(chunk)
                .expect("the client reads the body");
        }
    }
    OutgoingBody::finish(outgoing, None).expect("the body is complete");
}

/// A JSON string literal (this module has no serde, to stay a bare
/// wit-bindgen component).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

wasi::http::proxy::export!(Echo);
