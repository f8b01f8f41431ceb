//! How long finding and reading the Entra code takes, per frame, against
//! plain `rqrr` over the whole frame (what a scan did before): one 4K
//! monitor at several scales and themes, a 1080p one, and a two-monitor
//! 7680×2160 desk searched in parallel. `make bench` prints the table the
//! README quotes. Targets: ≤ 30 ms for a 3840×2160 frame, ≤ 60 ms for the
//! two-monitor desk.

// The bench draws a few of the corpus's screens, not all of it.
#[allow(dead_code)]
#[path = "../tests/common/corpus.rs"]
mod corpus;

use std::time::{Duration, Instant};

use corpus::{Screen, Setting, Theme};
use oathdesk_scan::{Frame, Layout, codes_on_all, quick, thorough};

fn frame(s: &Screen) -> Frame<'_> {
    Frame::packed(s.width, s.height, Layout::Rgba8, &s.rgba).unwrap()
}

/// The median of `runs` timings of `f`, which must find the Entra code.
fn median(runs: usize, mut f: impl FnMut() -> bool) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            assert!(f(), "the code was not found");
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn row(name: &str, quick_ms: f64, plain_ms: f64, target: Option<f64>) {
    let verdict = match target {
        Some(t) if quick_ms <= t => format!("within {t} ms"),
        Some(t) => format!("OVER the {t} ms target"),
        None => String::new(),
    };
    println!(
        "| {name} | {quick_ms:.1} ms | {plain_ms:.0} ms | {:.0}× | {verdict} |",
        plain_ms / quick_ms
    );
}

fn main() {
    println!("| Frame | Quick search | Plain rqrr | Ratio | Target |");
    println!("|---|---|---|---|---|");
    let one = |width, height, scale, theme| Setting {
        width,
        height,
        scale,
        theme,
        shows: Some(corpus::ENTRA),
    };
    for (setting, target) in [
        (one(3840, 2160, 100, Theme::Light), Some(30.0)),
        (one(3840, 2160, 150, Theme::Light), Some(30.0)),
        (one(3840, 2160, 200, Theme::Dark), Some(30.0)),
        (one(1920, 1080, 100, Theme::Light), None),
    ] {
        let screen = corpus::draw(setting);
        let f = frame(&screen);
        let found =
            |codes: Vec<oathdesk_scan::Code>| codes.iter().any(|c| *c.text == corpus::ENTRA);
        let q = median(21, || found(quick(&f)));
        let p = median(3, || found(thorough(&f)));
        row(&screen.name, ms(q), ms(p), target);
    }
    let desk = corpus::desk();
    let frames = [frame(&desk[0]), frame(&desk[1])];
    let on_desk = |found: Vec<Vec<oathdesk_scan::Code>>| {
        found.iter().flatten().any(|c| *c.text == corpus::ENTRA)
    };
    let q = median(21, || on_desk(codes_on_all(&frames)));
    let p = median(3, || on_desk(frames.iter().map(thorough).collect()));
    row(
        "desk of two 3840x2160 monitors (7680x2160), code on the second",
        ms(q),
        ms(p),
        Some(60.0),
    );
}
