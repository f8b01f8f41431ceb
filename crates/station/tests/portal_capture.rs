//! A Wayland desk's screen through the desktop portal (the sim's portal on
//! the private session bus that tests/harness/keyring-session.sh starts):
//! one request for every monitor, the code found in the picture, the
//! picture deleted once read; a refusal, a failure and an unanswered
//! prompt each said with what to do, and nothing left on disk.

#![cfg(target_os = "linux")]

use std::time::Duration;

use image::{DynamicImage, GenericImage, Luma, Rgba, RgbaImage};
use oathdesk_sim::portal::{Answer, Portal};
use oathdesk_station::StationError;
use oathdesk_station::adapters::{PortalScreens, WHOLE_DESKTOP};
use oathdesk_station::seeds::from_screens;

const ENTRA: &str =
    "otpauth://totp/Contoso%3Ajane%40contoso.com?secret=jbswy3dpehpk3pxp&issuer=Microsoft";

/// Two 1280×720 monitors side by side, the code on the right one.
fn desktop_png() -> Vec<u8> {
    let mut desk = RgbaImage::from_pixel(2560, 720, Rgba([243, 242, 241, 255]));
    let code = qrcode::QrCode::new(ENTRA.as_bytes()).unwrap();
    let luma = code.render::<Luma<u8>>().module_dimensions(4, 4).build();
    desk.copy_from(&DynamicImage::ImageLuma8(luma).to_rgba8(), 1900, 200)
        .unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    desk.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn refused(e: StationError) -> String {
    match e {
        StationError::BadInput(m) => m,
        other => panic!("expected advice, got {other:?}"),
    }
}

#[test]
fn the_portal_takes_one_picture_of_the_desktop_which_is_read_and_deleted() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        panic!("run through tests/harness/keyring-session.sh (make test does)");
    }
    let portal = Portal::start(Answer::Share(desktop_png())).unwrap();
    let screens = PortalScreens::waiting(Duration::from_secs(30));

    let seed = from_screens(&screens).unwrap();
    assert_eq!(seed.origin, format!("monitor {WHOLE_DESKTOP}"));
    assert_eq!(seed.credential.account, "jane@contoso.com");
    let calls = portal.calls();
    assert_eq!(calls.len(), 1, "one prompt for every monitor");
    assert_eq!(calls[0].interactive, Some(false));
    assert!(calls[0].handle_token.is_some());
    let saved = calls[0].saved.clone().unwrap();
    assert!(
        !saved.exists(),
        "the picture of the secret was left at {saved:?}"
    );

    portal.answer(Answer::Refuse);
    let why = refused(from_screens(&screens).unwrap_err());
    assert!(
        why.contains("refused at your desktop's prompt") && why.contains("choose Share"),
        "{why}"
    );

    portal.answer(Answer::Fail);
    let why = refused(from_screens(&screens).unwrap_err());
    assert!(
        why.contains("could not take the screenshot") && why.contains("open the file"),
        "{why}"
    );

    portal.answer(Answer::Ignore);
    let quick = PortalScreens::waiting(Duration::from_millis(300));
    let why = refused(from_screens(&quick).unwrap_err());
    assert!(why.contains("not answered within"), "{why}");
    assert_eq!(portal.calls().len(), 4);
}
