//! Finder patterns: the three nested squares in a QR code's corners. Any
//! line through a finder's centre crosses dark, light, dark, light, dark in
//! widths 1 : 1 : 3 : 1 : 1 (ISO/IEC 18004). The rows of the reduced frame
//! are searched for that rhythm, each hit is checked down its column, and
//! the hits of one pattern are merged.

use crate::grey::Grey;

/// One finder pattern's centre and module size, in reduced pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Finder {
    pub x: f32,
    pub y: f32,
    pub module: f32,
    hits: u32,
}

/// At most this many finders are kept: a screen full of look-alikes
/// (a chequered wallpaper) must not make the triple search quadratic.
const MOST: usize = 64;

/// Every finder pattern in `grey` seen on at least two rows.
pub(crate) fn finders(grey: &Grey, threshold: u8) -> Vec<Finder> {
    let mut found: Vec<Finder> = Vec::new();
    for y in 0..grey.height {
        for (x, width) in rhythms(grey.row(y), threshold) {
            if let Some((cy, height)) = column_rhythm(grey, threshold, x, y)
                && height * 2 >= width
                && height <= width * 2
            {
                merge(&mut found, x as f32, cy, (width + height) as f32 / 14.0);
            }
        }
    }
    found.retain(|f| f.hits >= 2);
    found.sort_by_key(|f| std::cmp::Reverse(f.hits));
    found.truncate(MOST);
    found
}

/// Adds a hit to the finder it belongs to, or starts a new one.
fn merge(found: &mut Vec<Finder>, x: f32, y: f32, module: f32) {
    for f in found.iter_mut() {
        let near = f.module.max(module) * 2.0;
        if (f.x - x).abs() <= near && (f.y - y).abs() <= near {
            let n = f.hits as f32;
            f.x = (f.x * n + x) / (n + 1.0);
            f.y = (f.y * n + y) / (n + 1.0);
            f.module = (f.module * n + module) / (n + 1.0);
            f.hits += 1;
            return;
        }
    }
    found.push(Finder {
        x,
        y,
        module,
        hits: 1,
    });
}

/// True when five run widths (dark first) have the finder's 1:1:3:1:1
/// rhythm, each within half a module.
fn is_rhythm(runs: &[u32; 5]) -> bool {
    let total: u32 = runs.iter().sum();
    if total < 7 {
        return false;
    }
    // In sevenths of the total: a module is 1, the centre 3; allow ±½.
    let ok = |run: u32, modules: u32| {
        let r = run * 14;
        r + total >= modules * 2 * total && r <= modules * 2 * total + total
    };
    ok(runs[0], 1) && ok(runs[1], 1) && ok(runs[2], 3) && ok(runs[3], 1) && ok(runs[4], 1)
}

/// The centre column and total width of each finder rhythm in one row.
fn rhythms(row: &[u8], threshold: u8) -> Vec<(u32, u32)> {
    let mut hits = Vec::new();
    // The last five runs, oldest first, and where the newest ended.
    let mut runs = [0u32; 5];
    let mut dark_first = [false; 5];
    let mut filled = 0;
    let mut start = 0usize;
    let mut dark = row.first().is_some_and(|&p| p < threshold);
    for x in 1..=row.len() {
        let here = row.get(x).map(|&p| p < threshold);
        if here == Some(dark) {
            continue;
        }
        runs.rotate_left(1);
        dark_first.rotate_left(1);
        runs[4] = (x - start) as u32;
        dark_first[4] = dark;
        filled += 1;
        if filled >= 5 && dark && dark_first[0] && is_rhythm(&runs) {
            let centre_end = x as u32 - runs[4] - runs[3];
            hits.push((centre_end - runs[2] + (runs[2] - 1) / 2, runs.iter().sum()));
        }
        start = x;
        dark = !dark;
    }
    hits
}

/// Checks the finder rhythm down column `x` through (`x`, `y`); gives the
/// centre row and total height.
fn column_rhythm(grey: &Grey, threshold: u8, x: u32, y: u32) -> Option<(f32, u32)> {
    let dark = |yy: u32| grey.at(x, yy) < threshold;
    if !dark(y) {
        return None;
    }
    // Walk up then down from the centre, measuring three runs each way.
    let up = three_runs(&dark, y as i64, -1, grey.height);
    let down = three_runs(&dark, y as i64 + 1, 1, grey.height);
    let runs = [up[2], up[1], up[0] + down[0], down[1], down[2]];
    if runs.contains(&0) || !is_rhythm(&runs) {
        return None;
    }
    let top = y as f32 - up[0] as f32 + 1.0;
    Some((top + (runs[2] as f32 - 1.0) / 2.0, runs.iter().sum()))
}

/// The widths of the dark, light and dark runs met walking from row
/// `from` by `dir` (±1), stopping at the picture's edge.
fn three_runs(dark: &impl Fn(u32) -> bool, from: i64, dir: i64, height: u32) -> [u32; 3] {
    let mut runs = [0u32; 3];
    let mut yy = from;
    for (i, want_dark) in [true, false, true].into_iter().enumerate() {
        while (0..height as i64).contains(&yy) && dark(yy as u32) == want_dark {
            runs[i] += 1;
            yy += dir;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rhythm_allows_half_a_module_either_way() {
        assert!(is_rhythm(&[2, 2, 6, 2, 2]));
        assert!(is_rhythm(&[3, 2, 7, 2, 2]));
        assert!(is_rhythm(&[4, 4, 12, 4, 4]));
        assert!(!is_rhythm(&[2, 2, 2, 2, 2]));
        assert!(!is_rhythm(&[2, 6, 6, 2, 2]));
        assert!(!is_rhythm(&[1, 1, 3, 1, 0]));
    }

    #[test]
    fn a_row_through_a_finder_names_its_centre() {
        // Light, then the finder at 2 px per module starting at column 4.
        let mut row = vec![255u8; 4];
        for (modules, level) in [(1, 0u8), (1, 255), (3, 0), (1, 255), (1, 0)] {
            row.extend(std::iter::repeat_n(level, modules * 2));
        }
        row.extend([255; 4]);
        assert_eq!(rhythms(&row, 128), vec![(10, 14)]);
    }
}
