//! A corpus of our own making: screens showing an Entra-like "Scan the QR
//! code" dialog (or Microsoft Authenticator's `phonefactor://` code, or no
//! code) at 100–200 % display scale, light and dark, 1080p to 4K, drawn
//! with anti-aliased edges and text-like clutter around the code. Frames
//! are drawn on demand: a 4K RGBA frame is 33 MB.

use qrcode::{Color, EcLevel, QrCode};

/// The URI Entra's "different authenticator app" dialog encodes.
pub const ENTRA: &str = "otpauth://totp/Contoso%3Aalex.wilber%40contoso.onmicrosoft.com?\
secret=k5xg6ytmn5zhi2lo&issuer=Microsoft";
/// The code the same dialog shows first, for Microsoft Authenticator.
pub const AUTHENTICATOR: &str = "phonefactor://activate_account?code=412977281&\
url=https://mobileappcommunicator.auth.microsoft.com/activate/412977281/WEU";

/// One screen of the corpus.
pub struct Screen {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
    /// The code's text, if the screen shows one.
    pub shows: Option<&'static str>,
}

#[derive(Clone, Copy, Debug)]
pub enum Theme {
    Light,
    Dark,
}

pub const RESOLUTIONS: [(u32, u32); 3] = [(1920, 1080), (2560, 1440), (3840, 2160)];
pub const SCALES: [u32; 5] = [100, 125, 150, 175, 200];

/// What every screen of the corpus is drawn from.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub width: u32,
    pub height: u32,
    pub scale: u32,
    pub theme: Theme,
    pub shows: Option<&'static str>,
}

/// Every Entra dialog the corpus holds (30), then the decoys: the
/// Authenticator code at each resolution, and a screen of text with none.
pub fn settings() -> Vec<Setting> {
    let mut all = Vec::new();
    for (width, height) in RESOLUTIONS {
        for scale in SCALES {
            for theme in [Theme::Light, Theme::Dark] {
                all.push(Setting {
                    width,
                    height,
                    scale,
                    theme,
                    shows: Some(ENTRA),
                });
            }
        }
    }
    for (i, (width, height)) in RESOLUTIONS.into_iter().enumerate() {
        let theme = if i % 2 == 0 {
            Theme::Light
        } else {
            Theme::Dark
        };
        all.push(Setting {
            width,
            height,
            scale: SCALES[i + 1],
            theme,
            shows: Some(AUTHENTICATOR),
        });
    }
    all.push(Setting {
        width: 3840,
        height: 2160,
        scale: 150,
        theme: Theme::Light,
        shows: None,
    });
    all
}

struct Palette {
    page: [u8; 3],
    card: [u8; 3],
    text: [u8; 3],
    bar: [u8; 3],
}

fn palette(theme: Theme) -> Palette {
    match theme {
        Theme::Light => Palette {
            page: [243, 242, 241],
            card: [255, 255, 255],
            text: [50, 49, 48],
            bar: [222, 225, 230],
        },
        Theme::Dark => Palette {
            page: [27, 26, 25],
            card: [41, 40, 39],
            text: [230, 230, 230],
            bar: [53, 54, 58],
        },
    }
}

const BLUE: [u8; 3] = [0, 120, 212];

/// Draws one screen.
pub fn draw(s: Setting) -> Screen {
    let mut c = Canvas::new(s.width, s.height);
    let p = palette(s.theme);
    let k = s.scale as f32 / 100.0;
    let px = |css: f32| (css * k).round() as u32;
    c.fill(0, 0, s.width, s.height, p.page);
    // The browser's tab strip and address bar.
    c.fill(0, 0, s.width, px(72.0), p.bar);
    c.text(px(16.0), px(44.0), s.width / 3, px(14.0), p.text, 1);
    // The Security info page behind the dialog.
    for line in 0..12 {
        let y = px(120.0) + line * px(34.0);
        if y + px(20.0) < s.height {
            c.text(px(40.0), y, s.width / 2, px(14.0), p.text, 7 + line);
        }
    }
    // The dialog, off centre a little differently on each screen.
    let (w, h) = (px(600.0), px(620.0));
    let x0 = (s.width - w) / 2 + (s.scale % 7) * px(9.0);
    let y0 = (s.height.saturating_sub(h)) / 2 + (s.scale % 5) * px(4.0);
    c.fill(x0, y0, w, h, p.card);
    c.text(x0 + px(24.0), y0 + px(28.0), px(300.0), px(20.0), p.text, 3);
    for line in 0..2 {
        c.text(
            x0 + px(24.0),
            y0 + px(70.0) + line * px(22.0),
            px(540.0),
            px(14.0),
            p.text,
            5 + line,
        );
    }
    if let Some(text) = s.shows {
        // Entra's code is a picture with its own white quiet zone, scaled
        // into a box of 180 CSS px: its module edges land between pixels.
        c.qr(text, x0 + px(24.0), y0 + px(130.0), 180.0 * k);
    }
    let below = y0 + px(130.0) + px(196.0);
    c.text(x0 + px(24.0), below, px(160.0), px(14.0), BLUE, 11);
    c.text(
        x0 + px(24.0),
        below + px(40.0),
        px(400.0),
        px(14.0),
        p.text,
        13,
    );
    c.text(
        x0 + px(24.0),
        below + px(64.0),
        px(400.0),
        px(14.0),
        p.text,
        17,
    );
    // Back and Next.
    c.fill(
        x0 + w - px(220.0),
        y0 + h - px(56.0),
        px(90.0),
        px(32.0),
        p.bar,
    );
    c.fill(
        x0 + w - px(114.0),
        y0 + h - px(56.0),
        px(90.0),
        px(32.0),
        BLUE,
    );
    let theme = match s.theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let what = match s.shows {
        Some(t) if t.starts_with("phonefactor") => "authenticator",
        Some(_) => "entra",
        None => "none",
    };
    Screen {
        name: format!("{what} {}x{} {}% {theme}", s.width, s.height, s.scale),
        width: s.width,
        height: s.height,
        rgba: c.rgba,
        shows: s.shows,
    }
}

/// Two monitors side by side, as a desk shows them: the first with the
/// Security info page only, the second with the dialog.
pub fn desk() -> [Screen; 2] {
    let left = draw(Setting {
        width: 3840,
        height: 2160,
        scale: 150,
        theme: Theme::Light,
        shows: None,
    });
    let right = draw(Setting {
        width: 3840,
        height: 2160,
        scale: 150,
        theme: Theme::Light,
        shows: Some(ENTRA),
    });
    [left, right]
}

struct Canvas {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            rgba: vec![255; width as usize * height as usize * 4],
        }
    }

    fn put(&mut self, x: u32, y: u32, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = (y as usize * self.width as usize + x as usize) * 4;
            self.rgba[i..i + 3].copy_from_slice(&rgb);
        }
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.put(xx, yy, rgb);
            }
        }
    }

    /// A line of text-like glyphs (strokes, bowls, arches) `size` px tall,
    /// the kind of clutter that looks like a finder's rhythm at a glance.
    fn text(&mut self, x: u32, y: u32, width: u32, size: u32, rgb: [u8; 3], seed: u32) {
        let mut r = seed.wrapping_mul(2_654_435_761) | 1;
        let mut next = move || {
            r ^= r << 13;
            r ^= r >> 17;
            r ^= r << 5;
            r
        };
        let stroke = (size / 7).max(1);
        let mut cx = x;
        while cx + size < x + width {
            let glyph_w = size * (4 + next() % 4) / 8;
            match next() % 5 {
                0 => self.fill(cx, y, stroke, size, rgb),
                kind @ 1..=3 => {
                    // An arch (n, m, h), closed below into a bowl (o, e, a).
                    let (top, side) = (y + size / 3, size * 2 / 3);
                    self.fill(cx, top, glyph_w, stroke, rgb);
                    self.fill(cx, top, stroke, side, rgb);
                    self.fill(cx + glyph_w - stroke, top, stroke, side, rgb);
                    if kind < 3 {
                        self.fill(cx, y + size - stroke, glyph_w, stroke, rgb);
                    }
                }
                _ => cx += size / 3, // a space
            }
            cx += glyph_w + stroke + 1;
        }
    }

    /// A QR code with a 4-module quiet zone, `side` px across, each pixel
    /// shaded by how much of it dark modules cover (as a browser's scaling
    /// does).
    fn qr(&mut self, text: &str, x0: u32, y0: u32, side: f32) {
        let code = QrCode::with_error_correction_level(text, EcLevel::M).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let modules = n as f32 + 8.0;
        let per = side / modules;
        let dark_at = |mx: f32, my: f32| {
            let (qx, qy) = (mx - 4.0, my - 4.0);
            if qx < 0.0 || qy < 0.0 || qx >= n as f32 || qy >= n as f32 {
                return false;
            }
            colors[qy as usize * n + qx as usize] == Color::Dark
        };
        let size = side.ceil() as u32;
        for py in 0..size {
            for px in 0..size {
                let mut dark = 0;
                for sy in 0..3 {
                    for sx in 0..3 {
                        let mx = (px as f32 + (sx as f32 + 0.5) / 3.0) / per;
                        let my = (py as f32 + (sy as f32 + 0.5) / 3.0) / per;
                        dark += dark_at(mx, my) as u32;
                    }
                }
                let v = (255 - dark * 255 / 9) as u8;
                self.put(x0 + px, y0 + py, [v, v, v]);
            }
        }
    }
}
