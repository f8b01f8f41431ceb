//! No command prints or logs the secret it was given: every command runs
//! with a known secret, and all of stdout and stderr is searched for its
//! base32 (both cases), hex and raw forms.

mod common;
use common::{cli, run};
use std::process::Stdio;

/// A canary whose raw bytes are printable, so a raw leak is searchable too.
const RAW: &[u8] = b"OathDeskCanary-2026!";

fn forms() -> Vec<String> {
    let b32 = data_encoding_b32(RAW);
    let hex: String = RAW.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        b32.clone(),
        b32.to_lowercase(),
        hex.clone(),
        hex.to_uppercase(),
        String::from_utf8(RAW.to_vec()).unwrap(),
    ]
}

/// Minimal RFC 4648 base32 (no padding) so the test does not trust the
/// encoder under test.
fn data_encoding_b32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    for form in forms() {
        assert!(
            !text.contains(&form),
            "{what} printed the secret ({form}):\n{text}"
        );
    }
}

#[test]
fn the_canary_forms_are_what_the_encoder_makes() {
    // Guards the test itself: the base32 form must be the one the CLI reads.
    let out = run(&["inspect", "--json"], &forms()[0]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"secret_bits\":160"));
}

#[test]
fn no_command_prints_the_secret() {
    let f = forms();
    let uri = format!("otpauth://totp/Org:jane@x.com?secret={}&issuer=Org", f[0]);
    let bad_uri = format!("otpauth://totp/Org:jane@x.com?secret={}&digits=5", f[0]);
    let inputs = [
        f[0].as_str(),
        f[1].as_str(),
        f[2].as_str(),
        uri.as_str(),
        bad_uri.as_str(),
    ];
    let commands: &[&[&str]] = &[
        &["inspect"],
        &["inspect", "--encoding", "hex"],
        &["code"],
        &["code", "--at", "59", "--digits", "8"],
        &["code", "--counter", "3"],
        &["code", "--digits", "11"],
        &["drift", "--observed", "000000", "--window-steps", "3"],
        &["drift", "--observed", "12345"],
    ];
    for input in inputs {
        for args in commands {
            for json in [false, true] {
                let mut all = args.to_vec();
                if json {
                    all.push("--json");
                }
                let out = run(&all, input);
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                assert_clean(&format!("{all:?}"), &text);
            }
        }
    }
}

#[test]
fn secret_from_the_environment_is_not_echoed() {
    let out = cli()
        .args(["inspect", "--json"])
        .env("OATHDESK_SECRET", forms()[2].as_str())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("inspect via env", &text);
}
