//! Text from outside (a Graph error message, a token's refusal) may quote
//! what it was sent. Before such text is kept — in the journal, say —
//! anything shaped like a secret is cut out: base32 seeds, long hex, and
//! base64 or JWT pieces. Request ids (GUIDs), serials and UPNs stay.

/// What replaces a secret-shaped run.
pub const REMOVED: &str = "[secret-shaped text removed]";

/// `text` with every secret-shaped run replaced by [`REMOVED`].
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_' | '.') {
            run.push(c);
        } else {
            flush(&mut out, &mut run);
            out.push(c);
        }
    }
    flush(&mut out, &mut run);
    out
}

/// A JWT (`eyJ….….…`) goes whole; otherwise each piece between `-`, `_`
/// and `.` is judged alone, so GUIDs, host names and UPNs stay.
fn flush(out: &mut String, run: &mut String) {
    if run.starts_with("eyJ") && run.contains('.') {
        out.push_str(REMOVED);
    } else {
        let mut piece = String::new();
        for c in run.chars() {
            if matches!(c, '-' | '_' | '.') {
                push_piece(out, &mut piece);
                out.push(c);
            } else {
                piece.push(c);
            }
        }
        push_piece(out, &mut piece);
    }
    zeroize::Zeroize::zeroize(run);
}

fn push_piece(out: &mut String, piece: &mut String) {
    out.push_str(if secret_shaped(piece) { REMOVED } else { piece });
    zeroize::Zeroize::zeroize(piece);
}

fn secret_shaped(run: &str) -> bool {
    let body = run.trim_end_matches('=');
    let has = |f: fn(&char) -> bool| body.chars().any(|c| f(&c));
    let base32 = body.len() >= 16
        && body
            .chars()
            .all(|c| matches!(c.to_ascii_uppercase(), 'A'..='Z' | '2'..='7'))
        && (has(|c| ('2'..='7').contains(c)) || body.chars().all(|c| !c.is_ascii_lowercase()));
    let hex = body.len() >= 32 && body.chars().all(|c| c.is_ascii_hexdigit());
    let base64 = body.len() >= 24
        && has(char::is_ascii_digit)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_uppercase);
    base32 || hex || base64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_go_and_ids_stay() {
        let text = "Entra: invalid secretKey JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP for 8659632000001 \
            (request-id b8b2f1a0-1c2d-4e5f-8a9b-0c1d2e3f4a5b) token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlMTIzNDU2Nzg \
            hex 3132333435363738393031323334353637383930 user alice@contoso.com Authorization_RequestDenied";
        let kept = scrub(text);
        for gone in [
            "JBSWY3DP",
            "eyJhbGciOiJSUzI1NiJ9",
            "eyJzdWIi",
            "31323334353637383930",
        ] {
            assert!(!kept.contains(gone), "{gone} in {kept}");
        }
        for stays in [
            "8659632000001",
            "b8b2f1a0-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "alice@contoso.com",
            "Authorization_RequestDenied",
            "invalid secretKey",
        ] {
            assert!(kept.contains(stays), "{stays} lost from {kept}");
        }
        assert_eq!(kept.matches(REMOVED).count(), 3, "{kept}");
    }
}
