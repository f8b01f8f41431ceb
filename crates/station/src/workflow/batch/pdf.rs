//! The batch's handover sheets as one PDF to print: A4, one activated
//! user per page, with the serial as a QR code (for scanning at returns
//! and audits) — what the window's sheet shows, never a secret. Text is
//! set in Helvetica, one of the fonts every PDF reader has, so nothing is
//! embedded; characters outside Latin-1 print as `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, QrCode};

use super::Handover;
use crate::StationError;

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;
const FONT: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");
const QR_SIZE: f32 = 150.0;

/// Every sheet of `sheets`, one page each, as PDF bytes.
pub fn handover_pdf(sheets: &[Handover]) -> Result<Vec<u8>, StationError> {
    if sheets.is_empty() {
        return Err(StationError::BadInput(
            "no user of this batch has an activated token yet: there is no sheet to print".into(),
        ));
    }
    let mut pdf = Pdf::new();
    let (catalog, tree, font, bold) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4));
    pdf.catalog(catalog).pages(tree);
    let pages: Vec<(Ref, Ref)> = (0..sheets.len() as i32)
        .map(|i| (Ref::new(5 + 2 * i), Ref::new(6 + 2 * i)))
        .collect();
    pdf.pages(tree)
        .kids(pages.iter().map(|(page, _)| *page))
        .count(sheets.len() as i32);
    for (sheet, (page_id, content_id)) in sheets.iter().zip(&pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1));
        page.parent(tree);
        page.contents(*content_id);
        page.resources().fonts().pair(FONT, font).pair(BOLD, bold);
        page.finish();
        let content = sheet_content(sheet)?;
        pdf.stream(*content_id, &content);
    }
    for (id, name) in [(font, b"Helvetica".as_slice()), (bold, b"Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    Ok(pdf.finish())
}

/// One page: the title, the facts, the QR of the serial, the instructions.
fn sheet_content(sheet: &Handover) -> Result<Vec<u8>, StationError> {
    let o = &sheet.outcome;
    let mut c = Content::new();
    let top = A4.1 - MARGIN;
    text(&mut c, BOLD, 20.0, MARGIN, top, "Hardware token handover");
    let enrolled = crate::time_fmt::rfc3339(o.activated_at as i64);
    let codes = format!("{} digits every {} s", o.params.digits, o.params.period);
    let name = sheet.display_name.clone().unwrap_or_default();
    let rows = [
        ("User", name.as_str()),
        ("Sign-in name", o.user.as_str()),
        ("Token serial", o.serial.as_str()),
        ("Model", o.model.as_str()),
        ("Enrolled", enrolled.as_str()),
        ("Codes", codes.as_str()),
        ("Enrolment", o.enrolment_id.as_str()),
    ];
    let mut y = top - 48.0;
    for (label, value) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        text(&mut c, FONT, 11.0, MARGIN, y, label);
        let (face, size) = if *label == "Token serial" {
            (BOLD, 16.0)
        } else {
            (FONT, 12.0)
        };
        text(&mut c, face, size, MARGIN + 110.0, y, value);
        y -= 24.0;
    }
    qr(
        &mut c,
        &o.serial,
        A4.0 - MARGIN - QR_SIZE,
        top - 40.0 - QR_SIZE,
    )?;
    let advice = [
        "Press the button on the token to show a code, and type it where you are",
        "asked for a verification code. Keep the token with you; report a lost",
        "token to the helpdesk at once.",
    ];
    y -= 24.0;
    for line in advice {
        text(&mut c, FONT, 11.0, MARGIN, y, line);
        y -= 16.0;
    }
    Ok(c.finish())
}

fn text(c: &mut Content, font: Name, size: f32, x: f32, y: f32, s: &str) {
    c.begin_text();
    c.set_font(font, size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(s)));
    c.end_text();
}

/// `s` in WinAnsi (Latin-1 for the letters names use); anything else `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|ch| match u32::from(ch) {
            0x20..=0x7E | 0xA0..=0xFF => ch as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// The QR code of `serial`, its lower-left corner at (`x`, `y`).
fn qr(c: &mut Content, serial: &str, x: f32, y: f32) -> Result<(), StationError> {
    let code = QrCode::new(serial.as_bytes())
        .map_err(|e| StationError::BadInput(format!("serial {serial} cannot be a QR code: {e}")))?;
    let width = code.width();
    let quiet = 4.0;
    let module = QR_SIZE / (width as f32 + 2.0 * quiet);
    c.set_fill_gray(0.0);
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (col, row) = ((i % width) as f32, (i / width) as f32);
            let left = x + (quiet + col) * module;
            let bottom = y + QR_SIZE - (quiet + row + 1.0) * module;
            c.rect(left, bottom, module, module);
        }
    }
    c.fill_nonzero();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::EnrolOutcome;
    use oathdesk_otp::{Algorithm, CodeParams};

    fn sheet(i: u32, name: &str) -> Handover {
        Handover {
            position: i,
            display_name: Some(name.into()),
            outcome: EnrolOutcome {
                enrolment_id: format!("e{i}"),
                user: format!("hire{i}@contoso.com"),
                serial: format!("86596327009{i:02}"),
                model: "C302-i".into(),
                device_id: format!("d{i}"),
                params: CodeParams {
                    algorithm: Algorithm::Sha1,
                    digits: 6,
                    period: 30,
                },
                activated_at: 1_780_000_000,
            },
        }
    }

    /// Read back with an independent PDF reader: one A4 page per user,
    /// each naming its user and serial.
    #[test]
    fn one_a4_page_per_user_naming_the_user_and_the_serial() {
        let bytes = handover_pdf(&[sheet(1, "Zoë Müller"), sheet(2, "Hire Two")]).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let pages = doc.get_pages();
        assert_eq!(pages.len(), 2);
        for (n, id) in &pages {
            let media = doc
                .get_object(*id)
                .unwrap()
                .as_dict()
                .unwrap()
                .get(b"MediaBox")
                .unwrap();
            let sizes: Vec<f32> = media
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_float().unwrap())
                .collect();
            assert_eq!(sizes, [0.0, 0.0, 595.0, 842.0], "A4");
            let content = doc.get_page_content(*id).unwrap();
            let text = String::from_utf8_lossy(&content);
            let i = *n;
            assert!(text.contains(&format!("hire{i}@contoso.com")), "page {n}");
            assert!(text.contains(&format!("86596327009{i:02}")), "page {n}");
        }
        let first = doc.get_page_content(pages[&1]).unwrap();
        let shown: Vec<Vec<u8>> = lopdf::content::Content::decode(&first)
            .unwrap()
            .operations
            .into_iter()
            .filter(|op| op.operator == "Tj")
            .map(|op| op.operands[0].as_str().unwrap().to_vec())
            .collect();
        assert!(
            shown.contains(&b"Zo\xEB M\xFCller".to_vec()),
            "Latin-1 kept: {shown:?}"
        );
    }

    /// The squares drawn on the page read back as a QR code holding the
    /// serial (decoded by rqrr from the rectangles, not from our encoder).
    #[test]
    fn the_qr_on_the_page_reads_as_the_serial() {
        let bytes = handover_pdf(&[sheet(7, "Hire Seven")]).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let page = doc.get_pages()[&1];
        let ops = lopdf::content::Content::decode(&doc.get_page_content(page).unwrap()).unwrap();
        let squares: Vec<[f32; 4]> = ops
            .operations
            .iter()
            .filter(|op| op.operator == "re")
            .map(|op| {
                let v: Vec<f32> = op.operands.iter().map(|o| o.as_float().unwrap()).collect();
                [v[0], v[1], v[2], v[3]]
            })
            .collect();
        let module = squares[0][2];
        let (x0, y_top) = (A4.0 - MARGIN - QR_SIZE, A4.1 - MARGIN - 40.0);
        let cells = (QR_SIZE / module).round() as u32;
        let scale = 4;
        let mut img =
            image::GrayImage::from_pixel(cells * scale, cells * scale, image::Luma([255]));
        for [x, y, _, _] in squares {
            let col = ((x - x0) / module).round() as u32;
            let row = ((y_top - y) / module).round() as u32 - 1;
            for dx in 0..scale {
                for dy in 0..scale {
                    img.put_pixel(col * scale + dx, row * scale + dy, image::Luma([0]));
                }
            }
        }
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code on the page");
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, "8659632700907");
    }

    #[test]
    fn no_sheet_no_pdf() {
        assert!(
            handover_pdf(&[])
                .unwrap_err()
                .to_string()
                .contains("no sheet")
        );
    }
}
