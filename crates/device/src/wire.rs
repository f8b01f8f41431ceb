//! Values as Token2's programmable tokens take them on the wire. Each enum
//! lists exactly what the device accepts, so a value it cannot hold is
//! refused when the settings are built, never turned into another one.

use oathdesk_otp::Algorithm;

use crate::error::DeviceError;

/// The HMAC hash (config TLV tag `0A`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum HashAlgorithm {
    Sha1 = 1,
    Sha256 = 2,
}

impl HashAlgorithm {
    /// `algorithm` for `family` (named in the refusal).
    pub fn for_family(algorithm: Algorithm, family: &str) -> Result<Self, DeviceError> {
        match algorithm {
            Algorithm::Sha1 => Ok(HashAlgorithm::Sha1),
            Algorithm::Sha256 => Ok(HashAlgorithm::Sha256),
            Algorithm::Sha512 => Err(DeviceError::bad_input(format!(
                "the {family} takes SHA-1 or SHA-256, not SHA-512"
            ))),
        }
    }

    pub fn from_wire(b: u8) -> Option<Self> {
        match b {
            1 => Some(HashAlgorithm::Sha1),
            2 => Some(HashAlgorithm::Sha256),
            _ => None,
        }
    }

    pub fn wire(self) -> u8 {
        self as u8
    }

    pub fn to_algorithm(self) -> Algorithm {
        match self {
            HashAlgorithm::Sha1 => Algorithm::Sha1,
            HashAlgorithm::Sha256 => Algorithm::Sha256,
        }
    }
}

impl TryFrom<Algorithm> for HashAlgorithm {
    type Error = DeviceError;

    fn try_from(a: Algorithm) -> Result<Self, DeviceError> {
        HashAlgorithm::for_family(a, "Token2 token")
    }
}

/// The TOTP time step (config TLV tag `0D`), in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum TimeStep {
    S30 = 0x1E,
    S60 = 0x3C,
}

impl TimeStep {
    pub fn from_seconds(s: u64) -> Option<Self> {
        match s {
            30 => Some(TimeStep::S30),
            60 => Some(TimeStep::S60),
            _ => None,
        }
    }

    pub fn from_wire(b: u8) -> Option<Self> {
        TimeStep::from_seconds(u64::from(b))
    }

    pub fn wire(self) -> u8 {
        self as u8
    }

    pub fn seconds(self) -> u64 {
        u64::from(self.wire())
    }
}

/// How long the display stays on after a press (config TLV tag `1F`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum DisplayTimeout {
    S15 = 0,
    S30 = 1,
    S60 = 2,
    S120 = 3,
}

impl DisplayTimeout {
    pub fn from_seconds(s: u64) -> Option<Self> {
        match s {
            15 => Some(DisplayTimeout::S15),
            30 => Some(DisplayTimeout::S30),
            60 => Some(DisplayTimeout::S60),
            120 => Some(DisplayTimeout::S120),
            _ => None,
        }
    }

    pub fn from_wire(b: u8) -> Option<Self> {
        match b {
            0 => Some(DisplayTimeout::S15),
            1 => Some(DisplayTimeout::S30),
            2 => Some(DisplayTimeout::S60),
            3 => Some(DisplayTimeout::S120),
            _ => None,
        }
    }

    pub fn wire(self) -> u8 {
        self as u8
    }

    pub fn seconds(self) -> u64 {
        match self {
            DisplayTimeout::S15 => 15,
            DisplayTimeout::S30 => 30,
            DisplayTimeout::S60 => 60,
            DisplayTimeout::S120 => 120,
        }
    }
}

/// Code length on a Molto2 (config TLV tag `0B`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Digits {
    D4 = 4,
    D6 = 6,
    D8 = 8,
    D10 = 10,
}

impl Digits {
    pub fn from_count(n: u32) -> Option<Self> {
        match n {
            4 => Some(Digits::D4),
            6 => Some(Digits::D6),
            8 => Some(Digits::D8),
            10 => Some(Digits::D10),
            _ => None,
        }
    }

    pub fn from_wire(b: u8) -> Option<Self> {
        Digits::from_count(u32::from(b))
    }

    pub fn wire(self) -> u8 {
        self as u8
    }

    pub fn count(self) -> u32 {
        u32::from(self.wire())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeviceErrorKind;

    #[test]
    fn sha512_is_refused_naming_the_family() {
        let e = HashAlgorithm::for_family(Algorithm::Sha512, "Molto2").unwrap_err();
        assert_eq!(
            e.kind,
            DeviceErrorKind::BadInput("the Molto2 takes SHA-1 or SHA-256, not SHA-512".into())
        );
        assert!(HashAlgorithm::try_from(Algorithm::Sha512).is_err());
        assert_eq!(
            HashAlgorithm::try_from(Algorithm::Sha256).unwrap().wire(),
            2
        );
    }

    #[test]
    fn wire_values_round_trip_and_nothing_else_is_accepted() {
        for b in 0..=u8::MAX {
            if let Some(a) = HashAlgorithm::from_wire(b) {
                assert_eq!(a.wire(), b);
                assert_eq!(HashAlgorithm::try_from(a.to_algorithm()).unwrap(), a);
            }
            if let Some(s) = TimeStep::from_wire(b) {
                assert_eq!(
                    (s.wire(), TimeStep::from_seconds(s.seconds())),
                    (b, Some(s))
                );
            }
            if let Some(t) = DisplayTimeout::from_wire(b) {
                assert_eq!(t.wire(), b);
                assert_eq!(DisplayTimeout::from_seconds(t.seconds()), Some(t));
            }
            if let Some(d) = Digits::from_wire(b) {
                assert_eq!((d.wire(), Digits::from_count(d.count())), (b, Some(d)));
            }
        }
        assert_eq!(TimeStep::from_wire(0), None);
        assert_eq!(Digits::from_count(7), None);
        assert_eq!(DisplayTimeout::from_seconds(45), None);
        assert_eq!(HashAlgorithm::from_wire(3), None);
    }
}
