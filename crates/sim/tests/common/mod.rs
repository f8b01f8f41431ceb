//! Helpers for the tests that run the real `oathdesk-sim` binary: start it
//! with stdin closed, read its ready line, signal it, wait for its exit.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the sim may take to exit after a signal before the test fails.
const EXIT_WITHIN: Duration = Duration::from_secs(20);

/// A running `oathdesk-sim`, killed if a test fails before it exits.
pub struct Sim {
    child: Option<Child>,
    stdout: BufReader<ChildStdout>,
}

impl Sim {
    /// Starts `oathdesk-sim args…` with stdin at `/dev/null` (so it is
    /// closed from the first read) and stdout piped.
    pub fn start(args: &[&str]) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oathdesk-sim"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("oathdesk-sim starts");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Sim {
            child: Some(child),
            stdout,
        }
    }

    /// The next line it prints (blocks until it does, or exits).
    pub fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self.stdout.read_line(&mut line).expect("read stdout");
        assert!(n > 0, "oathdesk-sim closed stdout before printing a line");
        line.trim_end().to_string()
    }

    pub fn assert_running(&mut self) {
        let child = self.child.as_mut().unwrap();
        let status = child.try_wait().expect("try_wait");
        assert!(status.is_none(), "oathdesk-sim exited early: {status:?}");
    }

    /// Sends `signal` ("TERM", "INT") with kill(1).
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill(1) runs")
            .success();
        assert!(ok, "kill -{signal} {pid} failed");
    }

    /// Waits for the exit; fails (and kills it) if it takes longer than
    /// [`EXIT_WITHIN`].
    pub fn wait(mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        match rx.recv_timeout(EXIT_WITHIN) {
            Ok(status) => status.expect("wait"),
            Err(_) => {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                panic!("oathdesk-sim did not exit within {EXIT_WITHIN:?} of the signal");
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `oathdesk-sim token …` on one vpcd reader with a control socket, once
/// it has printed "ready"; the socket's folder goes with it. Unix only, as
/// the command is (its control socket is a unix socket).
#[cfg(unix)]
pub struct TokenSim {
    pub sim: Sim,
    pub socket: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

#[cfg(unix)]
impl TokenSim {
    /// Starts `token ARGS… --vpcd-port PORT --wait-for-reader READER
    /// --state-socket …` and waits for its ready line.
    pub fn start(reader: &str, port: u16, args: &[&str]) -> TokenSim {
        let dir = tempfile::tempdir().expect("a private folder");
        let socket = dir.path().join("control.sock");
        let port = port.to_string();
        let mut all = vec!["token"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--vpcd-port", &port, "--wait-for-reader", reader]);
        all.extend_from_slice(&["--state-socket", socket.to_str().unwrap()]);
        let mut sim = Sim::start(&all);
        assert_eq!(sim.line(), "ready");
        TokenSim {
            sim,
            socket,
            _dir: dir,
        }
    }

    /// Sends one control command on a fresh connection; its JSON answer.
    pub fn control(&self, cmd: &str) -> serde_json::Value {
        use std::io::{BufRead, Write};
        let mut conn =
            std::os::unix::net::UnixStream::connect(&self.socket).expect("control socket is bound");
        writeln!(conn, "{cmd}").unwrap();
        let mut answer = String::new();
        BufReader::new(conn).read_line(&mut answer).unwrap();
        serde_json::from_str(&answer).expect("a JSON answer")
    }
}
