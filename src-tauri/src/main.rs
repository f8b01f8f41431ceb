// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // SAFETY: first thing in `main`, while the process has one thread (no
    // dependency starts one before `main`): it edits the environment.
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    unsafe {
        oathdesk_app::window_gl::keep_gl_out_of_the_window()
    };
    oathdesk_app::run();
}
