//! The desk's webcam through `nokhwa`: V4L2 on Linux, Media Foundation on
//! Windows, AVFoundation on macOS. The camera is asked for raw YUYV (every
//! UVC webcam offers it, and its luma is the grey the scanner reads), at
//! about 1280×720: enough for a phone's code held at arm's length, cheap
//! to search thirty times a second.

use nokhwa::utils::{CameraFormat, FrameFormat, RequestedFormat, RequestedFormatType, Resolution};
use nokhwa::{Buffer, Camera, NokhwaError};
use oathdesk_scan::Layout;
use zeroize::Zeroizing;

use crate::StationError;
use crate::camera::{CameraFrame, Cameras, FrameSource};

/// The formats OathDesk can read, most wanted first.
const READABLE: [FrameFormat; 6] = [
    FrameFormat::YUYV,
    FrameFormat::NV12,
    FrameFormat::GRAY,
    FrameFormat::MJPEG,
    FrameFormat::RAWRGB,
    FrameFormat::RAWBGR,
];

/// The desk's first camera.
pub struct DeskCameras;

impl Cameras for DeskCameras {
    fn open(&self) -> Result<Box<dyn FrameSource>, StationError> {
        // macOS asks the operator once; until they answer (or if they
        // refuse) no camera is listed.
        #[cfg(target_os = "macos")]
        if !nokhwa::nokhwa_check() {
            nokhwa::nokhwa_initialize(|_| {});
            return Err(StationError::BadInput(
                "macOS is asking whether OathDesk may use the camera: allow it (System \
                 Settings › Privacy & Security › Camera), then try again."
                    .into(),
            ));
        }
        let backend = nokhwa::native_api_backend().ok_or_else(|| {
            failed("this operating system has no camera interface OathDesk knows")
        })?;
        let found = nokhwa::query(backend).map_err(|e| failed(&e.to_string()))?;
        let Some(first) = found.first() else {
            return Err(StationError::BadInput(
                "No camera was found. Plug in a webcam and try again, or read the code \
                 from the screen, a file or the clipboard."
                    .into(),
            ));
        };
        let wanted = RequestedFormat::with_formats(
            RequestedFormatType::Closest(CameraFormat::new(
                Resolution::new(1280, 720),
                FrameFormat::YUYV,
                30,
            )),
            &READABLE,
        );
        let name = first.human_name();
        let mut camera = Camera::with_backend(first.index().clone(), wanted, backend)
            .map_err(|e| refused(&name, &e))?;
        camera.open_stream().map_err(|e| refused(&name, &e))?;
        Ok(Box::new(Webcam { camera, name }))
    }
}

struct Webcam {
    camera: Camera,
    name: String,
}

impl FrameSource for Webcam {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn next_frame(&mut self) -> Result<Option<CameraFrame>, StationError> {
        let buffer = self.camera.frame().map_err(|e| refused(&self.name, &e))?;
        picture(&buffer).map(Some)
    }
}

impl Drop for Webcam {
    fn drop(&mut self) {
        // Releasing the device is all that is left to do; a camera that
        // was unplugged has nothing to stop.
        let _ = self.camera.stop_stream();
    }
}

/// A camera's buffer as a frame the scanner reads.
fn picture(buffer: &Buffer) -> Result<CameraFrame, StationError> {
    let (width, height) = (buffer.resolution().width(), buffer.resolution().height());
    let bytes = buffer.buffer();
    let frame = |layout, pixels: Vec<u8>| CameraFrame {
        width,
        height,
        layout,
        pixels: Zeroizing::new(pixels),
    };
    Ok(match buffer.source_frame_format() {
        FrameFormat::YUYV => frame(Layout::Yuyv, bytes.to_vec()),
        FrameFormat::GRAY => frame(Layout::Luma8, bytes.to_vec()),
        // NV12's first plane is the picture's luma, one byte a pixel.
        FrameFormat::NV12 => {
            let luma = (width as usize * height as usize).min(bytes.len());
            frame(Layout::Luma8, bytes[..luma].to_vec())
        }
        FrameFormat::RAWRGB => frame(Layout::Rgb8, bytes.to_vec()),
        FrameFormat::RAWBGR => {
            let mut rgb = bytes.to_vec();
            rgb.chunks_exact_mut(3).for_each(|p| p.swap(0, 2));
            frame(Layout::Rgb8, rgb)
        }
        FrameFormat::MJPEG => {
            let grey = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                .map_err(|e| {
                    StationError::BadInput(format!("The camera sent a broken JPEG picture ({e})."))
                })?
                .into_luma8();
            CameraFrame {
                width: grey.width(),
                height: grey.height(),
                layout: Layout::Luma8,
                pixels: Zeroizing::new(grey.into_raw()),
            }
        }
    })
}

fn failed(why: &str) -> StationError {
    StationError::BadInput(format!(
        "The cameras could not be listed ({why}). Read the code from the screen, a file or \
         the clipboard instead."
    ))
}

fn refused(name: &str, e: &NokhwaError) -> StationError {
    StationError::BadInput(format!(
        "Camera {name} could not be used ({e}). Close any other program using it; on Linux \
         the operator must be in the `video` group, on macOS OathDesk must be allowed the \
         camera (System Settings › Privacy & Security › Camera). Then try again."
    ))
}
