//! A request-validating handler written only against the public API, as an adopting team
//! would: one `Gate` shared by worker threads, each request's query string parsed with the
//! bounded parser, admitted (rate limit, validation, permission) and either handed on
//! normalised or answered with the vendor's own error body and HTTP status.
//!
//! Run: `cargo run -p mediameter-query --example gateway_handler`

use std::sync::Arc;
use std::thread;

use mediameter_query::perm::Policy;
use mediameter_query::qs::{self, Encoding, QsLimits};
use mediameter_query::{DateTime, Error, Gate, Options, Registry, Utc, VendorBody};

/// What the handler answers: an HTTP status and a JSON body.
struct Response {
    status: u16,
    body: String,
}

/// One request: who calls, which API, the raw query string, and "now" (never the wall clock
/// inside the library).
fn handle(
    gate: &Gate,
    policies: &[Policy],
    caller: &str,
    api: &str,
    query: &[u8],
    now: DateTime<Utc>,
    request_id: &str,
) -> Result<Response, Box<dyn std::error::Error>> {
    let profile = gate.registry().get(api)?;
    let params = match qs::parse(query, Encoding::Query, &QsLimits::default()) {
        Ok(params) => params,
        Err(e) => {
            // A malformed query string is answered in the vendor's shape too.
            let violation = e.query_string_violation().ok_or(e)?;
            let rejection = mediameter_query::Rejection::new(profile, vec![violation]);
            return answer(&rejection, request_id);
        }
    };
    let input = params.pairs();
    match gate.admit(caller, policies, api, input, now, &Options::default()) {
        // The normalised query (defaults filled, times in the API's format) as JSON.
        Ok(q) => Ok(Response {
            status: 200,
            body: serde_json::to_string(&q)?,
        }),
        Err(Error::Rejected(rejection)) => answer(&rejection, request_id),
        // The service's own mistake (an unknown API name, a bad profile): not the caller's.
        Err(other) => Err(other.into()),
    }
}

fn answer(
    rejection: &mediameter_query::Rejection,
    request_id: &str,
) -> Result<Response, Box<dyn std::error::Error>> {
    let body = match rejection.vendor_body(request_id) {
        VendorBody::Alibaba(b) => serde_json::to_string(&b)?,
        VendorBody::Huawei(b) => serde_json::to_string(&b)?,
        VendorBody::Volcengine(b) => serde_json::to_string(&b)?,
        other => serde_json::to_string(&other)?,
    };
    Ok(Response {
        status: rejection.status(),
        body,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gate = Arc::new(Gate::new(Arc::new(Registry::builtin()), 10_000)?);
    let policies = Arc::new(vec![mediameter_query::perm::allow_apps(
        "team",
        &["rtc:*"],
        &["app-1"],
    )?]);
    let now: DateTime<Utc> = "2021-04-23T10:00:00Z".parse()?;
    let requests: [(&str, &[u8]); 4] = [
        ("alice", b"app=app-1&limit=5"),
        ("bob", b"app=app-2"),
        ("carol", b"app=app-1&limit=0"),
        ("dave", b"app=app-1&app=app-1"),
    ];
    let workers: Vec<_> = requests
        .into_iter()
        .enumerate()
        .map(|(i, (caller, query))| {
            let gate = Arc::clone(&gate);
            let policies = Arc::clone(&policies);
            thread::spawn(move || {
                let id = format!("REQ-{i}");
                handle(&gate, &policies, caller, "rtc/rooms", query, now, &id)
                    .map(|r| (caller, r.status, r.body))
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    for w in workers {
        let (caller, status, body) = w.join().map_err(|_| "a worker panicked")??;
        println!("{caller}: {status} {body}");
    }
    Ok(())
}
