//! The OS's own secure store — Secret Service on Linux, Credential Manager
//! on Windows, Keychain on macOS — and nothing else: on a platform where
//! `keyring` would fall back to its in-memory mock (keys and sessions gone
//! at exit, silently), an entry is refused with what to do instead.

/// Whether this build has a secure store behind `keyring`.
pub const AVAILABLE: bool = cfg!(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "windows",
    target_os = "macos"
));

/// The keyring entry `account` of `service`, in the OS's secure store.
pub fn entry(service: &str, account: &str) -> Result<keyring::Entry, String> {
    if !AVAILABLE {
        return Err(
            "this platform has no OS keyring OathDesk can keep its keys in; run the desk on Windows, macOS or Linux"
                .into(),
        );
    }
    keyring::Entry::new(service, account).map_err(|e| e.to_string())
}
