//! YKOATH (YubiKey OATH applet and compatibles): codec and session. Facts
//! from Yubico's public YKOATH description: SELECT the applet, PUT/LIST/
//! CALCULATE/DELETE credentials as SIMPLE-TLV.

use oathdesk_otp::{Algorithm, CodeParams, OtpKind, Secret};
use sha1::{Digest, Sha1};

use crate::apdu::{Response, command};
use crate::error::{DeviceError, DeviceErrorKind, TokenState};
use crate::token2::codec::Token2Error;
use crate::transport::{Transport, exchange};

pub const AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    [&[tag, value.len() as u8][..], value].concat()
}

fn tlvs(mut data: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while let [tag, len, rest @ ..] = data {
        let Some(value) = rest.get(..*len as usize) else {
            break;
        };
        out.push((*tag, value.to_vec()));
        data = &rest[*len as usize..];
    }
    out
}

/// The credential name: `[<period>/]` (when not 30) `[<issuer>:]<account>`.
pub fn credential_name(issuer: Option<&str>, account: &str, period: u64) -> String {
    let prefix = if period == 30 {
        String::new()
    } else {
        format!("{period}/")
    };
    match issuer {
        Some(i) if !i.is_empty() => format!("{prefix}{i}:{account}"),
        _ => format!("{prefix}{account}"),
    }
}

/// Secrets longer than the hash block are hashed; shorter than 14 bytes are
/// right-padded with zeros (the applet's rules).
fn shape_secret(secret: &Secret, algorithm: Algorithm) -> zeroize::Zeroizing<Vec<u8>> {
    let block = if algorithm == Algorithm::Sha512 {
        128
    } else {
        64
    };
    let mut bytes = zeroize::Zeroizing::new(secret.expose().to_vec());
    if bytes.len() > block {
        bytes = zeroize::Zeroizing::new(match algorithm {
            Algorithm::Sha1 => Sha1::digest(&*bytes).to_vec(),
            Algorithm::Sha256 => sha2_digest::<sha2::Sha256>(&bytes),
            Algorithm::Sha512 => sha2_digest::<sha2::Sha512>(&bytes),
        });
    }
    if bytes.len() < 14 {
        bytes.resize(14, 0);
    }
    bytes
}

fn sha2_digest<D: sha2::Digest>(b: &[u8]) -> Vec<u8> {
    D::digest(b).to_vec()
}

fn check(r: &Response) -> Result<(), DeviceError> {
    match r.sw {
        0x9000 => Ok(()),
        0x6982 => Err(DeviceError::new(
            TokenState::Untouched,
            DeviceErrorKind::NotWritable(
                "the OATH applet is password-protected; unlock it in the vendor's tool".into(),
            ),
        )),
        0x6A84 => Err(DeviceError::new(
            TokenState::Untouched,
            DeviceErrorKind::NotWritable("the key holds no more credentials".into()),
        )),
        sw => Err(DeviceError::new(
            TokenState::Untouched,
            Token2Error::Status(sw),
        )),
    }
}

/// A selected OATH applet.
pub struct YkOathSession<T: Transport> {
    transport: T,
    pub version: Vec<u8>,
    pub password_protected: bool,
}

impl<T: Transport> YkOathSession<T> {
    /// SELECTs the applet; a card without it answers an error.
    pub fn select(mut transport: T) -> Result<Self, DeviceError> {
        let r = exchange(&mut transport, &command(0x00, 0xA4, 0x04, 0x00, &AID, None))
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        check(&r)?;
        let fields = tlvs(&r.data);
        let get = |t: u8| fields.iter().find(|f| f.0 == t).map(|f| f.1.clone());
        Ok(YkOathSession {
            transport,
            version: get(0x79).unwrap_or_default(),
            password_protected: get(0x74).is_some(),
        })
    }

    fn send(&mut self, apdu: &[u8], writing: bool) -> Result<Response, DeviceError> {
        let result = exchange(&mut self.transport, apdu);
        if writing {
            result.map_err(DeviceError::writing(TokenState::Untouched))
        } else {
            result.map_err(DeviceError::reading(TokenState::Untouched))
        }
    }

    /// Stores a credential (replacing one of the same name).
    pub fn put(
        &mut self,
        name: &str,
        secret: &Secret,
        kind: OtpKind,
        params: &CodeParams,
        touch: bool,
    ) -> Result<(), DeviceError> {
        let alg = match params.algorithm {
            Algorithm::Sha1 => 1,
            Algorithm::Sha256 => 2,
            Algorithm::Sha512 => 3,
        };
        let type_bits = if kind == OtpKind::Hotp { 0x10 } else { 0x20 };
        let key = zeroize::Zeroizing::new(
            [
                &[type_bits | alg, params.digits as u8][..],
                &shape_secret(secret, params.algorithm),
            ]
            .concat(),
        );
        let mut data =
            zeroize::Zeroizing::new([tlv(0x71, name.as_bytes()), tlv(0x73, &key)].concat());
        if touch {
            data.extend_from_slice(&[0x78, 0x02]);
        }
        let r = self.send(&command(0x00, 0x01, 0x00, 0x00, &data, None), true)?;
        check(&r)
    }

    /// Names of the stored credentials.
    pub fn list(&mut self) -> Result<Vec<String>, DeviceError> {
        let r = self.send(&command(0x00, 0xA1, 0x00, 0x00, &[], None), false)?;
        check(&r)?;
        Ok(tlvs(&r.data)
            .into_iter()
            .filter(|f| f.0 == 0x72)
            .map(|f| String::from_utf8_lossy(&f.1[1..]).into_owned())
            .collect())
    }

    /// The TOTP code of `name` at `unix_time` (period from the name).
    pub fn calculate(&mut self, name: &str, unix_time: u64) -> Result<String, DeviceError> {
        let period = name
            .split_once('/')
            .and_then(|(p, _)| p.parse().ok())
            .unwrap_or(30u64);
        let data = [
            tlv(0x71, name.as_bytes()),
            tlv(0x74, &(unix_time / period).to_be_bytes()),
        ]
        .concat();
        let r = self.send(&command(0x00, 0xA2, 0x00, 0x01, &data, None), false)?;
        check(&r)?;
        let v = tlvs(&r.data)
            .into_iter()
            .find(|f| f.0 == 0x76)
            .map(|f| f.1)
            .unwrap_or_default();
        let [digits, a, b, c, d] = v[..] else {
            return Err(DeviceError::new(
                TokenState::Untouched,
                Token2Error::Malformed,
            ));
        };
        let n = u32::from_be_bytes([a, b, c, d]) & 0x7FFF_FFFF;
        Ok(format!(
            "{:0w$}",
            u64::from(n) % 10u64.pow(u32::from(digits)),
            w = digits as usize
        ))
    }

    pub fn delete(&mut self, name: &str) -> Result<(), DeviceError> {
        let r = self.send(
            &command(0x00, 0x02, 0x00, 0x00, &tlv(0x71, name.as_bytes()), None),
            true,
        )?;
        check(&r)
    }
}
