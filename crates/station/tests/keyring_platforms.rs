//! Every desk platform keeps the station key, the audit head and the
//! operator's session in its own secure store. `keyring` 3 uses an
//! in-memory mock on Windows and macOS unless its native features are on,
//! and the mock loses everything at exit, silently; this checks that both
//! crates that open keyring entries turn those features on for those
//! targets. (Running the Windows build under wine is issue 17's.)

fn keyring_features(manifest: &str, target: &str) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    doc["target"][target]["dependencies"]["keyring"]["features"]
        .as_array()
        .unwrap_or_else(|| panic!("{manifest}: no keyring for {target}"))
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn windows_and_macos_builds_use_their_native_keyrings() {
    let root = env!("CARGO_MANIFEST_DIR");
    for manifest in [
        format!("{root}/Cargo.toml"),
        format!("{root}/../entra/Cargo.toml"),
    ] {
        for (target, feature) in [
            ("cfg(target_os = \"windows\")", "windows-native"),
            ("cfg(target_os = \"macos\")", "apple-native"),
        ] {
            let features = keyring_features(&manifest, target);
            assert!(
                features.iter().any(|f| f == feature),
                "{manifest} {target}: {features:?}"
            );
        }
    }
}
