//! Grey pictures: the reduced copy of a whole frame the finder searches,
//! and full-resolution crops the decoder reads. Both hold a picture of a
//! secret, so both are wiped when dropped.

use zeroize::Zeroizing;

use crate::frame::Frame;

/// A grey picture, one byte per pixel.
pub(crate) struct Grey {
    pub width: u32,
    pub height: u32,
    pub pixels: Zeroizing<Vec<u8>>,
}

impl Grey {
    /// Every `step`-th pixel of every `step`-th row of `frame`.
    pub fn reduced(frame: &Frame, step: u32) -> Grey {
        let width = frame.width().div_ceil(step);
        let height = frame.height().div_ceil(step);
        let mut pixels = Zeroizing::new(Vec::with_capacity(width as usize * height as usize));
        for y in (0..frame.height()).step_by(step as usize) {
            frame.grey_row(y, 0, width, step, &mut pixels);
        }
        Grey {
            width,
            height,
            pixels,
        }
    }

    /// The pixels of `frame` inside `area`, at full resolution.
    pub fn crop(frame: &Frame, area: Area) -> Grey {
        let mut pixels = Zeroizing::new(Vec::with_capacity(
            area.width as usize * area.height as usize,
        ));
        for y in area.y..area.y + area.height {
            frame.grey_row(y, area.x, area.width, 1, &mut pixels);
        }
        Grey {
            width: area.width,
            height: area.height,
            pixels,
        }
    }

    pub fn at(&self, x: u32, y: u32) -> u8 {
        self.pixels[y as usize * self.width as usize + x as usize]
    }

    pub fn row(&self, y: u32) -> &[u8] {
        let w = self.width as usize;
        &self.pixels[y as usize * w..(y as usize + 1) * w]
    }

    /// The level that best splits the picture into dark and light (Otsu's
    /// method: the split with the largest variance between the two classes).
    pub fn threshold(&self) -> u8 {
        let mut histogram = [0u64; 256];
        for &p in self.pixels.iter() {
            histogram[p as usize] += 1;
        }
        otsu(&histogram)
    }
}

/// A rectangle of a frame, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

fn otsu(histogram: &[u64; 256]) -> u8 {
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(v, &n)| v as f64 * n as f64)
        .sum();
    let (mut dark_n, mut dark_sum) = (0u64, 0f64);
    let (mut best, mut best_spread) = (128u8, -1f64);
    for (level, &n) in histogram.iter().enumerate() {
        dark_n += n;
        dark_sum += level as f64 * n as f64;
        let light_n = total - dark_n;
        if dark_n == 0 || light_n == 0 {
            continue;
        }
        let dark_mean = dark_sum / dark_n as f64;
        let light_mean = (sum_all - dark_sum) / light_n as f64;
        let spread = dark_n as f64 * light_n as f64 * (dark_mean - light_mean).powi(2);
        if spread > best_spread {
            best_spread = spread;
            best = level as u8;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Layout;

    #[test]
    fn otsu_splits_two_levels_between_them() {
        let mut h = [0u64; 256];
        h[30] = 500;
        h[220] = 300;
        let t = otsu(&h);
        assert!((30..220).contains(&t), "{t}");
    }

    #[test]
    fn a_reduced_frame_keeps_every_step_th_pixel() {
        let bytes: Vec<u8> = (0..35).collect();
        let f = Frame::packed(7, 5, Layout::Luma8, &bytes).unwrap();
        let g = Grey::reduced(&f, 2);
        assert_eq!((g.width, g.height), (4, 3));
        assert_eq!(g.row(1), [14, 16, 18, 20]);
        let c = Grey::crop(
            &f,
            Area {
                x: 5,
                y: 3,
                width: 2,
                height: 2,
            },
        );
        assert_eq!(&c.pixels[..], [26, 27, 33, 34]);
    }
}
