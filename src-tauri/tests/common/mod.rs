//! Drives the real app window: a private X server (Xvfb), tauri-driver and
//! WebKitWebDriver, the app built by cargo, and the test's own virtual
//! tokens (on the private pcscd of tests/harness/pcsc-ns.sh) and Graph
//! sandbox. Screenshots go to `target/e2e-shots/`.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use oathdesk_testkit::screen::{Reaped, Xvfb};
use serde_json::json;

/// How long a screen may take to show what the test waits for (the longest
/// is Graph's retries giving up during an outage: about 23 s at worst).
const SCREEN_WAIT: Duration = Duration::from_secs(60);

/// A free loopback port, as the OS hands it out.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The tauri-driver `make test` installs under target/tools.
fn tauri_driver() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("tools/bin/tauri-driver");
    assert!(
        path.exists(),
        "{} is missing: run `make test` (it installs tauri-driver)",
        path.display()
    );
    path
}

/// The app's window, driven through WebDriver.
pub struct Window {
    pub client: Client,
    /// The X display the window is on.
    pub display: String,
    /// The app's own home for this run: WebKit's profile
    /// (`XDG_DATA_HOME`), its caches (`XDG_CACHE_HOME`), settings
    /// (`XDG_CONFIG_HOME`) and `TMPDIR`, all scanned for secrets.
    pub profile: tempfile::TempDir,
    _driver: Reaped,
    _x: Xvfb,
}

impl Window {
    /// Starts the app (with `args` and `env`) in its own X server and
    /// connects to its webview.
    pub async fn open(args: &[&str], env: &[(&str, String)]) -> Window {
        // WebDriver runs over plain http on loopback; rustls still wants a provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let x = Xvfb::start(1280, 860);
        let display = x.display.clone();
        let (port, native_port) = (free_port(), free_port());
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("DISPLAY", &display)
            // Only the test's X server: never a desktop's Wayland session.
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WAYLAND_SOCKET")
            .env_remove("GDK_BACKEND")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let profile = tempfile::tempdir().expect("a profile directory");
        for (var, sub) in [
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_CONFIG_HOME", "config"),
            ("TMPDIR", "tmp"),
        ] {
            let dir = profile.path().join(sub);
            std::fs::create_dir_all(&dir).expect("a profile directory");
            cmd.env(var, dir);
        }
        let driver = Reaped::spawn(&mut cmd).expect("tauri-driver");
        // tauri-driver forwards to WebKitWebDriver, which it starts itself.
        wait_for_listener(port);
        wait_for_listener(native_port);
        let caps = json!({
            "browserName": "wry",
            "tauri:options": {"application": env!("CARGO_BIN_EXE_oathdesk"), "args": args},
        });
        let client = ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(caps.as_object().expect("object").clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session with the app");
        Window {
            client,
            display,
            profile,
            _driver: driver,
            _x: x,
        }
    }

    /// Waits for an element matching `css` to exist.
    pub async fn wait(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(SCREEN_WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    pub async fn click(&self, css: &str) {
        self.wait(css).await.click().await.expect("click");
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.expect("text")
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.wait(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Chooses the option whose value is `value` in the `<select>` at `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.wait(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{css} has no option {value:?}: {e}"));
    }

    /// The current value of the form field at `css`.
    pub async fn value(&self, css: &str) -> String {
        self.wait(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Waits until `css` has attribute `attr` equal to one of `values`
    /// (a CSS selector list, so WebDriver's own wait does the waiting);
    /// returns the value it reached.
    pub async fn wait_attr(&self, css: &str, attr: &str, values: &[&str]) -> String {
        let any: Vec<String> = values
            .iter()
            .map(|v| format!("{css}[{attr}=\"{v}\"]"))
            .collect();
        let e = self.wait(&any.join(", ")).await;
        e.attr(attr).await.expect("attribute").unwrap_or_default()
    }

    /// Saves the screen as `target/e2e-shots/NAME.png`. Taken from the X
    /// server (ImageMagick's `import`): WebKitWebDriver's own screenshot
    /// can stall while the page keeps rendering (countdowns).
    pub async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-shots");
        std::fs::create_dir_all(&dir).expect("shots dir");
        let status = Command::new("/usr/bin/import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(dir.join(format!("{name}.png")))
            .status()
            .expect("ImageMagick import (make test installs imagemagick)");
        assert!(status.success(), "screenshot {name} failed");
    }

    pub async fn close(&self) {
        let _ = self.client.clone().close().await;
    }
}

/// tauri-driver and WebKitWebDriver announce nothing when they are ready, so
/// the test tries the port until it answers (each try returns at once:
/// refused or accepted).
fn wait_for_listener(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing ever listened on port {port}"
        );
        std::thread::yield_now();
    }
}

/// A PNG of a QR code holding `text`, in `dir`.
pub fn write_qr(dir: &std::path::Path, text: &str) -> PathBuf {
    write_qr_as(dir, "qr.png", text)
}

/// A QR picture of `text`, saved as `dir/name`.
pub fn write_qr_as(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let img = qrcode::QrCode::new(text.as_bytes())
        .unwrap()
        .render::<image::Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let path = dir.join(name);
    img.save(&path).unwrap();
    path
}

/// The libraries a process has mapped (from /proc/PID/maps).
pub fn mapped_libraries(pid: u32) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut libs: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(str::to_string)
        .collect();
    libs.dedup();
    libs
}

/// The running processes whose executable is `exe` and whose environment
/// names `DISPLAY=display`: the app on this test's X server.
pub fn processes_on(exe: &std::path::Path, display: &str) -> Vec<u32> {
    let want = format!("DISPLAY={display}");
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == want.as_bytes()))
        })
        .collect()
}

/// The child processes of `parent` whose executable is named `name`.
pub fn children_named(parent: u32, name: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces.
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid = stat
                .rsplit(") ")
                .next()
                .and_then(|rest| rest.split(' ').nth(1));
            ppid == Some(parent.to_string().as_str())
        })
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|p| p.file_name().is_some_and(|n| n == name))
        })
        .collect()
}

/// SHA-256 (hex) of `secret`, computed as the virtual tokens compute their
/// `seed_sha256`, so a test compares seeds without reading one out.
pub fn seed_sha256(secret: &oathdesk_otp::Secret) -> String {
    use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
    let model = Token2Model::by_name("C302-i").expect("a simulated model");
    Token2Card::new(model, "0", TokenClock::offset(0, 0.0))
        .holding(secret, oathdesk_otp::Algorithm::Sha1, 30)
        .seed_sha256()
        .expect("a seed")
}
