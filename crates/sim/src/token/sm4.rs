//! The token side of Token2's SM4 usage, written from Token2's published
//! protocol (token2/molto2-tools `docs/MOLTO2-PROTOCOL.md` §2–4, token2/openT2OTP
//! `firmware/src/token2.c`) on RustCrypto's SM4 block cipher alone. It shares
//! no code with the host driver (`oathdesk_device::token2::crypto`): a
//! mistake in either is caught by the other's known-answer tests, never
//! agreed on by both.

use sha1::{Digest, Sha1};
use sm4::Sm4;
use sm4::cipher::generic_array::GenericArray;
use sm4::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// SM4's block (and key) size in bytes.
pub const BLOCK: usize = 16;

/// An SM4 key held by a virtual token; wiped when dropped.
pub type TokenKey = Zeroizing<[u8; BLOCK]>;

/// Molto2: the SM4 key is `SHA1(customer key)[0..16]` (MOLTO2-PROTOCOL.md §2.1).
pub fn molto2_key(customer_key: &[u8]) -> TokenKey {
    let digest = Sha1::digest(customer_key);
    let mut key = Zeroizing::new([0u8; BLOCK]);
    key.copy_from_slice(&digest[..BLOCK]);
    key
}

fn cipher(key: &[u8; BLOCK]) -> Sm4 {
    Sm4::new(GenericArray::from_slice(key))
}

/// SM4-ECB encryption of whole blocks; `None` for a partial block.
pub fn ecb_encrypt(key: &[u8; BLOCK], data: &[u8]) -> Option<Vec<u8>> {
    if !data.len().is_multiple_of(BLOCK) {
        return None;
    }
    let c = cipher(key);
    let mut out = data.to_vec();
    for block in out.chunks_exact_mut(BLOCK) {
        c.encrypt_block(GenericArray::from_mut_slice(block));
    }
    Some(out)
}

/// SM4-ECB decryption of whole blocks (what the token does to a seed or a
/// title); `None` for an empty body or a partial block. The plaintext may
/// be a seed, so it is wiped when dropped.
pub fn ecb_decrypt(key: &[u8; BLOCK], data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if data.is_empty() || !data.len().is_multiple_of(BLOCK) {
        return None;
    }
    let c = cipher(key);
    let mut out = Zeroizing::new(data.to_vec());
    for block in out.chunks_exact_mut(BLOCK) {
        c.decrypt_block(GenericArray::from_mut_slice(block));
    }
    Some(out)
}

/// Whether `answer` is SM4-ECB(challenge ‖ 8 zero bytes) under `key`, the
/// host's proof that it holds the key. Compared in constant time.
pub fn answer_is_right(key: &[u8; BLOCK], challenge: &[u8; 8], answer: &[u8]) -> bool {
    let mut block = [0u8; BLOCK];
    block[..8].copy_from_slice(challenge);
    cipher(key).encrypt_block(GenericArray::from_mut_slice(&mut block));
    bool::from(block.as_slice().ct_eq(answer))
}

/// SM4-CBC-MAC with a zero IV: ISO/IEC 9797-1 method 2 padding (`80`, then
/// zeros) only when `data` does not already end on a block boundary; the
/// MAC is the first 4 bytes of the last ciphertext block.
pub fn cbc_mac(key: &[u8; BLOCK], data: &[u8]) -> [u8; 4] {
    let c = cipher(key);
    let mut chain = [0u8; BLOCK];
    let mut absorb = |block: &[u8]| {
        for (x, b) in chain.iter_mut().zip(block) {
            *x ^= b;
        }
        c.encrypt_block(GenericArray::from_mut_slice(&mut chain));
    };
    let whole = data.len() - data.len() % BLOCK;
    data[..whole].chunks_exact(BLOCK).for_each(&mut absorb);
    let tail = &data[whole..];
    if !tail.is_empty() || data.is_empty() {
        let mut last = [0u8; BLOCK];
        last[..tail.len()].copy_from_slice(tail);
        last[tail.len()] = 0x80;
        absorb(&last);
    }
    [chain[0], chain[1], chain[2], chain[3]]
}

/// Whether `mac` is the MAC of a CLA `84` command: computed over
/// `80 INS P1 P2 Lc'` ‖ body, `Lc'` being the body length without the MAC
/// (MOLTO2-PROTOCOL.md §4). A body longer than one length byte never matches.
pub fn mac_matches(key: &[u8; BLOCK], ins: u8, p1: u8, p2: u8, body: &[u8], mac: &[u8]) -> bool {
    let Ok(lc) = u8::try_from(body.len()) else {
        return false;
    };
    let mut input = Zeroizing::new(vec![0x80, ins, p1, p2, lc]);
    input.extend_from_slice(body);
    bool::from(cbc_mac(key, &input).as_slice().ct_eq(mac))
}

/// What a decrypted seed write holds.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedPlain {
    /// A seed, its `80 00…` padding removed.
    Seed(Zeroizing<Vec<u8>>),
    /// Only zeros: Token2's reserved "clear this slot" value (a zero seed
    /// zero-padded, no `80` marker; MOLTO2-PROTOCOL.md §5.2).
    Clear,
    /// Neither: no `80` marker with only zeros after it.
    Malformed,
}

/// Reads a decrypted seed block: the padding marker is the rightmost `80`
/// with nothing but zeros after it (openT2OTP `cmd_seed`).
pub fn read_seed(plain: &[u8]) -> SeedPlain {
    match plain.iter().rposition(|&b| b != 0) {
        None => SeedPlain::Clear,
        Some(end) if plain[end] == 0x80 => SeedPlain::Seed(Zeroizing::new(plain[..end].to_vec())),
        Some(_) => SeedPlain::Malformed,
    }
}

#[cfg(test)]
mod tests;
