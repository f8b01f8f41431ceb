//! `oathdesk-sim graph`: the Graph sandbox on loopback.

use clap::Parser;
use signal_hook::consts::{SIGINT, SIGTERM};

use super::{Sandbox, TenantSeed};

/// What ends the sandbox: SIGINT or SIGTERM, registered before the server
/// starts.
#[cfg(unix)]
struct Stop(signal_hook::iterator::Signals);

#[cfg(unix)]
impl Stop {
    fn register() -> std::io::Result<Self> {
        signal_hook::iterator::Signals::new([SIGINT, SIGTERM]).map(Stop)
    }

    fn wait(mut self) {
        let _ = self.0.forever().next();
    }
}

/// What ends the sandbox on Windows: Ctrl-C in its console, which the C
/// runtime delivers as SIGINT (SIGTERM only when raised in-process; another
/// process ending this one with TerminateProcess skips any handler). The
/// handler sets a flag that the main thread polls, since signal-hook's
/// blocking iterator is unix-only.
#[cfg(windows)]
struct Stop(std::sync::Arc<std::sync::atomic::AtomicBool>);

#[cfg(windows)]
impl Stop {
    fn register() -> std::io::Result<Self> {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for signal in [SIGINT, SIGTERM] {
            signal_hook::flag::register(signal, flag.clone())?;
        }
        Ok(Stop(flag))
    }

    fn wait(self) {
        while !self.0.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

#[derive(Parser)]
#[command(
    name = "oathdesk-sim graph",
    about = "Run the Graph sandbox on 127.0.0.1"
)]
struct Args {
    /// Address to listen on; loopback only.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Tenant seed (users, operator tokens) as JSON.
    #[arg(long)]
    tenant: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer every Nth request with 429.
    #[arg(long, default_value_t = 0)]
    throttle_every: u64,
    /// KIND=N: the next N calls of that kind (create, assign, activate,
    /// get, list, user, methods, delete, unassign, …) answer 503. Repeatable.
    #[arg(long, value_parser = parse_fail)]
    fail: Vec<(String, u32)>,
    /// Revoke each refresh token when it is redeemed (Entra does not, for
    /// public clients): proves a client keeps the rotated one.
    #[arg(long)]
    revoke_used_refresh_tokens: bool,
    /// Serve https with a certificate from a CA made for this run, and
    /// write that CA (PEM) to this file for the client to trust. Standard
    /// clients such as MSAL refuse a plain http authority.
    #[arg(long, value_name = "CA_PEM_OUT")]
    tls_ca: Option<std::path::PathBuf>,
}

fn parse_fail(s: &str) -> Result<(String, u32), String> {
    let (kind, n) = s.split_once('=').ok_or("use KIND=N, e.g. create=2")?;
    Ok((
        kind.to_string(),
        n.parse().map_err(|_| format!("{n:?} is not a count"))?,
    ))
}

/// Runs the subcommand with `args` (program name first); returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let a = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if !a.listen.ip().is_loopback() {
        eprintln!(
            "oathdesk-sim graph: the sandbox listens on loopback only, not {}",
            a.listen.ip()
        );
        return 2;
    }
    let seed: TenantSeed = match &a.tenant {
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("oathdesk-sim graph: {}: {e}", p.display());
                return 2;
            }
        },
        None => TenantSeed::default(),
    };
    // Registered before the server starts, so a SIGINT or SIGTERM at any
    // point stops it cleanly and exits 0 instead of killing the process.
    let stop = match Stop::register() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("oathdesk-sim graph: signal handlers: {e}");
            return 1;
        }
    };
    let started = match &a.tls_ca {
        Some(_) => Sandbox::start_tls(seed, a.listen.port()),
        None => Sandbox::start(seed, a.listen.port()),
    };
    let sandbox = match started {
        Ok(s) => s,
        Err(e) => {
            eprintln!("oathdesk-sim graph: {e}");
            return 1;
        }
    };
    if let (Some(path), Some(pem)) = (&a.tls_ca, sandbox.ca_pem())
        && let Err(e) = std::fs::write(path, pem)
    {
        eprintln!("oathdesk-sim graph: {}: {e}", path.display());
        return 1;
    }
    sandbox.tenant().faults.latency_ms = a.latency_ms;
    sandbox.tenant().faults.throttle_every = a.throttle_every;
    sandbox.tenant().faults.revoke_used_refresh_tokens = a.revoke_used_refresh_tokens;
    sandbox
        .tenant()
        .faults
        .fail_before
        .extend(a.fail.iter().cloned());
    println!("listening {}", sandbox.base_url());
    println!("control {}", sandbox.control_secret());
    let _ = std::io::Write::flush(&mut std::io::stdout());
    // Serve until SIGINT or SIGTERM, whatever stdin does (closed, /dev/null,
    // a terminal), so `oathdesk-sim graph … &` in a script keeps running.
    stop.wait();
    // Stops the server and joins its thread.
    drop(sandbox);
    0
}
