//! What the operator does when the operating system keeps the desk from its
//! readers: the same failure (PC/SC's own status, found through the same
//! error paths on every OS) has a different fix on Linux, Windows and macOS.
//! The text is chosen by the OS this build runs on; tests ask for each.

/// The operating systems OathDesk's desk runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
    MacOs,
    /// Any other (a BSD): the fixes name no tool.
    Other,
}

impl Os {
    /// The OS this build is for.
    pub const fn here() -> Os {
        if cfg!(target_os = "linux") {
            Os::Linux
        } else if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Other
        }
    }

    /// What the OS calls its PC/SC service, for the messages that name it.
    pub const fn smart_card_service(self) -> &'static str {
        match self {
            Os::Linux | Os::Other => "PC/SC (pcscd)",
            Os::Windows => "Windows' Smart Card service",
            Os::MacOs => "macOS's smart-card service",
        }
    }
}

/// The fix for a PC/SC service that is not running
/// (`SCARD_E_NO_SERVICE`, `SCARD_E_SERVICE_STOPPED`).
pub const fn service_step(os: Os) -> &'static str {
    match os {
        Os::Linux => {
            "Start the PC/SC service: `sudo systemctl enable --now pcscd.socket` \
             (install it with `sudo apt-get install pcscd libccid` if it is missing)."
        }
        Os::Windows => {
            "Start Windows' Smart Card service: open Services (services.msc), \
             set \"Smart Card\" to Automatic and click Start (this needs an administrator); \
             Windows also stops it while no reader is plugged in, so plug the reader in first."
        }
        Os::MacOs => {
            "Unplug the reader and plug it in again, which restarts macOS's smart-card \
             service; if the reader still does not show, restart the Mac."
        }
        Os::Other => "Start the PC/SC service (pcscd), then try again.",
    }
}

/// The fix when the reader cannot be reached for another reason (it was
/// unplugged, or PC/SC failed inside).
pub const fn unavailable_step(os: Os) -> &'static str {
    match os {
        Os::Linux | Os::Other => {
            "Check that the reader is connected and the PC/SC service (pcscd) is running."
        }
        Os::Windows => {
            "Check that the reader is connected and shows in Device Manager under \
             \"Smart card readers\", and that the Smart Card service is running."
        }
        Os::MacOs => {
            "Check that the reader is connected and shows in System Information \
             under USB, then unplug it and plug it in again."
        }
    }
}

/// The fix for a token another program holds for itself
/// (`SCARD_E_SHARING_VIOLATION`). Nothing reached the token.
pub const fn held_step(os: Os) -> &'static str {
    match os {
        Os::Linux | Os::Other => {
            "Close the other program using the token, then try again; nothing was written. \
             GnuPG's scdaemon keeps readers open (`gpgconf --kill scdaemon`), \
             as do pcsc_scan and browsers using a smart card."
        }
        Os::Windows => {
            "Close the other program using the token (Token2's or Yubico's tools, a browser \
             signing in with a smart card, a remote-desktop session that redirects the reader), \
             then try again; nothing was written."
        }
        Os::MacOs => {
            "Close the other program using the token (Token2's or Yubico's tools, GnuPG's \
             scdaemon: `gpgconf --kill scdaemon`), then try again; nothing was written."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_os_has_its_own_fix_naming_its_own_tools() {
        assert!(service_step(Os::Linux).contains("pcscd.socket"));
        assert!(service_step(Os::Windows).contains("services.msc"));
        assert!(service_step(Os::MacOs).contains("plug it in again"));
        assert!(held_step(Os::Linux).contains("gpgconf --kill scdaemon"));
        assert!(held_step(Os::Windows).contains("remote-desktop"));
        for os in [Os::Linux, Os::Windows, Os::MacOs, Os::Other] {
            assert!(held_step(os).contains("nothing was written"), "{os:?}");
            assert_ne!(service_step(os), held_step(os));
            assert_ne!(unavailable_step(os), service_step(os));
        }
        assert_eq!(
            Os::Windows.smart_card_service(),
            "Windows' Smart Card service"
        );
    }

    #[test]
    fn this_build_knows_its_os() {
        let here = Os::here();
        #[cfg(target_os = "linux")]
        assert_eq!(here, Os::Linux);
        #[cfg(target_os = "windows")]
        assert_eq!(here, Os::Windows);
        #[cfg(target_os = "macos")]
        assert_eq!(here, Os::MacOs);
        let _ = here;
    }
}
