//! An operator's inventory session from the command line, against the
//! Graph sandbox over HTTP: sign in, create two tokens, assign, activate
//! with the code the token would show, two writes Entra refuses, unassign,
//! delete, a Molto2's clock synced, sign out. The audit export then holds exactly one record per
//! write, in order, each with its typed action, the token's real serial,
//! the outcome, the operator and the write's own request id; the log
//! verifies; and no secret is in anything the session printed or left in
//! its data directory. Run through tests/harness (the keyring).

mod common;
use std::process::Output;

use common::{assert_nowhere, cli, files_in, finish, login_through_sandbox, stderr};
use oathdesk_otp::{Algorithm, CodeParams, Secret, totp};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::{Molto2Card, TokenClock};
use oathdesk_testkit::{Insert, VirtualReader};
use serde_json::Value;

const OPERATOR: &str = "helpdesk@contoso.com";
const ALICE: &str = "alice@contoso.com";
const SERIAL_A: &str = "8659612000401";
const SERIAL_B: &str = "8659612000402";
const MOLTO2: &str = "MOLTO2A00001";

struct Session {
    dir: tempfile::TempDir,
    /// The CLI's TMPDIR, scanned for secrets too.
    tmp: tempfile::TempDir,
    sandbox: Sandbox,
    /// Everything each command printed, for the secret scan.
    printed: Vec<(String, Vec<u8>)>,
}

impl Session {
    fn start() -> Session {
        let mut seed = TenantSeed::with_operator(
            "unused",
            vec![
                SeedUser::member("u-op", OPERATOR).with_roles(&[
                    "Authentication Policy Administrator",
                    "Authentication Administrator",
                ]),
                SeedUser::member("u-alice", ALICE),
            ],
        );
        seed.operator = Some(OPERATOR.into());
        Session {
            dir: tempfile::tempdir().unwrap(),
            tmp: tempfile::tempdir().unwrap(),
            sandbox: Sandbox::start(seed, 0).unwrap(),
            printed: Vec::new(),
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OATHDESK_DATA_DIR", self.dir.path().display().to_string()),
            ("OATHDESK_GRAPH_URL", self.sandbox.base_url()),
            ("OATHDESK_AUTHORITY", self.sandbox.base_url()),
            (
                "OATHDESK_CLIENT_ID",
                format!("inventory-audit-{}", std::process::id()),
            ),
            ("OATHDESK_BROWSER", "none".into()),
            ("TMPDIR", self.tmp.path().display().to_string()),
        ]
    }

    /// Runs `oathdesk-cli args… --json` as the signed-in operator.
    fn run(&mut self, args: &[&str], stdin: &str) -> Output {
        let mut command = cli();
        command
            .args(args)
            .arg("--json")
            .envs(self.env())
            .env_remove("OATHDESK_ACCESS_TOKEN")
            .env_remove("OATHDESK_SECRET");
        let out = finish(command, stdin);
        self.keep(&format!("{args:?}"), &out);
        out
    }

    fn keep(&mut self, what: &str, out: &Output) {
        self.printed
            .push((what.to_string(), [&out.stdout[..], &out.stderr].concat()));
    }

    fn ok(&mut self, args: &[&str], stdin: &str) -> Value {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs a write Entra refuses: exit 1, and the message it printed.
    fn refused(&mut self, args: &[&str]) -> String {
        let out = self.run(args, "");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        stderr(&out)
    }

    fn create(&mut self, serial: &str, secret: &Secret) -> String {
        let args = [
            "inventory",
            "create",
            "--serial",
            serial,
            "--model",
            "C302-i",
        ];
        let created = self.ok(&args, &secret.to_base32());
        created["id"].as_str().unwrap().to_string()
    }

    fn activate(&mut self, id: &str, code: &str) -> Output {
        let args = ["inventory", "activate", id, "--user", ALICE, "--code", code];
        self.run(&args, "")
    }

    fn status(&self, serial: &str) -> String {
        self.sandbox
            .tenant()
            .by_serial(serial)
            .unwrap()
            .status
            .clone()
    }
}

const SHA1_30: CodeParams = CodeParams {
    algorithm: Algorithm::Sha1,
    digits: 6,
    period: 30,
};

/// The code a token holding `secret` shows now.
fn code_now(secret: &Secret) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp(secret, &SHA1_30, now).unwrap()
}

/// (action, serial, user, outcome) of an exported record.
fn summary(r: &Value) -> (&str, Option<&str>, Option<&str>, &str) {
    (
        r["action"].as_str().unwrap(),
        r["serial"].as_str(),
        r["user"].as_str(),
        r["outcome"].as_str().unwrap(),
    )
}

#[test]
fn every_inventory_write_leaves_one_true_record_and_no_secret() {
    let mut s = Session::start();
    let (secret_a, secret_b) = (
        Secret::from_slice(b"inventory-audit-A-01"),
        Secret::from_slice(b"inventory-audit-B-02"),
    );
    let login = login_through_sandbox(&s.env());
    s.keep("login", &login);
    assert!(login.status.success(), "login: {}", stderr(&login));

    let id_a = s.create(SERIAL_A, &secret_a);
    s.create(SERIAL_B, &secret_b);
    let id_b = s.sandbox.tenant().by_serial(SERIAL_B).unwrap().id.clone();
    s.ok(&["inventory", "assign", &id_a, "--user", ALICE], "");

    let typo = s.activate(&id_a, "12345");
    assert_eq!(typo.status.code(), Some(2), "a 5-digit code is bad input");
    assert_eq!(s.status(SERIAL_A), "assigned", "Graph was not called");

    let activated = s.activate(&id_a, &code_now(&secret_a));
    assert!(activated.status.success(), "{}", stderr(&activated));
    assert_eq!(s.status(SERIAL_A), "activated");
    let still_assigned = s.refused(&["inventory", "delete", &id_a]);
    s.refused(&["inventory", "assign", &id_b, "--user", "nobody@contoso.com"]);
    s.ok(&["inventory", "unassign", &id_a, "--user", ALICE], "");
    s.ok(&["inventory", "delete", &id_a], "");
    // A Molto2 on the desk reader, its clock synced (every slot).
    let reader = VirtualReader::acquire();
    let molto2 = reader.insert(Molto2Card::new(MOLTO2, TokenClock::offset(-300, 0.0)));
    s.ok(&["sync-clock", "--reader", reader.name()], "");
    assert!(
        molto2
            .card()
            .clock
            .now()
            .abs_diff(oathdesk_station::clock::now_unix())
            <= 2
    );
    s.ok(&["logout"], "");

    let export = s.run(&["audit", "export", "--format", "jsonl"], "");
    assert!(export.status.success(), "{}", stderr(&export));
    let records: Vec<Value> = String::from_utf8(export.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let a = Some(SERIAL_A);
    assert_eq!(
        records.iter().map(summary).collect::<Vec<_>>(),
        [
            ("sign-in", None, None, "ok"),
            ("create", a, None, "ok"),
            ("create", Some(SERIAL_B), None, "ok"),
            ("assign", a, Some(ALICE), "ok"),
            ("activate", a, Some(ALICE), "ok"),
            ("delete", a, None, "failed"),
            (
                "assign",
                Some(SERIAL_B),
                Some("nobody@contoso.com"),
                "failed"
            ),
            ("unassign", a, Some(ALICE), "ok"),
            ("delete", a, None, "ok"),
            ("set-clock", Some(MOLTO2), None, "ok"),
            ("sign-out", None, None, "ok"),
        ],
        "one record per write, in order: {records:#?}"
    );
    for r in &records {
        assert_eq!(r["operator"], OPERATOR, "{r}");
    }
    // The Entra writes: each names the call it made, not an earlier read.
    let writes = &records[1..records.len() - 2];
    let ids: std::collections::HashSet<&str> = writes
        .iter()
        .map(|r| r["request_id"].as_str().expect("a request id"))
        .collect();
    assert_eq!(ids.len(), writes.len(), "one request id per write");
    let refused_id = records[5]["request_id"].as_str().unwrap();
    assert!(
        still_assigned.contains(refused_id),
        "the refused delete's record has the id the operator was shown: {still_assigned}"
    );
    assert!(writes.iter().all(|r| r["serial"] != id_a.as_str()));

    let verify = s.ok(&["audit", "verify"], "");
    assert_eq!(verify["intact"], true);
    assert_eq!(verify["records"], records.len());

    let mut haystacks = std::mem::take(&mut s.printed);
    haystacks.extend(files_in(&[s.dir.path(), s.tmp.path()]));
    assert!(
        haystacks.iter().any(|(n, _)| n.ends_with("station.sqlite")),
        "the scan reads the database"
    );
    for secret in [&secret_a, &secret_b] {
        assert_nowhere(secret, &haystacks);
    }

    // Whoever can write the file drops the triggers and deletes every record
    // and the head row: the file alone would verify as an empty log, but the
    // head the keyring keeps says what was there.
    let db = rusqlite::Connection::open(s.dir.path().join("station.sqlite")).unwrap();
    db.execute_batch(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
         DELETE FROM audit; DELETE FROM audit_head;",
    )
    .unwrap();
    drop(db);
    let wiped = s.refused(&["audit", "verify"]);
    assert!(
        wiped.contains(&format!(
            "the keyring records that {} records were written: it was wiped",
            records.len()
        )),
        "{wiped}"
    );
}
