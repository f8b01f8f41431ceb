//! `oathdesk-cli batch` end to end: a CSV of new hires checked with Entra
//! (the Graph sandbox), then `batch run` at the desk — the test plays the
//! operator, placing each token when the CLI asks for it and taking it
//! off when told — and the report. Tokens are virtual, behind the private
//! pcscd (run through tests/harness).

mod common;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{cli, run_with, stderr};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_testkit::{Insert, VirtualReader};

struct Desk {
    dir: tempfile::TempDir,
    sandbox: Sandbox,
}

impl Desk {
    fn new() -> Desk {
        let users = vec![
            SeedUser::member("u-1", "hire1@contoso.com"),
            SeedUser::member("u-2", "hire2@contoso.com"),
            SeedUser::guest("u-gus", "gus@partner.com"),
        ];
        Desk {
            dir: tempfile::tempdir().unwrap(),
            sandbox: Sandbox::start(TenantSeed::with_operator("op", users), 0).unwrap(),
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OATHDESK_DATA_DIR", self.dir.path().display().to_string()),
            ("OATHDESK_GRAPH_URL", self.sandbox.base_url()),
            ("OATHDESK_ACCESS_TOKEN", "op".into()),
        ]
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = run_with(args, "", &self.env());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn csv(&self, text: &str) -> String {
        let path = self.dir.path().join("hires.csv");
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

fn token(suffix: &str) -> Token2Card {
    Token2Card::new(
        Token2Model::by_name("C302-i").unwrap(),
        suffix,
        TokenClock::offset(0, 0.0),
    )
}

#[test]
fn a_batch_runs_token_after_token_and_reports_without_secrets() {
    let d = Desk::new();
    let csv = d.csv("upn,display name\nhire1@contoso.com,Hire One\ngus@partner.com,Gus\nhire2@contoso.com,Hire Two\n");
    let started = d.json(&["batch", "start", "--csv", &csv, "--name", "March", "--json"]);
    let statuses: Vec<_> = started["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].clone())
        .collect();
    assert_eq!(statuses, ["waiting", "refused", "waiting"]);
    let id = started["id"].as_str().unwrap().to_string();

    let reader = VirtualReader::acquire();
    let mut child = cli()
        .args(["batch", "run", &id, "--reader", reader.name(), "--json"])
        .envs(d.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let prompts = BufReader::new(child.stderr.take().unwrap());
    let (mut placed, mut on_reader, mut heard) = (0, None, Vec::new());
    for line in prompts.lines() {
        let line = line.unwrap();
        if line.starts_with("batch: place") {
            placed += 1;
            on_reader = Some(reader.insert(token(&format!("70010{placed}"))));
        } else if line.starts_with("batch: remove") {
            on_reader = None;
        }
        if line.starts_with("batch:") {
            heard.push(line);
        }
    }
    drop(on_reader);
    assert!(child.wait().unwrap().success(), "{heard:?}");
    assert_eq!(
        heard[..2],
        [
            "batch: place the token for hire1@contoso.com (#1)",
            "batch: remove the token"
        ]
    );
    assert!(
        heard.last().unwrap().starts_with("batch: finished"),
        "{heard:?}"
    );
    let mut turns = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut turns).unwrap();
    let enrolled: Vec<String> = turns
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|t| {
            format!(
                "{} {}",
                t["kind"].as_str().unwrap(),
                t["upn"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        enrolled,
        ["enrolled hire1@contoso.com", "enrolled hire2@contoso.com"]
    );
    {
        let tenant = d.sandbox.tenant();
        for (serial, user) in [("8659632700101", "u-1"), ("8659632700102", "u-2")] {
            let stored = tenant.by_serial(serial).unwrap();
            assert_eq!(
                (stored.status.as_str(), stored.assigned_to.as_deref()),
                ("activated", Some(user))
            );
        }
    }

    let pdf = d.dir.path().join("sheets.pdf");
    let pdf_arg = pdf.display().to_string();
    d.json(&["batch", "sheets", &id, "--output", &pdf_arg, "--json"]);
    let sheets = lopdf::Document::load(&pdf).unwrap();
    assert_eq!(sheets.get_pages().len(), 2, "a page per activated user");

    let report = run_with(&["batch", "report", &id], "", &d.env());
    let report = String::from_utf8(report.stdout).unwrap();
    assert!(
        report.contains("hire1@contoso.com,Hire One,8659632700101,C302-i,activated,"),
        "{report}"
    );
    assert!(
        report.contains("gus@partner.com,Gus,,,refused,"),
        "{report}"
    );
    let tenant = d.sandbox.tenant();
    for device in &tenant.devices {
        assert!(
            !report.contains(device.secret.to_base32().as_str()),
            "a secret in the report"
        );
    }
}

#[test]
fn a_bad_list_is_refused_before_any_call() {
    let d = Desk::new();
    let csv = d.csv("upn\nhire1@contoso.com\nhire1@contoso.com\n");
    let out = run_with(
        &["batch", "start", "--csv", &csv, "--name", "x"],
        "",
        &d.env(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already on line 2"),
        "{}",
        stderr(&out)
    );
    assert!(
        d.sandbox.tenant().answered.is_empty(),
        "Entra was not asked"
    );
}

#[test]
fn a_batch_from_an_entra_group_is_named_after_it() {
    let users = vec![
        SeedUser::member("u-1", "hire1@contoso.com").in_groups(&["April starters"]),
        SeedUser::guest("u-gus", "gus@partner.com").in_groups(&["April starters"]),
    ];
    let d = Desk {
        dir: tempfile::tempdir().unwrap(),
        sandbox: Sandbox::start(TenantSeed::with_operator("op", users), 0).unwrap(),
    };
    let started = d.json(&["batch", "start", "--group", "April starters", "--json"]);
    assert_eq!(started["name"], "April starters");
    let queue: Vec<(&str, &str)> = started["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["upn"].as_str().unwrap(), u["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        queue,
        [
            ("hire1@contoso.com", "waiting"),
            ("gus@partner.com", "refused")
        ]
    );
    let out = run_with(&["batch", "start", "--group", "May starters"], "", &d.env());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no group named \"May starters\""),
        "{}",
        stderr(&out)
    );
    let out = run_with(&["batch", "start", "--name", "x"], "", &d.env());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--csv"), "{}", stderr(&out));
}
