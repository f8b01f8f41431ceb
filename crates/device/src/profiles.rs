//! Device profiles: one TOML file per token model (`device-profiles/`),
//! loaded and validated at start. They say what the desk offers for a
//! model; validation keeps them within what the family's sessions take,
//! and the sessions check every value again themselves.

use std::path::Path;

use oathdesk_otp::{Algorithm, CodeParams};
use serde::Deserialize;

use crate::token2::codec::MAX_SEED_BYTES;
use crate::wire::{Digits, DisplayTimeout, HashAlgorithm, TimeStep};
use crate::{molto2, token2otp, ykoath};

/// The protocol family a model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Token2Single,
    Token2Molto2,
    Ykoath,
    /// The OTP applet on Token2's PIN+ FIDO keys.
    Token2Otp,
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub manufacturer: String,
    pub family: Family,
    pub serial_prefixes: Vec<String>,
    pub transport: String,
    pub algorithms: Vec<Algorithm>,
    pub periods: Vec<u64>,
    pub digits: Vec<u32>,
    pub max_seed_bytes: usize,
    pub display_timeouts: Vec<u64>,
    /// A settings/clock write clears the seed on this model.
    pub clock_write_wipes_seed: bool,
    /// Credentials the token holds at once (a Molto2's slots, a YKOATH
    /// applet's credentials, 1 on a single-profile token).
    pub slots: u32,
    /// The longest name or title a credential can carry (0: none).
    pub max_label_bytes: usize,
    /// The token keeps its own time (a YKOATH applet takes the host's at
    /// each calculation).
    pub has_clock: bool,
    /// The token tells its stored settings back.
    pub settings_readable: bool,
}

/// Why input cannot go on this model. Said before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}; nothing was written")]
pub struct ProfileError(pub String);

impl Profile {
    /// Checks settings and seed length against what the model accepts.
    pub fn check(&self, params: &CodeParams, seed_len: usize) -> Result<(), ProfileError> {
        let name = &self.name;
        if !self.algorithms.contains(&params.algorithm) {
            return Err(ProfileError(format!(
                "the {name} does not support {}",
                params.algorithm
            )));
        }
        if !self.periods.contains(&params.period) {
            return Err(ProfileError(format!(
                "the {name} supports periods of {:?} s, not {} s",
                self.periods, params.period
            )));
        }
        if !self.digits.contains(&params.digits) {
            return Err(ProfileError(format!(
                "the {name} shows {:?} digits, not {}",
                self.digits, params.digits
            )));
        }
        if seed_len == 0 || seed_len > self.max_seed_bytes {
            return Err(ProfileError(format!(
                "the {name} holds secrets of up to {} bits, this one is {} bits",
                self.max_seed_bytes * 8,
                seed_len * 8
            )));
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), String> {
        let bad = |field: &str, why: &str| Err(format!("field `{field}`: {why}"));
        // Single-profile models are told apart only by serial prefix.
        let needs_prefix = self.family == Family::Token2Single;
        let empty = self.serial_prefixes.iter().any(|p| p.is_empty());
        if (needs_prefix && self.serial_prefixes.is_empty()) || empty {
            return bad("serial_prefixes", "needs at least one non-empty prefix");
        }
        if self.algorithms.is_empty() {
            return bad("algorithms", "must not be empty");
        }
        if self.periods.is_empty() || self.periods.contains(&0) {
            return bad("periods", "must list periods in seconds");
        }
        if self.digits.is_empty() || self.digits.iter().any(|d| !(4..=10).contains(d)) {
            return bad("digits", "must list values between 4 and 10");
        }
        if self.max_seed_bytes == 0 {
            return bad("max_seed_bytes", "must be positive");
        }
        self.validate_for_family()
    }

    /// Checks that the model offers only what its family's sessions take,
    /// so a value the desk offers is never refused at burn time.
    fn validate_for_family(&self) -> Result<(), String> {
        let f = self.family;
        let bad = |field: &str| Err(format!("field `{field}`: not what a {f:?} token takes"));
        if !self.algorithms.iter().all(|a| f.takes_algorithm(*a)) {
            return bad("algorithms");
        }
        if !self.periods.iter().all(|p| f.takes_period(*p)) {
            return bad("periods");
        }
        if !self.digits.iter().all(|d| f.takes_digits(*d)) {
            return bad("digits");
        }
        if !self.display_timeouts.iter().all(|t| f.takes_timeout(*t)) {
            return bad("display_timeouts");
        }
        if self.max_seed_bytes > f.max_seed_bytes() {
            return bad("max_seed_bytes");
        }
        if !(1..=f.max_slots()).contains(&self.slots) {
            return bad("slots");
        }
        if self.max_label_bytes > f.max_label_bytes() {
            return bad("max_label_bytes");
        }
        if self.has_clock != f.has_clock() {
            return bad("has_clock");
        }
        if self.settings_readable != f.settings_readable() {
            return bad("settings_readable");
        }
        Ok(())
    }
}

/// What each family's sessions accept (see [`crate::wire`]).
impl Family {
    fn takes_algorithm(self, a: Algorithm) -> bool {
        match self {
            Family::Ykoath => true,
            Family::Token2Otp => token2otp::OtpHash::for_algorithm(a).is_ok(),
            _ => HashAlgorithm::try_from(a).is_ok(),
        }
    }

    fn takes_period(self, p: u64) -> bool {
        match self {
            Family::Ykoath => (1..=ykoath::MAX_PERIOD).contains(&p),
            Family::Token2Otp => (1..=u64::from(u16::MAX)).contains(&p),
            _ => TimeStep::from_seconds(p).is_some(),
        }
    }

    fn takes_digits(self, d: u32) -> bool {
        match self {
            Family::Token2Single => d == 6,
            Family::Token2Molto2 => Digits::from_count(d).is_some(),
            Family::Ykoath => (6..=8).contains(&d),
            Family::Token2Otp => (4..=10).contains(&d),
        }
    }

    fn takes_timeout(self, t: u64) -> bool {
        !matches!(self, Family::Ykoath | Family::Token2Otp)
            && DisplayTimeout::from_seconds(t).is_some()
    }

    fn max_seed_bytes(self) -> usize {
        match self {
            // Longer secrets are hashed by the applet.
            Family::Ykoath => usize::MAX,
            Family::Token2Otp => token2otp::MAX_FIELD,
            _ => MAX_SEED_BYTES,
        }
    }

    fn max_slots(self) -> u32 {
        match self {
            Family::Token2Single => 1,
            Family::Token2Molto2 => u32::from(molto2::SLOTS),
            // 64 on YubiKey firmware 5.7 and later, 32 before.
            Family::Ykoath => 64,
            Family::Token2Otp => token2otp::MAX_ENTRIES,
        }
    }

    fn max_label_bytes(self) -> usize {
        match self {
            Family::Token2Single => 0,
            Family::Token2Molto2 => molto2::MAX_TITLE_BYTES,
            Family::Ykoath => ykoath::MAX_NAME_BYTES,
            // "issuer:account"
            Family::Token2Otp => 2 * token2otp::MAX_FIELD + 1,
        }
    }

    fn has_clock(self) -> bool {
        !matches!(self, Family::Ykoath | Family::Token2Otp)
    }

    fn settings_readable(self) -> bool {
        self != Family::Token2Single
    }
}

/// The known models.
#[derive(Debug, Clone)]
pub struct Profiles(Vec<Profile>);

/// The profiles shipped with OathDesk, so the app works without the folder.
const BUILTIN: [(&str, &str); 11] = [
    (
        "token2-otpc-p1-i.toml",
        include_str!("../../../device-profiles/token2-otpc-p1-i.toml"),
    ),
    (
        "token2-otpc-p2-i.toml",
        include_str!("../../../device-profiles/token2-otpc-p2-i.toml"),
    ),
    (
        "token2-otpc-p2-i-nb.toml",
        include_str!("../../../device-profiles/token2-otpc-p2-i-nb.toml"),
    ),
    (
        "token2-miniotp-2-i.toml",
        include_str!("../../../device-profiles/token2-miniotp-2-i.toml"),
    ),
    (
        "token2-miniotp-3-i.toml",
        include_str!("../../../device-profiles/token2-miniotp-3-i.toml"),
    ),
    (
        "token2-miniotp-3-i-nb.toml",
        include_str!("../../../device-profiles/token2-miniotp-3-i-nb.toml"),
    ),
    (
        "token2-c301-i.toml",
        include_str!("../../../device-profiles/token2-c301-i.toml"),
    ),
    (
        "token2-c302-i.toml",
        include_str!("../../../device-profiles/token2-c302-i.toml"),
    ),
    (
        "token2-molto2v2.toml",
        include_str!("../../../device-profiles/token2-molto2v2.toml"),
    ),
    (
        "yubikey-oath.toml",
        include_str!("../../../device-profiles/yubikey-oath.toml"),
    ),
    (
        "token2-pinplus.toml",
        include_str!("../../../device-profiles/token2-pinplus.toml"),
    ),
];

impl Profiles {
    pub fn builtin() -> Profiles {
        let parsed = BUILTIN.iter().map(|(file, text)| parse(file, text));
        Profiles(
            parsed
                .collect::<Result<_, _>>()
                .expect("built-in profiles are valid"),
        )
    }

    /// Loads every `*.toml` in `dir`; a bad file is an error naming the
    /// file and the field.
    pub fn load_dir(dir: &Path) -> Result<Profiles, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let profiles = files
            .iter()
            .map(|p| {
                let text =
                    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                parse(&p.display().to_string(), &text)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Profiles(profiles))
    }

    pub fn all(&self) -> &[Profile] {
        &self.0
    }

    /// The profile of a family recognised by other means than its serial
    /// (Molto2 by reader name, YKOATH by SELECT).
    pub fn for_family(&self, family: Family) -> Option<&Profile> {
        self.0.iter().find(|p| p.family == family)
    }

    /// The model whose longest serial prefix matches; `None` for an unknown
    /// token, which is shown but never written.
    pub fn for_serial(&self, serial: &str) -> Option<&Profile> {
        self.0
            .iter()
            .flat_map(|p| p.serial_prefixes.iter().map(move |pre| (pre, p)))
            .filter(|(pre, _)| serial.starts_with(pre.as_str()))
            .max_by_key(|(pre, _)| pre.len())
            .map(|(_, p)| p)
    }
}

fn parse(file: &str, text: &str) -> Result<Profile, String> {
    let profile: Profile = toml::from_str(text).map_err(|e| format!("{file}: {}", e.message()))?;
    profile.validate().map_err(|e| format!("{file}: {e}"))?;
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load_and_match_by_longest_prefix() {
        let p = Profiles::builtin();
        assert_eq!(p.all().len(), 11);
        assert_eq!(p.for_family(Family::Token2Molto2).unwrap().slots, 100);
        let pin_plus = p.for_family(Family::Token2Otp).unwrap();
        assert_eq!((pin_plus.slots, pin_plus.has_clock), (50, false));
        assert_eq!(p.for_serial("8659621000001").unwrap().name, "OTPC-P2-i-NB");
        assert_eq!(p.for_serial("8659622000001").unwrap().name, "OTPC-P2-i");
        assert!(p.for_serial("1234567").is_none());
        assert!(
            p.for_serial("8659610000001")
                .unwrap()
                .clock_write_wipes_seed
        );
        assert!(
            !p.for_serial("8659612000001")
                .unwrap()
                .clock_write_wipes_seed
        );
    }

    #[test]
    fn the_folder_matches_the_builtin_set() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../device-profiles");
        let names = |p: Profiles| {
            let mut v: Vec<Profile> = p.all().to_vec();
            v.sort_by(|a, b| a.name.cmp(&b.name));
            v
        };
        assert_eq!(
            names(Profiles::load_dir(&dir).unwrap()),
            names(Profiles::builtin())
        );
    }

    #[test]
    fn a_bad_file_names_file_and_field() {
        let err = parse(
            "x.toml",
            &BUILTIN[0].1.replace("digits = [6]", "digits = [3]"),
        )
        .unwrap_err();
        assert!(err.contains("x.toml") && err.contains("digits"), "{err}");
        let err = parse("y.toml", &format!("{}\ncolour = 1\n", BUILTIN[0].1)).unwrap_err();
        assert!(err.contains("y.toml") && err.contains("colour"), "{err}");
    }

    #[test]
    fn a_profile_offering_what_its_family_cannot_take_is_refused() {
        let text = |file: &str| BUILTIN.iter().find(|b| b.0 == file).unwrap().1;
        let single = text("token2-c301-i.toml");
        let molto2 = text("token2-molto2v2.toml");
        let ykoath = text("yubikey-oath.toml");
        let cases = [
            (single, "slots = 1", "slots = 2", "slots"),
            (
                single,
                "max_label_bytes = 0",
                "max_label_bytes = 4",
                "max_label_bytes",
            ),
            (single, "\"sha256\"]", "\"sha512\"]", "algorithms"),
            (
                single,
                "settings_readable = false",
                "settings_readable = true",
                "settings_readable",
            ),
            (
                single,
                "max_seed_bytes = 63",
                "max_seed_bytes = 64",
                "max_seed_bytes",
            ),
            (
                molto2,
                "digits = [4, 6, 8, 10]",
                "digits = [4, 7]",
                "digits",
            ),
            (molto2, "slots = 100", "slots = 101", "slots"),
            (
                molto2,
                "max_label_bytes = 12",
                "max_label_bytes = 13",
                "max_label_bytes",
            ),
            (molto2, "periods = [30, 60]", "periods = [45]", "periods"),
            (ykoath, "has_clock = false", "has_clock = true", "has_clock"),
            (ykoath, "digits = [6, 7, 8]", "digits = [6, 10]", "digits"),
            (
                ykoath,
                "display_timeouts = []",
                "display_timeouts = [30]",
                "display_timeouts",
            ),
        ];
        for (base, from, to, field) in cases {
            assert!(base.contains(from), "{from}");
            let err = parse("z.toml", &base.replace(from, to)).unwrap_err();
            assert!(err.contains(&format!("`{field}`")), "{to}: {err}");
        }
        let y = Profiles::builtin();
        let y = y.for_family(Family::Ykoath).unwrap();
        assert_eq!((y.slots, y.max_label_bytes, y.has_clock), (32, 64, false));
        assert_eq!(y.digits, [6, 7, 8]);
    }

    #[test]
    fn checks_input_before_writing() {
        let p = Profiles::builtin();
        let c301 = p.for_serial("8659610000001").unwrap();
        let sha512 = CodeParams {
            algorithm: Algorithm::Sha512,
            ..Default::default()
        };
        assert!(
            c301.check(&sha512, 20)
                .unwrap_err()
                .to_string()
                .contains("SHA512")
        );
        assert!(
            c301.check(&CodeParams::default(), 64)
                .unwrap_err()
                .to_string()
                .contains("504 bits")
        );
        assert!(
            c301.check(
                &CodeParams {
                    period: 45,
                    ..Default::default()
                },
                20
            )
            .is_err()
        );
        assert!(c301.check(&CodeParams::default(), 20).is_ok());
    }
}
