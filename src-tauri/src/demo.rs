//! The training desk: virtual tokens (crate `sim`), one of each family, and
//! the Graph sandbox on loopback, so a new operator can burn, enrol and
//! resync without hardware or a tenant. The tokens sit on the readers of
//! the private pcscd when the app runs beside one (`tests/harness/pcsc-ns.sh`,
//! as `make run` does as root), so the real PC/SC path is exercised;
//! otherwise they are connected in-process. Everything is marked DEMO in
//! the window and kept in memory.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oathdesk_device::profiles::Profiles;
use oathdesk_device::transport::FnTransport;
use oathdesk_entra::{GraphClient, RetryPolicy, StaticToken};
use oathdesk_otp::{Algorithm, OtpAuthUri, generate_secret};
use oathdesk_sim::graph::{Refusal, Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::readers::VirtualReader;
use oathdesk_sim::token::{
    Molto2Card, PinPlusCard, Token2Card, Token2Model, TokenClock, VirtualCard, YkOathCard,
};
use oathdesk_sim::vpcd::{self, SharedCard, VpcdHandle};
use oathdesk_station::adapters::{GraphTenant, open_token};
use oathdesk_station::camera::{CameraFrame, Cameras, Recorded};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::ports::{Reader, Readers, Token, TokenFailure, TokenState};
use oathdesk_station::{Station, StationConfig};
use serde_json::json;

use crate::context::{DeskContext, Tokens};
use crate::error::{AppError, CommandResult};

/// The sandbox operator's bearer token (loopback only, demo only).
const DEMO_TOKEN: &str = "demo-operator";
pub const DEMO_OPERATOR: &str = "trainer@contoso.demo";

/// The single-profile tokens on the training desk: an ordinary model a
/// little fast, and a model whose clock write wipes its seed, well behind.
const DEMO_TOKENS: [(&str, &str, i64); 2] = [("C302-i", "100001", 47), ("C301-i", "100002", -95)];

/// A factory-fresh Molto2 (serial, clock offset): 100 empty slots, a clock
/// a little slow. Beside it sits a YubiKey-style OATH applet (no clock).
const DEMO_MOLTO2: (&str, i64) = ("TM2D100003", -25);

/// A Token2 PIN+ key's serial bytes (shown as hex, `349E1004`): its OTP
/// applet, empty, reached through its CCID interface like an NFC desk
/// reader would.
const DEMO_PINPLUS: [u8; 4] = [0x34, 0x9E, 0x10, 0x04];

/// The seed-wiping token already belongs to Megan Bowen (enrolled and
/// activated before it drifted), so Resync's re-seed and re-register flow
/// has a user to register it for again: (serial suffix, user id).
const ISSUED: (&str, &str) = ("100002", "u-megan");

/// Who the training desk's camera sees a phone code for: a new hire's
/// Entra "different authenticator app" code, with a fresh secret each time.
const DEMO_CAMERA_ACCOUNT: &str = "lee.gu@contoso.demo";

impl TrainingDesk {
    /// The training desk's camera: a recording of a phone held up to it,
    /// showing a Microsoft code for [`DEMO_CAMERA_ACCOUNT`].
    pub fn cameras(&self) -> Box<dyn Cameras> {
        Box::new(Recorded::new("Training desk camera", || {
            let mut shown = OtpAuthUri::from_secret(generate_secret(Algorithm::Sha1));
            shown.account = DEMO_CAMERA_ACCOUNT.into();
            shown.label_issuer = Some("Microsoft".into());
            shown.issuer = Some("Microsoft".into());
            oathdesk_sim::camera::phone_held_up(&shown.to_uri())
                .unwrap_or_default()
                .into_iter()
                .map(|f| CameraFrame::yuyv(f.width, f.height, f.yuyv))
                .collect()
        }))
    }
}

/// Alive as long as the demo context: dropping it takes the virtual tokens
/// off their readers and stops the sandbox.
pub struct TrainingDesk {
    pub sandbox: Sandbox,
    _on_readers: Vec<(VpcdHandle, VirtualReader)>,
    /// Its data directory (exports land here): private, removed at exit.
    _data_dir: tempfile::TempDir,
}

/// A fresh directory only this user can enter (0700, random name), never
/// a predictable path in the shared temp directory that another local
/// user could have made first. On Windows no mode is set: the temp
/// directory is normally the user's own (`%LOCALAPPDATA%\Temp`, in the profile),
/// whose ACL already keeps other users out, and the new directory inherits it.
fn private_data_dir() -> CommandResult<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("oathdesk-demo-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir().map_err(|e| {
        AppError::new(
            "storage",
            format!("the training desk's directory: {e}"),
            None,
        )
    })
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
    /// The private pcscd when the app runs beside one (an empty
    /// `OATHDESK_PCSC_HARNESS` says it does not), else in-process.
    pub fn available() -> Placement {
        if std::env::var_os("OATHDESK_PCSC_HARNESS").is_some_and(|v| !v.is_empty()) {
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
    let cards = demo_cards(&sandbox)?.into_iter();
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
    let data_dir = private_data_dir()?;
    let config = StationConfig {
        data_dir: data_dir.path().to_path_buf(),
        operator: DEMO_OPERATOR.into(),
    };
    let station = Station::in_memory(config, &MemoryKeyStore::new())?;
    let desk = TrainingDesk {
        sandbox,
        _on_readers: on_readers,
        _data_dir: data_dir,
    };
    Ok(DeskContext::new(
        station,
        GraphTenant::new(client),
        Some(desk),
        tokens,
    ))
}

/// The training desk's tokens: [`DEMO_TOKENS`] (the seed-wiping one
/// already [`ISSUED`]), the [`DEMO_MOLTO2`], an OATH applet and a PIN+ key
/// ([`DEMO_PINPLUS`]).
fn demo_cards(sandbox: &Sandbox) -> CommandResult<Vec<SharedCard>> {
    let mut cards = DEMO_TOKENS
        .iter()
        .map(|(model, suffix, offset)| {
            let model = Token2Model::by_name(model).expect("a simulated model");
            let card = Token2Card::new(model, suffix, TokenClock::offset(*offset, 0.0));
            Ok(shared(issued_if_owned(sandbox, card)?))
        })
        .collect::<CommandResult<Vec<_>>>()?;
    let (serial, offset) = DEMO_MOLTO2;
    cards.push(shared(Molto2Card::new(
        serial,
        TokenClock::offset(offset, 0.0),
    )));
    cards.push(shared(YkOathCard::new()));
    cards.push(shared(PinPlusCard::new(&DEMO_PINPLUS)));
    Ok(cards)
}

/// A card as the readers hold it, whatever its family.
fn shared(card: impl VirtualCard + 'static) -> SharedCard {
    Arc::new(Mutex::new(card))
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

/// Virtual tokens of any family connected straight to the app, one per
/// named reader.
struct InProcessDesk {
    cards: Vec<(String, SharedCard)>,
    profiles: Profiles,
}

impl InProcessDesk {
    fn new(cards: impl Iterator<Item = SharedCard>) -> InProcessDesk {
        InProcessDesk {
            cards: cards
                .enumerate()
                .map(|(i, c)| (format!("Training reader {}", i + 1), c))
                .collect(),
            profiles: Profiles::builtin(),
        }
    }

    fn choose(&self, reader: Option<&str>) -> Result<&(String, SharedCard), TokenFailure> {
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

impl Readers for InProcessDesk {
    fn readers(&self) -> Result<Vec<Reader>, TokenFailure> {
        Ok(self
            .cards
            .iter()
            .map(|(name, _)| Reader {
                name: name.clone(),
                token_present: true,
            })
            .collect())
    }

    fn open(&self, reader: Option<&str>) -> Result<Box<dyn Token + '_>, TokenFailure> {
        let (name, card) = self.choose(reader)?;
        card.lock().unwrap_or_else(|p| p.into_inner()).power_on();
        let card = card.clone();
        let transport = FnTransport(move |apdu: &[u8]| {
            card.lock()
                .unwrap_or_else(|p| p.into_inner())
                .transmit(apdu)
        });
        open_token(name.clone(), transport, &self.profiles, None)
    }
}

/// The training tenant's group of new hires, for the Batch screen.
pub const DEMO_GROUP: &str = "New starters";

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
    // A group to practise a batch from: three hires and the guest, who is
    // refused before any token.
    for u in users.iter_mut().skip(2) {
        u.groups = vec![DEMO_GROUP.into()];
    }
    users.push(SeedUser::guest("u-guest", "gus@partner.example").in_groups(&[DEMO_GROUP]));
    users.push(SeedUser::member("u-trainer", DEMO_OPERATOR).with_roles(&["Global Administrator"]));
    let mut seed = TenantSeed::with_operator(DEMO_TOKEN, users);
    seed.operator = Some(DEMO_OPERATOR.into());
    seed
}

#[cfg(test)]
mod tests {
    use oathdesk_otp::{Algorithm, CodeParams, totp};
    use oathdesk_station::ports::Placement as Where;
    use oathdesk_station::seeds::{self, SeedInput};
    use oathdesk_station::workflow::{self, BurnChoices, Quiet};

    use super::*;

    /// The single-profile tokens, the Molto2, the OATH applet, the PIN+ key.
    const DEMO_TOKEN_COUNT: usize = DEMO_TOKENS.len() + 3;

    fn host_now() -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    }

    /// A card the test keeps a typed handle on, and the desk's handle.
    fn typed<C: VirtualCard + 'static>(card: C) -> (Arc<Mutex<C>>, SharedCard) {
        let card = Arc::new(Mutex::new(card));
        (card.clone(), card)
    }

    fn burn(
        ctx: &DeskContext,
        desk: &InProcessDesk,
        seed: &SeedInput,
        choices: BurnChoices,
    ) -> workflow::BurnOutcome {
        workflow::burn_seed(&ctx.station, desk, ctx.tenant(), seed, &choices, &mut Quiet).unwrap()
    }

    /// The training desk keeps its files (audit exports) in a directory
    /// only this user can enter, with a name nobody could guess first, and
    /// removes it when the desk closes.
    // Unix mode bits; on Windows the directory is private by the ACL of the
    // user's temp directory (see `private_data_dir`).
    #[cfg(unix)]
    #[test]
    fn the_training_desks_files_are_private_and_go_with_it() {
        use std::os::unix::fs::PermissionsExt;
        let ctx = open_at(Placement::InProcess).unwrap();
        let dir = ctx.station.config().data_dir.clone();
        assert_ne!(dir, std::env::temp_dir().join("oathdesk-demo"));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
        drop(ctx);
        assert!(!dir.exists(), "removed with the desk");
    }

    /// Without pcscd the training desk still burns: the in-process token
    /// then shows the code of the burnt secret.
    #[test]
    fn in_process_tokens_take_a_burn_and_show_its_code() {
        let ctx = open_at(Placement::InProcess).unwrap();
        let readers = ctx.with_tokens(|t| Ok(t.readers()?)).unwrap();
        assert_eq!(readers.len(), DEMO_TOKEN_COUNT);
        assert!(readers.iter().all(|r| r.token_present));

        let (model, suffix, offset) = DEMO_TOKENS[0];
        let (card, on_desk) = typed(Token2Card::new(
            Token2Model::by_name(model).unwrap(),
            suffix,
            TokenClock::offset(offset, 0.0),
        ));
        let desk = InProcessDesk::new([on_desk].into_iter());
        let seed = SeedInput::generated(Algorithm::Sha1);
        let out = burn(&ctx, &desk, &seed, BurnChoices::default());
        assert_eq!(out.token.serial, "8659632100001");
        let card = card.lock().unwrap();
        let host = host_now();
        assert_eq!(
            card.display_code_at(host).unwrap(),
            totp(
                &seed.credential.secret,
                &seed.credential.params,
                card.clock.at(host)
            )
            .unwrap()
        );
    }

    /// The training desk holds one token of each family, each read as its
    /// own: the blank C302-i, Megan's C301-i, a Molto2, an OATH applet and
    /// a PIN+ key.
    #[test]
    fn the_training_tenant_has_a_group_to_batch_with_a_guest_in_it() {
        let seed = tenant_seed();
        let in_group: Vec<&SeedUser> = seed
            .users
            .iter()
            .filter(|u| u.groups.iter().any(|g| g == DEMO_GROUP))
            .collect();
        assert_eq!(in_group.len(), 4);
        assert_eq!(
            in_group.iter().filter(|u| u.user_type == "Guest").count(),
            1
        );
        assert!(
            in_group.iter().all(|u| u.roles.is_empty()),
            "no operator in it"
        );
    }

    #[test]
    fn the_training_desk_has_a_token_of_each_family() {
        let ctx = open_at(Placement::InProcess).unwrap();
        let families = ctx
            .with_tokens(|t| {
                let names: Vec<String> = t.readers()?.into_iter().map(|r| r.name).collect();
                Ok(names
                    .iter()
                    .map(|n| t.open(Some(n)).map(|tok| tok.facts().family))
                    .collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap();
        use oathdesk_station::ports::Family;
        assert_eq!(
            families,
            [
                Family::Token2Single,
                Family::Token2Single,
                Family::Token2Molto2,
                Family::Ykoath,
                Family::Token2Otp
            ]
        );
    }

    #[test]
    fn with_several_tokens_the_reader_must_be_named() {
        let ctx = open_at(Placement::InProcess).unwrap();
        let refused = ctx
            .with_tokens(|t| Ok(t.open(None).err().expect("no reader chosen")))
            .unwrap();
        assert_eq!(refused.state, TokenState::Untouched);
        let many = format!("{DEMO_TOKEN_COUNT} readers");
        assert!(refused.message.contains(&many), "{}", refused.message);
    }

    /// In-process, a Molto2 takes a seed in the slot asked for, with its
    /// title and settings; an OATH applet takes it as a credential named
    /// after the QR's label (its period first, as the applet wants).
    #[test]
    fn in_process_a_molto2_slot_and_an_oath_credential_take_a_burn() {
        let ctx = open_at(Placement::InProcess).unwrap();
        let (molto2, on_desk) = typed(Molto2Card::new("TM2D700001", TokenClock::offset(-25, 0.0)));
        let (applet, on_desk_2) = typed(YkOathCard::new());
        let desk = InProcessDesk::new([on_desk, on_desk_2].into_iter());

        let secret = oathdesk_otp::generate_secret(Algorithm::Sha256);
        let uri = format!(
            "otpauth://totp/Contoso:jane%40contoso.com?secret={}&issuer=Contoso&algorithm=SHA256&digits=8&period=60",
            secret.to_base32().as_str()
        );
        let seed = seeds::from_text(&uri, None, "pasted text").unwrap();
        let params = CodeParams {
            algorithm: Algorithm::Sha256,
            digits: 8,
            period: 60,
        };
        let out = burn(
            &ctx,
            &desk,
            &seed,
            BurnChoices {
                reader: Some("Training reader 1".into()),
                display_timeout: Some(120),
                place: Where {
                    slot: Some(7),
                    label: Some("VPN".into()),
                    ..Default::default()
                },
            },
        );
        assert_eq!(out.burnt.slot, Some(7));
        assert_eq!(out.burnt.directory_serial, "TM2D700001-07");
        {
            let card = molto2.lock().unwrap();
            let slot = &card.slots[7];
            assert_eq!(slot.title.as_deref(), Some("VPN"));
            assert_eq!(
                (slot.algorithm, slot.digits, slot.period),
                (Algorithm::Sha256, 8, 60)
            );
            let host = host_now();
            assert_eq!(
                card.display_code_at(7, host).unwrap(),
                totp(&secret, &params, card.clock.at(host)).unwrap()
            );
            assert!(
                (card.clock.now() as f64 - host).abs() < 2.0,
                "clock set by the burn"
            );
            assert!(card.seed_sha256(6).is_none() && card.seed_sha256(8).is_none());
        }

        let out = burn(
            &ctx,
            &desk,
            &seed,
            BurnChoices {
                reader: Some("Training reader 2".into()),
                place: oathdesk_station::ports::Placement {
                    touch: true,
                    ..Default::default()
                },
                ..Default::default()
            },
        );
        let name = "60/Contoso:jane@contoso.com";
        assert_eq!(out.burnt.label.as_deref(), Some(name));
        let card = applet.lock().unwrap();
        let [credential] = card.credentials() else {
            panic!("one credential");
        };
        assert_eq!(credential.name, name.as_bytes());
        assert!(credential.touch, "a touch was asked for");
        assert_eq!(credential.digits, 8);
        let at = 1_700_000_000;
        assert_eq!(
            card.code(name, at).unwrap(),
            totp(&secret, &params, at).unwrap()
        );
    }

    /// In-process, the PIN+ key takes a burn as an entry named from the
    /// QR's label; the key then computes the code the burn showed.
    #[test]
    fn in_process_a_pinplus_entry_takes_a_burn() {
        let ctx = open_at(Placement::InProcess).unwrap();
        let (key, on_desk) = typed(PinPlusCard::new(&DEMO_PINPLUS));
        let desk = InProcessDesk::new([on_desk].into_iter());
        let seed = seeds::from_text(
            &format!(
                "otpauth://totp/Contoso:jane%40contoso.com?secret={}&issuer=Contoso",
                generate_secret(Algorithm::Sha1).to_base32().as_str()
            ),
            None,
            "pasted text",
        )
        .unwrap();
        let out = burn(&ctx, &desk, &seed, BurnChoices::default());
        assert_eq!(out.token.serial.to_ascii_uppercase(), "349E1004");
        assert_eq!(out.burnt.label.as_deref(), Some("Contoso:jane@contoso.com"));
        let key = key.lock().unwrap();
        let [entry] = key.entries() else {
            panic!("one entry on the key");
        };
        assert_eq!(
            (entry.issuer.as_str(), entry.account.as_str()),
            ("Contoso", "jane@contoso.com")
        );
        let at = out.code.valid_from;
        assert_eq!(
            entry.code_at(at),
            out.code.code,
            "the code shown after the burn"
        );
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
                    &workflow::ResyncRequest {
                        reader: Some("Training reader 2".into()),
                        confirm_reseed: true,
                        ..Default::default()
                    },
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
