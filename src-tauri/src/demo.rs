//! The training desk: virtual tokens (crate `sim`) and the Graph sandbox on
//! loopback, so a new operator can burn, enrol and resync without hardware
//! or a tenant. The tokens sit on the readers of the private pcscd when the
//! app runs beside one (`tests/harness/pcsc-ns.sh`, as `make run` does as
//! root), so the real PC/SC path is exercised; otherwise they are connected
//! in-process. Everything is marked DEMO in the window and kept in memory.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oathdesk_device::profiles::Profiles;
use oathdesk_device::transport::FnTransport;
use oathdesk_entra::{GraphClient, RetryPolicy, StaticToken};
use oathdesk_otp::{Algorithm, generate_secret};
use oathdesk_sim::graph::{Refusal, Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::testkit::VirtualReader;
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock, VirtualCard};
use oathdesk_sim::vpcd::{self, SharedCard, VpcdHandle};
use oathdesk_station::adapters::{GraphTenant, open_token};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::ports::{ReaderSlot, TokenDesk, TokenFailure, TokenSession, TokenState};
use oathdesk_station::{Station, StationConfig};
use serde_json::json;

use crate::context::{DeskContext, Tokens};
use crate::error::{AppError, CommandResult};

/// The sandbox operator's bearer token (loopback only, demo only).
const DEMO_TOKEN: &str = "demo-operator";
pub const DEMO_OPERATOR: &str = "trainer@contoso.demo";

/// The tokens on the training desk: an ordinary model a little fast, and a
/// model whose clock write wipes its seed, well behind.
const DEMO_TOKENS: [(&str, &str, i64); 2] = [("C302-i", "100001", 47), ("C301-i", "100002", -95)];

/// The seed-wiping token already belongs to Megan Bowen (enrolled and
/// activated before it drifted), so Resync's re-seed and re-register flow
/// has a user to register it for again: (serial suffix, user id).
const ISSUED: (&str, &str) = ("100002", "u-megan");

/// Alive as long as the demo context: dropping it takes the virtual tokens
/// off their readers and stops the sandbox.
pub struct TrainingDesk {
    pub sandbox: Sandbox,
    _on_readers: Vec<(VpcdHandle, VirtualReader)>,
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

/// Where the training desk's virtual tokens sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On free vpcd readers of the private pcscd, through the real PC/SC path.
    PrivatePcscd,
    /// Connected to the app directly (no pcscd on this machine).
    InProcess,
}

impl Placement {
    /// The private pcscd when the app runs beside one, else in-process.
    pub fn available() -> Placement {
        if std::env::var_os("OATHDESK_PCSC_HARNESS").is_some() {
            Placement::PrivatePcscd
        } else {
            Placement::InProcess
        }
    }
}

/// Opens the training desk: in-memory records, the sandbox tenant with a
/// few users, and the virtual tokens placed where they can be.
pub fn open() -> CommandResult<DeskContext> {
    open_at(Placement::available())
}

pub fn open_at(placement: Placement) -> CommandResult<DeskContext> {
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
    let cards = demo_cards()
        .map(|card| issued_if_owned(&sandbox, card))
        .collect::<CommandResult<Vec<_>>>()?
        .into_iter();
    let (on_readers, tokens): (Vec<_>, Option<Tokens>) = match placement {
        Placement::PrivatePcscd => {
            // Placed without waiting for pcscd to notice (up to 0.5 s a
            // card): the window opens at once and the reader watch shows
            // the tokens as they arrive, as with real ones.
            let placed = cards
                .map(|card| {
                    let reader = VirtualReader::acquire();
                    // The app may be closed by a kill, card in place.
                    reader.retire();
                    let card: SharedCard = Arc::new(Mutex::new(card));
                    let on = vpcd::attach(card, reader.port()).map_err(|e| {
                        AppError::new("token", format!("virtual reader: {e}"), None)
                    })?;
                    Ok((on, reader))
                })
                .collect::<CommandResult<Vec<_>>>()?;
            (placed, None)
        }
        Placement::InProcess => (Vec::new(), Some(Box::new(InProcessDesk::new(cards)))),
    };
    let config = StationConfig {
        data_dir: std::env::temp_dir().join("oathdesk-demo"),
        operator: DEMO_OPERATOR.into(),
    };
    let station = Station::in_memory(config, &MemoryKeyStore::new())?;
    let desk = TrainingDesk {
        sandbox,
        _on_readers: on_readers,
    };
    Ok(DeskContext::new(
        station,
        GraphTenant::new(client),
        Some(desk),
        tokens,
    ))
}

/// Fresh virtual tokens, as [`DEMO_TOKENS`] describes them.
fn demo_cards() -> impl Iterator<Item = Token2Card> {
    DEMO_TOKENS.iter().map(|(model, suffix, offset)| {
        let model = Token2Model::by_name(model).expect("a simulated model");
        Token2Card::new(model, suffix, TokenClock::offset(*offset, 0.0))
    })
}

/// The card as its owner has it ([`ISSUED`]): holding a seed that the
/// sandbox has registered, assigned and activated for them. Other cards are
/// returned blank.
fn issued_if_owned(sandbox: &Sandbox, card: Token2Card) -> CommandResult<Token2Card> {
    let (suffix, owner) = ISSUED;
    if !card.serial.ends_with(suffix) {
        return Ok(card);
    }
    let refused = |(_, _, why): Refusal| AppError::new("internal", format!("sandbox: {why}"), None);
    let secret = generate_secret(Algorithm::Sha1);
    let mut tenant = sandbox.tenant();
    let device = tenant
        .create(&json!({
            "serialNumber": card.serial,
            "manufacturer": "Token2",
            "model": card.model.name,
            "secretKey": secret.to_base32().as_str(),
            "timeIntervalInSeconds": 30,
            "hashFunction": "hmacsha1",
        }))
        .map_err(refused)?;
    tenant.assign(owner, &device.id).map_err(refused)?;
    if let Some(d) = tenant.devices.iter_mut().find(|d| d.id == device.id) {
        d.status = "activated".into();
    }
    Ok(card.holding(&secret, Algorithm::Sha1, 30))
}

/// Virtual tokens connected straight to the app, one per named reader.
struct InProcessDesk {
    cards: Vec<(String, Arc<Mutex<Token2Card>>)>,
    profiles: Profiles,
}

impl InProcessDesk {
    fn new(cards: impl Iterator<Item = Token2Card>) -> InProcessDesk {
        InProcessDesk {
            cards: cards
                .enumerate()
                .map(|(i, c)| {
                    (
                        format!("Training reader {}", i + 1),
                        Arc::new(Mutex::new(c)),
                    )
                })
                .collect(),
            profiles: Profiles::builtin(),
        }
    }

    fn choose(
        &self,
        reader: Option<&str>,
    ) -> Result<&(String, Arc<Mutex<Token2Card>>), TokenFailure> {
        let refuse = |message: String| TokenFailure {
            state: TokenState::Untouched,
            message,
            next_step: "Choose one of the training readers.".into(),
        };
        match reader {
            Some(name) => self
                .cards
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| refuse(format!("there is no reader {name:?}"))),
            None => match self.cards.as_slice() {
                [one] => Ok(one),
                many => Err(refuse(format!("tokens are on {} readers", many.len()))),
            },
        }
    }
}

impl TokenDesk for InProcessDesk {
    fn readers(&self) -> Result<Vec<ReaderSlot>, TokenFailure> {
        Ok(self
            .cards
            .iter()
            .map(|(name, _)| ReaderSlot {
                name: name.clone(),
                token_present: true,
            })
            .collect())
    }

    fn open(&self, reader: Option<&str>) -> Result<Box<dyn TokenSession + '_>, TokenFailure> {
        let (name, card) = self.choose(reader)?;
        card.lock().unwrap_or_else(|p| p.into_inner()).power_on();
        let card = card.clone();
        let transport = FnTransport(move |apdu: &[u8]| {
            card.lock()
                .unwrap_or_else(|p| p.into_inner())
                .transmit(apdu)
        });
        open_token(name.clone(), transport, &self.profiles)
    }
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

#[cfg(test)]
mod tests {
    use oathdesk_otp::{Algorithm, totp};
    use oathdesk_station::seeds::SeedInput;
    use oathdesk_station::workflow::{self, Quiet};

    use super::*;

    /// Without pcscd the training desk still burns: the in-process token
    /// then shows the code of the burnt secret.
    #[test]
    fn in_process_tokens_take_a_burn_and_show_its_code() {
        let ctx = open_at(Placement::InProcess).unwrap();
        let readers = ctx.with_tokens(|t| Ok(t.readers()?)).unwrap();
        assert_eq!(readers.len(), DEMO_TOKENS.len());
        assert!(readers.iter().all(|r| r.token_present));

        let desk = InProcessDesk::new(demo_cards());
        let seed = SeedInput::generated(Algorithm::Sha1);
        let reader = desk.cards[0].0.clone();
        let out = workflow::burn_seed(
            &ctx.station,
            &desk,
            ctx.tenant(),
            &seed,
            Some(&reader),
            None,
            &mut Quiet,
        )
        .unwrap();
        assert_eq!(out.token.serial, "8659632100001");
        let card = desk.cards[0].1.lock().unwrap();
        let host = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert_eq!(
            card.display_code_at(host).unwrap(),
            totp(
                &seed.credential.secret,
                &seed.credential.params,
                card.clock.at(host)
            )
        );
    }

    #[test]
    fn with_several_tokens_the_reader_must_be_named() {
        let desk = InProcessDesk::new(demo_cards());
        let refused = desk.open(None).err().expect("no reader chosen");
        assert_eq!(refused.state, TokenState::Untouched);
        assert!(refused.message.contains("2 readers"), "{}", refused.message);
    }

    /// The training desk's seed-wiping token is Megan's, activated in the
    /// sandbox with the seed it holds; Resync's re-seed gives it a new seed
    /// and registers that for her, replacing the old registration.
    #[test]
    fn the_seed_wiping_token_is_megans_and_a_reseed_registers_it_again() {
        let ctx = open_at(Placement::InProcess).unwrap();
        let sandbox = &ctx.demo.as_ref().unwrap().sandbox;
        let serial = "8659610100002";
        let before = sandbox.tenant().by_serial(serial).unwrap().clone();
        assert_eq!(before.status, "activated");
        assert_eq!(before.assigned_to.as_deref(), Some("u-megan"));

        let outcome = ctx
            .with_tokens(|t| {
                Ok(workflow::resync(
                    &ctx.station,
                    t,
                    ctx.tenant(),
                    Some("Training reader 2"),
                    true,
                    &mut Quiet,
                )?)
            })
            .unwrap();
        let workflow::ResyncOutcome::Reseeded(done) = outcome else {
            panic!("a seed-wiping token is re-seeded, not just set");
        };
        assert!(done.user.contains("megan"), "{}", done.user);
        let tenant = sandbox.tenant();
        let after = tenant.by_serial(serial).unwrap();
        assert_eq!(after.status, "activated");
        assert_ne!(after.id, before.id, "the old registration was replaced");
        assert_ne!(after.secret.expose(), before.secret.expose(), "a new seed");
    }
}
