//! For tests that capture or drive a screen: a private X server (Xvfb) and
//! pictures shown on it. Each waits on the X server's own signals: Xvfb's
//! `-displayfd` (written once it accepts clients) and xdotool's `--sync`
//! (the window is visible).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A child in its own process group, killed with everything it started and
/// reaped on drop (PID 1 here does not reap).
pub struct Reaped(pub Child);

impl Reaped {
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Reaped> {
        cmd.process_group(0).spawn().map(Reaped)
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// A private X server on a free display.
pub struct Xvfb {
    pub display: String,
    _server: Reaped,
}

impl Xvfb {
    /// Returns once the server accepts connections.
    pub fn start(width: u32, height: u32) -> Xvfb {
        let screen = format!("{width}x{height}x24");
        let mut server = Reaped::spawn(
            Command::new("Xvfb")
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    &screen,
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        )
        .expect("Xvfb is installed (make test installs it: package xvfb)");
        let mut line = String::new();
        BufReader::new(server.0.stdout.take().expect("Xvfb stdout"))
            .read_line(&mut line)
            .expect("Xvfb's display number");
        Xvfb {
            display: format!(":{}", line.trim()),
            _server: server,
        }
    }
}

/// A picture in its own window, closed on drop.
pub struct Picture {
    _window: Reaped,
}

impl Picture {
    /// Opens `path` in an ImageMagick window at `+x+y` on `display` and
    /// returns once the X server reports the window visible.
    pub fn show(display: &str, path: &Path, at: (u32, u32)) -> Picture {
        let title = format!("oathdesk-qr-{}", std::process::id());
        let window = Reaped::spawn(
            Command::new("display")
                .args([
                    "-geometry",
                    &format!("+{}+{}", at.0, at.1),
                    "-title",
                    &title,
                ])
                .arg(path)
                .env("DISPLAY", display),
        )
        .expect("ImageMagick's display is installed (package imagemagick)");
        let mapped = Command::new("timeout")
            .args([
                "30",
                "xdotool",
                "search",
                "--sync",
                "--onlyvisible",
                "--name",
                &title,
            ])
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .status()
            .expect("xdotool is installed (package xdotool)");
        assert!(mapped.success(), "the picture window never appeared");
        Picture { _window: window }
    }
}
