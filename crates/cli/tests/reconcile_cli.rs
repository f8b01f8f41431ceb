//! `oathdesk-cli inventory reconcile` against the Graph sandbox: a token
//! created through this desk and a legacy-CSV copy of it beside a token
//! put in Entra elsewhere are listed as numbered findings (`--json`); a
//! destructive fix without `--yes` exits 2 with nothing written; with it
//! the extra copy is deleted, one audit record says so, and a second
//! reconcile no longer lists the duplicate. Run through tests/harness
//! (the keyring).

mod common;
use std::process::Output;

use common::{run_with, stderr, stdout};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use serde_json::{Value, json};

struct Desk {
    dir: tempfile::TempDir,
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

    fn cli(&self, args: &[&str], stdin: &str) -> Output {
        let env = [
            ("OATHDESK_DATA_DIR", self.dir.path().display().to_string()),
            ("OATHDESK_GRAPH_URL", self.sandbox.base_url()),
            ("OATHDESK_ACCESS_TOKEN", "op".into()),
            ("TMPDIR", self.tmp.path().display().to_string()),
        ];
        run_with(args, stdin, &env)
    }

    fn json(&self, args: &[&str], stdin: &str) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.cli(&all, stdin);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("JSON on stdout")
    }

    fn elsewhere(&self, serial: &str, seed: &str) -> String {
        let body = json!({"serialNumber": serial, "manufacturer": "Token2", "model": "C302-i",
            "secretKey": seed, "timeIntervalInSeconds": 30, "hashFunction": "hmacsha1"});
        self.sandbox.tenant().create(&body).unwrap().id
    }

    fn audit(&self) -> Vec<Value> {
        let out = self.cli(&["audit", "export", "--format", "jsonl"], "");
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        text.lines()
            .filter(|l| l.trim_start().starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

#[test]
fn findings_are_numbered_and_a_fix_is_applied_only_when_confirmed() {
    let d = Desk::new();
    let created = d.json(
        &[
            "inventory",
            "create",
            "--serial",
            "REC-1",
            "--model",
            "C302-i",
            "--user",
            "alice@contoso.com",
        ],
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n",
    );
    let here = created["id"].as_str().unwrap().to_string();
    let copy = d.elsewhere("rec-1 ", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    let other = d.elsewhere("ELSE-9", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U");

    let findings = d.json(&["inventory", "reconcile"], "");
    let list = findings.as_array().unwrap();
    assert_eq!(list.len(), 2, "{findings:#}");
    let dup = list
        .iter()
        .find(|f| f["kind"] == "duplicate_serial")
        .expect("the duplicate");
    assert_eq!(dup["fix"]["action"], "delete");
    assert_eq!(dup["fix"]["device_id"], copy.as_str());
    assert_eq!(dup["fix"]["keep_device_id"], here.as_str());
    let never = list
        .iter()
        .find(|f| f["kind"] == "never_seen_here")
        .expect("the other token");
    assert_eq!(never["device_ids"], json!([other]));
    assert_eq!(never["fix"]["action"], "none");
    let n = dup["number"].as_u64().unwrap().to_string();

    // Without --yes: refused as input, Entra unchanged, no record.
    let records = d.audit().len();
    let out = d.cli(&["inventory", "reconcile", "--fix", &n], "");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert!(d.sandbox.tenant().device(&copy).is_some());
    assert_eq!(d.audit().len(), records);
    let out = d.cli(&["inventory", "reconcile", "--fix", "99"], "");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let done = d.json(&["inventory", "reconcile", "--fix", &n, "--yes"], "");
    assert_eq!(done["outcome"], "applied", "{done:#}");
    assert!(d.sandbox.tenant().device(&copy).is_none());
    assert!(d.sandbox.tenant().device(&here).is_some());
    let audit = d.audit();
    assert_eq!(audit.len(), records + 1, "{audit:#?}");
    let last = audit.last().unwrap();
    assert_eq!(last["action"], "delete");
    assert_eq!(last["outcome"], "ok");
    assert_eq!(last["serial"], "rec-1 ");

    let text = d.cli(&["inventory", "reconcile"], "");
    assert!(text.status.success(), "{}", stderr(&text));
    let shown = stdout(&text);
    assert!(shown.contains("  1. ELSE-9 is in Entra"), "{shown}");
    assert!(!shown.contains("rec-1"), "{shown}");
}
