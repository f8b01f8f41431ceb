//! Bulk create of 10,000 tokens into the Graph sandbox over HTTP, with 20 ms
//! latency per request and 5 % of requests answered 429: tokens per second,
//! and a check that none is lost or duplicated. Target: ≥ 200 tokens/s.
//!
//! Run: cargo bench -p oathdesk-entra --bench bulk_create (`make bench`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use oathdesk_entra::{GraphClient, NewHardwareOathDevice, StaticToken};
use oathdesk_otp::{Algorithm, CodeParams, generate_secret};
use oathdesk_sim::graph::{Sandbox, TenantSeed};

const TOKENS: usize = 10_000;
const WORKERS: usize = 16;

fn main() {
    let sandbox = Sandbox::start(TenantSeed::with_operator("op", vec![]), 0).unwrap();
    sandbox.tenant().faults.latency_ms = 20;
    sandbox.tenant().faults.throttle_every = 20;
    // Measures the client, not the wait: retry at once after a 429.
    sandbox.tenant().faults.retry_after_seconds = 0;
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken("op".into()))
        .build()
        .unwrap();
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= TOKENS {
                        break;
                    }
                    let secret = generate_secret(Algorithm::Sha1);
                    let serial = format!("BULK{i:06}");
                    let device = NewHardwareOathDevice {
                        serial_number: &serial,
                        manufacturer: "Token2",
                        model: "C302-i",
                        secret: &secret,
                        params: CodeParams::default(),
                        display_name: None,
                        assign_to: None,
                    };
                    client
                        .create_device(&device)
                        .expect("create succeeds within the retry policy");
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let t = sandbox.tenant();
    let mut serials: Vec<&str> = t.devices.iter().map(|d| d.serial.as_str()).collect();
    let stored = serials.len();
    serials.sort_unstable();
    serials.dedup();
    println!(
        "bulk create: {TOKENS} tokens in {secs:.1} s = {:.0} tokens/s ({WORKERS} workers, 20 ms latency, 5 % 429s); stored {stored}, lost {}, duplicates {} (target ≥ 200/s)",
        TOKENS as f64 / secs,
        TOKENS - serials.len(),
        stored - serials.len()
    );
    assert_eq!(stored, TOKENS, "every token stored exactly once");
}
