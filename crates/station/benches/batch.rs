//! The headline benchmark: a scripted operator runs a 50-user batch
//! against virtual tokens behind a real pcscd and the Graph sandbox over
//! HTTP, with 30 ms per APDU, 150 ms per Graph call and 400 ms to place the
//! next token; then imports of a 1,000-key encrypted PSKC file and a
//! 10,000-row CSV. Reports desk time per user, tokens per operator-hour,
//! rows per second and the process's peak RSS, and checks nothing was lost
//! or duplicated (50 activated tokens, one per user, each holding the seed
//! Entra has). Asserts nothing about speed.
//!
//! Run: tests/harness/pcsc-ns.sh tests/harness/keyring-session.sh \
//!      cargo bench -p oathdesk-station --bench batch
//! (`make bench` does.)

use std::time::{Duration, Instant};

use oathdesk_entra::{GraphClient, StaticToken};
use oathdesk_otp::{Algorithm, Secret};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_station::adapters::{GraphTenant, PcscReaders};
use oathdesk_station::batch::Listed;
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::workflow::Quiet;
use oathdesk_station::workflow::batch::{self, NewBatch, Turn};
use oathdesk_station::workflow::inventory::{self as import, SeedKeys};
use oathdesk_station::{Station, StationConfig};
use oathdesk_testkit::pskc::{self, PskcToken};
use oathdesk_testkit::{Insert, VirtualReader};
use sha2::{Digest, Sha256};

const USERS: usize = 50;
const APDU_MS: u64 = 30;
const GRAPH_MS: u64 = 150;
const PLACE_MS: u64 = 400;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = StationConfig {
        data_dir: dir.path().into(),
        operator: "bench".into(),
    };
    let station = Station::open(config, &MemoryKeyStore::new()).unwrap();
    batch_run(&station);
    imports(&station);
    println!(
        "peak RSS of the bench process: {} MiB",
        peak_rss_kib() / 1024
    );
}

fn tenant_for(sandbox: &Sandbox) -> GraphTenant {
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken("op".into()))
        .build()
        .unwrap();
    GraphTenant::new(client)
}

/// The desk morning: 50 new hires, token after token.
fn batch_run(station: &Station) {
    let users: Vec<SeedUser> = (0..USERS)
        .map(|i| SeedUser::member(&format!("u-{i}"), &format!("hire{i}@contoso.com")))
        .collect();
    let sandbox = Sandbox::start(TenantSeed::with_operator("op", users), 0).unwrap();
    let tenant = tenant_for(&sandbox);
    let tokens = PcscReaders::connect().unwrap();
    let reader = VirtualReader::acquire();
    let listed = (0..USERS)
        .map(|i| Listed {
            upn: format!("hire{i}@contoso.com"),
            ..Default::default()
        })
        .collect();
    let new = NewBatch {
        name: "bench".into(),
        algorithm: Algorithm::Sha1,
        period: 30,
        users: listed,
    };
    sandbox.tenant().faults.latency_ms = GRAPH_MS;
    let start = Instant::now();
    let b = batch::start_batch(station, &tenant, &new).unwrap();
    let checked = start.elapsed();
    let mut seeds = Vec::new();
    for i in 0..USERS {
        // The operator reaches for the next token and puts it down.
        std::thread::sleep(Duration::from_millis(PLACE_MS));
        let mut card = Token2Card::new(
            Token2Model::by_name("C302-i").unwrap(),
            &format!("{:06}", 800_000 + i),
            TokenClock::offset(0, 0.0),
        );
        card.faults_mut().latency_ms = APDU_MS;
        let t = reader.insert(card);
        let turn = batch::enrol_next(
            station,
            &tokens,
            &tenant,
            &b.info.id,
            Some(reader.name()),
            &mut Quiet,
        )
        .unwrap();
        assert!(matches!(turn, Turn::Enrolled { .. }), "{turn:?}");
        let card = t.card();
        seeds.push((card.serial.clone(), card.seed_sha256()));
    }
    let desk = start.elapsed();
    let per_user = desk.as_secs_f64() / USERS as f64;
    println!(
        "batch: {USERS} users in {:.1} s ({:.1} s checking the list with Entra): {:.2} s of desk time per user, {:.0} tokens per operator-hour \
         ({APDU_MS} ms/APDU, {GRAPH_MS} ms/Graph call, {PLACE_MS} ms to place a token; targets ≤ 15 s, ≥ 240)",
        desk.as_secs_f64(),
        checked.as_secs_f64(),
        per_user,
        3600.0 / per_user
    );
    let tenant = sandbox.tenant();
    let activated = tenant
        .devices
        .iter()
        .filter(|d| d.status == "activated")
        .count();
    let mut owners: Vec<_> = tenant
        .devices
        .iter()
        .filter_map(|d| d.assigned_to.clone())
        .collect();
    owners.sort();
    owners.dedup();
    let agree = seeds
        .iter()
        .filter(|(serial, seed)| {
            let stored = tenant.by_serial(serial);
            stored.is_some_and(|d| Some(hex::encode(Sha256::digest(d.secret.expose()))) == *seed)
        })
        .count();
    println!(
        "batch: {activated} activated, {} tokens in Entra, {} users with a token, {agree} tokens holding Entra's seed: {} lost, {} duplicated",
        tenant.devices.len(),
        owners.len(),
        USERS - agree.min(USERS),
        tenant.devices.len().saturating_sub(USERS)
    );
}

/// Imports: a 1,000-key PSKC file under a pre-shared key, and a
/// 10,000-row Entra CSV; reading and checking, then creating in bulk.
fn imports(station: &Station) {
    let secrets: Vec<Secret> = (0..10_000u32)
        .map(|i| Secret::new(Sha256::digest(i.to_be_bytes())[..20].to_vec()))
        .collect();
    let serials: Vec<String> = (0..10_000).map(|i| format!("IMP{i:06}")).collect();
    let tokens: Vec<PskcToken> = (0..1_000)
        .map(|i| PskcToken {
            serial: &serials[i],
            model: "C302-i",
            secret: &secrets[i],
            period: 30,
        })
        .collect();
    let key = [0x42u8; 16];
    let file = pskc::encrypted(&tokens, &key, &[0x17u8; 20]);
    timed_import(
        station,
        "PSKC (AES-128-CBC, 1,000 keys)",
        file.as_bytes(),
        Some(&key),
    );

    let mut csv = String::from("upn,serial number,secret key,time interval,manufacturer,model\n");
    for (serial, secret) in serials.iter().zip(&secrets) {
        csv.push_str(&format!(
            ",{serial},{},30,Token2,C302-i\n",
            secret.to_base32().as_str()
        ));
    }
    timed_import(station, "Entra CSV (10,000 rows)", csv.as_bytes(), None);
}

fn timed_import(station: &Station, what: &str, bytes: &[u8], pskc_key: Option<&[u8]>) {
    let sandbox = Sandbox::start(TenantSeed::with_operator("op", Vec::new()), 0).unwrap();
    let tenant = tenant_for(&sandbox);
    let mut no_passphrase = |_| None;
    let mut keys = SeedKeys {
        pskc_key,
        pgp_secret_key: None,
        passphrase: &mut no_passphrase,
    };
    let start = Instant::now();
    let plan = import::read_seed_file(bytes, None, &mut keys).unwrap();
    let read = start.elapsed();
    let rows = plan.len();
    let report = import::import(station, &tenant, &plan, false).unwrap();
    let all = start.elapsed();
    println!(
        "import {what}: read and checked at {:.0} rows/s; imported end to end (no Graph latency) at {:.0} rows/s, {} created; peak RSS so far {} MiB",
        rows as f64 / read.as_secs_f64(),
        rows as f64 / all.as_secs_f64(),
        report.created.len(),
        peak_rss_kib() / 1024
    );
}

/// The process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}
