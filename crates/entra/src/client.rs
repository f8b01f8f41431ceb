//! The HTTP core: one request path with bearer auth, retries that honour
//! `Retry-After`, a total deadline, TLS with certificate checks always on,
//! and the server's `Date` kept for the host-clock check.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{EntraError, ErrorKind};

/// Supplies the operator's access token, in memory that is wiped when the
/// request is built.
pub trait TokenSource: Send + Sync {
    fn access_token(&self) -> Result<Zeroizing<String>, EntraError>;
}

/// A token obtained elsewhere (tests, scripts with their own sign-in).
pub struct StaticToken(pub String);

impl TokenSource for StaticToken {
    fn access_token(&self) -> Result<Zeroizing<String>, EntraError> {
        Ok(Zeroizing::new(self.0.clone()))
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
}

/// One answer from Graph: its status, its JSON body (`Null` for 204) and
/// the request id Graph gave that very call, for the audit log.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub request_id: Option<String>,
}

/// What a write answered, with the request id of that call (not of
/// whatever call another command made meanwhile).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered<T> {
    pub value: T,
    pub request_id: Option<String>,
}

impl<T> Answered<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Answered<U> {
        Answered {
            value: f(self.value),
            request_id: self.request_id,
        }
    }
}

impl Reply {
    /// The request id alone, for a write whose body says nothing.
    pub fn answered(self) -> Answered<()> {
        Answered {
            value: (),
            request_id: self.request_id,
        }
    }
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
        let base = secure_root(&self.base, "Graph")?;
        let loopback = is_loopback(&base);
        let http = Client::builder()
            .https_only(!loopback)
            .timeout(Duration::from_secs(30))
            // A desk whose network drops packets to Microsoft learns it in
            // seconds, not at the whole call's timeout: a burn then asks
            // its NTP servers for the time instead.
            .connect_timeout(Duration::from_secs(5))
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
        })
    }
}

/// Whether a request may simply be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotence {
    Safe,
    /// A write that must not happen twice (create, assign, activate): sent
    /// again only after a 429, which Graph answers before doing anything.
    /// After a network error or a 5xx the caller reads the state instead.
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

    /// Absolute URL for a path such as `/beta/users/x`, or a full nextLink;
    /// see [`graph_url`].
    pub fn url(&self, path: &str) -> Result<url::Url, EntraError> {
        graph_url(&self.base, path)
    }

    /// Sends a request and returns Graph's [`Reply`], retrying throttling
    /// and server errors within the policy. A `Once` request is not resent
    /// after a failure that may have hidden success.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idem: Idempotence,
    ) -> Result<Reply, EntraError> {
        let started = Instant::now();
        let url = self.url(path)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send_once(method.clone(), url.clone(), body);
            let wait = match &outcome {
                Ok((reply, resp_wait)) if reply.status == 429 => {
                    resp_wait.unwrap_or_else(|| self.backoff(attempt))
                }
                Ok((reply, resp_wait))
                    if matches!(reply.status, 503 | 504) && idem == Idempotence::Safe =>
                {
                    resp_wait.unwrap_or_else(|| self.backoff(attempt))
                }
                Err(_) if idem == Idempotence::Safe => self.backoff(attempt),
                _ => return outcome.and_then(|(reply, _)| finish(reply)),
            };
            if attempt >= self.retry.max_attempts || started.elapsed() + wait > self.retry.deadline
            {
                return outcome.and_then(|(reply, _)| finish(reply));
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
    ) -> Result<(Reply, Option<Duration>), EntraError> {
        let token = self.token.access_token()?;
        let mut req = self.http.request(method, url).bearer_auth(token.as_str());
        if let Some(b) = body {
            let bytes = json_bytes(b)?;
            let len = bytes.len() as u64;
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(reqwest::blocking::Body::sized(
                    std::io::Cursor::new(bytes),
                    len,
                ));
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
            .and_then(retry_after);
        let request_id = header(&resp, "request-id").or_else(|| header(&resp, "client-request-id"));
        let text = resp.text().unwrap_or_default();
        let reply = Reply {
            status,
            body: crate::answers::body(&text),
            request_id,
        };
        Ok((reply, retry_after))
    }

    fn remember(&self, resp: &Response, sent: SystemTime, received: SystemTime) {
        if let Some(date) = header(resp, "date") {
            *self.last_date.lock().unwrap_or_else(|p| p.into_inner()) = Some(ServerDate {
                date,
                sent,
                received,
            });
        }
    }
}

fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Whether `url` names this machine (the sandbox, the training desk).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The root URL of a service the desk sends tokens to (`what`: "Graph",
/// "the sign-in authority"): https, or plain http only on this machine.
pub fn secure_root(root: &str, what: &str) -> Result<url::Url, EntraError> {
    let url = url::Url::parse(root.trim()).map_err(|e| {
        EntraError::new(
            ErrorKind::Other,
            format!("{what}'s URL {root:?} is not valid ({e}); give an https URL"),
        )
    })?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(EntraError::new(
            ErrorKind::Other,
            format!(
                "{what} must be reached over https, not {root:?} (plain http only for a sandbox on this machine)"
            ),
        )),
    }
}

/// `link` (a path we built, or a nextLink from an answer or from the
/// window) resolved against the Graph root, and refused unless it stays on
/// the root's origin: the bearer token goes nowhere else. Every form is
/// resolved the way the HTTP client would (`//host/x`, `HTTPS://host/x`,
/// `\\host\x`, relative paths), then checked, so no spelling slips past.
pub fn graph_url(base: &url::Url, link: &str) -> Result<url::Url, EntraError> {
    let url = base.join(link).map_err(|e| {
        EntraError::new(
            ErrorKind::Other,
            format!("Graph sent a link this desk cannot read ({e}); refresh the list"),
        )
    })?;
    if url.origin() != base.origin() || url.scheme() != base.scheme() {
        return Err(EntraError::new(
            ErrorKind::Other,
            format!(
                "a link pointed away from {} (to {}); it was not followed and no token was sent. Refresh the list",
                base.origin().ascii_serialization(),
                url.origin().ascii_serialization()
            ),
        ));
    }
    Ok(url)
}

/// `body` as JSON in one buffer of its exact size, wiped when the request
/// is done with it: a create's body holds the token's secret, and a
/// growing buffer would leave copies in memory it frees.
fn json_bytes(body: &Value) -> Result<Zeroizing<Vec<u8>>, EntraError> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let fail =
        |e: serde_json::Error| EntraError::new(ErrorKind::Other, format!("request body: {e}"));
    let mut count = Count(0);
    serde_json::to_writer(&mut count, body).map_err(fail)?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(count.0));
    serde_json::to_writer(&mut *bytes, body).map_err(fail)?;
    Ok(bytes)
}

/// Wipes every `secretKey` in a request body once it was sent.
pub(crate) fn wipe_secrets(body: &mut Value) {
    use zeroize::Zeroize;
    match body {
        Value::Object(map) => {
            if let Some(Value::String(s)) = map.get_mut("secretKey") {
                s.zeroize();
            }
            map.values_mut().for_each(wipe_secrets);
        }
        Value::Array(items) => items.iter_mut().for_each(wipe_secrets),
        _ => {}
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

fn finish(reply: Reply) -> Result<Reply, EntraError> {
    if (200..300).contains(&reply.status) {
        return Ok(reply);
    }
    Err(crate::answers::error(
        reply.status,
        &reply.body,
        reply.request_id,
    ))
}

/// A `Retry-After` delay: whole seconds as Graph sends them, and fractions
/// too (some proxies and test servers send them), capped at two minutes.
fn retry_after(v: &str) -> Option<Duration> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(120.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_whole_seconds_and_fractions() {
        let ms = |v: &str| retry_after(v).map(|d| d.as_millis());
        assert_eq!(ms("1"), Some(1000));
        assert_eq!(ms(" 0 "), Some(0));
        assert_eq!(ms("0.05"), Some(50));
        assert_eq!(ms("3600"), Some(120_000));
        for junk in ["-1", "soon", "NaN", "inf", ""] {
            assert_eq!(ms(junk), None, "{junk:?}");
        }
    }

    /// Every spelling of another host is refused; our own paths and
    /// relative links stay on Graph.
    #[test]
    fn links_never_leave_the_graph_root() {
        let base = url::Url::parse("https://graph.microsoft.com").unwrap();
        for away in [
            "//evil.example/x",
            "HTTPS://evil.example/x",
            "\\\\evil.example\\x",
            "https://graph.microsoft.com.evil.example/beta",
            "http://graph.microsoft.com/beta",
            "https://graph.microsoft.com:8443/beta",
            "ftp://graph.microsoft.com/beta",
            "  //evil.example/x",
        ] {
            let e = graph_url(&base, away).unwrap_err();
            assert!(e.message.contains("not followed"), "{away}: {e}");
        }
        for here in [
            "/beta/users/x",
            "beta/users?$skiptoken=1",
            "HTTPS://GRAPH.MICROSOFT.COM/beta/x",
            "https://graph.microsoft.com/beta/x?$skiptoken=a",
        ] {
            let url = graph_url(&base, here).unwrap();
            assert_eq!(url.host_str(), Some("graph.microsoft.com"), "{here}");
        }
    }
}

#[cfg(test)]
mod root_tests {
    use super::*;

    /// Tokens go over https; plain http only to this machine.
    #[test]
    fn roots_are_https_except_on_this_machine() {
        for ok in [
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com/",
            "http://127.0.0.1:8080",
            "http://[::1]:9",
            "http://localhost:1",
        ] {
            assert!(secure_root(ok, "x").is_ok(), "{ok}");
        }
        for bad in [
            "http://login.microsoftonline.com",
            "http://10.0.0.5",
            "http://127.0.0.1.evil.example",
            "ftp://graph.microsoft.com",
            "file:///etc/passwd",
            "login.microsoftonline.com",
            "",
        ] {
            let e = secure_root(bad, "the sign-in authority").unwrap_err();
            assert!(e.message.contains("the sign-in authority"), "{bad}: {e}");
        }
    }
}

#[cfg(test)]
mod body_tests {
    use super::*;

    /// The body is written once into a buffer of its exact size (no
    /// growth, so no stray copy of a secret), and its secrets are wiped.
    #[test]
    fn a_request_body_is_one_exact_buffer_and_its_secrets_are_wiped() {
        let mut body = serde_json::json!({"serialNumber": "S1", "secretKey": "JBSWY3DPEHPK3PXP",
            "value": [{"secretKey": "GEZDGNBVGY3TQOJQ"}]});
        let bytes = json_bytes(&body).unwrap();
        assert_eq!(&bytes[..], serde_json::to_vec(&body).unwrap());
        assert_eq!(bytes.capacity(), bytes.len());
        wipe_secrets(&mut body);
        assert_eq!(body["secretKey"], "");
        assert_eq!(body["value"][0]["secretKey"], "");
        assert_eq!(body["serialNumber"], "S1");
    }
}
