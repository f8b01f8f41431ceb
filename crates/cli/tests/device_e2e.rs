//! The token commands end to end: `oathdesk-cli` → the real `pcsc` crate →
//! a private pcscd → vpcd → the virtual token. Run through
//! tests/harness/pcsc-ns.sh (make test does).

mod common;
use common::{run_with, stderr};
use oathdesk_sim::graph::{Sandbox, TenantSeed};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock, VirtualCard};
use oathdesk_testkit::{Insert, Inserted, VirtualReader};

const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn token(model: &str, clock_offset: i64) -> Token2Card {
    Token2Card::new(
        Token2Model::by_name(model).unwrap(),
        "007001",
        TokenClock::offset(clock_offset, 0.0),
    )
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A station for the CLI: its own data directory, and a Graph sandbox as
/// the time authority every clock write is checked against.
struct Station {
    dir: tempfile::TempDir,
    sandbox: Sandbox,
}

impl Station {
    fn new() -> Station {
        Station {
            dir: tempfile::tempdir().unwrap(),
            sandbox: Sandbox::start(TenantSeed::default(), 0).unwrap(),
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OATHDESK_DATA_DIR", self.dir.path().display().to_string()),
            ("OATHDESK_GRAPH_URL", self.sandbox.base_url()),
        ]
    }
}

thread_local! {
    static STATION: Station = Station::new();
}

fn run(args: &[&str], stdin: &str) -> std::process::Output {
    STATION.with(|s| run_with(args, stdin, &s.env()))
}

fn burn(reader: &VirtualReader, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["burn", "--reader", reader.name(), "--json"];
    args.extend_from_slice(extra);
    run(&args, SECRET)
}

/// The code the sim's display shows, and the code `oathdesk-cli code`
/// computes for the same instant of the token's clock.
fn display_and_cli_code(t: &Inserted<Token2Card>, extra: &[&str]) -> (String, String) {
    let card = t.card();
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let shown = card.display_code_at(host).expect("the token holds a seed");
    let at = card.clock.at(host).to_string();
    let mut args = vec!["code", "--at", at.as_str(), "--json"];
    args.extend_from_slice(extra);
    let computed = json(&run(&args, SECRET))["code"]
        .as_str()
        .unwrap()
        .to_string();
    (shown, computed)
}

#[test]
fn burn_then_the_display_matches_the_computed_code() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("OTPC-P1-i", -4000));
    let v = json(&burn(&reader, &[]));
    assert_eq!(v["serial"], "8659612007001");
    assert_eq!(v["model"], "OTPC-P1-i");
    let (shown, computed) = display_and_cli_code(&t, &[]);
    assert_eq!(shown, computed);
    assert!(
        t.card()
            .clock
            .now()
            .abs_diff(u64::from(v["clock"].as_u64().unwrap() as u32))
            < 3
    );
}

#[test]
fn burn_with_sha256_and_60_seconds() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("C302-i", 0));
    json(&burn(&reader, &["--algorithm", "sha256", "--period", "60"]));
    let (shown, computed) = display_and_cli_code(&t, &["--algorithm", "sha256", "--period", "60"]);
    assert_eq!(shown, computed);
}

#[test]
fn bad_settings_are_refused_before_any_write() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("C301-i", 0));
    for args in [
        &["--algorithm", "sha512"][..],
        &["--period", "45"],
        &["--digits", "8"],
    ] {
        let out = burn(&reader, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("nothing was written"),
            "{}",
            stderr(&out)
        );
    }
    let card = t.card();
    assert!(card.seed_sha256().is_none());
    assert_eq!(
        card.faults_view().apdus_seen,
        3,
        "only get-info was sent, once per attempt"
    );
}

#[test]
fn sync_clock_moves_the_token_clock_and_keeps_the_seed() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("C302-i", -3600));
    json(&burn(&reader, &[]));
    t.card().clock = TokenClock::offset(-3600, 0.0);
    let before = t.card().seed_sha256();
    let info = json(&run(&["info", "--reader", reader.name(), "--json"], ""));
    assert!(info["drift_seconds"].as_i64().unwrap() <= -3598);
    json(&run(
        &["sync-clock", "--reader", reader.name(), "--json"],
        "",
    ));
    let card = t.card();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(card.clock.now().abs_diff(now) <= 2);
    assert_eq!(card.seed_sha256(), before);
}

#[test]
fn restricted_sync_model_refuses_a_clock_write() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("C301-i", -3600));
    json(&burn(&reader, &[]));
    let seeded = t.card().seed_sha256();
    assert!(seeded.is_some());
    t.card().clock = TokenClock::offset(-3600, 0.0);
    let out = run(&["sync-clock", "--reader", reader.name()], "");
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("wipes the seed") && message.contains("run a resync"),
        "{message}"
    );
    assert_eq!(t.card().seed_sha256(), seeded);
    assert!(
        t.card().clock.now().abs_diff(now_secs() - 3600) <= 2,
        "the clock was not written"
    );
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_lost_link_reports_what_the_token_really_holds() {
    // APDUs of a burn: get-info, challenge, authenticate, settings+clock, seed.
    for drop_after in 0..5u32 {
        let reader = VirtualReader::acquire();
        let t = reader.insert(token("OTPC-P1-i", 0));
        t.card().faults().drop_after = Some(drop_after);
        let out = burn(&reader, &[]);
        assert_eq!(out.status.code(), Some(1), "drop after {drop_after}");
        let err: serde_json::Value = common::json_error(&out);
        let kind = err["error"]["kind"].as_str().unwrap().to_string();
        let message = err["error"]["message"].as_str().unwrap().to_string();
        assert!(
            !message.contains("locked"),
            "a lost link is not a locked token: {message}"
        );
        let card = t.card();
        match drop_after {
            0..=2 => {
                assert_eq!(kind, "token_untouched", "{message}");
                assert!(card.seed_sha256().is_none());
            }
            _ => {
                assert_eq!(kind, "token_unknown", "{message}");
                assert!(message.contains("burn it again"), "{message}");
            }
        }
    }
}

#[test]
fn a_write_whose_answer_is_lost_is_reported_unknown_and_really_landed() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("OTPC-P1-i", -9000));
    t.card().faults().drop_after_next_write = true;
    let out = burn(&reader, &[]);
    let err: serde_json::Value = common::json_error(&out);
    assert_eq!(err["error"]["kind"], "token_unknown");
    // The settings write reached the token before its answer was lost.
    let card = t.card();
    assert!(card.faults_view().link_cut);
    assert_eq!(
        card.faults_view().apdus_seen,
        4,
        "info, challenge, auth, settings"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        card.clock.now().abs_diff(now) <= 2,
        "the clock was set by the lost write"
    );
}

#[test]
fn a_refused_authentication_is_not_a_lost_link() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("OTPC-P1-i", 0));
    t.card().faults().locked = true;
    let out = burn(&reader, &[]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("refused authentication") && message.contains("not changed"),
        "{message}"
    );
}

#[test]
fn devices_lists_the_reader_with_its_token() {
    let reader = VirtualReader::acquire();
    let _t = reader.insert(token("OTPC-P1-i", 0));
    let v = json(&run(&["devices", "--json"], ""));
    let listed = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == reader.name())
        .expect("reader listed")
        .clone();
    assert_eq!(listed["token_present"], true);
}

/// Another program holding the token for itself (PC/SC's sharing
/// violation) is said as such, with the fix, and nothing is written.
#[test]
fn a_token_another_program_holds_is_named_with_the_fix_and_left_alone() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("OTPC-P1-i", 0));
    // The other program: its own PC/SC context, the token opened exclusively.
    let other = oathdesk_device::pcsc::PcscService::establish().unwrap();
    let held = other.connect(reader.name()).unwrap();
    let out = burn(&reader, &[]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("another program is using the token")
            && message.contains("gpgconf --kill scdaemon")
            && message.contains("nothing was written"),
        "{message}"
    );
    assert_eq!(t.card().seed_sha256(), None, "a held token was written");
    drop(held);
    let again = burn(&reader, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
}

/// No PC/SC service (pcscd down; on Windows, the Smart Card service
/// stopped: the same status) is said as such, with the OS's fix.
#[test]
fn no_smart_card_service_is_named_with_the_fix() {
    let env = STATION.with(|s| {
        let mut env = s.env();
        env.push(("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm".into()));
        env
    });
    let out = run_with(
        &["burn", "--reader", "Virtual PCD 00 00", "--json"],
        SECRET,
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("the smart-card service is not running")
            && message.contains("systemctl enable --now pcscd.socket"),
        "{message}"
    );
}

mod families {
    use super::*;
    use oathdesk_sim::token::{Molto2Card, YkOathCard};

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn molto2_burn_a_profile_then_its_display_matches() {
        let reader = VirtualReader::acquire();
        let t = reader.insert(Molto2Card::new(
            "MOLTO2C00001",
            TokenClock::offset(-900, 0.0),
        ));
        let args = [
            "burn",
            "--reader",
            reader.name(),
            "--slot",
            "5",
            "--title",
            "VPN",
            "--digits",
            "8",
            "--json",
        ];
        let v = json(&run(&args, SECRET));
        assert_eq!(v["slot"], 5);
        assert_eq!(v["directory_serial"], "MOLTO2C00001-05");
        let card = t.card();
        let host = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let at = card.clock.at(host).to_string();
        let computed = json(&run(
            &["code", "--digits", "8", "--at", &at, "--json"],
            SECRET,
        ));
        assert_eq!(card.display_code_at(5, host).unwrap(), computed["code"]);
        assert_eq!(card.slots[5].title.as_deref(), Some("VPN"));
    }

    #[test]
    fn molto2_sync_all_profiles_moves_the_clock() {
        let reader = VirtualReader::acquire();
        let t = reader.insert(Molto2Card::new(
            "MOLTO2C00002",
            TokenClock::offset(-3600, 0.0),
        ));
        json(&run(
            &["sync-clock", "--reader", reader.name(), "--all", "--json"],
            "",
        ));
        assert!(t.card().clock.now().abs_diff(now()) <= 2);
    }

    #[test]
    fn molto2_wrong_customer_key_says_tries_left() {
        let reader = VirtualReader::acquire();
        let _t = reader.insert(Molto2Card::new("MOLTO2C00003", TokenClock::offset(0, 0.0)));
        let mut env = STATION.with(|s| s.env());
        env.push(("OATHDESK_CUSTOMER_KEY", "WRONGWRONGWRONG1".into()));
        let args = ["burn", "--reader", reader.name(), "--slot", "1", "--json"];
        let out = run_with(&args, SECRET, &env);
        assert_eq!(out.status.code(), Some(1));
        let message = common::json_error(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains("9 tries left"), "{message}");
    }

    #[test]
    fn ykoath_burn_then_the_key_computes_the_same_code() {
        let reader = VirtualReader::acquire();
        let t = reader.insert(YkOathCard::new());
        let uri = "otpauth://totp/Contoso:alice@contoso.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Contoso";
        let v = json(&run(&["burn", "--reader", reader.name(), "--json"], uri));
        assert_eq!(v["label"], "Contoso:alice@contoso.com");
        let at = now();
        let computed = json(&run(&["code", "--at", &at.to_string(), "--json"], uri));
        assert_eq!(
            t.card().code("Contoso:alice@contoso.com", at).unwrap(),
            computed["code"]
        );
    }
}

/// `delete` takes one seed off a token by the name `info` lists; a name
/// the token does not hold is refused (exit 2) and nothing changes; the
/// deletion is in the audit log.
mod deleting {
    use super::*;
    use oathdesk_sim::token::PinPlusCard;

    fn burn_named(reader: &VirtualReader, name: &str) {
        json(&run(
            &["burn", "--reader", reader.name(), "--title", name, "--json"],
            SECRET,
        ));
    }

    #[test]
    fn a_pinplus_entry_is_deleted_by_name() {
        let reader = VirtualReader::acquire();
        let t = reader.insert(PinPlusCard::new(&[0x34, 0x9E, 0x00, 0x99]));
        burn_named(&reader, "Contoso:jane");
        burn_named(&reader, "Contoso:joe");

        let missing = ["delete", "--reader", reader.name(), "--name", "Contoso:jim"];
        let out = run(&missing, "");
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("nothing was deleted"),
            "{}",
            stderr(&out)
        );
        assert_eq!(t.card().entries().len(), 2);

        let args = [
            "delete",
            "--reader",
            reader.name(),
            "--name",
            "Contoso:jane",
            "--json",
        ];
        let v = json(&run(&args, ""));
        assert_eq!(v["place"], "credential Contoso:jane");
        let left: Vec<_> = t
            .card()
            .entries()
            .iter()
            .map(|e| e.account.clone())
            .collect();
        assert_eq!(left, ["joe"]);

        let audit = json(&run(&["audit", "list", "--json"], ""));
        let deletions: Vec<_> = audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == "delete-seed")
            .map(|r| r["detail"].clone())
            .collect();
        assert!(
            deletions.contains(&"credential Contoso:jane".into()),
            "{audit}"
        );
    }

    #[test]
    fn delete_needs_exactly_one_of_slot_and_name() {
        for args in [
            &["delete"][..],
            &["delete", "--slot", "1", "--name", "x"][..],
        ] {
            let out = run(args, "");
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        }
    }
}

mod detection {
    use super::*;
    use oathdesk_sim::token::YkOathCard;

    #[test]
    fn a_ykoath_applet_is_found_without_being_named() {
        let reader = VirtualReader::acquire();
        let _t = reader.insert(YkOathCard::new());
        let v = json(&run(&["info", "--reader", reader.name(), "--json"], ""));
        assert_eq!(v["family"], "ykoath");
    }

    #[test]
    fn molto2_settings_are_checked_against_its_profile_first() {
        let reader = VirtualReader::acquire();
        let t = reader.insert(oathdesk_sim::token::Molto2Card::new(
            "MOLTO2D00001",
            TokenClock::offset(0, 0.0),
        ));
        let args = [
            "burn",
            "--reader",
            reader.name(),
            "--slot",
            "2",
            "--digits",
            "7",
        ];
        let out = run(&args, SECRET);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("nothing was written"),
            "{}",
            stderr(&out)
        );
        assert!(t.card().seed_sha256(2).is_none());
    }
}
