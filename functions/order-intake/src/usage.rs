//! `GET /api/v1/integrations/{id}/usage?from=YYYY-MM-DD&to=YYYY-MM-DD`: the
//! gateway's per-day request counters of one integration, the basis of the
//! operating fee. Without `from`/`to` the last 30 days up to today (UTC).

use mdm_http_kit::{ApiError, json};
use mdm_kv_repo::keys::{self, Day};
use mdm_kv_repo::{SpinKv, get_counters};
use mdm_types::{UsageDay, UsageReport};
use spin_sdk::http::Response;

/// Longest range one report covers.
const MAX_DAYS: i64 = 366;
const DEFAULT_DAYS: i64 = 30;

/// Integration ids are OAuth client ids: letters, digits, `-`, `_`, `.`.
pub fn is_integration_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn parse_day(query: &str, name: &str) -> Result<Option<Day>, ApiError> {
    query_param(query, name)
        .map(|v| {
            v.parse::<Day>()
                .map_err(|e| ApiError::bad_request("invalid-query", format!("{name}: {e}")))
        })
        .transpose()
}

/// The range asked for, checked.
pub fn range(query: &str, today: Day) -> Result<(Day, Day), ApiError> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let name = pair.split_once('=').map_or(pair, |(k, _)| k);
        if name != "from" && name != "to" {
            return Err(ApiError::bad_request(
                "invalid-query",
                format!("unknown query parameter {name:?}; use from and to (YYYY-MM-DD)"),
            ));
        }
    }
    let to = parse_day(query, "to")?.unwrap_or(today);
    let from = parse_day(query, "from")?.unwrap_or(to.plus(-(DEFAULT_DAYS - 1)));
    let days = from.days_until(to) + 1;
    if days < 1 {
        return Err(ApiError::bad_request(
            "invalid-query",
            format!("from ({from}) is after to ({to})"),
        ));
    }
    if days > MAX_DAYS {
        return Err(ApiError::bad_request(
            "invalid-query",
            format!("the range has {days} days; one report covers at most {MAX_DAYS}"),
        ));
    }
    Ok((from, to))
}

pub fn usage(integration: &str, query: &str) -> Result<Response, ApiError> {
    if !is_integration_id(integration) {
        return Err(ApiError::bad_request(
            "invalid-integration-id",
            format!("{integration:?} is not an integration id (letters, digits, '-', '_', '.')"),
        ));
    }
    let (from, to) = range(query, Day::today())?;
    let days: Vec<Day> = (0..=from.days_until(to)).map(|n| from.plus(n)).collect();
    let keys: Vec<String> = days.iter().map(|d| keys::usage(integration, *d)).collect();
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let counts = get_counters(&kv, &keys).map_err(ApiError::store)?;
    let report = UsageReport {
        integration: integration.to_string(),
        r#from: from.to_string(),
        to: to.to_string(),
        total: counts.iter().sum(),
        days: days
            .iter()
            .zip(counts)
            .map(|(d, requests)| UsageDay {
                date: d.to_string(),
                requests,
            })
            .collect(),
    };
    json(200, &report)
}
