//! A demo service: the three vendor endpoints over the bundled sample usage, behind the
//! gateway layer, with join tokens.
//!
//! `cargo run -p mediameter-gateway --features axum --example service -- [ADDR] [NOW]`
//!
//! ADDR defaults to 127.0.0.1:8080; NOW (the clock the validation uses) defaults to
//! 2023-04-01T00:00:00Z, just after the sample, or `wall` for the real clock. Then, e.g.:
//!
//! ```text
//! curl -H 'x-tenant: admin' 'http://127.0.0.1:8080/v1/p1/rtc/rooms?app=demo-app&start_time=2023-03-01T00:00:00Z&end_time=2023-03-02T00:00:00Z'
//! curl -H 'x-tenant: admin' 'http://127.0.0.1:8080/volcengine/rtc?Action=ListOperationDistribution&Version=2020-12-01&AppId=demo-app&StartTime=2023-03-25T00:00:00%2B08:00&EndTime=2023-03-31T00:00:00%2B08:00&Indicator=user_num&Dimension=province'
//! curl -H 'x-tenant: admin' 'http://127.0.0.1:8080/alibaba/live?Action=DescribeLiveProducerUsageData&Version=2016-11-01&StartTime=2023-03-01T00:00:00Z&EndTime=2023-03-02T00:00:00Z'
//! T=$(curl -s -H 'x-tenant: admin' 'http://127.0.0.1:8080/token?app=demo-app&channel=room-1&user=alice')
//! curl -H "authorization: Bearer $T" 'http://127.0.0.1:8080/join?app=demo-app&channel=room-1&user=alice'
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use mediameter_gateway::token::{AppKey, Keyring, TokenVerifier};
use mediameter_query::{Clock, FixedClock};

mod app;

#[derive(Clone)]
enum DemoClock {
    Fixed(FixedClock),
    Wall(mediameter_gateway::SystemClock),
}

impl Clock for DemoClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match self {
            DemoClock::Fixed(c) => c.now(),
            DemoClock::Wall(c) => c.now(),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let clock = match args.next().as_deref() {
        Some("wall") => DemoClock::Wall(mediameter_gateway::SystemClock),
        Some(t) => DemoClock::Fixed(FixedClock(t.parse()?)),
        None => DemoClock::Fixed(FixedClock("2023-04-01T00:00:00Z".parse()?)),
    };
    let tokens = Arc::new(TokenVerifier::new(
        Keyring::new(AppKey::generate(1)?),
        100_000,
    ));
    let router = app::router(clock, tokens)?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}
