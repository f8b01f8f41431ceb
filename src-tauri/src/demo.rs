//! The training desk: virtual tokens (crate `sim`) on the PC/SC readers of a
//! private pcscd, and the Graph sandbox on loopback, so a new operator can
//! burn, enrol and resync without hardware or a tenant. Everything it does
//! is marked DEMO in the window and kept in memory only.

use std::time::Duration;

use oathdesk_entra::{GraphClient, RetryPolicy, StaticToken};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::testkit::{Inserted, VirtualReader};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_station::adapters::GraphTenant;
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::{Station, StationConfig};

use crate::context::DeskContext;
use crate::error::{AppError, CommandResult};

/// The sandbox operator's bearer token (loopback only, demo only).
const DEMO_TOKEN: &str = "demo-operator";
pub const DEMO_OPERATOR: &str = "trainer@contoso.demo";

/// The tokens on the training desk: an ordinary model a little fast, and a
/// model whose clock write wipes its seed, well behind.
const DEMO_TOKENS: [(&str, &str, i64); 2] = [("C302-i", "100001", 47), ("C301-i", "100002", -95)];

/// Alive as long as the demo context: dropping it takes the virtual tokens
/// off their readers and stops the sandbox.
pub struct TrainingDesk {
    pub sandbox: Sandbox,
    _tokens: Vec<(Inserted<Token2Card>, VirtualReader)>,
}

/// Why the real desk is not usable yet, if it is not: the reason the app
/// offers (or, with `--demo`, starts) the training desk.
pub fn reason_to_offer(has_reader: bool, has_tenant: bool) -> Option<String> {
    match (has_reader, has_tenant) {
        (true, true) => None,
        (false, true) => Some("No smart-card reader is connected.".into()),
        (true, false) => Some("No Entra tenant is configured (Settings → sign in).".into()),
        (false, false) => Some("No reader is connected and no Entra tenant is configured.".into()),
    }
}

/// Opens the training desk: in-memory records, the sandbox tenant with a
/// few users, and the virtual tokens placed on free readers of the private
/// pcscd (`tests/harness/pcsc-ns.sh`, which `make run` uses).
pub fn open() -> CommandResult<DeskContext> {
    if std::env::var_os("OATHDESK_PCSC_HARNESS").is_none() {
        return Err(AppError::new(
            "token",
            "The training desk needs the private smart-card service that `make run` starts.",
            Some("Start OathDesk with `make run` (or inside tests/harness/pcsc-ns.sh)."),
        ));
    }
    let sandbox = Sandbox::start(tenant_seed(), 0)
        .map_err(|e| AppError::new("internal", format!("sandbox: {e}"), None))?;
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken(DEMO_TOKEN.into()))
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(500),
            max_attempts: 3,
            deadline: Duration::from_secs(5),
        })
        .build()?;
    let tokens = DEMO_TOKENS
        .iter()
        .map(|(model, suffix, offset)| {
            let reader = VirtualReader::acquire();
            let model = Token2Model::by_name(model).expect("a simulated model");
            let card = Token2Card::new(model, suffix, TokenClock::offset(*offset, 0.0));
            (reader.insert(card), reader)
        })
        .collect();
    let config = StationConfig {
        data_dir: std::env::temp_dir().join("oathdesk-demo"),
        operator: DEMO_OPERATOR.into(),
    };
    let station = Station::in_memory(config, &MemoryKeyStore::new())?;
    let desk = TrainingDesk {
        sandbox,
        _tokens: tokens,
    };
    Ok(DeskContext::new(
        station,
        GraphTenant { client },
        Some(desk),
    ))
}

fn tenant_seed() -> TenantSeed {
    let people = [
        ("u-adele", "adele.vance@contoso.demo", "Adele Vance"),
        ("u-alex", "alex.wilber@contoso.demo", "Alex Wilber"),
        ("u-megan", "megan.bowen@contoso.demo", "Megan Bowen"),
        ("u-lee", "lee.gu@contoso.demo", "Lee Gu"),
        ("u-nestor", "nestor.wilke@contoso.demo", "Nestor Wilke"),
    ];
    let mut users: Vec<SeedUser> = people
        .iter()
        .map(|(id, upn, name)| SeedUser {
            display_name: (*name).into(),
            ..SeedUser::member(id, upn)
        })
        .collect();
    users.push(SeedUser::guest("u-guest", "gus@partner.example"));
    users.push(SeedUser::member("u-trainer", DEMO_OPERATOR).with_roles(&["Global Administrator"]));
    let mut seed = TenantSeed::with_operator(DEMO_TOKEN, users);
    seed.operator = Some(DEMO_OPERATOR.into());
    seed
}
