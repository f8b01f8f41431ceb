//! The screen of a Wayland desktop, through the desktop portal's
//! Screenshot interface (`org.freedesktop.portal.Screenshot`): Wayland
//! lets no program read the screen itself, so the desktop takes the
//! picture, after asking the operator once. One request covers every
//! monitor (one prompt, not one per monitor).
//!
//! The portal saves the picture to a file and answers with its URI; the
//! file shows the user's secret, so it is read and deleted at once. The
//! answer comes as a `Response` signal on a request object whose path the
//! caller can predict, so the signal is subscribed to before the call
//! (a fast portal may answer before the call returns), and waited for no
//! longer than the operator is given to answer the prompt.

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

use crate::StationError;
use crate::seeds::{ScreenSource, Screenshot};

const DESKTOP: &str = "org.freedesktop.portal.Desktop";
const DESKTOP_PATH: &str = "/org/freedesktop/portal/desktop";

/// How long the operator has to answer the desktop's prompt.
pub const PROMPT_WAIT: Duration = Duration::from_secs(120);

/// What the operator is told before the desktop asks.
pub const PROMPT_EXPLAINED: &str = "Your desktop will ask whether OathDesk may take a \
     screenshot: choose Share (or Allow). The picture is read for the QR code and deleted.";

/// What the desk names the picture the portal takes.
pub const WHOLE_DESKTOP: &str = "the desktop (every monitor, through the screenshot portal)";

/// Every monitor of a Wayland desktop, in one picture from the portal.
pub struct PortalScreens {
    wait: Duration,
}

impl PortalScreens {
    /// Waits [`PROMPT_WAIT`] for the operator to answer the prompt.
    pub fn new() -> Self {
        Self::waiting(PROMPT_WAIT)
    }

    /// Waits `wait` for the operator to answer the prompt.
    pub fn waiting(wait: Duration) -> Self {
        PortalScreens { wait }
    }
}

impl Default for PortalScreens {
    fn default() -> Self {
        Self::new()
    }
}

/// True in a Wayland session, where only the portal can see the screen.
pub fn is_wayland_session() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    var("XDG_SESSION_TYPE").eq_ignore_ascii_case("wayland") || !var("WAYLAND_DISPLAY").is_empty()
}

impl ScreenSource for PortalScreens {
    fn capture_all(&self) -> Result<Vec<Screenshot>, StationError> {
        let path = screenshot_file(self.wait)?;
        let image = read_then_delete(&path)?;
        Ok(vec![Screenshot {
            monitor: WHOLE_DESKTOP.into(),
            image,
        }])
    }
}

fn unavailable(e: impl std::fmt::Display) -> StationError {
    StationError::BadInput(format!(
        "The desktop's screenshot portal is not available ({e}). Install xdg-desktop-portal \
         with your desktop's backend (xdg-desktop-portal-gnome, -kde or -wlr), or save the QR \
         code as a picture and open the file."
    ))
}

/// Asks the portal for a screenshot; gives the file it saved.
fn screenshot_file(wait: Duration) -> Result<std::path::PathBuf, StationError> {
    let conn = Connection::session().map_err(unavailable)?;
    let token = handle_token();
    let request = request_proxy(&conn, &token)?;
    let mut responses = request.receive_signal("Response").map_err(unavailable)?;
    let portal = Proxy::new(
        &conn,
        DESKTOP,
        DESKTOP_PATH,
        "org.freedesktop.portal.Screenshot",
    )
    .map_err(unavailable)?;
    let options: HashMap<&str, Value> = HashMap::from([
        ("handle_token", Value::from(token.as_str())),
        ("interactive", Value::from(false)),
        ("modal", Value::from(true)),
    ]);
    let _: OwnedObjectPath = portal
        .call("Screenshot", &("", options))
        .map_err(unavailable)?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(responses.next());
    });
    let answer = match rx.recv_timeout(wait) {
        Ok(Some(message)) => message,
        Ok(None) => return Err(unavailable("the portal went away before answering")),
        Err(_) => {
            // Dismisses the prompt, so it does not linger over the desk.
            let _ = request.call_method("Close", &());
            return Err(StationError::BadInput(format!(
                "The desktop's screenshot prompt was not answered within {} s. Scan again and \
                 choose Share (or Allow) when your desktop asks.",
                wait.as_secs()
            )));
        }
    };
    let (code, results): (u32, HashMap<String, OwnedValue>) =
        answer.body().deserialize().map_err(unavailable)?;
    match code {
        0 => file_of(&results),
        1 => Err(StationError::BadInput(
            "The screenshot was refused at your desktop's prompt. Scan again and choose Share \
             (or Allow), or save the QR code as a picture and open the file."
                .into(),
        )),
        other => Err(StationError::BadInput(format!(
            "The desktop could not take the screenshot (its portal answered {other}). Save the \
             QR code as a picture and open the file."
        ))),
    }
}

/// The request object the portal answers on: its path is derived from our
/// bus name and the token, as the portal documents.
fn request_proxy<'a>(conn: &Connection, token: &str) -> Result<Proxy<'a>, StationError> {
    let sender = conn
        .unique_name()
        .ok_or_else(|| unavailable("the session bus gave no name"))?
        .trim_start_matches(':')
        .replace('.', "_");
    let path = format!("{DESKTOP_PATH}/request/{sender}/{token}");
    Proxy::new(conn, DESKTOP, path, "org.freedesktop.portal.Request").map_err(unavailable)
}

/// A token unique to this request, of the characters an object path allows.
fn handle_token() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("oathdesk_{nanos}")
}

fn file_of(results: &HashMap<String, OwnedValue>) -> Result<std::path::PathBuf, StationError> {
    let uri = results
        .get("uri")
        .and_then(|v| <&str>::try_from(&**v).ok().map(str::to_string))
        .ok_or_else(|| unavailable("its answer named no picture"))?;
    url::Url::parse(&uri)
        .ok()
        .filter(|u| u.scheme() == "file")
        .and_then(|u| u.to_file_path().ok())
        .ok_or_else(|| unavailable(format!("its answer named {uri:?}, not a file")))
}

/// Reads the portal's picture and deletes it: it shows the secret.
fn read_then_delete(path: &std::path::Path) -> Result<image::RgbaImage, StationError> {
    let read = std::fs::read(path);
    let deleted = std::fs::remove_file(path);
    let bytes = zeroize::Zeroizing::new(
        read.map_err(|e| unavailable(format!("its picture cannot be read: {e}")))?,
    );
    if let Err(e) = deleted {
        return Err(StationError::BadInput(format!(
            "The screenshot {} could not be deleted ({e}). Delete it yourself: it shows the QR \
             code's secret.",
            path.display()
        )));
    }
    let image = image::load_from_memory(&bytes)
        .map_err(|e| unavailable(format!("its picture cannot be decoded: {e}")))?;
    Ok(image.to_rgba8())
}
