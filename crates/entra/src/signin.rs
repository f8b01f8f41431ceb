//! Operator sign-in as a public client (no secret): authorization code with
//! PKCE (S256) on a loopback redirect opened in the system browser, or the
//! device code flow as a fallback. The refresh token lives in the OS
//! keyring and is rotated on every refresh; access tokens stay in memory.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, DeviceAuthorizationUrl, PkceCodeChallenge,
    RedirectUrl, RefreshToken, Scope, StandardDeviceAuthorizationResponse, TokenResponse, TokenUrl,
};
use zeroize::Zeroizing;

use crate::client::TokenSource;
use crate::error::{EntraError, ErrorKind};

/// The least-privilege scopes that cover every OathDesk operation, with
/// the OpenID Connect ones that identify the operator (an id_token).
pub const SCOPES: [&str; 7] = [
    "openid",
    "profile",
    "offline_access",
    "https://graph.microsoft.com/Policy.ReadWrite.AuthenticationMethod",
    "https://graph.microsoft.com/UserAuthenticationMethod.ReadWrite.All",
    "https://graph.microsoft.com/User.Read.All",
    // A batch's users may come from a group (its members).
    "https://graph.microsoft.com/GroupMember.Read.All",
];

/// Where and as whom to sign in. The authority URL is configurable so
/// tests point at the sandbox.
#[derive(Debug, Clone)]
pub struct Authority {
    /// e.g. `https://login.microsoftonline.com`.
    pub authority: String,
    /// Tenant id or domain, or `organizations`.
    pub tenant: String,
    pub client_id: String,
}

fn fail(kind: ErrorKind, m: impl std::fmt::Display) -> EntraError {
    EntraError::new(kind, format!("sign-in failed: {m}"))
}

impl Authority {
    /// An endpoint of the identity platform, only over https (plain http
    /// only on this machine): the operator's credentials go nowhere else.
    fn endpoint(&self, what: &str) -> Result<String, EntraError> {
        let root = crate::client::secure_root(&self.authority, "the sign-in authority")?;
        Ok(format!(
            "{}/{}/oauth2/v2.0/{what}",
            root.as_str().trim_end_matches('/'),
            self.tenant
        ))
    }

    fn http() -> Result<reqwest::blocking::Client, EntraError> {
        reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| fail(ErrorKind::Other, e))
    }

    /// Keyring account under which this authority's refresh token is kept.
    pub fn store_account(&self) -> String {
        format!("graph-refresh:{}:{}", self.tenant, self.client_id)
    }
}

/// Opens a URL for the operator. The real one starts the system browser;
/// tests play the browser themselves.
pub trait BrowserOpener {
    fn open(&self, url: &str) -> Result<(), EntraError>;
}

/// The system browser (`xdg-open` on Linux, `open` on macOS).
pub struct SystemBrowser;

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &str) -> Result<(), EntraError> {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        std::process::Command::new(opener)
            .arg(url)
            .spawn()
            .map(|mut child| {
                // Reaped when it ends, which may be when the browser closes.
                std::thread::spawn(move || child.wait());
            })
            .map_err(|e| {
                fail(
                    ErrorKind::Other,
                    format!("cannot open a browser ({e}); use the device code sign-in instead"),
                )
            })
    }
}

/// Where the refresh token is kept.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> Result<Option<Zeroizing<String>>, EntraError>;
    fn save(&self, refresh_token: &str) -> Result<(), EntraError>;
    fn clear(&self) -> Result<(), EntraError>;
}

/// The OS keyring (Secret Service on Linux).
pub struct KeyringTokenStore {
    account: String,
}

impl KeyringTokenStore {
    pub fn new(authority: &Authority) -> Self {
        KeyringTokenStore {
            account: authority.store_account(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, EntraError> {
        crate::os_keyring::entry("OathDesk", &self.account).map_err(|e| {
            EntraError::new(
                ErrorKind::Other,
                format!("the OS keyring is not available ({e}); unlock it and sign in again"),
            )
        })
    }
}

fn keyring_error(e: keyring::Error) -> EntraError {
    EntraError::new(
        ErrorKind::Other,
        format!("the OS keyring is not available ({e}); unlock it and sign in again"),
    )
}

impl TokenStore for KeyringTokenStore {
    fn load(&self) -> Result<Option<Zeroizing<String>>, EntraError> {
        match self.entry()?.get_password() {
            Ok(t) => Ok(Some(Zeroizing::new(t))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn save(&self, refresh_token: &str) -> Result<(), EntraError> {
        self.entry()?
            .set_password(refresh_token)
            .map_err(keyring_error)
    }

    fn clear(&self) -> Result<(), EntraError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// A store in memory, for unit tests.
#[derive(Default)]
pub struct MemoryTokenStore(Mutex<Option<Zeroizing<String>>>);

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> Result<Option<Zeroizing<String>>, EntraError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
    fn save(&self, t: &str) -> Result<(), EntraError> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(Zeroizing::new(t.to_string()));
        Ok(())
    }
    fn clear(&self) -> Result<(), EntraError> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

fn keep<T: TokenResponse>(
    store: &dyn TokenStore,
    token: &T,
) -> Result<Zeroizing<String>, EntraError> {
    if let Some(r) = token.refresh_token() {
        store.save(r.secret())?;
    }
    Ok(Zeroizing::new(token.access_token().secret().clone()))
}

/// Stops a browser sign-in from another thread, for an operator who gave
/// up on the browser and pressed Cancel. Clones share one sign-in.
#[derive(Clone, Default)]
pub struct SignInCancel(Arc<Mutex<Waiting>>);

#[derive(Default)]
struct Waiting {
    /// The loopback port the sign-in listens on, once it does.
    port: Option<u16>,
    cancelled: bool,
}

impl SignInCancel {
    /// Ends the wait: `login_pkce` returns a `Cancelled` error. Works before
    /// the wait starts too.
    pub fn cancel(&self) {
        let port = {
            let mut w = self.0.lock().unwrap_or_else(|p| p.into_inner());
            w.cancelled = true;
            w.port
        };
        // Wakes the blocked accept; the listener then sees `cancelled`.
        if let Some(port) = port {
            let _ = TcpStream::connect(("127.0.0.1", port));
        }
    }

    /// Whether `other` is a handle on the same sign-in.
    pub fn is_same(&self, other: &SignInCancel) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn is_cancelled(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).cancelled
    }

    fn listening_on(&self, port: u16) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).port = Some(port);
    }
}

fn cancelled() -> EntraError {
    fail(ErrorKind::Cancelled, "the sign-in was cancelled")
}

/// Signs in with authorization code + PKCE: a loopback listener receives the
/// redirect; the browser is opened through `browser`. Returns the access
/// token and keeps the refresh token in `store`. Waits until the browser
/// comes back or `cancel` is used.
pub fn login_pkce(
    a: &Authority,
    browser: &dyn BrowserOpener,
    store: &dyn TokenStore,
    cancel: &SignInCancel,
) -> Result<Zeroizing<String>, EntraError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| fail(ErrorKind::Other, e))?;
    let port = listener
        .local_addr()
        .map_err(|e| fail(ErrorKind::Other, e))?
        .port();
    cancel.listening_on(port);
    // The address the listener is bound to, not `localhost`, which a
    // browser may resolve to ::1 first (Microsoft advises the same).
    let redirect = format!("http://127.0.0.1:{port}/");
    let client = BasicClient::new(ClientId::new(a.client_id.clone()))
        .set_auth_uri(
            AuthUrl::new(a.endpoint("authorize")?).map_err(|e| fail(ErrorKind::Other, e))?,
        )
        .set_token_uri(TokenUrl::new(a.endpoint("token")?).map_err(|e| fail(ErrorKind::Other, e))?)
        .set_redirect_uri(RedirectUrl::new(redirect).map_err(|e| fail(ErrorKind::Other, e))?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.iter().map(|s| Scope::new(s.to_string())))
        .set_pkce_challenge(challenge)
        .url();
    if cancel.is_cancelled() {
        return Err(cancelled());
    }
    browser.open(url.as_str())?;
    let code = receive_code(&listener, state.secret(), cancel)?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(verifier)
        // `oauth2` sends no scope with a code; Entra wants one (AADSTS900144).
        .add_extra_param("scope", SCOPES.join(" "))
        .request(&Authority::http()?)
        .map_err(|e| fail(ErrorKind::SignInNeeded, e))?;
    keep(store, &token)
}

/// How long a connection to the loopback listener may stay silent before
/// it is dropped (a browser's speculative connection sends nothing).
const REQUEST_WAIT: Duration = Duration::from_secs(5);

/// Waits for the browser's redirect and returns the code, checking `state`.
/// Other requests (a favicon, an empty connection) are answered and skipped.
fn receive_code(
    listener: &TcpListener,
    state: &str,
    cancel: &SignInCancel,
) -> Result<Zeroizing<String>, EntraError> {
    loop {
        let (stream, _) = listener.accept().map_err(|e| fail(ErrorKind::Other, e))?;
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        if let Some(answer) = read_redirect(stream) {
            return check_redirect(&answer, state);
        }
    }
}

/// The query of a request that answers the sign-in (one with `state`), after
/// telling the browser it may close; `None` for any other request.
fn read_redirect(mut stream: TcpStream) -> Option<url::Url> {
    let _ = stream.set_read_timeout(Some(REQUEST_WAIT));
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).ok()?;
    let target = line.split_whitespace().nth(1)?;
    let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if !url.query_pairs().any(|(k, _)| k == "state") {
        let _ = write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return None;
    }
    let body =
        "<html><body>OathDesk: you can close this window and return to the app.</body></html>";
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Some(url)
}

/// The code in a redirect, if it belongs to this sign-in.
fn check_redirect(url: &url::Url, state: &str) -> Result<Zeroizing<String>, EntraError> {
    let param = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(state) {
        return Err(fail(
            ErrorKind::SignInNeeded,
            "the answer did not match this sign-in (state)",
        ));
    }
    match param("code") {
        Some(code) => Ok(Zeroizing::new(code)),
        None => Err(fail(
            ErrorKind::SignInNeeded,
            param("error_description").unwrap_or_else(|| "no code returned".into()),
        )),
    }
}

/// Signs in with the device code flow: `show` tells the operator the code
/// and where to enter it; returns once they have signed in.
pub fn login_device_code(
    a: &Authority,
    store: &dyn TokenStore,
    show: &mut dyn FnMut(&str, &str),
) -> Result<Zeroizing<String>, EntraError> {
    let client = BasicClient::new(ClientId::new(a.client_id.clone()))
        .set_token_uri(TokenUrl::new(a.endpoint("token")?).map_err(|e| fail(ErrorKind::Other, e))?)
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(a.endpoint("devicecode")?)
                .map_err(|e| fail(ErrorKind::Other, e))?,
        );
    let http = Authority::http()?;
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scopes(SCOPES.iter().map(|s| Scope::new(s.to_string())))
        .request(&http)
        .map_err(|e| fail(ErrorKind::SignInNeeded, e))?;
    show(
        details.user_code().secret(),
        details.verification_uri().as_str(),
    );
    let token = client
        .exchange_device_access_token(&details)
        .request(&http, std::thread::sleep, Some(Duration::from_secs(900)))
        .map_err(|e| fail(ErrorKind::SignInNeeded, e))?;
    keep(store, &token)
}

/// Forgets the refresh token.
pub fn sign_out(store: &dyn TokenStore) -> Result<(), EntraError> {
    store.clear()
}

/// A [`TokenSource`] that redeems (and rotates) the stored refresh token
/// once, then serves the access token from memory.
pub struct RefreshingToken<S: TokenStore> {
    authority: Authority,
    store: S,
    access: Mutex<Option<Zeroizing<String>>>,
}

impl<S: TokenStore> RefreshingToken<S> {
    pub fn new(authority: Authority, store: S) -> Self {
        RefreshingToken {
            authority,
            store,
            access: Mutex::new(None),
        }
    }
}

impl<S: TokenStore> TokenSource for RefreshingToken<S> {
    fn access_token(&self) -> Result<Zeroizing<String>, EntraError> {
        let mut cached = self.access.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = cached.as_ref() {
            return Ok(t.clone());
        }
        let refresh = self
            .store
            .load()?
            .ok_or_else(|| EntraError::new(ErrorKind::SignInNeeded, "not signed in"))?;
        let client = BasicClient::new(ClientId::new(self.authority.client_id.clone()))
            .set_token_uri(
                TokenUrl::new(self.authority.endpoint("token")?)
                    .map_err(|e| fail(ErrorKind::Other, e))?,
            );
        let token = client
            .exchange_refresh_token(&RefreshToken::new(refresh.to_string()))
            .add_scopes(SCOPES.iter().map(|s| Scope::new(s.to_string())))
            .request(&Authority::http()?)
            .map_err(|e| fail(ErrorKind::SignInNeeded, e))?;
        let access = keep(&self.store, &token)?;
        *cached = Some(access.clone());
        Ok(access)
    }
}
