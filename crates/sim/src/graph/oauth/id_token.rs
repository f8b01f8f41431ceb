//! id_tokens as the v2.0 endpoint issues them: RS256 JWTs whose `kid`
//! names a key the tenant's JWKS publishes, with the claims a standard
//! client (MSAL) reads to find the account, and `client_info`, the blob
//! MSAL asks for with `client_info=1` to key its cache by `uid.utid`.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use data_encoding::BASE64URL_NOPAD;
use ring::rsa::PublicKeyComponents;
use ring::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::super::tenant::SeedUser;

/// The committed, sandbox-only key (see the text at the top of the file).
const KEY_PEM: &str = include_str!("sandbox-only-signing-key.pem");

/// How long an id_token is valid, as Entra's (one hour).
const LIFETIME: u64 = 3600;

struct SigningKey {
    pair: RsaKeyPair,
    kid: String,
    n: String,
    e: String,
}

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let b64: String = KEY_PEM
            .lines()
            .skip_while(|l| !l.starts_with("-----BEGIN PRIVATE KEY"))
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .collect();
        let der = data_encoding::BASE64
            .decode(b64.as_bytes())
            .expect("PEM key");
        let pair = RsaKeyPair::from_pkcs8(&der).expect("PKCS#8 RSA key");
        let public: PublicKeyComponents<Vec<u8>> = pair.public_key().into();
        let (n, e) = (
            BASE64URL_NOPAD.encode(&public.n),
            BASE64URL_NOPAD.encode(&public.e),
        );
        // The RFC 7638 thumbprint: stable, and derived from the key alone.
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = BASE64URL_NOPAD.encode(&Sha256::digest(thumbprint.as_bytes()));
        SigningKey { pair, kid, n, e }
    })
}

/// The JWKS document (`jwks_uri`): the one key id_tokens are signed with.
pub(super) fn jwks(issuer: &str) -> Value {
    let k = key();
    json!({"keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.kid,
        "n": k.n, "e": k.e, "issuer": issuer,
    }]})
}

/// Who the token is about, for whom, and from which sign-in.
pub(super) struct Subject<'a> {
    pub user: &'a SeedUser,
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub issuer: &'a str,
    /// The `nonce` of the authorize request, on a code redemption only.
    pub nonce: Option<&'a str>,
    /// `profile` was granted: `oid`, `name` and `preferred_username` are
    /// only sent with it.
    pub profile: bool,
}

/// A signed id_token for `s`.
pub(super) fn issue(s: &Subject) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let mut claims = json!({
        "aud": s.client_id, "iss": s.issuer, "iat": now, "nbf": now,
        "exp": now + LIFETIME, "sub": pairwise_sub(s), "tid": s.tenant_id,
        "ver": "2.0",
    });
    if s.profile {
        claims["oid"] = json!(s.user.id);
        claims["name"] = json!(s.user.display_name);
        claims["preferred_username"] = json!(s.user.upn);
    }
    if let Some(nonce) = s.nonce {
        claims["nonce"] = json!(nonce);
    }
    let k = key();
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": k.kid});
    let signing_input = format!(
        "{}.{}",
        BASE64URL_NOPAD.encode(header.to_string().as_bytes()),
        BASE64URL_NOPAD.encode(claims.to_string().as_bytes())
    );
    let mut sig = vec![0u8; k.pair.public().modulus_len()];
    k.pair
        .sign(
            &RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            signing_input.as_bytes(),
            &mut sig,
        )
        .expect("RSA signature");
    format!("{signing_input}.{}", BASE64URL_NOPAD.encode(&sig))
}

/// `sub` is pairwise: the same user gets a different one in each app.
fn pairwise_sub(s: &Subject) -> String {
    let seed = format!("{}|{}|{}", s.tenant_id, s.client_id, s.user.id);
    BASE64URL_NOPAD.encode(&Sha256::digest(seed.as_bytes())[..24])
}

/// `client_info`: base64url of `{"uid": oid, "utid": tid}`.
pub(super) fn client_info(user: &SeedUser, tenant_id: &str) -> String {
    let info = json!({"uid": user.id, "utid": tenant_id});
    BASE64URL_NOPAD.encode(info.to_string().as_bytes())
}
