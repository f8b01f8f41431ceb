//! Helpers shared by the CLI's integration tests: run the real binary with
//! stdin and environment, capture everything it prints.

#![allow(dead_code, unused_imports)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
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
    let mut command = cli();
    command
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("OATHDESK_SECRET");
    finish(command, stdin)
}

/// Runs `command` with `stdin` piped in, capturing everything it prints.
pub fn finish(mut command: Command, stdin: &str) -> Output {
    let mut child = command
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

/// Runs `oathdesk-cli login --tenant contoso` and plays the browser: follows
/// the sign-in URL it prints to the sandbox's authorize page and back to
/// its loopback redirect. `env` points `OATHDESK_AUTHORITY` at the sandbox
/// and sets `OATHDESK_BROWSER=none`.
pub fn login_through_sandbox(env: &[(&str, String)]) -> Output {
    let mut child = cli()
        .args(["login", "--tenant", "contoso", "--json"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("OATHDESK_ACCESS_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = stderr_lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("sign-in: open ").map(str::to_string))
        .expect("the CLI prints the sign-in URL");
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http.get(&url).send().unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(http.get(location).send().unwrap().status().is_success());
    child.wait_with_output().unwrap()
}

pub use oathdesk_testkit::leaks::{assert_nowhere, files, files_in};

/// `text` as a QR code picture `qr.png` in `dir`.
pub fn write_qr(dir: &Path, text: &str) -> PathBuf {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let img = code
        .render::<image::Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let path = dir.join("qr.png");
    img.save(&path).unwrap();
    path
}
