//! A webcam's recording, made here: no test machine has a camera. A
//! 640×480 YUYV camera (the raw format every UVC webcam offers) watches a
//! desk while an operator brings a phone showing a QR code into view: the
//! empty desk, the phone half out of the picture, the phone moving (motion
//! blur), then the phone held still. Sensor noise and a phone screen's
//! dim contrast make every frame unlike the clean pictures of a screen.

/// One raw camera frame: two pixels in four bytes, Y0 U Y1 V.
pub struct RecordedFrame {
    pub width: u32,
    pub height: u32,
    pub yuyv: Vec<u8>,
}

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 480;

/// How many frames of each stage [`phone_held_up`] records.
pub const EMPTY: usize = 3;
pub const HALF_IN: usize = 2;
pub const MOVING: usize = 2;
pub const STILL: usize = 3;

/// The frame [`phone_held_up`]'s code can first be read in (0-based).
pub const FIRST_READABLE: usize = EMPTY + HALF_IN + MOVING;

/// The recording of `text`'s code brought into view; `None` when `text`
/// is too long for a QR code.
pub fn phone_held_up(text: &str) -> Option<Vec<RecordedFrame>> {
    let code = Code::new(text)?;
    let mut noise = Noise(0x5eed);
    let centre = (WIDTH as i64 - code.side as i64) / 2;
    let stages = [
        (EMPTY, None, 0),
        (HALF_IN, Some(-(code.side as i64) / 2), 0),
        (MOVING, Some(centre - 40), 15),
        (STILL, Some(centre), 0),
    ];
    let mut frames = Vec::new();
    for (count, left, blur) in stages {
        for _ in 0..count {
            let mut grey = desk(&mut noise);
            if let Some(left) = left {
                code.draw(&mut grey, left, (HEIGHT as i64 - code.side as i64) / 2);
            }
            if blur > 0 {
                smear(&mut grey, blur);
            }
            frames.push(yuyv(&grey));
        }
    }
    Some(frames)
}

/// Frames of the desk alone, as long as you like.
pub fn empty_desk(count: usize) -> Vec<RecordedFrame> {
    let mut noise = Noise(7);
    (0..count).map(|_| yuyv(&desk(&mut noise))).collect()
}

/// A phone screen's code: dark modules not black, light ones not white.
struct Code {
    modules: Vec<bool>,
    /// Modules a side, with the four-module quiet zone.
    n: usize,
    module: usize,
    side: usize,
}

const DARK: u8 = 45;
const LIGHT: u8 = 205;

impl Code {
    fn new(text: &str) -> Option<Code> {
        let qr = qrcode::QrCode::new(text).ok()?;
        let inner = qr.width();
        let n = inner + 8;
        let module = 270 / n;
        let colors = qr.to_colors();
        let modules = (0..n * n)
            .map(|i| {
                let (x, y) = (i % n, i / n);
                let inside = (4..inner + 4).contains(&x) && (4..inner + 4).contains(&y);
                inside && colors[(y - 4) * inner + (x - 4)] == qrcode::Color::Dark
            })
            .collect();
        Some(Code {
            modules,
            n,
            module,
            side: n * module,
        })
    }

    /// Draws the code with its top-left corner at (`left`, `top`), clipped
    /// to the picture.
    fn draw(&self, grey: &mut [u8], left: i64, top: i64) {
        for y in 0..self.side {
            for x in 0..self.side {
                let (px, py) = (left + x as i64, top + y as i64);
                if !(0..WIDTH as i64).contains(&px) || !(0..HEIGHT as i64).contains(&py) {
                    continue;
                }
                let dark = self.modules[(y / self.module) * self.n + x / self.module];
                grey[py as usize * WIDTH as usize + px as usize] = if dark { DARK } else { LIGHT };
            }
        }
    }
}

/// A mid-grey desk with the sensor's noise.
fn desk(noise: &mut Noise) -> Vec<u8> {
    (0..WIDTH * HEIGHT)
        .map(|_| 110 + noise.next() % 24)
        .collect()
}

/// Horizontal motion blur over `k` pixels.
fn smear(grey: &mut [u8], k: usize) {
    for row in grey.chunks_exact_mut(WIDTH as usize) {
        let copy = row.to_vec();
        for (x, p) in row.iter_mut().enumerate() {
            let window = &copy[x.saturating_sub(k / 2)..(x + k / 2 + 1).min(copy.len())];
            *p = (window.iter().map(|&v| v as u32).sum::<u32>() / window.len() as u32) as u8;
        }
    }
}

fn yuyv(grey: &[u8]) -> RecordedFrame {
    let yuyv = grey
        .chunks_exact(2)
        .flat_map(|pair| [pair[0], 128, pair[1], 128])
        .collect();
    RecordedFrame {
        width: WIDTH,
        height: HEIGHT,
        yuyv,
    }
}

/// A small deterministic generator: the same recording every run.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 >> 24) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_has_its_stages_in_raw_yuyv() {
        let frames = phone_held_up("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(frames.len(), EMPTY + HALF_IN + MOVING + STILL);
        for f in &frames {
            assert_eq!(f.yuyv.len(), (WIDTH * HEIGHT * 2) as usize);
        }
        // The still frames are the same picture but for the noise.
        assert_ne!(frames[FIRST_READABLE].yuyv, frames[FIRST_READABLE + 1].yuyv);
        assert!(phone_held_up(&"x".repeat(8000)).is_none());
    }
}
