//! What the operator sees while aiming a camera: a grey picture so coarse
//! that it shows where the code is but cannot be read. A code's modules
//! are at least ~25 to a side; squeezed into a few dozen averaged pixels
//! they blur into grey, so the secret never reaches the window readable.

use zeroize::Zeroizing;

use crate::frame::Frame;

/// The preview's width in pixels, whatever the camera's.
pub const PREVIEW_WIDTH: u32 = 64;

/// A coarse grey picture, one byte per pixel, rows back to back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub width: u32,
    pub height: u32,
    pub grey: Vec<u8>,
}

/// The frame averaged into square cells, [`PREVIEW_WIDTH`] cells across
/// (fewer when the frame is narrower). Each cell is the mean of every
/// pixel under it, never a sample, so no module survives sharp.
pub fn preview(frame: &Frame) -> Preview {
    let cell = frame.width().div_ceil(PREVIEW_WIDTH).max(1);
    let width = frame.width().div_ceil(cell);
    let height = frame.height().div_ceil(cell);
    let mut sums = vec![0u32; width as usize * height as usize];
    let mut counts = vec![0u32; sums.len()];
    let mut row = Zeroizing::new(Vec::with_capacity(frame.width() as usize));
    for y in 0..frame.height() {
        row.clear();
        frame.grey_row(y, 0, frame.width(), 1, &mut row);
        let base = (y / cell) as usize * width as usize;
        for (x, &g) in row.iter().enumerate() {
            let i = base + x / cell as usize;
            sums[i] += u32::from(g);
            counts[i] += 1;
        }
    }
    let grey = sums
        .iter()
        .zip(&counts)
        .map(|(s, n)| (s / n.max(&1)) as u8)
        .collect();
    Preview {
        width,
        height,
        grey,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Layout;

    #[test]
    fn each_cell_is_the_mean_of_its_pixels() {
        // 128×2 grey: left half black, right half white, one white pixel
        // in the first black cell.
        let mut px: Vec<u8> = (0..256)
            .map(|i| if i % 128 < 64 { 0 } else { 255 })
            .collect();
        px[0] = 255;
        let f = Frame::packed(128, 2, Layout::Luma8, &px).unwrap();
        let p = preview(&f);
        assert_eq!((p.width, p.height), (64, 1));
        assert_eq!(p.grey[0], 255 / 4);
        assert_eq!(p.grey[1], 0);
        assert_eq!(p.grey[63], 255);
    }

    #[test]
    fn a_narrow_frame_keeps_its_size() {
        let f = Frame::packed(3, 2, Layout::Luma8, &[9; 6]).unwrap();
        assert_eq!(
            preview(&f),
            Preview {
                width: 3,
                height: 2,
                grey: vec![9; 6]
            }
        );
    }
}
