//! Helpers shared by the CLI's integration tests: run the real binary with
//! stdin and environment, capture everything it prints.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oathdesk-cli"))
}

/// Runs `oathdesk-cli args…` with `stdin` piped in.
pub fn run(args: &[&str], stdin: &str) -> Output {
    run_with(args, stdin, &[])
}

/// Like [`run`], with extra environment variables.
pub fn run_with(args: &[&str], stdin: &str, env: &[(&str, String)]) -> Output {
    let mut child = cli()
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("OATHDESK_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oathdesk-cli starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().expect("oathdesk-cli finishes")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs with `--json` and parses stdout.
pub fn run_json(args: &[&str], stdin: &str) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(&all, stdin);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// The JSON error a `--json` command wrote as its last stderr line (progress
/// lines may come before it).
pub fn json_error(o: &Output) -> serde_json::Value {
    let text = stderr(o);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("no JSON error ({e}) in:\n{text}"))
}
