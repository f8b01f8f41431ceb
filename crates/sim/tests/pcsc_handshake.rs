//! A full single-profile burn handshake against the virtual token through a
//! real pcscd, using only the `pcsc` crate and RustCrypto's SM4 — none of
//! the project's driver code — so the sim is checked against the wire
//! format as documented, not against our own host implementation.

use std::ffi::CString;

use cbc::cipher::{BlockEncryptMut, KeyInit, KeyIvInit, block_padding::NoPadding};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_testkit::{Insert, VirtualReader};
use pcsc::{Context, Protocols, Scope, ShareMode};
use sha2::{Digest, Sha256};

const KEY: [u8; 16] = [
    0x8A, 0xD2, 0x06, 0x88, 0x3C, 0xA3, 0x69, 0x48, 0x2A, 0xB2, 0x71, 0x82, 0xB6, 0xE8, 0x32, 0x24,
];

fn ecb(data: &[u8]) -> Vec<u8> {
    ecb::Encryptor::<sm4::Sm4>::new(&KEY.into()).encrypt_padded_vec_mut::<NoPadding>(data)
}

/// MAC over `80 INS P1 P2 Lc'` ‖ body; `80 00…` padding only if unaligned.
fn mac(ins: u8, body: &[u8]) -> Vec<u8> {
    let p1 = if ins == 0xC5 { 0x01 } else { 0x00 };
    let mut m = vec![0x80, ins, p1, 0x00, body.len() as u8];
    m.extend_from_slice(body);
    if m.len() % 16 != 0 {
        m.push(0x80);
        m.resize(m.len().div_ceil(16) * 16, 0);
    }
    let ct = cbc::Encryptor::<sm4::Sm4>::new(&KEY.into(), &[0u8; 16].into())
        .encrypt_padded_vec_mut::<NoPadding>(&m);
    ct[ct.len() - 16..ct.len() - 12].to_vec()
}

fn secured(ins: u8, p1: u8, body: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x84, ins, p1, 0x00, (body.len() + 4) as u8];
    apdu.extend_from_slice(body);
    apdu.extend_from_slice(&mac(ins, body));
    apdu
}

fn transmit(card: &pcsc::Card, apdu: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 258];
    card.transmit(apdu, &mut buf).expect("transmit").to_vec()
}

#[test]
fn burn_handshake_over_real_pcscd_stores_the_seed() {
    let reader = VirtualReader::acquire();
    let token = reader.insert(Token2Card::new(
        Token2Model::by_name("C301-i").unwrap(),
        "424242",
        TokenClock::offset(-500, 0.0),
    ));

    let ctx = Context::establish(Scope::User).unwrap();
    let card = ctx
        .connect(
            &CString::new(reader.name()).unwrap(),
            ShareMode::Exclusive,
            Protocols::ANY,
        )
        .unwrap();

    let info = transmit(&card, &[0x80, 0x41, 0x00, 0x00, 0x02, 0x02, 0x11]);
    assert_eq!(&info[info.len() - 2..], [0x90, 0x00]);
    let n = info[3] as usize;
    assert_eq!(&info[4..4 + n], b"8659610424242");

    let challenge = transmit(&card, &[0x80, 0x4B, 0x08, 0x00, 0x00]);
    assert_eq!(challenge.len(), 10);
    let mut block = challenge[..8].to_vec();
    block.resize(16, 0);
    let mut auth = vec![0x80, 0xCE, 0x00, 0x00, 0x10];
    auth.extend_from_slice(&ecb(&block));
    assert_eq!(transmit(&card, &auth), [0x90, 0x00]);

    let now = 1_800_000_000u32.to_be_bytes();
    let config = [
        0x81, 0x11, 0x1F, 0x01, 0x01, 0x0F, 0x04, now[0], now[1], now[2], now[3], 0x86, 0x06, 0x0A,
        0x01, 0x01, 0x0D, 0x01, 0x1E,
    ];
    assert_eq!(transmit(&card, &secured(0xD4, 0x00, &config)), [0x90, 0x00]);

    let seed = b"12345678901234567890";
    let mut padded = seed.to_vec();
    padded.push(0x80);
    padded.resize(32, 0);
    assert_eq!(
        transmit(&card, &secured(0xC5, 0x01, &ecb(&padded))),
        [0x90, 0x00]
    );

    let state = token.card();
    assert_eq!(
        state.seed_sha256().unwrap(),
        hex::encode(Sha256::digest(seed))
    );
    assert!(state.clock.now().abs_diff(1_800_000_000) < 5);
}

#[test]
fn a_removed_token_is_seen_as_gone() {
    let reader = VirtualReader::acquire();
    let token = reader.insert(Token2Card::new(
        Token2Model::by_name("OTPC-P1-i").unwrap(),
        "1",
        TokenClock::offset(0, 0.0),
    ));
    token.remove();
    let ctx = Context::establish(Scope::User).unwrap();
    let result = ctx.connect(
        &CString::new(reader.name()).unwrap(),
        ShareMode::Exclusive,
        Protocols::ANY,
    );
    assert_eq!(result.err(), Some(pcsc::Error::NoSmartcard));
}

#[test]
fn a_reader_takes_a_second_token_after_the_first_is_removed() {
    let reader = VirtualReader::acquire();
    for i in 0..3 {
        let token = reader.insert(Token2Card::new(
            Token2Model::by_name("OTPC-P1-i").unwrap(),
            &i.to_string(),
            TokenClock::offset(0, 0.0),
        ));
        token.remove();
    }
}

/// Molto2 through pcscd: a wrong customer key counts the tries down in
/// `63 Cx`; a key change waits for ▲.
#[test]
fn molto2_tries_left_and_button_gate_over_pcscd() {
    use oathdesk_sim::token::Molto2Card;
    use sha1::{Digest, Sha1};
    let reader = VirtualReader::acquire();
    let token = reader.insert(Molto2Card::new("MOLTO2T00001", TokenClock::offset(0, 0.0)));
    let ctx = Context::establish(Scope::User).unwrap();
    let card = ctx
        .connect(
            &CString::new(reader.name()).unwrap(),
            ShareMode::Exclusive,
            Protocols::ANY,
        )
        .unwrap();
    let key_of = |customer: &[u8]| -> [u8; 16] { Sha1::digest(customer)[..16].try_into().unwrap() };
    let auth = |key: [u8; 16]| -> Vec<u8> {
        let ch = transmit(&card, &[0x80, 0x4B, 0x08, 0x00, 0x00]);
        let mut block = ch[..8].to_vec();
        block.resize(16, 0);
        let ct = ecb::Encryptor::<sm4::Sm4>::new(&key.into())
            .encrypt_padded_vec_mut::<NoPadding>(&block);
        let mut apdu = vec![0x80, 0xCE, 0x00, 0x00, 0x10];
        apdu.extend_from_slice(&ct);
        transmit(&card, &apdu)
    };
    assert_eq!(auth(key_of(b"WRONG-KEY-000000")), [0x63, 0xC9]);
    assert_eq!(auth(key_of(b"WRONG-KEY-000000")), [0x63, 0xC8]);
    assert_eq!(auth(key_of(b"TOKEN2MOLTO1-KEY")), [0x90, 0x00]);
    assert_eq!(
        transmit(&card, &[0x80, 0x56, 0x00, 0x00, 0x00]),
        [0x90, 0x60],
        "factory reset waits for the button"
    );
    assert!(token.card().is_waiting_for_press());
    assert!(token.card().press_up());
}

#[test]
fn ykoath_applet_answers_select_over_pcscd() {
    use oathdesk_sim::token::YkOathCard;
    let reader = VirtualReader::acquire();
    let _token = reader.insert(YkOathCard::new());
    let ctx = Context::establish(Scope::User).unwrap();
    let card = ctx
        .connect(
            &CString::new(reader.name()).unwrap(),
            ShareMode::Exclusive,
            Protocols::ANY,
        )
        .unwrap();
    let r = transmit(
        &card,
        &[
            0x00, 0xA4, 0x04, 0x00, 0x07, 0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01,
        ],
    );
    assert_eq!(&r[..2], [0x79, 0x03], "version tag first");
    assert_eq!(&r[r.len() - 2..], [0x90, 0x00]);
}

/// Over a real pcscd, with only RustCrypto and Token2's spec
/// (MOLTO2-PROTOCOL.md §3–5): a delete without a session is refused, the
/// display timeout written is kept in the state, and zeros clear the slot.
#[test]
fn molto2_over_pcscd_wants_a_session_keeps_the_timeout_and_clears_on_zeros() {
    use oathdesk_sim::token::{Molto2Card, VirtualCard};
    use sha1::Sha1;
    let reader = VirtualReader::acquire();
    let token = reader.insert(Molto2Card::new("MOLTO2T00002", TokenClock::offset(0, 0.0)));
    let ctx = Context::establish(Scope::User).unwrap();
    let card = ctx
        .connect(
            &CString::new(reader.name()).unwrap(),
            ShareMode::Exclusive,
            Protocols::ANY,
        )
        .unwrap();
    let key: [u8; 16] = Sha1::digest(b"TOKEN2MOLTO1-KEY")[..16].try_into().unwrap();
    let ecb = |data: &[u8]| {
        ecb::Encryptor::<sm4::Sm4>::new(&key.into()).encrypt_padded_vec_mut::<NoPadding>(data)
    };
    let secured = |ins: u8, p1: u8, p2: u8, body: &[u8]| {
        let mut m = vec![0x80, ins, p1, p2, body.len() as u8];
        m.extend_from_slice(body);
        if m.len() % 16 != 0 {
            m.push(0x80);
            m.resize(m.len().div_ceil(16) * 16, 0);
        }
        let ct = cbc::Encryptor::<sm4::Sm4>::new(&key.into(), &[0u8; 16].into())
            .encrypt_padded_vec_mut::<NoPadding>(&m);
        let mut apdu = vec![0x84, ins, p1, p2, (body.len() + 4) as u8];
        apdu.extend_from_slice(body);
        apdu.extend_from_slice(&ct[ct.len() - 16..ct.len() - 12]);
        transmit(&card, &apdu)
    };
    assert_eq!(
        transmit(&card, &[0x80, 0xE6, 0x00, 5, 0x00]),
        [0x69, 0x82],
        "delete before authenticating"
    );
    let ch = transmit(&card, &[0x80, 0x4B, 0x08, 0x00, 0x00]);
    let mut block = ch[..8].to_vec();
    block.resize(16, 0);
    let auth = [&[0x80, 0xCE, 0x00, 0x00, 0x10][..], &ecb(&block)].concat();
    assert_eq!(transmit(&card, &auth), [0x90, 0x00]);
    let t = 1_700_000_000u32.to_be_bytes();
    let config = [
        0x81, 0x14, 0x1F, 0x01, 0x03, 0x0F, 0x04, t[0], t[1], t[2], t[3], 0x86, 0x09, 0x0A, 0x01,
        0x01, 0x0B, 0x01, 0x06, 0x0D, 0x01, 0x1E,
    ];
    assert_eq!(secured(0xD4, 0x01, 5, &config), [0x90, 0x00]);
    let mut seed = b"12345678901234567890".to_vec();
    seed.push(0x80);
    seed.resize(32, 0);
    assert_eq!(secured(0xC5, 0x01, 5, &ecb(&seed)), [0x90, 0x00]);
    let state = token.card().state();
    assert_eq!(state["display_timeout"], 3);
    assert_eq!(state["slots"][0]["slot"], 5);
    assert_eq!(secured(0xC5, 0x01, 5, &ecb(&[0; 32])), [0x90, 0x00]);
    assert_eq!(token.card().seed_sha256(5), None, "zeros cleared the slot");
}
