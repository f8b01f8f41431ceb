//! QR codes in screen and camera frames, found fast.
//!
//! Plain `rqrr` over a whole 4K frame takes a third of a second; a desk of
//! two such monitors, most of it text and pictures, is mostly wasted work.
//! [`quick`] looks for the code's finder patterns on a reduced grey copy of
//! the frame (every second pixel of every second row at 4K), then decodes
//! only the code's own area, at full resolution. [`thorough`] is plain
//! `rqrr` over the whole frame, for when the quick search finds nothing.
//!
//! Everything here is sans-IO: bytes in, texts out. The grey copies hold a
//! picture of a secret, so they are wiped when dropped, as are the texts.

mod finder;
mod frame;
mod grey;
mod locate;
mod preview;

pub use frame::{Frame, FrameError, Layout};
pub use grey::Area;
pub use preview::{PREVIEW_WIDTH, Preview, preview};

use grey::Grey;
use zeroize::Zeroizing;

/// One QR code's text and where it was.
pub struct Code {
    pub text: Zeroizing<String>,
    pub area: Area,
}

/// Frames this many rows tall or more are searched at every second row
/// and column: a 100 % Entra code's modules are 4 px, so 2 px remain.
const REDUCE_FROM: u32 = 2000;

/// The codes whose finder patterns the reduced frame shows, each decoded
/// from its own area at full resolution.
pub fn quick(frame: &Frame) -> Vec<Code> {
    let step = if frame.width().min(frame.height()) >= REDUCE_FROM {
        2
    } else {
        1
    };
    let reduced = Grey::reduced(frame, step);
    let finders = finder::finders(&reduced, reduced.threshold());
    drop(reduced);
    let mut codes: Vec<Code> = Vec::new();
    for area in locate::areas(&finders, step, frame.width(), frame.height()) {
        if codes.iter().any(|c| inside(area, c.area)) {
            continue;
        }
        for text in decode(&Grey::crop(frame, area)) {
            if !codes.iter().any(|c| c.text == text) {
                codes.push(Code { text, area });
            }
        }
    }
    codes
}

/// Every code plain `rqrr` finds in the whole frame at full resolution.
pub fn thorough(frame: &Frame) -> Vec<Code> {
    let whole = Area {
        x: 0,
        y: 0,
        width: frame.width(),
        height: frame.height(),
    };
    decode(&Grey::crop(frame, whole))
        .into_iter()
        .map(|text| Code { text, area: whole })
        .collect()
}

/// [`quick`], then [`thorough`] if it found nothing.
pub fn codes(frame: &Frame) -> Vec<Code> {
    codes_on_all(std::slice::from_ref(frame))
        .pop()
        .unwrap_or_default()
}

/// The codes of several frames (a desk's monitors), searched in parallel;
/// the whole-frame search runs only when no frame shows a code quickly.
pub fn codes_on_all(frames: &[Frame]) -> Vec<Vec<Code>> {
    let found = parallel(frames, quick);
    if found.iter().any(|c| !c.is_empty()) {
        return found;
    }
    parallel(frames, thorough)
}

fn parallel(frames: &[Frame], search: fn(&Frame) -> Vec<Code>) -> Vec<Vec<Code>> {
    if frames.len() < 2 {
        return frames.iter().map(search).collect();
    }
    std::thread::scope(|s| {
        let running: Vec<_> = frames.iter().map(|f| s.spawn(move || search(f))).collect();
        running
            .into_iter()
            .map(|r| r.join().unwrap_or_default())
            .collect()
    })
}

fn inside(a: Area, outer: Area) -> bool {
    a.x >= outer.x
        && a.y >= outer.y
        && a.x + a.width <= outer.x + outer.width
        && a.y + a.height <= outer.y + outer.height
}

/// The texts of every code `rqrr` reads in `grey`.
fn decode(grey: &Grey) -> Vec<Zeroizing<String>> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        grey.width as usize,
        grey.height as usize,
        |x, y| grey.at(x as u32, y as u32),
    );
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| Zeroizing::new(text)))
        .collect()
}
