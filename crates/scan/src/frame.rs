//! A captured picture as it arrives from a screen grabber, a camera or a
//! file: borrowed bytes in one of a few pixel layouts, never copied whole.

use thiserror::Error;

/// How a frame's pixels are laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Red, green, blue, alpha: what `xcap` and the `image` crate hand out.
    Rgba8,
    /// Blue, green, red, alpha: Windows' and macOS's native screen layout.
    Bgra8,
    /// Red, green, blue: decoded camera frames (MJPEG).
    Rgb8,
    /// One grey byte per pixel.
    Luma8,
    /// Y0 U Y1 V: raw webcam frames (two pixels in four bytes).
    Yuyv,
}

impl Layout {
    /// Bytes a row of `width` pixels takes at least.
    fn row_bytes(self, width: usize) -> Option<usize> {
        match self {
            Layout::Rgba8 | Layout::Bgra8 => width.checked_mul(4),
            Layout::Rgb8 => width.checked_mul(3),
            Layout::Luma8 => Some(width),
            Layout::Yuyv => width.div_ceil(2).checked_mul(4),
        }
    }
}

/// Why bytes are not a frame.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("the picture is empty ({width}×{height} pixels)")]
    Empty { width: u32, height: u32 },
    #[error("a row of {width} pixels needs {needed} bytes but the stride is {stride}")]
    Stride {
        width: u32,
        stride: usize,
        needed: usize,
    },
    #[error("a {width}×{height} picture needs {needed} bytes but {given} were given")]
    Short {
        width: u32,
        height: u32,
        needed: usize,
        given: usize,
    },
}

/// A checked view of a picture: every pixel it names is inside `pixels`.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    width: u32,
    height: u32,
    stride: usize,
    layout: Layout,
    pixels: &'a [u8],
}

impl<'a> Frame<'a> {
    /// A frame of `width`×`height` pixels, rows `stride` bytes apart.
    pub fn new(
        width: u32,
        height: u32,
        stride: usize,
        layout: Layout,
        pixels: &'a [u8],
    ) -> Result<Self, FrameError> {
        if width == 0 || height == 0 {
            return Err(FrameError::Empty { width, height });
        }
        let row = layout.row_bytes(width as usize).ok_or(FrameError::Short {
            width,
            height,
            needed: usize::MAX,
            given: pixels.len(),
        })?;
        if stride < row {
            return Err(FrameError::Stride {
                width,
                stride,
                needed: row,
            });
        }
        let needed = stride
            .checked_mul(height as usize - 1)
            .and_then(|n| n.checked_add(row))
            .unwrap_or(usize::MAX);
        if pixels.len() < needed {
            return Err(FrameError::Short {
                width,
                height,
                needed,
                given: pixels.len(),
            });
        }
        Ok(Frame {
            width,
            height,
            stride,
            layout,
            pixels,
        })
    }

    /// A tightly packed frame (rows back to back).
    pub fn packed(
        width: u32,
        height: u32,
        layout: Layout,
        pixels: &'a [u8],
    ) -> Result<Self, FrameError> {
        let stride = layout.row_bytes(width as usize).unwrap_or(usize::MAX);
        Self::new(width, height, stride, layout, pixels)
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The grey level of every `step`-th pixel of row `y`, from column `x0`
    /// for `n` pixels, appended to `out`. Monomorphised per layout so the
    /// inner loop has no branch.
    pub(crate) fn grey_row(&self, y: u32, x0: u32, n: u32, step: u32, out: &mut Vec<u8>) {
        let row = &self.pixels[y as usize * self.stride..];
        let (x0, n, step) = (x0 as usize, n as usize, step as usize);
        match self.layout {
            Layout::Rgba8 => sample(row, 4, x0, n, step, out, |p| luma(p[0], p[1], p[2])),
            Layout::Bgra8 => sample(row, 4, x0, n, step, out, |p| luma(p[2], p[1], p[0])),
            Layout::Rgb8 => sample(row, 3, x0, n, step, out, |p| luma(p[0], p[1], p[2])),
            Layout::Luma8 => sample(row, 1, x0, n, step, out, |p| p[0]),
            Layout::Yuyv => {
                out.extend((0..n).map(|i| {
                    let x = x0 + i * step;
                    row[(x / 2) * 4 + (x % 2) * 2]
                }));
            }
        }
    }
}

fn sample(
    row: &[u8],
    bpp: usize,
    x0: usize,
    n: usize,
    step: usize,
    out: &mut Vec<u8>,
    grey: impl Fn(&[u8]) -> u8,
) {
    if n == 0 {
        return;
    }
    let start = x0 * bpp;
    let end = start + (n.saturating_sub(1) * step + 1) * bpp;
    out.extend(row[start..end].chunks(bpp).step_by(step).map(grey));
}

/// ITU-R BT.601 luma in fixed point (weights 77, 150, 29 of 256).
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_buffer_or_a_narrow_stride_is_refused_not_read_past() {
        assert_eq!(
            Frame::packed(2, 2, Layout::Rgba8, &[0; 15]).err(),
            Some(FrameError::Short {
                width: 2,
                height: 2,
                needed: 16,
                given: 15
            })
        );
        assert!(matches!(
            Frame::new(4, 1, 15, Layout::Rgba8, &[0; 64]),
            Err(FrameError::Stride { needed: 16, .. })
        ));
        assert!(matches!(
            Frame::packed(0, 5, Layout::Luma8, &[]),
            Err(FrameError::Empty { .. })
        ));
        // The last row needs only its own pixels, not a whole stride.
        assert!(Frame::new(1, 2, 8, Layout::Rgba8, &[0; 12]).is_ok());
        assert!(Frame::packed(u32::MAX, u32::MAX, Layout::Rgba8, &[0; 4]).is_err());
    }

    #[test]
    fn every_layout_gives_the_same_grey() {
        let (r, g, b) = (200u8, 100u8, 50u8);
        let want = luma(r, g, b);
        let frames: [(Layout, Vec<u8>); 4] = [
            (Layout::Rgba8, vec![r, g, b, 255, r, g, b, 255]),
            (Layout::Bgra8, vec![b, g, r, 255, b, g, r, 255]),
            (Layout::Rgb8, vec![r, g, b, r, g, b]),
            (Layout::Yuyv, vec![want, 128, want, 128]),
        ];
        for (layout, bytes) in frames {
            let f = Frame::packed(2, 1, layout, &bytes).unwrap();
            let mut out = Vec::new();
            f.grey_row(0, 0, 2, 1, &mut out);
            assert_eq!(out, [want, want], "{layout:?}");
        }
    }
}
