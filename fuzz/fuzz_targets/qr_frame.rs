//! A captured frame (from a screen grabber or a camera, so any bytes): the
//! first three bytes give its width, height and layout, the rest its
//! pixels. Framing either refuses the bytes or gives a frame the quick
//! search reads without a panic, and every area it names lies inside it;
//! its camera preview is never wider than `PREVIEW_WIDTH` and has a grey
//! byte for every pixel.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_scan::{Frame, Layout, PREVIEW_WIDTH, preview, quick};

const LAYOUTS: [Layout; 5] = [
    Layout::Rgba8,
    Layout::Bgra8,
    Layout::Rgb8,
    Layout::Luma8,
    Layout::Yuyv,
];

fuzz_target!(|data: &[u8]| {
    let [w, h, l, pixels @ ..] = data else {
        return;
    };
    let layout = LAYOUTS[*l as usize % LAYOUTS.len()];
    let (width, height) = (*w as u32, *h as u32);
    if let Ok(frame) = Frame::packed(width, height, layout, pixels) {
        for code in quick(&frame) {
            let a = code.area;
            assert!(a.x + a.width <= width && a.y + a.height <= height);
        }
        let p = preview(&frame);
        assert!(p.width <= PREVIEW_WIDTH && p.width <= width && p.height <= height);
        assert_eq!(p.grey.len(), (p.width * p.height) as usize);
    }
});
