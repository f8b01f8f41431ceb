//! Desk benchmarks against the virtual token through a real pcscd and the
//! Graph sandbox over HTTP, with injected latency:
//!
//! - burn: APDUs and wall time per burn with 30 ms per APDU (the protocol
//!   minimum for a single-profile token is 5: info, challenge, auth,
//!   settings+clock, seed);
//! - enrol: wall time and Graph calls per enrolment with 30 ms per APDU and
//!   150 ms per Graph call.
//!
//! Run: tests/harness/pcsc-ns.sh tests/harness/keyring-session.sh \
//!      cargo bench -p oathdesk-station --bench desk
//! (`make bench` does.) Prints results; asserts nothing about speed.

use std::time::Instant;

use oathdesk_entra::{GraphClient, StaticToken};
use oathdesk_otp::Algorithm;
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_station::adapters::{GraphTenant, PcscReaders};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::workflow::{self, EnrolRequest, Progress, Quiet, Step, StepStatus};
use oathdesk_station::{Station, StationConfig, seeds};
use oathdesk_testkit::{Insert, VirtualReader};

const RUNS: u32 = 5;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = StationConfig {
        data_dir: dir.path().into(),
        operator: "bench".into(),
    };
    let station = Station::open(config, &MemoryKeyStore::new()).unwrap();
    let seed = TenantSeed::with_operator("op", vec![SeedUser::member("u-1", "user@contoso.com")]);
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken("op".into()))
        .build()
        .unwrap();
    let tenant = GraphTenant::new(client);
    let tokens = PcscReaders::connect().unwrap();
    let reader = VirtualReader::acquire();

    let seed = seeds::from_text("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", None, "bench").unwrap();
    let (mut apdus, mut elapsed) = (0, 0.0);
    for i in 0..RUNS {
        let mut card = Token2Card::new(
            Token2Model::by_name("OTPC-P1-i").unwrap(),
            &format!("B{i}"),
            TokenClock::offset(0, 0.0),
        );
        card.faults_mut().latency_ms = 30;
        let t = reader.insert(card);
        let start = Instant::now();
        workflow::burn_seed(
            &station,
            &tokens,
            &tenant,
            &seed,
            &workflow::BurnChoices {
                reader: Some(reader.name().into()),
                display_timeout: None,
                ..Default::default()
            },
            &mut Quiet,
        )
        .unwrap();
        elapsed += start.elapsed().as_secs_f64();
        apdus += t.card().faults_view().apdus_seen;
    }
    println!(
        "burn: {:.0} ms per burn, {} APDUs per burn (30 ms/APDU injected; protocol minimum 5)",
        elapsed * 1000.0 / f64::from(RUNS),
        apdus / RUNS
    );

    sandbox.tenant().faults.latency_ms = 150;
    let (mut calls, mut check_calls, mut elapsed) = (0, 0, 0.0);
    for i in 0..RUNS {
        let mut card = Token2Card::new(
            Token2Model::by_name("OTPC-P1-i").unwrap(),
            &format!("E{i}"),
            TokenClock::offset(0, 0.0),
        );
        card.faults_mut().latency_ms = 30;
        let _t = reader.insert(card);
        let before = sandbox.tenant().requests;
        let mut burnt_at = None;
        let start = Instant::now();
        let req = EnrolRequest {
            user: "user@contoso.com".into(),
            algorithm: Algorithm::Sha1,
            period: 30,
            choices: workflow::BurnChoices {
                reader: Some(reader.name().into()),
                ..Default::default()
            },
        };
        let mut watch = |e: Progress| {
            if e.step == Step::WriteSeed && matches!(e.status, StepStatus::Done { .. }) {
                burnt_at = Some(sandbox.tenant().requests);
            }
        };
        workflow::enrol(&station, &tokens, &tenant, &req, &mut watch).unwrap();
        elapsed += start.elapsed().as_secs_f64();
        let burnt = burnt_at.expect("the seed was written");
        check_calls += burnt - before;
        calls += sandbox.tenant().requests - burnt;
        // Free the user's method slots for the next run.
        sandbox.tenant().devices.clear();
    }
    println!(
        "enrol: {:.0} ms per enrolment; Graph calls: {} from burn to verified (target 3), plus {} to check the user before the burn (150 ms/call, 30 ms/APDU injected; target 1500 ms)",
        elapsed * 1000.0 / f64::from(RUNS),
        calls / u64::from(RUNS),
        check_calls / u64::from(RUNS)
    );
}
