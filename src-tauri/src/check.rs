//! `oathdesk --check-desk`: what the desk sees, printed without a window or
//! a display — for an installed package, a support call or a script. It
//! asks the station's own adapters (the desk's readers, the keyring store,
//! the sign-in settings) and reimplements none of them. Nothing is written:
//! no key is created, no database opened, no token read.

use std::fmt::Write as _;
use std::path::Path;

use oathdesk_device::platform::{self, Os};
use oathdesk_station::StationConfig;
use oathdesk_station::adapters::{DeskReaders, DeskSides};
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::ports::{Reader, TokenFailure};
use oathdesk_station::sign_in;

/// What the check found: the report, and whether every check could run.
pub struct DeskCheck {
    pub report: String,
    /// False when pcscd or the keyring cannot be reached (the desk cannot
    /// work as it is); the report then says what to do.
    pub ok: bool,
}

/// The real desk's check, as the app would open it.
pub fn check_real_desk() -> DeskCheck {
    let config = sign_in::operator_config();
    let readers = DeskReaders::connect(crate::touch::prompt());
    let keyring = KeyringStore::new(&config.key_profile());
    check(
        &config,
        &readers.each_side(),
        keyring.probe().map_err(|e| e.to_string()),
    )
}

/// The report for what each part answered (a test passes its own).
pub fn check(
    config: &StationConfig,
    sides: &DeskSides,
    keyring: Result<bool, String>,
) -> DeskCheck {
    let mut out = String::new();
    let mut ok = true;
    let _ = writeln!(
        out,
        "OathDesk {} — what this desk sees",
        env!("CARGO_PKG_VERSION")
    );

    match &sides.pcsc {
        Ok(readers) => {
            let _ = writeln!(out, "{SERVICE}: reachable, {}", count(readers, "reader"));
            list(&mut out, readers);
        }
        Err(e) => {
            ok = false;
            let _ = writeln!(out, "{SERVICE}: NOT reachable: {}", e.message);
            let step = match e.next_step.is_empty() {
                true => platform::service_step(Os::here()),
                false => &e.next_step,
            };
            let _ = writeln!(out, "  next step: {step}");
        }
    }

    match &sides.hid {
        Ok(keys) => {
            let _ = writeln!(out, "USB HID keys (Token2): {}", count(keys, "key"));
            list(&mut out, keys);
        }
        // Not fatal: readers work without HID access (README, PIN+ keys).
        Err(e) => {
            let _ = writeln!(out, "USB HID keys (Token2): not available: {}", failure(e));
        }
    }

    match keyring {
        Ok(true) => {
            let _ = writeln!(out, "OS keyring: reachable, this desk's key is there");
        }
        Ok(false) => {
            let _ = writeln!(
                out,
                "OS keyring: reachable, no key for this desk yet (made on the first start)"
            );
        }
        Err(e) => {
            ok = false;
            let _ = writeln!(out, "OS keyring: NOT reachable: {e}");
        }
    }

    let _ = writeln!(out, "Data directory: {}", describe_dir(&config.data_dir));
    let signed_in =
        sign_in::remembered(config).and_then(|r| r.upn.map(|u| (u, r.authority.tenant)));
    match signed_in {
        Some((upn, tenant)) => {
            let _ = writeln!(out, "Entra: signed in as {upn} ({tenant})");
        }
        None if std::env::var_os("OATHDESK_ACCESS_TOKEN").is_some() => {
            let _ = writeln!(out, "Entra: access token from OATHDESK_ACCESS_TOKEN");
        }
        None => {
            let _ = writeln!(out, "Entra: not signed in (Settings → Sign in)");
        }
    }
    DeskCheck { report: out, ok }
}

/// What this OS calls its PC/SC service ("PC/SC (pcscd)" on Linux).
const SERVICE: &str = Os::here().smart_card_service();

fn count(readers: &[Reader], what: &str) -> String {
    match readers.len() {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

fn list(out: &mut String, readers: &[Reader]) {
    for r in readers {
        let token = if r.token_present {
            "token present"
        } else {
            "empty"
        };
        let _ = writeln!(out, "  - {} ({token})", r.name);
    }
}

fn failure(e: &TokenFailure) -> String {
    match e.next_step.is_empty() {
        true => e.message.clone(),
        false => format!("{} {}", e.message, e.next_step),
    }
}

fn describe_dir(dir: &Path) -> String {
    let state = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => "exists",
        Ok(_) => "is not a directory",
        Err(_) => "not created yet; made on the first start",
    };
    format!("{} ({state})", dir.display())
}

#[cfg(test)]
mod tests {
    use oathdesk_station::ports::TokenState;

    use super::*;

    fn config(dir: &Path) -> StationConfig {
        StationConfig {
            data_dir: dir.to_path_buf(),
            operator: "local:test".into(),
        }
    }

    fn down(message: &str) -> TokenFailure {
        TokenFailure {
            state: TokenState::Untouched,
            message: message.into(),
            next_step: String::new(),
        }
    }

    #[test]
    fn no_pcscd_fails_with_the_next_step_and_still_reports_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let sides = DeskSides {
            pcsc: Err(down("The PC/SC service is not running.")),
            hid: Ok(vec![Reader {
                name: "FIDO2 Security Key 1A2B3C (USB)".into(),
                token_present: true,
            }]),
        };
        let c = check(&config(dir.path()), &sides, Ok(false));
        assert!(!c.ok);
        assert!(c.report.contains(&format!(
            "{SERVICE}: NOT reachable: The PC/SC service is not running."
        )));
        assert!(
            c.report.contains(&format!(
                "next step: {}",
                platform::service_step(Os::here())
            )),
            "{}",
            c.report
        );
        assert!(c.report.contains(
            "USB HID keys (Token2): 1 key\n  - FIDO2 Security Key 1A2B3C (USB) (token present)"
        ));
        assert!(
            c.report
                .contains("OS keyring: reachable, no key for this desk yet")
        );
        assert!(c.report.contains(&format!(
            "Data directory: {} (exists)",
            dir.path().display()
        )));
        assert!(c.report.contains("Entra: not signed in"));
    }

    #[test]
    fn readers_and_keyring_reachable_is_ok_even_without_hid() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("oathdesk");
        let sides = DeskSides {
            pcsc: Ok(vec![
                Reader {
                    name: "Virtual PCD 00 00".into(),
                    token_present: false,
                },
                Reader {
                    name: "Virtual PCD 00 01".into(),
                    token_present: true,
                },
            ]),
            hid: Err(down("HID: no access")),
        };
        let c = check(&config(&missing), &sides, Ok(true));
        assert!(c.ok, "{}", c.report);
        assert!(c.report.contains(&format!("{SERVICE}: reachable, 2 readers\n  - Virtual PCD 00 00 (empty)\n  - Virtual PCD 00 01 (token present)")));
        assert!(
            c.report
                .contains("USB HID keys (Token2): not available: HID: no access")
        );
        assert!(c.report.contains("not created yet"));
        assert!(
            !missing.exists(),
            "the check must not create the data directory"
        );
    }

    #[test]
    fn an_unreachable_keyring_fails() {
        let dir = tempfile::tempdir().unwrap();
        let sides = DeskSides {
            pcsc: Ok(vec![]),
            hid: Ok(vec![]),
        };
        let c = check(
            &config(dir.path()),
            &sides,
            Err("the OS keyring is not available (no D-Bus)".into()),
        );
        assert!(!c.ok);
        assert!(
            c.report
                .contains("OS keyring: NOT reachable: the OS keyring is not available (no D-Bus)")
        );
        assert!(
            c.report
                .contains(&format!("{SERVICE}: reachable, 0 readers"))
        );
    }
}
