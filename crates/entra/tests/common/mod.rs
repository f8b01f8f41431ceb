//! What the client suites share: a client of the sandbox that retries fast.

use std::time::Duration;

use oathdesk_entra::{GraphClient, RetryPolicy, StaticToken};
use oathdesk_sim::graph::Sandbox;

/// A client of `s` calling with the bearer `token`, its retries quick.
pub fn client(s: &Sandbox, token: &str) -> GraphClient {
    let fast = RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    GraphClient::builder()
        .graph_base(&s.base_url())
        .token_source(StaticToken(token.into()))
        .retry(fast)
        .build()
        .unwrap()
}
