//! What the batch suites share: Entra as the sandbox, retried quickly and
//! given up after two attempts (an outage parks a user at once).

use std::time::Duration;

use oathdesk_entra::{GraphClient, RetryPolicy, StaticToken};
use oathdesk_sim::graph::Sandbox;
use oathdesk_station::adapters::GraphTenant;

/// The sandbox `s` as the station's directory, called with `token`.
pub fn tenant(s: &Sandbox, token: &str) -> GraphTenant {
    let client = GraphClient::builder()
        .graph_base(&s.base_url())
        .token_source(StaticToken(token.into()))
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
            max_attempts: 2,
            deadline: Duration::from_secs(5),
        })
        .build()
        .unwrap();
    GraphTenant::new(client)
}
