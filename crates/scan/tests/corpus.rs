//! The quick search against the corpus of our own making
//! (tests/common/corpus.rs): every code found by the finder search alone,
//! the Authenticator decoy read and classified as Authenticator's, the
//! screen without a code found empty. Failures are listed together, so a
//! change that loses one kind of screen names all of them.

#[path = "common/corpus.rs"]
mod corpus;

use oathdesk_otp::{InputKind, classify};
use oathdesk_scan::{Frame, Layout, quick};

#[test]
fn the_quick_search_finds_every_code_of_the_corpus_and_nothing_else() {
    let mut missed = Vec::new();
    let settings = corpus::settings();
    for setting in &settings {
        let screen = corpus::draw(*setting);
        let frame =
            Frame::packed(screen.width, screen.height, Layout::Rgba8, &screen.rgba).unwrap();
        let found: Vec<String> = quick(&frame).iter().map(|c| c.text.to_string()).collect();
        let want: Vec<String> = screen.shows.iter().map(|s| s.to_string()).collect();
        if found != want {
            missed.push(format!("{}: found {found:?}", screen.name));
        }
    }
    assert!(
        missed.is_empty(),
        "{} of {} screens wrong:\n{}",
        missed.len(),
        settings.len(),
        missed.join("\n")
    );
}

#[test]
fn the_authenticator_decoy_is_read_and_classified_as_authenticators() {
    let setting = corpus::settings()
        .into_iter()
        .find(|s| s.shows == Some(corpus::AUTHENTICATOR))
        .unwrap();
    let screen = corpus::draw(setting);
    let frame = Frame::packed(screen.width, screen.height, Layout::Rgba8, &screen.rgba).unwrap();
    let found = quick(&frame);
    assert_eq!(found.len(), 1, "{}", screen.name);
    let verdict = classify(&found[0].text, None);
    assert_eq!(verdict.kind, InputKind::AuthenticatorPush);
    assert!(verdict.next_step.contains("different authenticator app"));
}

#[test]
fn both_monitors_of_a_desk_are_searched_and_the_code_is_on_the_second() {
    let [left, right] = corpus::desk();
    let frames =
        [&left, &right].map(|s| Frame::packed(s.width, s.height, Layout::Rgba8, &s.rgba).unwrap());
    let found = oathdesk_scan::codes_on_all(&frames);
    assert!(found[0].is_empty());
    assert_eq!(found[1].len(), 1);
    assert_eq!(*found[1][0].text, corpus::ENTRA);
    // The area named is the dialog's code, not the whole screen.
    assert!(found[1][0].area.width < 1000, "{:?}", found[1][0].area);
}
