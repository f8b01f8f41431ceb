//! `oathdesk-cli inventory import` end to end against the Graph sandbox:
//! an OpenPGP-encrypted Token2 CSV (binary) and an OpenPGP-armoured,
//! AES-encrypted PSKC are decrypted in memory and create their tokens
//! with the file's secrets; a wrong passphrase, a 45 s interval and a
//! duplicate serial exit 2 before any Graph call; a hex secret is
//! previewed with its warning and nothing created, refused without
//! --accept-hex and created with it. No secret is in
//! anything printed or left in the data directory. Run through
//! tests/harness (the keyring).

mod common;
use std::path::PathBuf;
use std::process::Output;

use common::{run_with, stderr};
use oathdesk_otp::Secret;
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_testkit::gpg::GpgHome;
use oathdesk_testkit::leaks::{assert_nowhere, files_in};
use oathdesk_testkit::pskc::{PskcToken, encrypted};

const PASSPHRASE: &str = "desk passphrase 7";

struct Desk {
    dir: tempfile::TempDir,
    tmp: tempfile::TempDir,
    files: tempfile::TempDir,
    sandbox: Sandbox,
    printed: Vec<(String, Vec<u8>)>,
}

impl Desk {
    fn new() -> Desk {
        let seed =
            TenantSeed::with_operator("op", vec![SeedUser::member("u-alice", "alice@contoso.com")]);
        Desk {
            dir: tempfile::tempdir().unwrap(),
            tmp: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
            sandbox: Sandbox::start(seed, 0).unwrap(),
            printed: Vec::new(),
        }
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p: PathBuf = self.files.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    }

    fn import(&mut self, args: &[&str], passphrase: Option<&str>) -> Output {
        let mut env = vec![
            ("OATHDESK_DATA_DIR", self.dir.path().display().to_string()),
            ("OATHDESK_GRAPH_URL", self.sandbox.base_url()),
            ("OATHDESK_ACCESS_TOKEN", "op".into()),
            ("TMPDIR", self.tmp.path().display().to_string()),
        ];
        if let Some(p) = passphrase {
            env.push(("OATHDESK_IMPORT_PASSPHRASE", p.into()));
        }
        let all: Vec<&str> = ["inventory", "import"]
            .iter()
            .chain(args)
            .copied()
            .collect();
        let out = run_with(&all, "", &env);
        self.printed
            .push((format!("{args:?}"), [&out.stdout[..], &out.stderr].concat()));
        out
    }

    /// Runs an import that must be refused as bad input with no Graph call.
    fn refused(&mut self, args: &[&str], passphrase: Option<&str>) -> String {
        let calls = self.sandbox.tenant().answered.len();
        let out = self.import(args, passphrase);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(
            self.sandbox.tenant().answered.len(),
            calls,
            "{args:?}: Graph was called"
        );
        stderr(&out)
    }

    fn secret_of(&self, serial: &str) -> Vec<u8> {
        self.sandbox
            .tenant()
            .by_serial(serial)
            .unwrap()
            .secret
            .expose()
            .to_vec()
    }
}

#[test]
fn encrypted_files_import_with_their_secrets_and_bad_ones_touch_nothing() {
    let mut d = Desk::new();
    let gpg = GpgHome::new(PASSPHRASE);
    let key = d.file("operator.asc", &gpg.secret_key());
    let (s1, s2, s3) = (
        Secret::from_slice(b"cli-token2-csv-seed1"),
        Secret::from_slice(b"cli-token2-csv-seed2"),
        Secret::from_slice(b"cli-pskc-in-pgp-seed"),
    );
    let csv = format!(
        "upn,serial number,secret key,time interval,manufacturer,model,hash\n\
         alice@contoso.com,CSV-1,{},30,Token2,C202,sha1\n,CSV-2,{},60,Token2,C302-i,sha256\n",
        &*s1.to_hex(),
        &*s2.to_hex()
    );
    let gpg_csv = d.file("seeds.csv.gpg", &gpg.encrypt(csv.as_bytes(), false));

    let wrong = d.refused(&[&gpg_csv, "--pgp-key", &key, "--json"], Some("not it"));
    assert!(wrong.contains("passphrase is wrong"), "{wrong}");
    let none = d.refused(&[&gpg_csv, "--pgp-key", &key], None);
    assert!(none.contains("passphrase"), "{none}");

    // Token2's CSV carries hex seeds: converted, so they need the yes.
    let unasked = d.refused(&[&gpg_csv, "--pgp-key", &key], Some(PASSPHRASE));
    assert!(
        unasked.contains("line 2: the secret was hex and was converted to base32; check the preview, then import with --accept-hex")
            && unasked.contains("line 3: the secret was hex"),
        "{unasked}"
    );
    let out = d.import(
        &[&gpg_csv, "--pgp-key", &key, "--json", "--accept-hex"],
        Some(PASSPHRASE),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            report["format"].as_str(),
            report["created"].as_array().unwrap().len()
        ),
        (Some("token2-csv"), 2)
    );
    assert_eq!(
        (d.secret_of("CSV-1"), d.secret_of("CSV-2")),
        (s1.expose().to_vec(), s2.expose().to_vec())
    );
    assert_eq!(
        d.sandbox
            .tenant()
            .by_serial("CSV-1")
            .unwrap()
            .assigned_to
            .as_deref(),
        Some("u-alice")
    );

    let aes = [0x42u8; 16];
    let pskc = encrypted(
        &[PskcToken {
            serial: "PSKC-1",
            model: "C202",
            secret: &s3,
            period: 30,
        }],
        &aes,
        &[9; 20],
    );
    let asc = d.file("seeds.pskc.asc", &gpg.encrypt(pskc.as_bytes(), true));
    let aes_file = d.file("pskc.key", b"42424242424242424242424242424242\n");
    let wrong_aes = d.file("wrong.key", b"00000000000000000000000000000000\n");
    let bad_key = d.refused(
        &[&asc, "--pgp-key", &key, "--pskc-key-file", &wrong_aes],
        Some(PASSPHRASE),
    );
    assert!(bad_key.contains("key or passphrase is wrong"), "{bad_key}");
    let out = d.import(
        &[
            &asc,
            "--format",
            "pskc",
            "--pgp-key",
            &key,
            "--pskc-key-file",
            &aes_file,
        ],
        Some(PASSPHRASE),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(d.secret_of("PSKC-1"), s3.expose().to_vec());

    let again = d.import(
        &[&gpg_csv, "--pgp-key", &key, "--json", "--accept-hex"],
        Some(PASSPHRASE),
    );
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["skipped"].as_array().unwrap().len(), 2, "{again}");

    let mut haystacks = d.printed.clone();
    haystacks.extend(files_in(&[d.dir.path(), d.tmp.path()]));
    for s in [&s1, &s2, &s3] {
        assert_nowhere(s, &haystacks);
    }
}

#[test]
fn bad_records_exit_2_naming_the_line_and_a_hex_secret_is_previewed() {
    let mut d = Desk::new();
    let header = "upn,serial number,secret key,time interval,manufacturer,model\n";
    let slow = d.file(
        "slow.csv",
        format!("{header},S45,JBSWY3DPEHPK3PXPJBSWY3DP,45,Token2,C202\n").as_bytes(),
    );
    let e = d.refused(&[&slow], None);
    assert!(
        e.contains("line 2: Entra accepts 30 or 60 second tokens, not 45 s"),
        "{e}"
    );
    let dup = d.file(
        "dup.csv",
        format!(
            "{header},D1,JBSWY3DPEHPK3PXPJBSWY3DP,30,T,M\n,D1,GEZDGNBVGY3TQOJQGEZDGNBV,30,T,M\n"
        )
        .as_bytes(),
    );
    let e = d.refused(&[&dup, "--preview"], None);
    assert!(e.contains("line 3: serial D1 is also at line 2"), "{e}");
    let e = d.refused(&[&dup, "--format", "xml"], None);
    assert!(e.contains("no seed-file format"), "{e}");
    assert!(!e.contains("JBSWY3DP") && !e.contains("GEZDGNBV"));

    let hex = d.file(
        "hex.csv",
        format!("{header},H1,3132333435363738393031323334353637383930,30,T,M\n").as_bytes(),
    );
    let out = d.import(&[&hex, "--preview"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        shown.contains("line 2: H1")
            && shown.contains("warning: hex secret converted to base32")
            && shown.contains("create"),
        "{shown}"
    );
    assert!(
        d.sandbox.tenant().devices.is_empty(),
        "a preview creates nothing"
    );
    assert!(
        !shown.contains("3132333435") && !shown.contains("GEZDGNBVGY3TQOJQ"),
        "{shown}"
    );

    // A real import of it needs the operator's yes: without it, exit 2
    // before any Graph call; with it, the token holds the hex's bytes.
    let e = d.refused(&[&hex], None);
    assert!(
        e.contains(
            "line 2: the secret was hex and was converted to base32; check the preview, then import with --accept-hex"
        ),
        "{e}"
    );
    assert!(
        !e.contains("3132333435") && !e.contains("GEZDGNBVGY3TQOJQ"),
        "{e}"
    );
    assert!(
        !d.sandbox
            .tenant()
            .answered
            .iter()
            .any(|(_, call)| call.starts_with("POST") || call.starts_with("PATCH")),
        "nothing was created: {:?}",
        d.sandbox.tenant().answered
    );
    let out = d.import(&[&hex, "--accept-hex"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(d.secret_of("H1"), b"12345678901234567890".to_vec());
}
