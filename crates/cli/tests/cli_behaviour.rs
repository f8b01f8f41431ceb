//! How the CLI treats operator input: classifier advice, exit codes, JSON
//! errors, drift and generate.

mod common;
use common::{run, run_json, stderr, stdout};

const ENTRA_URI: &str =
    "otpauth://totp/Contoso%20Ltd%3Ajane%40contoso.com?secret=jbswy3dpehpk3pxp&issuer=Microsoft";

#[test]
fn inspect_reads_microsofts_uri() {
    let v = run_json(&["inspect"], ENTRA_URI);
    assert_eq!(v["kind"], "totp_uri");
    assert_eq!(v["issuer"], "Microsoft");
    assert_eq!(v["account"], "jane@contoso.com");
    assert_eq!(v["algorithm"], "sha1");
    assert_eq!(v["digits"], 6);
    assert_eq!(v["period"], 30);
    assert_eq!(v["secret_bits"], 80);
}

#[test]
fn wrong_qr_codes_get_the_explanation_with_exit_2() {
    let cases = [
        (
            "phonefactor://activate_account?code=123456789",
            "authenticator_push",
            "different authenticator app",
        ),
        (
            "otpauth-migration://offline?data=CjEKCkhlbGxvId",
            "google_export",
            "Google Authenticator export",
        ),
        ("FIDO:/0123456789", "fido_qr", "passkey"),
        ("8659612001234", "serial_number", "serial number"),
    ];
    for (input, kind, phrase) in cases {
        let out = run(&["inspect", "--json"], input);
        assert_eq!(out.status.code(), Some(2), "{input}");
        let err: serde_json::Value = serde_json::from_str(stderr(&out).trim()).unwrap();
        assert_eq!(err["error"]["kind"], kind);
        assert!(
            err["error"]["message"].as_str().unwrap().contains(phrase),
            "{input}: {err}"
        );
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn ambiguous_secret_asks_which_encoding() {
    let both = "ABCDEF2345ABCDEF2345ABCDEF234567";
    let out = run(&["inspect", "--json"], both);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ambiguous_secret"));
    let v = run_json(&["inspect", "--encoding", "hex"], both);
    assert_eq!(v["encoding"], "hex");
    assert_eq!(v["secret_bits"], 128);
}

#[test]
fn empty_stdin_says_how_to_pass_a_secret() {
    let out = run(&["code"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("OATHDESK_SECRET"));
}

#[test]
fn drift_finds_the_offset_or_exits_1() {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let now = 1_700_000_000u64;
    let ahead = (now + 5 * 30).to_string();
    let seen = run_json(&["code", "--at", &ahead], secret)["code"]
        .as_str()
        .unwrap()
        .to_string();
    let next_t = (now + 6 * 30).to_string();
    let next = run_json(&["code", "--at", &next_t], secret)["code"]
        .as_str()
        .unwrap()
        .to_string();
    let v = run_json(
        &[
            "drift",
            "--observed",
            &seen,
            "--observed2",
            &next,
            "--at",
            &now.to_string(),
        ],
        secret,
    );
    assert_eq!(v["offset_steps"], 5);
    assert_eq!(v["offset_seconds"], 150);
    let out = run(
        &[
            "drift",
            "--observed",
            &seen,
            "--at",
            &now.to_string(),
            "--window-steps",
            "2",
        ],
        secret,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no match"));
}

#[test]
fn generate_prints_only_a_fresh_base32_secret() {
    let out = run(&["generate"], "");
    let line = stdout(&out);
    let line = line.trim();
    assert_eq!(line.len(), 32, "160 bits is 32 base32 chars");
    assert!(
        line.chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
    );
    let out256 = run(&["generate", "--algorithm", "sha256"], "");
    assert_eq!(
        stdout(&out256).trim().len(),
        52,
        "256 bits is 52 base32 chars"
    );
    assert_ne!(stdout(&run(&["generate"], "")).trim(), line);
}

/// A keyring the desk cannot reach (no Secret Service on this session's
/// D-Bus; on Windows and macOS their own stores) stops the command before
/// anything is written, with the OS's fix.
#[test]
fn an_unreachable_keyring_is_said_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = common::cli();
    command
        .args(["audit", "list"])
        .env("OATHDESK_DATA_DIR", dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let out = common::finish(command, "");
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(
        message.contains("the OS keyring is not available")
            && message.contains("unlock your login keyring"),
        "{message}"
    );
}
