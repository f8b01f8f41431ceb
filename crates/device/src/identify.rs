//! Which family a token on a reader speaks, found the way the vendors'
//! facts allow: a Molto2 is told by its reader name and never sent a
//! foreign command (that can wedge it); otherwise Token2's get-info, then
//! (same command family) a Molto2 slot read, and only for a card that
//! refuses get-info a SELECT of the PIN+ keys' OTP applet, then of YKOATH.

use crate::error::{DeviceError, DeviceErrorKind};
use crate::molto2::{CustomerKey, Molto2Session, Slot, codec as molto2};
use crate::profiles::{Family, Profiles};
use crate::token2::{self, Info, Token2Session};
use crate::token2otp::Token2OtpSession;
use crate::transport::{Transport, exchange};
use crate::ykoath::YkOathSession;

/// An identified token, as a session of its family.
pub enum Identified<T: Transport> {
    /// A single-profile token; a serial no profile knows is shown but
    /// never written (the caller checks [`Profiles::for_serial`]).
    SingleProfile(Token2Session<T>),
    Molto2(Molto2Session<T>),
    Ykoath(YkOathSession<T>),
    /// A Token2 PIN+ key's OTP applet, selected. Its session borrows the
    /// transport, so the caller opens one per operation.
    Token2Otp {
        transport: T,
        serial: String,
    },
}

/// Identifies the token on `reader` and opens a session of its family;
/// `key` is used only if it is a Molto2. Transport errors end it at once.
pub fn identify<T: Transport>(
    reader: &str,
    mut transport: T,
    profiles: &Profiles,
    key: CustomerKey,
) -> Result<Identified<T>, DeviceError> {
    if reader.to_lowercase().contains("molto") {
        return Molto2Session::open(transport, key).map(Identified::Molto2);
    }
    let info = match token2::read_info(&mut transport) {
        Ok(info) => info,
        Err(e) if refused_with_status(&e) => {
            if let Some(serial) = otp_applet_serial(&mut transport)? {
                return Ok(Identified::Token2Otp { transport, serial });
            }
            return select_ykoath(transport, e);
        }
        Err(e) => return Err(e),
    };
    let single = profiles
        .for_serial(&info.serial)
        .is_some_and(|p| p.family == Family::Token2Single);
    if !single && answers_as_molto2(&mut transport)? {
        return Ok(Identified::Molto2(Molto2Session::from_parts(
            transport, key, info,
        )));
    }
    Ok(single_profile(transport, info))
}

fn single_profile<T: Transport>(transport: T, info: Info) -> Identified<T> {
    Identified::SingleProfile(Token2Session::from_parts(transport, info))
}

fn refused_with_status(e: &DeviceError) -> bool {
    matches!(&e.kind, DeviceErrorKind::Refused(r) if r.sw().is_some())
}

/// Slot 0's public data: a whole `95 … 70 …` answer means a Molto2.
fn answers_as_molto2(transport: &mut dyn Transport) -> Result<bool, DeviceError> {
    let slot = Slot::new(0)?;
    let resp = exchange(transport, &molto2::public_data(slot))
        .map_err(DeviceError::reading(crate::TokenState::Untouched))?;
    Ok(resp.is_ok() && molto2::public_block(&resp.data).is_some())
}

/// The serial of a PIN+ key's OTP applet, or `None` if the card has no
/// such applet (it refused the SELECT). Transport errors end it.
fn otp_applet_serial(transport: &mut dyn Transport) -> Result<Option<String>, DeviceError> {
    let mut session = match Token2OtpSession::select(transport) {
        Ok(s) => s,
        Err(e) if matches!(e.kind, DeviceErrorKind::Transport(_)) => return Err(e),
        Err(_) => return Ok(None),
    };
    session.serial().map(Some)
}

/// The YKOATH applet, or — if the card has none — the get-info refusal.
fn select_ykoath<T: Transport>(
    transport: T,
    get_info_error: DeviceError,
) -> Result<Identified<T>, DeviceError> {
    match YkOathSession::select(transport) {
        Ok(session) => Ok(Identified::Ykoath(session)),
        Err(e) if matches!(e.kind, DeviceErrorKind::Transport(_)) => Err(e),
        Err(_) => Err(get_info_error),
    }
}

#[cfg(test)]
mod tests {
    use oathdesk_sim::token::{
        Molto2Card, PinPlusCard, Token2Card, Token2Model, TokenClock, YkOathCard,
    };

    use super::*;
    use crate::testing::{Recorder, instructions};
    use crate::token2::codec::Token2Error;
    use crate::transport::{FnTransport, TransportError};

    const READER: &str = "Virtual PCD 0 00 00";

    fn run<T: Transport>(reader: &str, t: T) -> Result<Identified<T>, DeviceError> {
        identify(reader, t, &Profiles::builtin(), CustomerKey::factory())
    }

    fn token2(serial: Option<&str>) -> Token2Card {
        let model = Token2Model::by_name("C302-i").unwrap();
        let mut card = Token2Card::new(model, "000042", TokenClock::offset(0, 0.0));
        if let Some(s) = serial {
            card.serial = s.into();
        }
        card
    }

    fn molto2() -> Molto2Card {
        Molto2Card::new("MOLTO2I00001", TokenClock::offset(0, 0.0))
    }

    #[test]
    fn a_known_serial_is_a_single_profile_token_after_one_apdu() {
        let rec = Recorder::new(token2(None));
        let log = rec.log();
        let Identified::SingleProfile(s) = run(READER, rec).unwrap() else {
            panic!("not single-profile");
        };
        assert_eq!(s.info().serial, "8659632000042");
        assert_eq!(instructions(&log), [0x41]);
    }

    #[test]
    fn an_unknown_serial_that_is_no_molto2_is_an_unknown_single_profile_token() {
        let rec = Recorder::new(token2(Some("1234567000001")));
        let log = rec.log();
        let Identified::SingleProfile(s) = run(READER, rec).unwrap() else {
            panic!("not single-profile");
        };
        assert!(Profiles::builtin().for_serial(&s.info().serial).is_none());
        assert_eq!(log.borrow()[1], [0x80, 0x41, 0x00, 0x00, 0x01, 0x70]);
    }

    #[test]
    fn a_molto2_is_found_by_reader_name_with_one_apdu() {
        let rec = Recorder::new(molto2());
        let log = rec.log();
        let reader = "TOKEN2 Molto2 [CCID Interface] 00 00";
        let Identified::Molto2(m) = run(reader, rec).unwrap() else {
            panic!("not a Molto2");
        };
        assert_eq!(m.info().serial, "MOLTO2I00001");
        assert_eq!(*log.borrow(), [vec![0x80, 0x41, 0x00, 0x00, 0x00]]);
    }

    #[test]
    fn a_molto2_on_another_reader_is_found_by_its_slot_data() {
        let rec = Recorder::new(molto2());
        let log = rec.log();
        let Identified::Molto2(m) = run(READER, rec).unwrap() else {
            panic!("not a Molto2");
        };
        assert_eq!(m.info().serial, "MOLTO2I00001");
        assert_eq!(instructions(&log), [0x41, 0x41], "no foreign command");
    }

    #[test]
    fn a_card_refusing_get_info_is_asked_for_the_oath_applet() {
        let rec = Recorder::new(YkOathCard::new());
        let log = rec.log();
        let Identified::Ykoath(y) = run(READER, rec).unwrap() else {
            panic!("not YKOATH");
        };
        assert_eq!(y.device_id().len(), 22);
        // The OTP applet's SELECT (refused), then YKOATH's.
        assert_eq!(instructions(&log), [0x41, 0xA4, 0xA4]);
    }

    #[test]
    fn a_card_refusing_get_info_with_the_otp_applet_is_a_pinplus_key() {
        let rec = Recorder::new(PinPlusCard::new(&[0x0A, 0x1B]));
        let log = rec.log();
        let Identified::Token2Otp { serial, .. } = run(READER, rec).unwrap() else {
            panic!("not a PIN+ key");
        };
        assert_eq!(serial.to_ascii_uppercase(), "0A1B");
        // get-info, SELECT OTP, SELECT FIDO, read serial, SELECT OTP again:
        // nothing written, never SET_DEVICE_TYPE.
        assert_eq!(instructions(&log), [0x41, 0xA4, 0xA4, 0x33, 0xA4]);
    }

    #[test]
    fn a_card_with_neither_gives_the_get_info_refusal() {
        let t = FnTransport(|apdu: &[u8]| match apdu[1] {
            0xA4 => vec![0x6A, 0x82],
            _ => vec![0x6E, 0x00],
        });
        let e = run(READER, t).err().unwrap();
        assert_eq!(
            e.kind,
            DeviceErrorKind::Refused(Token2Error::Unsupported(0x6E00))
        );
    }

    struct Cut;

    impl Transport for Cut {
        fn transmit_raw(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Err(TransportError::LinkLost("card removed".into()))
        }
    }

    #[test]
    fn a_lost_link_ends_identification_at_once() {
        let e = run(READER, Cut).err().unwrap();
        assert!(matches!(
            e.kind,
            DeviceErrorKind::Transport(TransportError::LinkLost(_))
        ));
    }
}
