//! Where a seed comes from: text an operator pasted, a QR code in an image
//! file, the clipboard, or any monitor. Everything goes through the `otp`
//! classifier, so a wrong QR code gets advice, not a parse error. Captures
//! stay in memory; the one exception is a Wayland desktop's portal, which
//! saves its screenshot to a file that is read and deleted at once
//! (`adapters::PortalScreens`).

use image::RgbaImage;
use oathdesk_otp::{Classification, OtpAuthUri, SecretEncoding, classify};
use oathdesk_scan as scan;
use zeroize::Zeroizing;

use crate::StationError;

/// A usable credential and where it was found.
pub struct SeedInput {
    pub credential: OtpAuthUri,
    pub classification: Classification,
    /// Human wording: "pasted text", "file qr.png", "monitor HDMI-1".
    pub origin: String,
}

impl std::fmt::Debug for SeedInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedInput")
            .field("kind", &self.classification.kind)
            .field("origin", &self.origin)
            .finish()
    }
}

impl SeedInput {
    /// A fresh secret from the OS random generator, as long as the hash.
    pub fn generated(algorithm: oathdesk_otp::Algorithm) -> SeedInput {
        let mut credential = OtpAuthUri::from_secret(oathdesk_otp::generate_secret(algorithm));
        credential.params.algorithm = algorithm;
        let classification = Classification {
            kind: oathdesk_otp::InputKind::BareSecret,
            explanation: format!(
                "A fresh {}-bit secret from the OS random generator.",
                credential.secret.bits()
            ),
            next_step: "Burn it.".into(),
            credential: None,
            encoding: None,
        };
        SeedInput {
            credential,
            classification,
            origin: "generated".into(),
        }
    }
}

/// Turns one piece of text into a usable seed, or the classifier's advice.
pub fn from_text(
    text: &str,
    hint: Option<SecretEncoding>,
    origin: &str,
) -> Result<SeedInput, StationError> {
    let mut c = classify(text, hint);
    match c.credential.take() {
        Some(credential) => Ok(SeedInput {
            credential,
            classification: c,
            origin: origin.to_string(),
        }),
        None => Err(StationError::BadInput(format!(
            "{} {}",
            c.explanation, c.next_step
        ))),
    }
}

/// Every QR code readable in `image`, as text: the quick finder search
/// first, the whole picture only when it finds nothing.
pub fn decode_qr(image: &RgbaImage) -> Vec<Zeroizing<String>> {
    frame(image)
        .map(|f| scan::codes(&f).into_iter().map(|c| c.text).collect())
        .unwrap_or_default()
}

/// A picture as the scanner reads it, borrowed, not copied. An empty
/// picture has no frame (and no code).
fn frame(image: &RgbaImage) -> Option<scan::Frame<'_>> {
    scan::Frame::packed(
        image.width(),
        image.height(),
        scan::Layout::Rgba8,
        image.as_raw(),
    )
    .ok()
}

/// Picks the first usable credential among the QR codes found in one image;
/// if none is usable, explains the first one that was seen.
pub(crate) fn pick(
    found: Vec<Zeroizing<String>>,
    origin: &str,
) -> Result<Option<SeedInput>, StationError> {
    let mut advice = None;
    for text in found {
        match from_text(&text, None, origin) {
            Ok(seed) => return Ok(Some(seed)),
            Err(e) => advice = advice.or(Some(e)),
        }
    }
    match advice {
        Some(StationError::BadInput(why)) => Err(StationError::BadInput(format!(
            "A QR code on {origin} is not an OATH secret: {why}"
        ))),
        Some(other) => Err(other),
        None => Ok(None),
    }
}

/// Reads a QR code from image bytes (PNG, JPEG, BMP, GIF).
pub fn from_image_bytes(bytes: &[u8], origin: &str) -> Result<SeedInput, StationError> {
    let image = image::load_from_memory(bytes).map_err(|e| {
        StationError::BadInput(format!(
            "{origin} is not a readable image ({e}); use PNG or JPEG"
        ))
    })?;
    pick(decode_qr(&image.to_rgba8()), origin)?.ok_or_else(|| no_qr(origin))
}

/// Reads a QR code from an image file.
pub fn from_image_file(path: &std::path::Path) -> Result<SeedInput, StationError> {
    let bytes = std::fs::read(path)
        .map_err(|e| StationError::BadInput(format!("cannot read {}: {e}", path.display())))?;
    from_image_bytes(&bytes, &format!("file {}", path.display()))
}

fn no_qr(origin: &str) -> StationError {
    StationError::BadInput(format!(
        "No QR code was found in {origin}. Make sure the whole code is visible (not cropped, \
         covered by another window or scrolled out of view) and try again; or save the code as \
         a picture and open the file, or copy it and read the clipboard."
    ))
}

/// One monitor's picture.
pub struct Screenshot {
    pub monitor: String,
    pub image: RgbaImage,
}

/// Captures every monitor. The real one is [`XcapScreens`]; tests may feed
/// images directly.
pub trait ScreenSource {
    fn capture_all(&self) -> Result<Vec<Screenshot>, StationError>;
}

/// Looks for an OATH QR code on every monitor and says which one it was on.
pub fn from_screens(source: &dyn ScreenSource) -> Result<SeedInput, StationError> {
    let shots = source.capture_all()?;
    if shots.is_empty() {
        return Err(StationError::BadInput(
            "No monitor could be captured.".into(),
        ));
    }
    // Every monitor at once; the slow whole-screen search only when no
    // monitor shows a code's finder patterns.
    let frames: Vec<(&Screenshot, scan::Frame)> = shots
        .iter()
        .filter_map(|shot| frame(&shot.image).map(|f| (shot, f)))
        .collect();
    let found = scan::codes_on_all(&frames.iter().map(|(_, f)| *f).collect::<Vec<_>>());
    let mut advice = None;
    for ((shot, _), codes) in frames.iter().zip(found) {
        let origin = format!("monitor {}", shot.monitor);
        match pick(codes.into_iter().map(|c| c.text).collect(), &origin) {
            Ok(Some(seed)) => return Ok(seed),
            Ok(None) => {}
            Err(e) => advice = advice.or(Some(e)),
        }
    }
    let names: Vec<&str> = shots.iter().map(|s| s.monitor.as_str()).collect();
    Err(advice.unwrap_or_else(|| no_qr(&format!("{} ({})", plural(shots.len()), names.join(", ")))))
}

fn plural(n: usize) -> String {
    if n == 1 {
        "the one monitor".into()
    } else {
        format!("any of the {n} monitors")
    }
}

/// What the clipboard holds.
pub enum ClipboardContent {
    Text(Zeroizing<String>),
    Image(RgbaImage),
    Empty,
}

/// The system clipboard; the real one is [`SystemClipboard`].
pub trait ClipboardSource {
    fn read(&mut self) -> Result<ClipboardContent, StationError>;
}

/// Reads a secret, a URI, or a QR code picture from the clipboard.
pub fn from_clipboard(source: &mut dyn ClipboardSource) -> Result<SeedInput, StationError> {
    match source.read()? {
        ClipboardContent::Text(text) => from_text(&text, None, "the clipboard"),
        ClipboardContent::Image(image) => pick(decode_qr(&image), "the clipboard image")?
            .ok_or_else(|| no_qr("the clipboard image")),
        ClipboardContent::Empty => Err(StationError::BadInput(
            "The clipboard is empty: copy the QR code (or its secret) first.".into(),
        )),
    }
}

/// The desk's screens: through the desktop portal in a Wayland session
/// (where no program may read the screen itself), else through `xcap`.
#[cfg(feature = "screen")]
pub fn desk_screens() -> Box<dyn ScreenSource> {
    #[cfg(target_os = "linux")]
    if crate::adapters::is_wayland_session() {
        return Box::new(crate::adapters::PortalScreens::new());
    }
    Box::new(XcapScreens)
}

/// What the operator should know before the screen is captured: on Wayland
/// the desktop asks first. `None` where nothing will ask.
pub fn screen_prompt() -> Option<&'static str> {
    #[cfg(all(target_os = "linux", feature = "screen"))]
    if crate::adapters::is_wayland_session() {
        return Some(crate::adapters::PROMPT_EXPLAINED);
    }
    None
}

/// Screen capture through `xcap` (X11, Windows, macOS).
#[cfg(feature = "screen")]
pub struct XcapScreens;

#[cfg(feature = "screen")]
impl ScreenSource for XcapScreens {
    fn capture_all(&self) -> Result<Vec<Screenshot>, StationError> {
        let fail = |e: xcap::XCapError| {
            StationError::BadInput(format!(
                "The screen could not be captured ({e}). Save the QR code as a picture and open the file instead."
            ))
        };
        let monitors = xcap::Monitor::all().map_err(fail)?;
        monitors
            .into_iter()
            .map(|m| {
                let monitor = m.name().unwrap_or_else(|_| "unnamed".into());
                let image = m.capture_image().map_err(fail)?;
                Ok(Screenshot { monitor, image })
            })
            .collect()
    }
}

/// The system clipboard through `arboard`.
#[cfg(feature = "clipboard")]
pub struct SystemClipboard;

#[cfg(feature = "clipboard")]
impl ClipboardSource for SystemClipboard {
    fn read(&mut self) -> Result<ClipboardContent, StationError> {
        let mut cb = arboard::Clipboard::new().map_err(|e| {
            StationError::BadInput(format!("The clipboard is not available ({e})."))
        })?;
        if let Ok(text) = cb.get_text() {
            return Ok(ClipboardContent::Text(Zeroizing::new(text)));
        }
        match cb.get_image() {
            Ok(img) => {
                RgbaImage::from_raw(img.width as u32, img.height as u32, img.bytes.into_owned())
                    .map(ClipboardContent::Image)
                    .ok_or_else(|| StationError::BadInput("The clipboard image is damaged.".into()))
            }
            Err(_) => Ok(ClipboardContent::Empty),
        }
    }
}
