//! The camera preview shows where a code is but never a code that reads,
//! even when the code fills the camera's whole picture.

use oathdesk_scan::{Frame, Layout, PREVIEW_WIDTH, preview, thorough};
use qrcode::{Color, QrCode};

/// An Entra-like otpauth URI: what a phone held up to the camera shows.
const URI: &str =
    "otpauth://totp/Microsoft:adele.vance@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft";

/// A 640×480 grey camera frame whose code is as tall as the frame.
fn camera_frame() -> (u32, u32, Vec<u8>) {
    let code = QrCode::new(URI).unwrap();
    let n = code.width() as u32 + 8; // with the quiet zone
    let (w, h) = (640u32, 480u32);
    let module = h / n;
    let left = (w - n * module) / 2;
    let colors = code.to_colors();
    let mut px = vec![255u8; (w * h) as usize];
    for y in 0..h {
        for x in 0..w {
            let (mx, my) = ((x.saturating_sub(left)) / module, y / module);
            let inside = x >= left && mx >= 4 && my >= 4 && mx < n - 4 && my < n - 4;
            if inside {
                let c = colors[((my - 4) * (n - 8) + (mx - 4)) as usize];
                if c == Color::Dark {
                    px[(y * w + x) as usize] = 0;
                }
            }
        }
    }
    (w, h, px)
}

/// The preview blown up `k` times, nearest neighbour, as a window would
/// show it.
fn enlarged(grey: &[u8], w: u32, h: u32, k: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h * k * k) as usize);
    for y in 0..h * k {
        for x in 0..w * k {
            out.push(grey[((y / k) * w + x / k) as usize]);
        }
    }
    out
}

#[test]
fn a_code_filling_the_frame_reads_but_its_preview_does_not() {
    let (w, h, px) = camera_frame();
    let frame = Frame::packed(w, h, Layout::Luma8, &px).unwrap();
    let read = thorough(&frame);
    assert_eq!(read.len(), 1, "the frame itself holds a readable code");
    assert_eq!(read[0].text.as_str(), URI);

    let p = preview(&frame);
    assert_eq!((p.width, p.height), (PREVIEW_WIDTH, 48));
    // The code is still visible as a darker block in the middle.
    let mean = |x0: u32, x1: u32| {
        let row = &p.grey[(24 * p.width) as usize..(25 * p.width) as usize];
        row[x0 as usize..x1 as usize]
            .iter()
            .map(|&g| g as u32)
            .sum::<u32>()
            / (x1 - x0)
    };
    assert!(mean(20, 44) < mean(0, 6), "the code shows as a shape");
    for k in [1, 4, 10] {
        let big = enlarged(&p.grey, p.width, p.height, k);
        let f = Frame::packed(p.width * k, p.height * k, Layout::Luma8, &big).unwrap();
        assert!(thorough(&f).is_empty(), "the preview ×{k} must not read");
    }
}
