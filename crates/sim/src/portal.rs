//! A desktop portal on the session bus: `org.freedesktop.portal.Desktop`
//! serving `org.freedesktop.portal.Screenshot` as xdg-desktop-portal
//! documents it. A call returns the request object's path at once; the
//! answer is a `Response(u code, a{sv} results)` signal on that object,
//! whose path is `/org/freedesktop/portal/desktop/request/SENDER/TOKEN`
//! (the caller's unique name without ':' and with '.' as '_', and the
//! caller's `handle_token`). On success the picture is saved to a file and
//! `results["uri"]` names it, as the real portal does.
//!
//! This portal answers before its call returns — the earliest a real one
//! can — so a client that subscribes to the signal only after calling
//! misses it, as it would on a fast desktop. It refuses a `handle_token`
//! that is not a valid object-path element, as the real one does.
//!
//! Nothing in a test can press the prompt's buttons, so the operator's
//! answer is set beforehand ([`Answer`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use zbus::blocking::Connection;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

/// What the operator does at the desktop's prompt.
#[derive(Clone)]
pub enum Answer {
    /// Shares the screen: the portal saves these PNG bytes and names them.
    Share(Vec<u8>),
    /// Presses Cancel (response 1).
    Refuse,
    /// The desktop fails to take the picture (response 2).
    Fail,
    /// Never answers.
    Ignore,
}

/// One `Screenshot` call as the portal saw it.
#[derive(Debug, Clone)]
pub struct Call {
    pub parent_window: String,
    pub handle_token: Option<String>,
    pub interactive: Option<bool>,
    /// The file the picture was saved to, if one was.
    pub saved: Option<PathBuf>,
}

struct Screenshot {
    answer: Arc<Mutex<Answer>>,
    calls: Arc<Mutex<Vec<Call>>>,
    pictures: PathBuf,
}

#[zbus::interface(name = "org.freedesktop.portal.Screenshot")]
impl Screenshot {
    async fn screenshot(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        parent_window: String,
        options: HashMap<String, OwnedValue>,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        let token = options
            .get("handle_token")
            .and_then(|v| <&str>::try_from(&**v).ok().map(str::to_string));
        let interactive = options
            .get("interactive")
            .and_then(|v| bool::try_from(&**v).ok());
        let sender = header
            .sender()
            .map(|s| s.trim_start_matches(':').replace('.', "_"))
            .ok_or_else(|| zbus::fdo::Error::Failed("no sender".into()))?;
        let name = token.clone().unwrap_or_else(|| "t".to_string());
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(zbus::fdo::Error::InvalidArgs(format!(
                "invalid handle_token {name:?}"
            )));
        }
        let path = format!("/org/freedesktop/portal/desktop/request/{sender}/{name}");
        let request = ObjectPath::try_from(path.as_str())
            .map_err(|e| zbus::fdo::Error::InvalidArgs(e.to_string()))?;
        let answer = self.answer.lock().unwrap().clone();
        let mut call = Call {
            parent_window,
            handle_token: token,
            interactive,
            saved: None,
        };
        let (code, results) = match answer {
            Answer::Share(png) => {
                let file = self.pictures.join(format!("Screenshot-{name}.png"));
                std::fs::write(&file, png).map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
                let uri = url::Url::from_file_path(&file)
                    .map_err(|_| zbus::fdo::Error::Failed("not an absolute path".into()))?;
                call.saved = Some(file);
                (0u32, HashMap::from([("uri", Value::from(uri.to_string()))]))
            }
            Answer::Refuse => (1, HashMap::new()),
            Answer::Fail => (2, HashMap::new()),
            Answer::Ignore => (u32::MAX, HashMap::new()),
        };
        self.calls.lock().unwrap().push(call);
        if code != u32::MAX {
            emitter
                .connection()
                .emit_signal(
                    None::<()>,
                    &request,
                    "org.freedesktop.portal.Request",
                    "Response",
                    &(code, results),
                )
                .await?;
        }
        Ok(OwnedObjectPath::from(request))
    }

    #[zbus(property, name = "version")]
    fn version(&self) -> u32 {
        2
    }
}

/// The portal, on the session bus until dropped.
pub struct Portal {
    _conn: Connection,
    answer: Arc<Mutex<Answer>>,
    calls: Arc<Mutex<Vec<Call>>>,
    _pictures: tempfile::TempDir,
}

impl Portal {
    /// Claims `org.freedesktop.portal.Desktop` on the session bus
    /// (`DBUS_SESSION_BUS_ADDRESS`; tests/harness/keyring-session.sh starts
    /// a private one).
    pub fn start(answer: Answer) -> zbus::Result<Portal> {
        let answer = Arc::new(Mutex::new(answer));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let pictures = tempfile::tempdir().map_err(|e| zbus::Error::Failure(e.to_string()))?;
        let portal = Screenshot {
            answer: answer.clone(),
            calls: calls.clone(),
            pictures: pictures.path().to_path_buf(),
        };
        let conn = zbus::blocking::connection::Builder::session()?
            .serve_at("/org/freedesktop/portal/desktop", portal)?
            .name("org.freedesktop.portal.Desktop")?
            .build()?;
        Ok(Portal {
            _conn: conn,
            answer,
            calls,
            _pictures: pictures,
        })
    }

    /// What the operator does at the next prompt.
    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}
