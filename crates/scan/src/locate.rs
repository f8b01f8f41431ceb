//! From finder patterns to the areas that may hold a QR code: three finders
//! of one module size at the corners of a right isosceles triangle, as far
//! apart as a code of version 1 to 40 puts them.

use crate::finder::Finder;
use crate::grey::Area;

/// Finder centres of a version-v code are 4v + 10 modules apart.
const NEAREST: f32 = 14.0 - 3.0;
const FARTHEST: f32 = 170.0 + 10.0;

/// Modules kept around the finders' centres: 3.5 to the code's edge, then
/// a quiet zone the decoder needs, with slack for a slanted camera view.
const MARGIN_MODULES: f32 = 9.0;

/// Where a code may be, in the frame's own pixels (`step` is the
/// reduction the finders were found at).
pub(crate) fn areas(finders: &[Finder], step: u32, width: u32, height: u32) -> Vec<Area> {
    let mut areas = Vec::new();
    let n = finders.len();
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                if let Some(a) = corner_triple(&finders[i], &finders[j], &finders[k]) {
                    let area = bounds(&a, step, width, height);
                    if !areas.contains(&area) {
                        areas.push(area);
                    }
                }
            }
        }
    }
    areas
}

/// The three finders with the right-angle corner first, if they can be one
/// code's.
fn corner_triple<'a>(a: &'a Finder, b: &'a Finder, c: &'a Finder) -> Option<[&'a Finder; 3]> {
    let (small, large) = [a, b, c].iter().fold((f32::MAX, 0f32), |(s, l), f| {
        (s.min(f.module), l.max(f.module))
    });
    if large > small * 1.6 {
        return None;
    }
    let d = |p: &Finder, q: &Finder| ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt();
    // The corner is opposite the longest side.
    let (ab, bc, ca) = (d(a, b), d(b, c), d(c, a));
    let [corner, p, q] = if bc >= ab && bc >= ca {
        [a, b, c]
    } else if ca >= ab {
        [b, c, a]
    } else {
        [c, a, b]
    };
    let (s1, s2) = (d(corner, p), d(corner, q));
    let module = (a.module + b.module + c.module) / 3.0;
    let side = (s1 + s2) / 2.0 / module;
    let (ux, uy) = (p.x - corner.x, p.y - corner.y);
    let (vx, vy) = (q.x - corner.x, q.y - corner.y);
    let cos = (ux * vx + uy * vy) / (s1 * s2);
    let square = s1.max(s2) <= s1.min(s2) * 1.3 && cos.abs() < 0.3;
    (square && (NEAREST..=FARTHEST).contains(&side)).then_some([corner, p, q])
}

/// The area around the code the three finders frame.
fn bounds(f: &[&Finder; 3], step: u32, width: u32, height: u32) -> Area {
    let [c, p, q] = f;
    // The fourth corner completes the parallelogram.
    let (fx, fy) = (p.x + q.x - c.x, p.y + q.y - c.y);
    let xs = [c.x, p.x, q.x, fx];
    let ys = [c.y, p.y, q.y, fy];
    let margin = MARGIN_MODULES * (c.module + p.module + q.module) / 3.0;
    let lo = |v: &[f32; 4]| v.iter().cloned().fold(f32::MAX, f32::min) - margin;
    let hi = |v: &[f32; 4]| v.iter().cloned().fold(f32::MIN, f32::max) + margin;
    let s = step as f32;
    let clamp = |v: f32, limit: u32| (v * s).clamp(0.0, limit as f32) as u32;
    let (x0, x1) = (clamp(lo(&xs), width), clamp(hi(&xs) + 1.0, width));
    let (y0, y1) = (clamp(lo(&ys), height), clamp(hi(&ys) + 1.0, height));
    Area {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    }
}
