//! `oathdesk-cli code` into a pipe prints the code alone on one line, so
//! `oathdesk-cli code < secret | xclip` and `$(oathdesk-cli code …)` get just
//! the digits; the "(valid for N more s)" note is for a terminal only.

mod common;

use common::{run, stderr, stdout};

/// RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32.
const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn piped_code(args: &[&str]) -> String {
    // `run` pipes stdout (and stdin, which carries the secret).
    let out = run(args, RFC_SECRET);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn piped_code_is_the_rfc_6238_digits_and_a_newline() {
    // RFC 6238 appendix B, SHA-1: 94287082 at T=59, 07081804 at T=1111111109.
    assert_eq!(
        piped_code(&["code", "--at", "59", "--digits", "8"]),
        "94287082\n"
    );
    assert_eq!(
        piped_code(&["code", "--at", "1111111109", "--digits", "8"]),
        "07081804\n"
    );
    // Six digits by default: the last six of the eight.
    assert_eq!(piped_code(&["code", "--at", "59"]), "287082\n");
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn piped_code_for_now_is_the_current_totp_alone() {
    let secret = oathdesk_otp::parse_base32(RFC_SECRET).unwrap();
    let params = oathdesk_otp::CodeParams::default();
    // Retry once if the 30 s step rolled over while the command ran.
    for _ in 0..2 {
        let before = now();
        let out = piped_code(&["code"]);
        let after = now();
        if before / params.period != after / params.period {
            continue;
        }
        assert_eq!(
            out,
            format!(
                "{}\n",
                oathdesk_otp::totp(&secret, &params, before).unwrap()
            )
        );
        return;
    }
    panic!("the TOTP step rolled over twice in a row");
}

#[test]
fn json_output_is_unchanged_when_piped() {
    let out = piped_code(&["code", "--at", "59", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(v["code"], "287082");
}
