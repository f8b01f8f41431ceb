//! A selected OATH applet on a transport: list, put, calculate, delete.
//! OathDesk never unlocks a password-protected applet; it says so.

use oathdesk_otp::{CodeParams, OtpKind, Secret};

use super::codec::{self, CredentialInfo, SEND_REMAINING};
use super::name::CredentialName;
use crate::apdu::Response;
use crate::error::{DeviceError, TokenState};
use crate::transport::{Transport, exchange_with};

pub struct YkOathSession<T: Transport> {
    transport: T,
    version: Vec<u8>,
    device_id: String,
    password_protected: bool,
}

impl<T: Transport> YkOathSession<T> {
    /// SELECTs the applet; a card without it answers an error status.
    pub fn select(mut transport: T) -> Result<Self, DeviceError> {
        let resp = exchange_with(&mut transport, &codec::select(), SEND_REMAINING)
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        let info = codec::parse_select(&resp)?;
        Ok(YkOathSession {
            transport,
            device_id: codec::device_id(&info.salt),
            version: info.version,
            password_protected: info.password_protected,
        })
    }

    /// Yubico's id for this applet instance (it changes on a reset).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn version(&self) -> &[u8] {
        &self.version
    }

    pub fn password_protected(&self) -> bool {
        self.password_protected
    }

    fn send(&mut self, apdu: &[u8], writing: bool) -> Result<Response, DeviceError> {
        let result = exchange_with(&mut self.transport, apdu, SEND_REMAINING);
        if writing {
            result.map_err(DeviceError::writing(TokenState::Untouched))
        } else {
            result.map_err(DeviceError::reading(TokenState::Untouched))
        }
    }

    /// The stored credentials.
    pub fn list(&mut self) -> Result<Vec<CredentialInfo>, DeviceError> {
        let resp = self.send(&codec::list(), false)?;
        codec::parse_list(&resp)
    }

    /// Stores a credential (replacing one of the same name). Digits 6..=8,
    /// a non-empty secret and a period that matches the name are checked
    /// before the APDU.
    pub fn put(
        &mut self,
        name: &CredentialName,
        secret: &Secret,
        kind: OtpKind,
        params: &CodeParams,
        touch: bool,
    ) -> Result<(), DeviceError> {
        let apdu = codec::put(name, secret, kind, params, touch)?;
        let resp = self.send(&apdu, true)?;
        codec::check(&resp)
    }

    /// The code of `name` at `unix_time` (its period from the name).
    pub fn calculate(
        &mut self,
        name: &CredentialName,
        unix_time: u64,
    ) -> Result<String, DeviceError> {
        let resp = self.send(&codec::calculate(name, unix_time)?, false)?;
        codec::parse_calculate(&resp)
    }

    pub fn delete(&mut self, name: &CredentialName) -> Result<(), DeviceError> {
        let resp = self.send(&codec::delete(name)?, true)?;
        codec::check(&resp)
    }
}
