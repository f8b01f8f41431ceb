//! The real `gpg` for tests of OpenPGP-encrypted seed files: a throw-away
//! GNUPGHOME, a generated key with a passphrase, and encryption to it;
//! the plaintext goes to gpg on stdin, never into a file.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A keyring of its own with one key (ed25519 + cv25519), protected by
/// `passphrase`. Its agent is stopped when it is dropped.
pub struct GpgHome {
    dir: tempfile::TempDir,
    pub passphrase: String,
}

const UID: &str = "OathDesk Test <desk@oathdesk.test>";

impl GpgHome {
    pub fn new(passphrase: &str) -> GpgHome {
        let home = GpgHome {
            dir: tempfile::Builder::new().prefix("gpg").tempdir().unwrap(),
            passphrase: passphrase.into(),
        };
        // gpg refuses a home other users can read. On Windows it checks no
        // mode bits; the temp dir sits in the user's profile, whose ACL
        // already keeps other users out.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(home.dir.path(), std::fs::Permissions::from_mode(0o700))
                .unwrap();
        }
        home.run(
            &[
                "--passphrase-fd",
                "0",
                "--quick-gen-key",
                UID,
                "future-default",
                "default",
                "never",
            ],
            home.passphrase.as_bytes(),
        );
        home
    }

    fn gpg(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", self.dir.path()).args([
            "--batch",
            "--yes",
            "--quiet",
            "--pinentry-mode",
            "loopback",
        ]);
        c
    }

    /// Runs gpg with `stdin`, returning stdout; panics on failure.
    fn run(&self, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        let mut child = self
            .gpg()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg is installed (scripts/install-deps.sh installs gnupg)");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// The secret key, armoured, still protected by the passphrase.
    pub fn secret_key(&self) -> Vec<u8> {
        let args = [
            "--passphrase-fd",
            "0",
            "--armor",
            "--export-secret-keys",
            UID,
        ];
        self.run(&args, self.passphrase.as_bytes())
    }

    /// `plain` encrypted to the key: armoured (`.asc`) or binary (`.gpg`).
    pub fn encrypt(&self, plain: &[u8], armour: bool) -> Vec<u8> {
        let mut args = vec!["--trust-model", "always", "--recipient", UID, "--encrypt"];
        if armour {
            args.insert(0, "--armor");
        }
        self.run(&args, plain)
    }

    /// Where the keyring lives (for a secret scan).
    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.dir.path())
            .args(["--kill", "gpg-agent"])
            .status();
    }
}
