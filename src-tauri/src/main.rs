// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // First, while the process has one thread: it edits the environment.
    #[cfg(target_os = "linux")]
    oathdesk_app::window_gl::keep_gl_out_of_the_window();
    oathdesk_app::run();
}
