//! A Graph sandbox: the hardware-OATH paths of Microsoft Graph beta, their
//! JSON shapes and status codes, over a tenant model loaded from a JSON
//! seed, with switches for latency, throttling and faults. Loopback only.
//!
//! Rules it enforces, as Entra does: unique serials, one user per token, at
//! most five OATH tokens per user, no guests, unassign before delete, and
//! activation verifies the code against the stored secret within ±1 day
//! (30 s tokens) or ±2 days (60 s), recording the token's drift.

// Handlers pass the HTTP answer to send in `Err`; it lives for one request.
#![allow(clippy::result_large_err)]

pub mod cli;
mod groups;
mod inventory;
mod methods;
mod new_device;
mod oauth;
mod query;
mod reply;
mod routes;
mod tenant;
mod tls;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use groups::group_id;
pub use routes::CONTROL_HEADER;
pub use tenant::{Device, Faults, OPERATOR_SCOPES, Refusal, SeedUser, Tenant, TenantSeed};

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<Tenant>>,
    ca_pem: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts on 127.0.0.1:`port` (0: any free port) on its own thread.
    pub fn start(seed: TenantSeed, port: u16) -> std::io::Result<Sandbox> {
        Sandbox::launch(seed, port, None)
    }

    /// As [`Sandbox::start`], over https with a certificate from a CA made
    /// for this run ([`Sandbox::ca_pem`]), for clients that insist on an
    /// https authority (MSAL).
    pub fn start_tls(seed: TenantSeed, port: u16) -> std::io::Result<Sandbox> {
        Sandbox::launch(seed, port, Some(tls::Tls::new()?))
    }

    fn launch(seed: TenantSeed, port: u16, tls: Option<tls::Tls>) -> std::io::Result<Sandbox> {
        let state = Arc::new(Mutex::new(Tenant::from_seed(seed)));
        if tls.is_some() {
            state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .logins
                .serve_https();
        }
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let app = routes::router(state.clone());
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                match tls {
                    Some(tls) => tls.serve(listener, app, rx).await,
                    None => {
                        let _ = axum::serve(listener, app)
                            .with_graceful_shutdown(async {
                                let _ = rx.await;
                            })
                            .await;
                    }
                }
            });
        });
        Ok(Sandbox {
            addr,
            state,
            ca_pem,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The CA (PEM) to trust when started with [`Sandbox::start_tls`].
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The Graph root, e.g. `http://127.0.0.1:PORT` (`https://` over TLS).
    pub fn base_url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The secret `/_sandbox/*` asks for in the `x-sandbox-control` header.
    pub fn control_secret(&self) -> String {
        self.tenant().control_secret.clone()
    }

    /// Locks the tenant to inspect it or change switches.
    pub fn tenant(&self) -> std::sync::MutexGuard<'_, Tenant> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
