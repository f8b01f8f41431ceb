//! Reading the seed through a camera, with a recorded camera (no machine
//! here has one): the scan stops at the first frame that shows the code,
//! releases the camera whatever happens, and says what to do when it
//! cannot read a seed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use oathdesk_sim::camera::{self, FIRST_READABLE, RecordedFrame};
use oathdesk_station::camera::{
    CameraFrame, CameraWatch, Cameras, LOOK_FOR, Preview, Recorded, Replay, StopFlag, from_camera,
};

const URI: &str =
    "otpauth://totp/Contoso:adele.vance@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Contoso";

fn frames(recording: Vec<RecordedFrame>) -> Vec<CameraFrame> {
    recording
        .into_iter()
        .map(|f| CameraFrame::yuyv(f.width, f.height, f.yuyv))
        .collect()
}

/// Keeps every preview, and stops after `stop_after` of them.
struct Window {
    previews: Vec<Preview>,
    stop_after: usize,
}

impl CameraWatch for Window {
    fn preview(&mut self, p: &Preview) {
        self.previews.push(p.clone());
    }
    fn stopped(&self) -> bool {
        self.previews.len() >= self.stop_after
    }
}

#[test]
fn the_first_readable_frame_ends_the_scan_and_the_camera_is_released() {
    let replay = Replay::new("Desk webcam", frames(camera::phone_held_up(URI).unwrap()));
    let (taken, released) = (replay.taken.clone(), replay.released.clone());
    let mut window = Window {
        previews: vec![],
        stop_after: usize::MAX,
    };
    let seed = from_camera(Box::new(replay), LOOK_FOR, &mut window).unwrap();
    assert_eq!(seed.credential.account, "adele.vance@contoso.com");
    assert_eq!(seed.credential.secret.bits(), 80);
    assert_eq!(seed.origin, "camera Desk webcam");
    // Not one frame more than needed: the half-visible and blurred phone
    // read nothing, the first still frame does.
    assert_eq!(taken.load(Ordering::Relaxed), FIRST_READABLE + 1);
    assert!(released.load(Ordering::Relaxed), "the camera is let go");
    // The window got a coarse picture to aim by, never the code itself.
    let first = window.previews.first().expect("a preview");
    assert_eq!((first.width, first.height), (64, 48));
}

#[test]
fn a_camera_that_ends_before_a_code_says_so_and_is_released() {
    let replay = Replay::new("Desk webcam", frames(camera::empty_desk(4)));
    let released = replay.released.clone();
    let stop = AtomicBool::new(false);
    let err = from_camera(Box::new(replay), LOOK_FOR, &mut StopFlag(&stop)).unwrap_err();
    assert!(
        err.to_string()
            .contains("Camera Desk webcam stopped sending pictures before a QR code was seen"),
        "{err}"
    );
    assert!(released.load(Ordering::Relaxed));
}

#[test]
fn the_operator_can_stop_a_scan_and_the_camera_is_released() {
    let replay = Replay::new("Desk webcam", frames(camera::empty_desk(50)));
    let (taken, released) = (replay.taken.clone(), replay.released.clone());
    let mut window = Window {
        previews: vec![],
        stop_after: 1,
    };
    let err = from_camera(Box::new(replay), LOOK_FOR, &mut window).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The camera scan was stopped; no seed was read."
    );
    assert_eq!(taken.load(Ordering::Relaxed), 1, "no frame after the stop");
    assert!(released.load(Ordering::Relaxed));
}

#[test]
fn a_scan_gives_up_after_its_time_and_says_what_to_try() {
    let stop = AtomicBool::new(false);
    let replay = Replay::new("Desk webcam", frames(camera::empty_desk(2)));
    let err = from_camera(Box::new(replay), Duration::ZERO, &mut StopFlag(&stop)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("saw no QR code in 0 s"), "{text}");
    assert!(text.contains("Hold the code flat"), "{text}");
}

#[test]
fn an_authenticator_push_code_gets_the_classifiers_advice() {
    let decoy = "phonefactor://activate_account?code=123456789&url=https://mobileappcommunicator.auth.microsoft.com/activate/123456789/WUS";
    let cameras = Recorded::new("Desk webcam", move || {
        frames(camera::phone_held_up(decoy).unwrap())
    });
    let stop = AtomicBool::new(false);
    let err = from_camera(cameras.open().unwrap(), LOOK_FOR, &mut StopFlag(&stop)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("camera Desk webcam is not an OATH secret"),
        "{text}"
    );
    assert!(text.contains("different authenticator app"), "{text}");
}

#[test]
fn a_broken_frame_is_refused_not_read_past() {
    let short = CameraFrame::yuyv(640, 480, vec![0; 100]);
    let stop = AtomicBool::new(false);
    let err = from_camera(
        Box::new(Replay::new("Desk webcam", vec![short])),
        LOOK_FOR,
        &mut StopFlag(&stop),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("Camera Desk webcam sent a broken picture"),
        "{err}"
    );
}
