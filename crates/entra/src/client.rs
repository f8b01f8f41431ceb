//! The HTTP core: one request path with bearer auth, retries that honour
//! `Retry-After`, a total deadline, TLS with certificate checks always on,
//! and the server's `Date` kept for the host-clock check.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use reqwest::blocking::{Client, Response};
use serde_json::Value;

use crate::error::{EntraError, ErrorKind};

/// Supplies the operator's access token.
pub trait TokenSource: Send + Sync {
    fn access_token(&self) -> Result<String, EntraError>;
}

/// A token obtained elsewhere (tests, scripts with their own sign-in).
pub struct StaticToken(pub String);

impl TokenSource for StaticToken {
    fn access_token(&self) -> Result<String, EntraError> {
        Ok(self.0.clone())
    }
}

/// How hard to try before giving up.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            deadline: Duration::from_secs(60),
        }
    }
}

/// The server `Date` of the latest response, with the host times around it.
#[derive(Debug, Clone)]
pub struct ServerDate {
    pub date: String,
    pub sent: SystemTime,
    pub received: SystemTime,
}

pub struct GraphClient {
    http: Client,
    base: url::Url,
    token: Box<dyn TokenSource>,
    retry: RetryPolicy,
    last_date: Mutex<Option<ServerDate>>,
    last_request_id: Mutex<Option<String>>,
}

/// Builds a [`GraphClient`]; see [`GraphClient::builder`].
pub struct GraphClientBuilder {
    base: String,
    token: Option<Box<dyn TokenSource>>,
    retry: RetryPolicy,
}

impl GraphClientBuilder {
    /// The Graph root (default `https://graph.microsoft.com`). Plain HTTP is
    /// accepted only for a loopback host (the sandbox).
    pub fn graph_base(mut self, url: &str) -> Self {
        self.base = url.to_string();
        self
    }

    pub fn token_source(mut self, t: impl TokenSource + 'static) -> Self {
        self.token = Some(Box::new(t));
        self
    }

    pub fn retry(mut self, r: RetryPolicy) -> Self {
        self.retry = r;
        self
    }

    pub fn build(self) -> Result<GraphClient, EntraError> {
        let base = url::Url::parse(&self.base).map_err(|e| {
            EntraError::new(
                ErrorKind::Other,
                format!("the Graph URL {:?} is not valid: {e}", self.base),
            )
        })?;
        let loopback = matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if base.scheme() != "https" && !(base.scheme() == "http" && loopback) {
            return Err(EntraError::new(
                ErrorKind::Other,
                "Graph must be reached over https (plain http only for a loopback sandbox)",
            ));
        }
        let http = Client::builder()
            .https_only(!loopback)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| EntraError::new(ErrorKind::Other, format!("HTTP client: {e}")))?;
        let token = self
            .token
            .ok_or_else(|| EntraError::new(ErrorKind::SignInNeeded, "not signed in"))?;
        Ok(GraphClient {
            http,
            base,
            token,
            retry: self.retry,
            last_date: Mutex::new(None),
            last_request_id: Mutex::new(None),
        })
    }
}

/// Whether a request may simply be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotence {
    Safe,
    /// A create: the caller searches by serial before trying again.
    Once,
}

impl GraphClient {
    pub fn builder() -> GraphClientBuilder {
        GraphClientBuilder {
            base: "https://graph.microsoft.com".into(),
            token: None,
            retry: RetryPolicy::default(),
        }
    }

    pub fn last_server_date(&self) -> Option<ServerDate> {
        self.last_date
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn last_request_id(&self) -> Option<String> {
        self.last_request_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Asks the Graph host for its time without signing in: any answer
    /// (even 401) carries a `Date` header. Used before a token's clock is
    /// set when no tenant is signed in.
    pub fn probe_server_date(&self) -> Result<ServerDate, EntraError> {
        let sent = SystemTime::now();
        let resp = self.http.get(self.base.clone()).send().map_err(|e| {
            EntraError::new(
                ErrorKind::Unavailable,
                format!("cannot reach Microsoft Graph: {}", without_url(&e)),
            )
        })?;
        self.remember(&resp, sent, SystemTime::now());
        self.last_server_date().ok_or_else(|| {
            EntraError::new(
                ErrorKind::Unavailable,
                "Graph answered without a Date header",
            )
        })
    }

    /// Absolute URL for a path such as `/beta/users/x`, or a full nextLink.
    pub fn url(&self, path: &str) -> Result<url::Url, EntraError> {
        if path.starts_with("http") {
            let next = url::Url::parse(path)
                .map_err(|_| EntraError::new(ErrorKind::Other, "bad nextLink"))?;
            if next.origin() != self.base.origin() {
                return Err(EntraError::new(
                    ErrorKind::Other,
                    "a nextLink pointed to another host",
                ));
            }
            return Ok(next);
        }
        self.base
            .join(path)
            .map_err(|e| EntraError::new(ErrorKind::Other, e.to_string()))
    }

    /// Sends a request and returns the status and JSON body (Null for 204),
    /// retrying throttling and server errors within the policy. A `Once`
    /// request is not resent after a failure that may have hidden success.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idem: Idempotence,
    ) -> Result<(u16, Value), EntraError> {
        let started = Instant::now();
        let url = self.url(path)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send_once(method.clone(), url.clone(), body);
            let wait = match &outcome {
                Ok((status, resp_wait, _)) if *status == 429 => {
                    resp_wait.unwrap_or_else(|| self.backoff(attempt))
                }
                Ok((503 | 504, resp_wait, _)) if idem == Idempotence::Safe => {
                    resp_wait.unwrap_or_else(|| self.backoff(attempt))
                }
                Err(_) if idem == Idempotence::Safe => self.backoff(attempt),
                _ => {
                    return outcome.and_then(|(status, _, body)| {
                        finish(status, body, self.last_request_id())
                    });
                }
            };
            if attempt >= self.retry.max_attempts || started.elapsed() + wait > self.retry.deadline
            {
                return outcome
                    .and_then(|(status, _, body)| finish(status, body, self.last_request_id()));
            }
            std::thread::sleep(wait);
        }
    }

    /// Exponential backoff with full jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .retry
            .base_delay
            .saturating_mul(1 << attempt.min(16))
            .min(self.retry.max_delay);
        let mut r = [0u8; 4];
        getrandom::fill(&mut r).expect("OS random number generator");
        cap.mul_f64(f64::from(u32::from_le_bytes(r)) / f64::from(u32::MAX))
    }

    fn send_once(
        &self,
        method: Method,
        url: url::Url,
        body: Option<&Value>,
    ) -> Result<(u16, Option<Duration>, Value), EntraError> {
        let token = self.token.access_token()?;
        let mut req = self.http.request(method, url).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let sent = SystemTime::now();
        let resp = req.send().map_err(|e| {
            EntraError::new(
                ErrorKind::Unavailable,
                format!("cannot reach Microsoft Graph: {}", without_url(&e)),
            )
        })?;
        let received = SystemTime::now();
        self.remember(&resp, sent, received);
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(120.0)));
        let text = resp.text().unwrap_or_default();
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        Ok((status, retry_after, json))
    }

    fn remember(&self, resp: &Response, sent: SystemTime, received: SystemTime) {
        let header = |k: &str| {
            resp.headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if let Some(date) = header("date") {
            *self.last_date.lock().unwrap_or_else(|p| p.into_inner()) = Some(ServerDate {
                date,
                sent,
                received,
            });
        }
        let id = header("request-id").or_else(|| header("client-request-id"));
        *self
            .last_request_id
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = id;
    }
}

/// Error text from reqwest without the URL (which may carry a query).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "Graph");
    }
    s
}

fn finish(
    status: u16,
    body: Value,
    request_id: Option<String>,
) -> Result<(u16, Value), EntraError> {
    if (200..300).contains(&status) {
        return Ok((status, body));
    }
    let err = &body["error"];
    let code = err["code"].as_str().unwrap_or("");
    let message = err["message"]
        .as_str()
        .unwrap_or("Graph refused the request");
    let request_id = err["innerError"]["request-id"]
        .as_str()
        .map(str::to_string)
        .or(request_id);
    Err(EntraError::from_graph(status, code, message, request_id))
}
