//! Keeps OpenGL out of the window process on X11. Measured idle (`make
//! bench`, and `OATHDESK_WINDOW_GL=1` for WebKit's default): the window
//! process's RSS drops from ~160 to ~101 MB, and the PSS of the app with
//! its WebKit processes from ~315 to ~205 MB.
//!
//! Why: as soon as the window process touches EGL or GLX, Mesa loads its
//! driver and, with it, libLLVM. Every Mesa driver links it, the software
//! renderer and Intel's `iris` alike. That is about 50 MB of resident
//! memory spent on drawing a page of forms. WebKit's page process
//! (`WebKitWebProcess`) renders the page and needs EGL; the window process
//! only shows the frames it gets. Without EGL it takes them in shared memory
//! and paints them with cairo, which is plenty for this app.
//!
//! How: libglvnd reads `__EGL_VENDOR_LIBRARY_FILENAMES` once, on the
//! process's first EGL call. [`keep_gl_out_of_the_window`] points it at no
//! vendor, makes that first call, and removes the variable again. WebKit
//! starts the page process later, and that process then finds the system's
//! EGL as usual. `GDK_GL=disable` stops GTK's own GLX probe. It stays set,
//! and the page process inherits it harmlessly: GTK's GL is not how WebKit
//! draws.
//!
//! The function changes nothing when:
//! - GTK would use Wayland (a Wayland session without `GDK_BACKEND=x11`).
//!   There GTK and WebKit share one EGL display, and this path is untested,
//!   so WebKit's defaults stay.
//! - the operator set either variable themselves.
//! - `OATHDESK_WINDOW_GL=1` asks for WebKit's default behaviour.

use std::ffi::{OsString, c_char, c_void};

const NO_VENDOR: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
const GTK_GL: &str = "GDK_GL";

/// Whether this start should keep GL out of the window process (see the
/// module doc for when it does not).
fn applies(var: impl Fn(&str) -> Option<OsString>) -> bool {
    let is = |name: &str, value: &str| var(name).is_some_and(|v| v == value);
    let wayland = var("WAYLAND_DISPLAY").is_some() || var("WAYLAND_SOCKET").is_some();
    let gtk_on_x11 = match var("GDK_BACKEND") {
        None => !wayland,
        Some(_) => is("GDK_BACKEND", "x11"),
    };
    let operator_chose = var(NO_VENDOR).is_some() || var(GTK_GL).is_some();
    let opted_out = is("OATHDESK_WINDOW_GL", "1");
    var("DISPLAY").is_some() && gtk_on_x11 && !operator_chose && !opted_out
}

#[allow(unsafe_code)] // Declaring the one C function the module calls.
#[link(name = "EGL")]
unsafe extern "C" {
    /// EGL 1.5: with no display, answers the client extensions. Through
    /// libglvnd, the first call is also the moment it loads its vendors.
    fn eglQueryString(display: *mut c_void, name: i32) -> *const c_char;
}
const EGL_EXTENSIONS: i32 = 0x3055;

/// Makes the window process draw without GL (see the module doc).
///
/// # Safety
/// Call it first thing in `main`, while the process has one thread: it
/// changes the process environment, and another thread reading the
/// environment at the same moment would be undefined behaviour.
#[allow(unsafe_code)] // The crate denies unsafe code; this is the one audited exception.
pub unsafe fn keep_gl_out_of_the_window() {
    if !applies(|name| std::env::var_os(name)) {
        return;
    }
    // SAFETY: the caller guarantees no other thread exists, so nothing
    // reads the environment concurrently. `eglQueryString` with
    // EGL_NO_DISPLAY (null) and EGL_EXTENSIONS is defined by EGL 1.5. It
    // returns a static string or null, and we do not read the result.
    unsafe {
        std::env::set_var(GTK_GL, "disable");
        std::env::set_var(NO_VENDOR, "/nonexistent");
        eglQueryString(std::ptr::null_mut(), EGL_EXTENSIONS);
        std::env::remove_var(NO_VENDOR);
    }
}

#[cfg(test)]
mod tests {
    use super::{OsString, applies};

    fn env<'a>(set: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            set.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn applies_on_a_plain_x11_session() {
        assert!(applies(env(&[("DISPLAY", ":0")])));
    }

    #[test]
    fn leaves_wayland_and_headless_starts_alone() {
        assert!(!applies(env(&[
            ("DISPLAY", ":0"),
            ("WAYLAND_DISPLAY", "wayland-0")
        ])));
        assert!(!applies(env(&[("DISPLAY", ":0"), ("WAYLAND_SOCKET", "3")])));
        assert!(!applies(env(&[
            ("DISPLAY", ":0"),
            ("GDK_BACKEND", "wayland")
        ])));
        assert!(!applies(env(&[])));
    }

    #[test]
    fn applies_when_gtk_is_told_to_use_x11_in_a_wayland_session() {
        assert!(applies(env(&[
            ("DISPLAY", ":0"),
            ("WAYLAND_DISPLAY", "wayland-0"),
            ("GDK_BACKEND", "x11")
        ])));
    }

    #[test]
    fn respects_the_operators_own_choice() {
        assert!(!applies(env(&[("DISPLAY", ":0"), ("GDK_GL", "always")])));
        assert!(!applies(env(&[
            ("DISPLAY", ":0"),
            ("__EGL_VENDOR_LIBRARY_FILENAMES", "/x.json")
        ])));
        assert!(!applies(env(&[
            ("DISPLAY", ":0"),
            ("OATHDESK_WINDOW_GL", "1")
        ])));
    }
}
