//! The secret scan: every file a run left, and whether a secret appears in
//! any of them (or in what was printed) as raw bytes, base32 in either case
//! or hex in either case. Shared by the CLI's and the window's suites.

use std::path::{Path, PathBuf};

use oathdesk_otp::Secret;

/// Files under `dir` (recursively), with their bytes.
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p, bytes));
        }
    }
    out
}

/// Every file under each of `dirs`, named by its path, for a secret scan.
pub fn files_in(dirs: &[&Path]) -> Vec<(String, Vec<u8>)> {
    dirs.iter()
        .flat_map(|dir| files(dir))
        .map(|(p, b)| (p.display().to_string(), b))
        .collect()
}

/// Fails if `secret` appears in any haystack as base32 or hex (either
/// case) or raw.
pub fn assert_nowhere(secret: &Secret, haystacks: &[(String, Vec<u8>)]) {
    let b32 = secret.to_base32().to_string();
    let hex = secret.to_hex().to_string();
    let forms: Vec<Vec<u8>> = vec![
        b32.clone().into_bytes(),
        b32.to_lowercase().into_bytes(),
        hex.clone().into_bytes(),
        hex.to_uppercase().into_bytes(),
        secret.expose().to_vec(),
    ];
    for (name, bytes) in haystacks {
        for f in &forms {
            assert!(
                !bytes.windows(f.len()).any(|w| w == f.as_slice()),
                "the secret appears in {name}"
            );
        }
    }
}
