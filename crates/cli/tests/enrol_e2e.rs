//! Enrolment from the command line, killed after each step and resumed:
//! `oathdesk-cli enrol` → station → pcscd/vpcd → the virtual token, and →
//! Graph over HTTP → the sandbox. Ends with a scan of everything the runs
//! left behind for the secrets they used. Run through tests/harness.

mod common;
use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

use common::{
    assert_nowhere, cli, files_in, json_error, login_through_sandbox, run_with, stderr, write_qr,
};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_testkit::{Insert, VirtualReader};

struct Desk {
    dir: tempfile::TempDir,
    /// The CLI's TMPDIR, scanned for secrets afterwards.
    tmp: tempfile::TempDir,
    sandbox: Sandbox,
}

impl Desk {
    fn new() -> Desk {
        let seed =
            TenantSeed::with_operator("op", vec![SeedUser::member("u-alice", "alice@contoso.com")]);
        Desk {
            dir: tempfile::tempdir().unwrap(),
            tmp: tempfile::tempdir().unwrap(),
            sandbox: Sandbox::start(seed, 0).unwrap(),
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OATHDESK_DATA_DIR", self.dir.path().display().to_string()),
            ("OATHDESK_GRAPH_URL", self.sandbox.base_url()),
            ("OATHDESK_ACCESS_TOKEN", "op".into()),
            ("TMPDIR", self.tmp.path().display().to_string()),
        ]
    }

    fn run(&self, args: &[&str]) -> Output {
        run_with(args, "", &self.env())
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Starts `enrol` and SIGKILLs it as soon as it reports `step` done.
    /// Returns everything it printed.
    fn enrol_killed_after(&self, reader: &str, step: &str) -> String {
        let mut child = cli()
            .args([
                "enrol",
                "--user",
                "alice@contoso.com",
                "--reader",
                reader,
                "--json",
            ])
            .envs(self.env())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let marker = format!("progress: {{\"step\":\"{step}\",\"status\":\"done\"");
        let mut seen = String::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.starts_with(&marker) {
                child.kill().unwrap();
                break;
            }
        }
        child.wait().unwrap();
        seen
    }
}

fn token(serial_suffix: &str) -> Token2Card {
    Token2Card::new(
        Token2Model::by_name("OTPC-P1-i").unwrap(),
        serial_suffix,
        TokenClock::offset(-30, 0.0),
    )
}

#[test]
fn enrol_killed_after_each_step_resumes_to_activated_once_and_leaves_no_secret() {
    let mut printed = Vec::new();
    let mut secrets = Vec::new();
    let mut dirs = Vec::new();
    for (i, step) in ["set_clock", "write_seed", "create", "activate"]
        .iter()
        .enumerate()
    {
        let d = Desk::new();
        d.sandbox.tenant().faults.latency_ms = 150;
        let reader = VirtualReader::acquire();
        let t = reader.insert(token(&format!("90{i}")));
        printed.push((
            format!("enrol killed after {step}"),
            d.enrol_killed_after(reader.name(), step).into_bytes(),
        ));

        let pending = d.json(&["journal", "list", "--json"]);
        let pending = pending.as_array().unwrap();
        assert_eq!(pending.len(), 1, "after {step}: one pending enrolment");
        assert_eq!(pending[0]["has_sealed_secret"], true);
        let id = pending[0]["id"].as_str().unwrap().to_string();

        let out = d.run(&["journal", "resume", &id, "--json"]);
        assert!(
            out.status.success(),
            "resume after {step}: {}",
            stderr(&out)
        );
        printed.push((
            format!("resume after {step}"),
            [out.stdout, out.stderr].concat(),
        ));

        let serial = t.card().serial.clone();
        let tenant = d.sandbox.tenant();
        assert_eq!(
            tenant.devices.iter().filter(|x| x.serial == serial).count(),
            1,
            "after {step}: one inventory entry"
        );
        let stored = tenant.by_serial(&serial).unwrap().clone();
        drop(tenant);
        assert_eq!(stored.status, "activated", "after {step}");
        let host = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let card = t.card();
        assert_eq!(
            oathdesk_otp::totp(&stored.secret, &stored.params, card.clock.at(host)).unwrap(),
            card.display_code_at(host).unwrap()
        );
        drop(card);
        assert!(
            d.json(&["journal", "list", "--json"])
                .as_array()
                .unwrap()
                .is_empty(),
            "nothing pending after resume"
        );
        assert_eq!(d.json(&["audit", "verify", "--json"])["intact"], true);
        secrets.push(stored.secret);
        dirs.push(d);
    }
    // Everything the runs left: databases, printed output, temp files.
    let mut haystacks = printed;
    for d in &dirs {
        haystacks.extend(files_in(&[d.dir.path(), d.tmp.path()]));
    }
    assert!(
        haystacks
            .iter()
            .any(|(name, _)| name.ends_with("station.sqlite")),
        "the scan reads the databases"
    );
    for s in &secrets {
        assert_nowhere(s, &haystacks);
    }
}

#[test]
fn enrol_for_an_unknown_user_touches_nothing() {
    let d = Desk::new();
    let reader = VirtualReader::acquire();
    let t = reader.insert(token("777"));
    let out = d.run(&[
        "enrol",
        "--user",
        "nobody@contoso.com",
        "--reader",
        reader.name(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        json_error(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("UPN")
    );
    assert_eq!(t.card().faults_view().apdus_seen, 0);
    assert!(d.sandbox.tenant().devices.is_empty());
}

#[test]
fn inventory_and_user_commands_against_the_sandbox() {
    let d = Desk::new();
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let create = [
        "inventory",
        "create",
        "--serial",
        "INV001",
        "--model",
        "C302-i",
        "--user",
        "alice@contoso.com",
        "--json",
    ];
    let out = run_with(&create, secret, &d.env());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let listed = d.json(&["inventory", "list", "--serial", "INV001", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        d.json(&["inventory", "show", &id, "--json"])["status"],
        "assigned"
    );
    let out = d.run(&["inventory", "delete", &id, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        json_error(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Unassign")
    );
    d.json(&[
        "inventory",
        "unassign",
        &id,
        "--user",
        "alice@contoso.com",
        "--json",
    ]);
    d.json(&["inventory", "delete", &id, "--json"]);
    assert!(d.sandbox.tenant().devices.is_empty());
    let users = d.json(&["users", "search", "ali", "--json"]);
    assert_eq!(users[0]["user_principal_name"], "alice@contoso.com");
}

#[test]
fn login_whoami_logout_with_the_keyring() {
    let mut seed = TenantSeed::with_operator(
        "unused",
        vec![
            SeedUser::member("u-op", "helpdesk@contoso.com").with_roles(&[
                "Authentication Policy Administrator",
                "Authentication Administrator",
            ]),
        ],
    );
    seed.operator = Some("helpdesk@contoso.com".into());
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(&str, String)> = vec![
        ("OATHDESK_DATA_DIR", dir.path().display().to_string()),
        ("OATHDESK_GRAPH_URL", sandbox.base_url()),
        ("OATHDESK_AUTHORITY", sandbox.base_url()),
        (
            "OATHDESK_CLIENT_ID",
            format!("cli-test-{}", std::process::id()),
        ),
        ("OATHDESK_BROWSER", "none".into()),
    ];
    let out = login_through_sandbox(&env);
    assert!(out.status.success(), "login failed");
    let remembered = std::fs::read_to_string(dir.path().join("signin.json")).unwrap();
    assert!(
        !remembered.contains(&sandbox.base_url()),
        "the sandbox's address is not remembered for later runs: {remembered}"
    );

    let whoami = run_with(&["whoami", "--json"], "", &env);
    assert!(whoami.status.success(), "{}", stderr(&whoami));
    let said = stderr(&whoami);
    let url = sandbox.base_url();
    assert!(
        said.contains(&format!(
            "not Microsoft's Entra: Graph at {url}, sign-in at {url}"
        )),
        "a fake tenant is never silent: {said}"
    );
    let me: serde_json::Value = serde_json::from_slice(&whoami.stdout).unwrap();
    assert_eq!(me["user_principal_name"], "helpdesk@contoso.com");
    assert!(
        run_with(&["inventory", "list", "--json"], "", &env)
            .status
            .success()
    );

    assert!(run_with(&["logout", "--json"], "", &env).status.success());
    let after = run_with(&["whoami", "--json"], "", &env);
    assert_eq!(after.status.code(), Some(1));
}

#[test]
fn inventory_import_of_a_legacy_csv_skips_known_serials_and_reports_bad_users() {
    let d = Desk::new();
    let csv = d.dir.path().join("tokens.csv");
    std::fs::write(
        &csv,
        "upn,serial number,secret key,timeinterval,manufacturer,model\n\
         alice@contoso.com,IMP001,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ,30,Token2,C302-i\n\
         ,IMP002,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP,60,Token2,C302-i\n\
         nobody@contoso.com,IMP003,MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U,30,Token2,C302-i\n",
    )
    .unwrap();
    let first = d.json(&["inventory", "import", csv.to_str().unwrap(), "--json"]);
    assert_eq!(first["created"].as_array().unwrap().len(), 2);
    assert_eq!(first["failed"].as_array().unwrap().len(), 1);
    assert!(
        first["failed"][0]
            .as_str()
            .unwrap()
            .contains("nobody@contoso.com")
    );
    assert_eq!(
        d.sandbox
            .tenant()
            .by_serial("IMP001")
            .unwrap()
            .assigned_to
            .as_deref(),
        Some("u-alice")
    );
    let again = d.json(&["inventory", "import", csv.to_str().unwrap(), "--json"]);
    assert_eq!(
        again["skipped"].as_array().unwrap().len(),
        2,
        "known serials are never overwritten"
    );
    let out = d.run(&["inventory", "import", csv.to_str().unwrap(), "--json"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("GEZDGNBV"));

    std::fs::write(&csv, "upn,serial number,secret key,time interval,manufacturer,model\nx,S,0123456789abcdef0123,45,T,M\n").unwrap();
    let bad = d.run(&["inventory", "import", csv.to_str().unwrap()]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "bad input is refused before anything is sent"
    );
    assert!(!stderr(&bad).contains("0123456789abcdef0123"));
}

/// Every other command that handles a secret — burn from stdin and from a
/// QR picture, scan, resync, inventory import — leaves none behind: not in
/// what it printed, the data directory (database, exports) or its TMPDIR,
/// as raw bytes, base32 in either case or hex.
#[test]
fn burn_scan_resync_and_import_leave_no_secret_anywhere() {
    let d = Desk::new();
    let inputs = tempfile::tempdir().unwrap();
    let reader = VirtualReader::acquire();
    let _t = reader.insert(Token2Card::new(
        Token2Model::by_name("C302-i").unwrap(),
        "4242",
        TokenClock::offset(-40, 0.0),
    ));
    let secrets = [
        oathdesk_otp::Secret::from_slice(b"leak-scan-burn-stdin"),
        oathdesk_otp::Secret::from_slice(b"leak-scan-burn-qr-01"),
        oathdesk_otp::Secret::from_slice(b"leak-scan-import-002"),
    ];
    let uri = |s: &oathdesk_otp::Secret| {
        format!(
            "otpauth://totp/Contoso:jane@contoso.com?secret={}&issuer=Contoso",
            s.to_base32().as_str()
        )
    };
    let qr = write_qr(inputs.path(), &uri(&secrets[1]));
    let csv = inputs.path().join("tokens.csv");
    std::fs::write(
        &csv,
        format!(
            "upn,serial number,secret key,timeinterval,manufacturer,model\n,LEAK001,{},30,Token2,C302-i\n",
            secrets[2].to_base32().as_str()
        ),
    )
    .unwrap();
    let qr = qr.display().to_string();
    let csv = csv.display().to_string();
    let runs: [(&[&str], String); 6] = [
        (&["burn", "--reader", reader.name()], uri(&secrets[0])),
        (&["scan", "--from-qr", &qr], String::new()),
        (
            &["burn", "--reader", reader.name(), "--from-qr", &qr],
            String::new(),
        ),
        (&["resync", "--reader", reader.name()], String::new()),
        (&["inventory", "import", &csv], String::new()),
        (&["audit", "export", "--format", "csv"], String::new()),
    ];
    let mut haystacks = Vec::new();
    for (args, stdin) in runs {
        for json in [false, true] {
            let mut all = args.to_vec();
            if json {
                all.push("--json");
            }
            let out = run_with(&all, &stdin, &d.env());
            assert!(out.status.success(), "{all:?}: {}", stderr(&out));
            haystacks.push((format!("{all:?}"), [out.stdout, out.stderr].concat()));
        }
    }
    assert!(
        d.sandbox.tenant().by_serial("LEAK001").is_some(),
        "the import ran"
    );
    haystacks.extend(files_in(&[d.dir.path(), d.tmp.path()]));
    assert!(haystacks.iter().any(|(n, _)| n.ends_with("station.sqlite")));
    for s in &secrets {
        assert_nowhere(s, &haystacks);
    }
}
