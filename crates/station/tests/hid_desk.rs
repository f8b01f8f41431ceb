//! Token2 PIN+ keys over USB HID on the desk, beside the PC/SC readers: the
//! desk lists them, the workflows burn and enrol through them, plugging
//! them out is seen, a key waiting for a touch asks for one, and neither
//! side being down hides the other. The keys are the sim's in-process HID
//! keys behind a fake of the station's HID port (no HID device can exist
//! here); the PC/SC side is a real pcscd with vpcd readers. Run through
//! tests/harness (make test does).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oathdesk_device::hid::{HidDevice, HidTransport, REPORT_LEN, Token2HidKey};
use oathdesk_device::token2otp::{EntryName, NewEntry, Token2OtpSession};
use oathdesk_device::transport::TransportError;
use oathdesk_entra::{GraphClient, RetryPolicy, StaticToken};
use oathdesk_otp::{Algorithm, CodeParams, generate_secret, totp};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::PinPlusCard;
use oathdesk_sim::token::pinplus::hid::{Busy, HidKey};
use oathdesk_station::adapters::{
    DeskReaders, GraphTenant, HidKeyError, HidKeys, HidReaders, HidTransportBox, HidWatch, OnBusy,
    PcscReaders, Touch, TouchPrompt,
};
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::ports::{Family, Placement, Readers, TokenFailure, TokenState};
use oathdesk_station::workflow::{self, BurnChoices, EnrolRequest, Quiet};
use oathdesk_station::{Station, StationConfig, seeds};
use oathdesk_testkit::{Insert, VirtualReader};
use sha2::{Digest, Sha256};

type Key = Arc<Mutex<HidKey<PinPlusCard>>>;

/// One key the fake OS lists.
struct Plugged {
    listed: Token2HidKey,
    key: Key,
    /// Opening it is refused as hidraw refuses a user without the udev rule.
    refused: bool,
}

/// The station's HID port over sim keys; clones share the plugged keys,
/// so a test plugs and unplugs while the desk holds its own clone.
#[derive(Clone, Default)]
struct FakeHid {
    plugged: Arc<Mutex<Vec<Plugged>>>,
    /// Listing fails, as when the OS's HID layer is unavailable.
    down: Arc<Mutex<bool>>,
    /// Busy reports the host has read from any key.
    busy_reads: Arc<AtomicU32>,
}

impl FakeHid {
    /// Plugs in a blank PIN+ key at `path`; returns the key to inspect.
    fn plug(&self, path: &str, serial: Option<&str>) -> Key {
        let key = Arc::new(Mutex::new(HidKey::pinplus(
            PinPlusCard::new(&[0x34, 0x9E, path.len() as u8]).over_hid(),
        )));
        self.plugged.lock().unwrap().push(Plugged {
            listed: Token2HidKey {
                path: path.into(),
                product_id: 0x0022,
                product: "FIDO2 Security Key".into(),
                serial: serial.map(str::to_string),
            },
            key: key.clone(),
            refused: false,
        });
        key
    }

    fn unplug(&self, path: &str) {
        self.plugged
            .lock()
            .unwrap()
            .retain(|p| p.listed.path != path);
    }
}

impl HidKeys for FakeHid {
    fn keys(&self) -> Result<Vec<Token2HidKey>, HidKeyError> {
        if *self.down.lock().unwrap() {
            return Err(TransportError::Unavailable("HID: hid_init failed".into()).into());
        }
        let mut keys: Vec<_> = self
            .plugged
            .lock()
            .unwrap()
            .iter()
            .map(|p| p.listed.clone())
            .collect();
        keys.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(keys)
    }

    fn open(&self, key: &Token2HidKey, on_busy: OnBusy) -> Result<HidTransportBox, HidKeyError> {
        let plugged = self.plugged.lock().unwrap();
        let Some(p) = plugged.iter().find(|p| p.listed == *key) else {
            return Err(TransportError::Unavailable("HID: no such device".into()).into());
        };
        if p.refused {
            return Err(HidKeyError::AccessRefused(format!(
                "HID: Failed to open a device with path '{}': Permission denied",
                key.path
            )));
        }
        Ok(Box::new(HidTransport {
            device: Shared(p.key.clone(), self.busy_reads.clone()),
            on_busy,
        }))
    }
}

/// A plugged key's pipes, shared with the test that inspects it, counting
/// the busy reports (`21 C0`) the host reads.
struct Shared(Key, Arc<AtomicU32>);

impl HidDevice for Shared {
    fn write_report(&mut self, r: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
        self.0.lock().unwrap().write_report(r)
    }
    fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
        self.0.lock().unwrap().read_report()
    }
    fn read_input(&mut self) -> Result<([u8; REPORT_LEN], usize), TransportError> {
        let (r, n) = self.0.lock().unwrap().read_input()?;
        if r[..2] == [0x21, 0xC0] {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
        Ok((r, n))
    }
}

/// Every prompt the desk was given, in order.
type Prompts = Arc<Mutex<Vec<(String, Touch)>>>;

fn recorder() -> (TouchPrompt, Prompts) {
    let prompts = Prompts::default();
    let seen = prompts.clone();
    let prompt: TouchPrompt = Arc::new(move |reader: &str, t| {
        seen.lock().unwrap().push((reader.to_string(), t));
    });
    (prompt, prompts)
}

fn hid_readers(hid: &FakeHid, prompt: TouchPrompt) -> HidReaders {
    HidReaders::new(
        Box::new(hid.clone()),
        oathdesk_device::profiles::Profiles::builtin(),
        prompt,
    )
}

/// The desk of the real pcscd and `hid`.
fn desk_of(hid: &FakeHid) -> DeskReaders {
    let (prompt, _) = recorder();
    DeskReaders::new(PcscReaders::connect, Ok(hid_readers(hid, prompt)))
}

fn pcsc_down() -> Result<PcscReaders, TokenFailure> {
    Err(TokenFailure {
        state: TokenState::Untouched,
        message: "the reader is not available (PC/SC: service not available)".into(),
        next_step: "Start the smart-card service (pcscd).".into(),
    })
}

fn names(desk: &dyn Readers) -> Vec<String> {
    desk.readers()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// The station, the Graph sandbox and Entra as its operator.
struct Office {
    _dir: tempfile::TempDir,
    station: Station,
    sandbox: Sandbox,
    tenant: GraphTenant,
}

fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let config = StationConfig {
        data_dir: dir.path().to_path_buf(),
        operator: "helpdesk@contoso.com".into(),
    };
    let station = Station::open(config.clone(), &KeyringStore::new(&config.key_profile())).unwrap();
    let seed =
        TenantSeed::with_operator("op", vec![SeedUser::member("u-alice", "alice@contoso.com")]);
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let fast = RetryPolicy {
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        max_attempts: 4,
        deadline: Duration::from_secs(5),
    };
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken("op".into()))
        .retry(fast)
        .build()
        .unwrap();
    Office {
        _dir: dir,
        station,
        sandbox,
        tenant: GraphTenant::new(client),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (issuer, account, seed SHA-256) of every entry on `key`.
fn held(key: &Key) -> Vec<(String, String, String)> {
    let k = key.lock().unwrap();
    k.card
        .entries()
        .iter()
        .map(|e| (e.issuer.clone(), e.account.clone(), e.seed_sha256()))
        .collect()
}

fn burn_on(office: &Office, desk: &dyn Readers, reader: &str, label: &str) -> seeds::SeedInput {
    let seed = seeds::SeedInput::generated(Algorithm::Sha1);
    let choices = BurnChoices {
        reader: Some(reader.into()),
        place: Placement {
            label: Some(label.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    workflow::burn_seed(
        &office.station,
        desk,
        &office.tenant,
        &seed,
        &choices,
        &mut Quiet,
    )
    .unwrap();
    seed
}

#[test]
fn the_desk_lists_hid_keys_after_the_pcsc_readers_and_asks_which_when_both_hold_one() {
    let reader = VirtualReader::acquire();
    let _t = reader.insert(PinPlusCard::new(&[0x01]));
    let hid = FakeHid::default();
    hid.plug("/dev/hidraw3", Some("A1B2"));
    let desk = desk_of(&hid);
    let readers = desk.readers().unwrap();
    let at = |name: &str| readers.iter().position(|r| r.name == name).unwrap();
    let key = "FIDO2 Security Key A1B2 (USB)";
    assert!(readers[at(reader.name())].token_present);
    assert!(readers[at(key)].token_present);
    assert_eq!(at(key), readers.len() - 1, "PC/SC readers come first");

    let why = desk.open(None).err().expect("two tokens: which one?");
    assert!(why.message.contains(reader.name()), "{}", why.message);
    assert!(why.message.contains(key), "{}", why.message);

    let token = desk.open(Some(key)).unwrap();
    let facts = token.facts();
    assert_eq!(
        (facts.family, facts.reader.as_str()),
        (Family::Token2Otp, key)
    );
    drop(token);
    let on_pcsc = desk.open(Some(reader.name())).unwrap();
    assert_eq!(on_pcsc.facts().reader, reader.name());
}

#[test]
fn the_one_key_plugged_in_is_the_token_opened_by_default() {
    let hid = FakeHid::default();
    hid.plug("/dev/hidraw9", None);
    let desk = DeskReaders::new(pcsc_down, Ok(hid_readers(&hid, recorder().0)));
    let token = desk.open(None).unwrap();
    assert_eq!(token.facts().reader, "FIDO2 Security Key (USB hidraw9)");
    assert_eq!(token.facts().family, Family::Token2Otp);
}

#[test]
fn a_burn_over_hid_ends_with_the_entry_on_the_key() {
    let office = office();
    let hid = FakeHid::default();
    let key = hid.plug("/dev/hidraw1", Some("0042"));
    let desk = desk_of(&hid);
    let seed = burn_on(
        &office,
        &desk,
        "FIDO2 Security Key 0042 (USB)",
        "Contoso:jane",
    );
    assert_eq!(
        held(&key),
        [(
            "Contoso".into(),
            "jane".into(),
            sha256_hex(seed.credential.secret.expose())
        )]
    );
    assert!(key.lock().unwrap().card.device_type_writes().is_empty());
}

#[test]
fn an_enrol_over_hid_registers_exactly_the_entry_the_key_holds() {
    let office = office();
    let hid = FakeHid::default();
    let key = hid.plug("/dev/hidraw2", Some("0043"));
    let desk = desk_of(&hid);
    let request = EnrolRequest {
        user: "alice@contoso.com".into(),
        algorithm: Algorithm::Sha256,
        period: 30,
        choices: BurnChoices {
            reader: Some("FIDO2 Security Key 0043 (USB)".into()),
            place: Placement {
                label: Some("Contoso:alice@contoso.com".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    };
    let out =
        workflow::enrol(&office.station, &desk, &office.tenant, &request, &mut Quiet).unwrap();
    let stored = office
        .sandbox
        .tenant()
        .by_serial(&out.serial)
        .unwrap()
        .clone();
    assert_eq!(
        (stored.status.as_str(), stored.assigned_to.as_deref()),
        ("activated", Some("u-alice"))
    );
    assert_eq!(
        held(&key),
        [(
            "Contoso".into(),
            "alice@contoso.com".into(),
            sha256_hex(stored.secret.expose())
        )]
    );
}

#[test]
fn two_identical_keys_get_distinct_names_and_each_opens_its_own() {
    let office = office();
    let hid = FakeHid::default();
    let first = hid.plug("/dev/hidraw4", Some("0001"));
    let second = hid.plug("/dev/hidraw5", Some("0001"));
    let desk = DeskReaders::new(pcsc_down, Ok(hid_readers(&hid, recorder().0)));
    let listed = names(&desk);
    assert_eq!(
        listed,
        [
            "FIDO2 Security Key 0001 (USB hidraw4)",
            "FIDO2 Security Key 0001 (USB hidraw5)"
        ]
    );
    burn_on(&office, &desk, &listed[1], "Contoso:bob");
    assert!(held(&first).is_empty());
    assert_eq!(held(&second).len(), 1);
    assert_eq!(names(&desk), listed, "the names stay while the keys stay");
}

#[test]
fn a_key_unplugged_vanishes_from_the_desk_and_the_watch_says_so() {
    let hid = FakeHid::default();
    hid.plug("/dev/hidraw1", Some("A"));
    hid.plug("/dev/hidraw2", Some("B"));
    let desk = DeskReaders::new(pcsc_down, Ok(hid_readers(&hid, recorder().0)));
    let mut watch = HidWatch::new(hid.keys().unwrap());
    assert!(!watch.changed(hid.keys().unwrap()));

    hid.unplug("/dev/hidraw1");
    assert!(watch.changed(hid.keys().unwrap()));
    assert_eq!(names(&desk), ["FIDO2 Security Key B (USB)"]);
    let gone = desk.open(Some("FIDO2 Security Key A (USB)")).err().unwrap();
    assert!(gone.message.contains("nothing named"), "{}", gone.message);
    assert!(!watch.changed(hid.keys().unwrap()));

    hid.plug("/dev/hidraw1", Some("A"));
    assert!(watch.changed(hid.keys().unwrap()));
    assert_eq!(names(&desk).len(), 2);
}

/// The desk is asked for a touch at the third busy answer of a touch
/// entry's read; the touch given then ends the wait with the entry's code,
/// and the desk hears that the wait is over.
#[test]
fn a_touch_entry_read_asks_for_a_touch_after_three_busy_answers() {
    let hid = FakeHid::default();
    let key = hid.plug("/dev/hidraw1", Some("T"));
    let finger = key.lock().unwrap().touch_handle();
    let (record, prompts) = recorder();
    let busy_reads = hid.busy_reads.clone();
    let busy_at_prompt = Arc::new(AtomicU32::new(0));
    let busy_then = busy_at_prompt.clone();
    let touch_at_prompt: TouchPrompt = Arc::new(move |reader: &str, t| {
        record(reader, t);
        if t == Touch::Needed {
            busy_then.store(busy_reads.load(Ordering::SeqCst), Ordering::SeqCst);
            finger.touch();
        }
    });
    let readers = hid_readers(&hid, touch_at_prompt);
    let mut transport = readers.transport("FIDO2 Security Key T (USB)").unwrap();
    let mut session = Token2OtpSession::select(&mut transport).unwrap();
    let secret = generate_secret(Algorithm::Sha1);
    let name = EntryName::new("Contoso", "jane").unwrap();
    let entry = NewEntry::totp(name.clone(), &secret, Algorithm::Sha1, 30, 6, true).unwrap();
    session.write_entry(&entry).unwrap();
    assert!(
        prompts.lock().unwrap().is_empty(),
        "no busy answer, no prompt"
    );

    key.lock().unwrap().busy = Busy::UntilTouch { give_up_after: 50 };
    let at = now();
    let code = session.read_one(&name, at).unwrap().code.unwrap();
    assert_eq!(code, totp(&secret, &CodeParams::default(), at).unwrap());
    assert_eq!(
        busy_at_prompt.load(Ordering::SeqCst),
        3,
        "asked at the third"
    );
    let reader = "FIDO2 Security Key T (USB)".to_string();
    assert_eq!(
        *prompts.lock().unwrap(),
        [(reader.clone(), Touch::Needed), (reader, Touch::Ended)]
    );
}

/// Two busy answers are the key thinking; the third asks for a touch, and
/// every prompt is followed by its end.
#[test]
fn a_key_that_is_only_briefly_busy_asks_for_no_touch() {
    let hid = FakeHid::default();
    let key = hid.plug("/dev/hidraw1", Some("Q"));
    key.lock().unwrap().busy = Busy::Frames(2);
    let (prompt, prompts) = recorder();
    let desk = DeskReaders::new(pcsc_down, Ok(hid_readers(&hid, prompt)));
    let mut token = desk.open(None).unwrap();
    assert!(token.slots().unwrap().is_empty());
    assert!(prompts.lock().unwrap().is_empty());

    key.lock().unwrap().busy = Busy::Frames(3);
    assert!(token.slots().unwrap().is_empty());
    let seen: Vec<Touch> = prompts.lock().unwrap().iter().map(|(_, t)| *t).collect();
    assert!(!seen.is_empty());
    for pair in seen.chunks(2) {
        assert_eq!(pair, [Touch::Needed, Touch::Ended]);
    }
}

#[test]
fn hid_unavailable_leaves_the_pcsc_readers_listed() {
    let reader = VirtualReader::acquire();
    let _t = reader.insert(PinPlusCard::new(&[0x02]));
    let hid = FakeHid::default();
    hid.plug("/dev/hidraw1", Some("A"));
    *hid.down.lock().unwrap() = true;
    let desk = desk_of(&hid);
    let listed = names(&desk);
    assert!(listed.contains(&reader.name().to_string()), "{listed:?}");
    assert!(!listed.iter().any(|n| n.contains("USB")), "{listed:?}");
    assert_eq!(
        desk.open(Some(reader.name())).unwrap().facts().reader,
        reader.name()
    );

    let no_hid = DeskReaders::new(
        PcscReaders::connect,
        Err(TokenFailure {
            state: TokenState::Untouched,
            message: "HID: hid_init failed".into(),
            next_step: String::new(),
        }),
    );
    assert!(names(&no_hid).contains(&reader.name().to_string()));
}

#[test]
fn pcsc_down_leaves_the_keys_and_both_down_says_pcscs_error() {
    let hid = FakeHid::default();
    hid.plug("/dev/hidraw1", Some("A"));
    let desk = DeskReaders::new(pcsc_down, Ok(hid_readers(&hid, recorder().0)));
    assert_eq!(names(&desk), ["FIDO2 Security Key A (USB)"]);
    *hid.down.lock().unwrap() = true;
    let both = desk.readers().unwrap_err();
    assert!(both.message.contains("PC/SC"), "{}", both.message);
    assert!(both.next_step.contains("pcscd"), "{}", both.next_step);
}

#[test]
fn a_key_the_os_refuses_says_what_to_do_next() {
    let hid = FakeHid::default();
    hid.plug("/dev/hidraw7", Some("R"));
    hid.plugged.lock().unwrap()[0].refused = true;
    let desk = DeskReaders::new(pcsc_down, Ok(hid_readers(&hid, recorder().0)));
    let refused = desk.open(None).err().expect("refused");
    assert_eq!(refused.state, TokenState::Untouched);
    assert!(refused.message.contains("refused"), "{}", refused.message);
    assert!(
        refused.message.contains("(USB)"),
        "names the key: {}",
        refused.message
    );
    if cfg!(target_os = "linux") {
        assert!(refused.next_step.contains("udev"), "{}", refused.next_step);
        assert!(refused.next_step.contains("349e"), "{}", refused.next_step);
        assert!(
            refused.next_step.contains("plug it in again"),
            "{}",
            refused.next_step
        );
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
