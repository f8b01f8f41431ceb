//! Reading the seed's QR code through a camera: the operator holds up the
//! phone (or the printout) that shows Entra's code, the window shows a
//! coarse preview to aim by, and the first code found ends the scan and
//! releases the camera. The camera is a port: [`Cameras`] opens one,
//! [`FrameSource`] hands out its pictures; the desk's real one is
//! `adapters::DeskCameras`, the training desk's and the tests' is
//! [`Replay`], which plays recorded frames.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oathdesk_scan as scan;
use zeroize::Zeroizing;

use crate::StationError;
use crate::seeds::{SeedInput, pick};

pub use scan::Preview;

/// One picture from a camera, owned: cameras reuse their buffers. It may
/// show a secret, so it is wiped when dropped.
pub struct CameraFrame {
    pub width: u32,
    pub height: u32,
    pub layout: scan::Layout,
    pub pixels: Zeroizing<Vec<u8>>,
}

impl CameraFrame {
    /// A raw YUYV frame, as webcams and recordings hand them out.
    pub fn yuyv(width: u32, height: u32, pixels: Vec<u8>) -> Self {
        CameraFrame {
            width,
            height,
            layout: scan::Layout::Yuyv,
            pixels: Zeroizing::new(pixels),
        }
    }

    /// The frame as the scanner reads it, or why its bytes are not one.
    pub fn view(&self) -> Result<scan::Frame<'_>, scan::FrameError> {
        scan::Frame::packed(self.width, self.height, self.layout, &self.pixels)
    }
}

/// An open camera. Dropping it releases the device.
pub trait FrameSource {
    /// The camera's name, as the operator knows it.
    fn name(&self) -> String;
    /// The next picture; `None` when the camera has no more (unplugged, or
    /// a recording played to its end).
    fn next_frame(&mut self) -> Result<Option<CameraFrame>, StationError>;
}

/// The desk's cameras.
pub trait Cameras: Send + Sync {
    /// Opens the desk's camera, or says why there is none to open.
    fn open(&self) -> Result<Box<dyn FrameSource>, StationError>;
}

/// How long a scan looks before it gives up: a camera pointed at nothing
/// must not hold the desk forever.
pub const LOOK_FOR: Duration = Duration::from_secs(60);

/// The window's preview is refreshed at most this often.
const PREVIEW_EVERY: Duration = Duration::from_millis(100);

/// What a running camera scan tells the window.
pub trait CameraWatch {
    /// A coarse picture to aim by (see [`scan::preview`]).
    fn preview(&mut self, preview: &Preview);
    /// Whether the operator has asked to stop.
    fn stopped(&self) -> bool;
}

/// A watch that shows nothing and stops when `stop` is set.
pub struct StopFlag<'a>(pub &'a AtomicBool);

impl CameraWatch for StopFlag<'_> {
    fn preview(&mut self, _: &Preview) {}
    fn stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Looks through `camera` until a QR code is found, the operator stops,
/// or `look_for` passes. The camera is released before this returns,
/// whatever the outcome. The first code seen decides: an OATH secret is
/// the seed; any other code's advice is the error.
pub fn from_camera(
    camera: Box<dyn FrameSource>,
    look_for: Duration,
    watch: &mut dyn CameraWatch,
) -> Result<SeedInput, StationError> {
    let name = camera.name();
    let origin = format!("camera {name}");
    let found = first_code(camera, look_for, watch, &name)?;
    pick(found, &origin)?.ok_or_else(|| {
        StationError::BadInput(format!("The QR code seen by {origin} could not be read."))
    })
}

/// The texts of the first frame that shows a code. Consumes (and so
/// releases) the camera.
fn first_code(
    mut camera: Box<dyn FrameSource>,
    look_for: Duration,
    watch: &mut dyn CameraWatch,
    name: &str,
) -> Result<Vec<Zeroizing<String>>, StationError> {
    let started = Instant::now();
    let mut shown: Option<Instant> = None;
    loop {
        if watch.stopped() {
            return Err(StationError::BadInput(
                "The camera scan was stopped; no seed was read.".into(),
            ));
        }
        if started.elapsed() >= look_for {
            return Err(not_seen(name, look_for));
        }
        let Some(picture) = camera.next_frame()? else {
            return Err(StationError::BadInput(format!(
                "Camera {name} stopped sending pictures before a QR code was seen. \
                 Check its cable and try again, or use the screen, a file or the clipboard."
            )));
        };
        let frame = picture.view().map_err(|e| {
            StationError::BadInput(format!("Camera {name} sent a broken picture ({e})."))
        })?;
        let codes = scan::codes(&frame);
        if !codes.is_empty() {
            return Ok(codes.into_iter().map(|c| c.text).collect());
        }
        if shown.is_none_or(|t| t.elapsed() >= PREVIEW_EVERY) {
            watch.preview(&scan::preview(&frame));
            shown = Some(Instant::now());
        }
    }
}

fn not_seen(name: &str, look_for: Duration) -> StationError {
    StationError::BadInput(format!(
        "Camera {name} saw no QR code in {} s. Hold the code flat, filling about a third \
         of the picture, in good light and without glare, and try again; or read it from \
         the screen, a file or the clipboard.",
        look_for.as_secs()
    ))
}

/// A camera that plays recorded frames in order, then ends: the training
/// desk's camera and the tests'. Counts what was taken and says when it
/// was released, so a test can see the camera was let go.
pub struct Replay {
    name: String,
    frames: std::vec::IntoIter<CameraFrame>,
    pub taken: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub released: std::sync::Arc<AtomicBool>,
}

impl Replay {
    pub fn new(name: &str, frames: Vec<CameraFrame>) -> Self {
        Replay {
            name: name.into(),
            frames: frames.into_iter(),
            taken: Default::default(),
            released: Default::default(),
        }
    }
}

impl FrameSource for Replay {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn next_frame(&mut self) -> Result<Option<CameraFrame>, StationError> {
        let next = self.frames.next();
        if next.is_some() {
            self.taken.fetch_add(1, Ordering::Relaxed);
        }
        Ok(next)
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.released.store(true, Ordering::Relaxed);
    }
}

/// Cameras that each open a fresh [`Replay`] of the same recording.
pub struct Recorded {
    name: String,
    record: Box<dyn Fn() -> Vec<CameraFrame> + Send + Sync>,
}

impl Recorded {
    pub fn new(name: &str, record: impl Fn() -> Vec<CameraFrame> + Send + Sync + 'static) -> Self {
        Recorded {
            name: name.into(),
            record: Box::new(record),
        }
    }
}

impl Cameras for Recorded {
    fn open(&self) -> Result<Box<dyn FrameSource>, StationError> {
        Ok(Box::new(Replay::new(&self.name, (self.record)())))
    }
}

/// The desk's real cameras.
#[cfg(feature = "camera")]
pub fn desk_cameras() -> Box<dyn Cameras> {
    Box::new(crate::adapters::DeskCameras)
}
