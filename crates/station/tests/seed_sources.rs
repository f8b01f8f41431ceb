//! Seeds from QR pictures, the clipboard and monitors: the right QR code
//! gives a credential, a wrong one gives the classifier's advice, and no QR
//! code says so and where it looked.

use image::{DynamicImage, GenericImage, Luma, Rgba, RgbaImage};
use oathdesk_otp::InputKind;
use oathdesk_station::StationError;
use oathdesk_station::seeds::{
    ClipboardContent, ClipboardSource, ScreenSource, Screenshot, from_clipboard, from_image_bytes,
    from_screens,
};
use zeroize::Zeroizing;

const ENTRA: &str =
    "otpauth://totp/Contoso%3Ajane%40contoso.com?secret=jbswy3dpehpk3pxp&issuer=Microsoft";

fn qr(text: &str) -> RgbaImage {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let luma = code.render::<Luma<u8>>().module_dimensions(4, 4).build();
    DynamicImage::ImageLuma8(luma).to_rgba8()
}

/// A 640×480 "desktop" with the QR code drawn somewhere in it.
fn screen_with(code: Option<&str>) -> RgbaImage {
    let mut screen = RgbaImage::from_pixel(640, 480, Rgba([200, 210, 220, 255]));
    if let Some(text) = code {
        screen.copy_from(&qr(text), 300, 120).unwrap();
    }
    screen
}

fn png(img: &RgbaImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn bad_input(e: StationError) -> String {
    match e {
        StationError::BadInput(m) => m,
        other => panic!("expected bad input, got {other:?}"),
    }
}

#[test]
fn entra_qr_in_a_file_gives_the_credential() {
    let seed = from_image_bytes(&png(&qr(ENTRA)), "file qr.png").unwrap();
    assert_eq!(seed.classification.kind, InputKind::TotpUri);
    assert_eq!(seed.credential.account, "jane@contoso.com");
    assert_eq!(seed.credential.secret.bits(), 80);
}

#[test]
fn authenticator_push_qr_gets_advice() {
    let msg = bad_input(
        from_image_bytes(
            &png(&qr("phonefactor://activate_account?code=1")),
            "file x.png",
        )
        .unwrap_err(),
    );
    assert!(
        msg.contains("I want to use a different authenticator app"),
        "{msg}"
    );
}

#[test]
fn picture_without_qr_says_so() {
    let msg = bad_input(from_image_bytes(&png(&screen_with(None)), "file blank.png").unwrap_err());
    assert!(
        msg.contains("No QR code was found in file blank.png"),
        "{msg}"
    );
    let msg = bad_input(from_image_bytes(b"not an image", "file x.txt").unwrap_err());
    assert!(msg.contains("not a readable image"), "{msg}");
}

struct FakeScreens(Vec<(&'static str, Option<&'static str>)>);

impl ScreenSource for FakeScreens {
    fn capture_all(&self) -> Result<Vec<Screenshot>, StationError> {
        Ok(self
            .0
            .iter()
            .map(|(name, code)| Screenshot {
                monitor: name.to_string(),
                image: screen_with(*code),
            })
            .collect())
    }
}

#[test]
fn finds_the_code_on_the_second_monitor_and_says_which() {
    let seed = from_screens(&FakeScreens(vec![("eDP-1", None), ("HDMI-1", Some(ENTRA))])).unwrap();
    assert_eq!(seed.origin, "monitor HDMI-1");
}

#[test]
fn no_code_on_any_monitor_names_them() {
    let msg =
        bad_input(from_screens(&FakeScreens(vec![("eDP-1", None), ("HDMI-1", None)])).unwrap_err());
    assert!(
        msg.contains("any of the 2 monitors (eDP-1, HDMI-1)"),
        "{msg}"
    );
}

#[test]
fn a_wrong_code_on_screen_gets_advice() {
    let msg = bad_input(
        from_screens(&FakeScreens(vec![(
            "eDP-1",
            Some("otpauth-migration://offline?data=x"),
        )]))
        .unwrap_err(),
    );
    assert!(
        msg.contains("monitor eDP-1") && msg.contains("Google Authenticator export"),
        "{msg}"
    );
}

struct FakeClipboard(Option<ClipboardContent>);

impl ClipboardSource for FakeClipboard {
    fn read(&mut self) -> Result<ClipboardContent, StationError> {
        Ok(self.0.take().unwrap_or(ClipboardContent::Empty))
    }
}

#[test]
fn clipboard_text_image_and_empty() {
    let text = ClipboardContent::Text(Zeroizing::new("JBSW Y3DP EHPK 3PXP".into()));
    assert_eq!(
        from_clipboard(&mut FakeClipboard(Some(text)))
            .unwrap()
            .credential
            .secret
            .bits(),
        80
    );
    let img = ClipboardContent::Image(qr(ENTRA));
    assert_eq!(
        from_clipboard(&mut FakeClipboard(Some(img)))
            .unwrap()
            .origin,
        "the clipboard image"
    );
    let msg = bad_input(from_clipboard(&mut FakeClipboard(None)).unwrap_err());
    assert!(msg.contains("clipboard is empty"));
}
