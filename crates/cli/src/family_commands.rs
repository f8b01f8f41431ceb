//! `info`, `burn` and `sync-clock` for the multi-credential families: the
//! Molto2 (profiles, titles, customer key) and YKOATH applets. The host
//! clock is checked before any clock write and every write is audited, as
//! for single-profile tokens.

use clap::ValueEnum;
use oathdesk_device::molto2::{DEFAULT_CUSTOMER_KEY, Molto2Session, PROFILES};
use oathdesk_device::pcsc::PcscDesk;
use oathdesk_device::profiles::{Family as ProfileFamily, Profiles};
use oathdesk_device::token2::codec as t2codec;
use oathdesk_device::token2::codec::DisplayTimeout;
use oathdesk_device::ykoath::{YkOathSession, credential_name};
use oathdesk_otp::{CodeParams, totp_at};
use oathdesk_station::audit::AuditEntry;
use oathdesk_station::seeds::SeedInput;
use oathdesk_station::workflow;
use serde_json::json;
use zeroize::Zeroizing;

use crate::desk;
use crate::device_commands::{BurnArgs, ReaderArg, SyncArgs};
use crate::output::{CliError, Ctx, print};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Family {
    Auto,
    Token2,
    Molto2,
    Ykoath,
}

/// The environment variable holding a Molto2 customer key (16 ASCII
/// characters or 32 hex digits); never an argument.
pub const CUSTOMER_KEY_ENV: &str = "OATHDESK_CUSTOMER_KEY";

fn pcsc() -> Result<PcscDesk, CliError> {
    PcscDesk::establish().map_err(|e| CliError::failure("reader", e.to_string()))
}

fn reader_of(a: &ReaderArg) -> Result<String, CliError> {
    let d = oathdesk_device::Desk::new(oathdesk_device::profiles::Profiles::builtin())?;
    Ok(d.choose_reader(a.reader.as_deref())?)
}

/// The family to use: explicit, or a Molto2 recognised by its reader name
/// (never probed: foreign commands can wedge it), else a Token2 token.
/// `info` falls back to a YKOATH SELECT when a token does not know Token2's
/// get-info (see [`identify_fallback`]).
fn family_of(a: &ReaderArg) -> Result<Family, CliError> {
    if a.family != Family::Auto {
        return Ok(a.family);
    }
    let name = reader_of(a)?.to_ascii_lowercase();
    Ok(if name.contains("molto") {
        Family::Molto2
    } else {
        Family::Token2
    })
}

/// For `info` in auto mode: a token that refused Token2's get-info as an
/// unknown command may be a YKOATH applet; describe it if SELECT succeeds.
pub fn identify_fallback(
    ctx: &Ctx,
    a: &ReaderArg,
    err: oathdesk_device::DeviceError,
) -> Result<(), CliError> {
    let unknown_command = matches!(
        err.kind,
        oathdesk_device::DeviceErrorKind::Refused(t2codec::Token2Error::Unsupported(_))
    );
    if a.family != Family::Auto || !unknown_command {
        return Err(err.into());
    }
    let forced = ReaderArg {
        family: Family::Ykoath,
        reader: a.reader.clone(),
    };
    info(ctx, &forced)
}

/// True when the command is for a Molto2 or YKOATH token.
pub fn is_other(a: &ReaderArg) -> Result<bool, CliError> {
    Ok(matches!(family_of(a)?, Family::Molto2 | Family::Ykoath))
}

fn customer_key() -> Result<Zeroizing<Vec<u8>>, CliError> {
    let Ok(text) = std::env::var(CUSTOMER_KEY_ENV) else {
        eprintln!(
            "warning: the Molto2 factory customer key is in use; anyone can reprogram this token"
        );
        return Ok(Zeroizing::new(DEFAULT_CUSTOMER_KEY.to_vec()));
    };
    let text = Zeroizing::new(text);
    match text.len() {
        16 => Ok(Zeroizing::new(text.as_bytes().to_vec())),
        32 => hex_key(&text),
        n => Err(CliError::input(
            "customer_key",
            format!(
                "{CUSTOMER_KEY_ENV} must be 16 characters or 32 hex digits, not {n} characters"
            ),
        )),
    }
}

fn hex_key(text: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let secret = oathdesk_otp::parse_hex(text).map_err(|_| {
        CliError::input(
            "customer_key",
            format!("{CUSTOMER_KEY_ENV} is not valid hex"),
        )
    })?;
    Ok(Zeroizing::new(secret.expose().to_vec()))
}

fn now() -> u32 {
    oathdesk_station::clock::now_unix() as u32
}

fn molto2(a: &ReaderArg) -> Result<Molto2Session<oathdesk_device::pcsc::PcscTransport>, CliError> {
    let transport = pcsc()?
        .connect(&reader_of(a)?)
        .map_err(|e| CliError::failure("reader", e.to_string()))?;
    Ok(Molto2Session::open(transport, &customer_key()?)?)
}

fn ykoath(a: &ReaderArg) -> Result<YkOathSession<oathdesk_device::pcsc::PcscTransport>, CliError> {
    let transport = pcsc()?
        .connect(&reader_of(a)?)
        .map_err(|e| CliError::failure("reader", e.to_string()))?;
    Ok(YkOathSession::select(transport)?)
}

pub fn info(ctx: &Ctx, a: &ReaderArg) -> Result<(), CliError> {
    let out = match family_of(a)? {
        Family::Molto2 => {
            let mut m = molto2(a)?;
            let seeded: Vec<u8> = (0..PROFILES)
                .filter(|p| m.profile(*p).is_ok_and(|i| i.seed_present))
                .collect();
            let (serial, clock) = (m.info().serial.clone(), m.info().clock);
            json!({"family": "molto2", "serial": serial, "clock": clock,
                   "drift_seconds": i64::from(clock) - i64::from(now()), "profiles_with_seed": seeded})
        }
        _ => {
            let mut y = ykoath(a)?;
            json!({"family": "ykoath", "version": y.version, "password_protected": y.password_protected, "credentials": y.list()?})
        }
    };
    print(ctx, &out, |v| v.to_string());
    Ok(())
}

pub fn burn(ctx: &Ctx, a: &BurnArgs, mut seed: SeedInput) -> Result<(), CliError> {
    let p = &mut seed.credential.params;
    p.algorithm = a.algorithm.unwrap_or(p.algorithm);
    p.digits = a.digits.unwrap_or(p.digits);
    p.period = a.period.unwrap_or(p.period);
    p.validate()?;
    let params: CodeParams = *p;
    let station = desk::station()?;
    let (serial, where_) = match family_of(&a.reader)? {
        Family::Molto2 => {
            let profile = a.profile.ok_or_else(|| {
                CliError::input(
                    "profile",
                    "say which Molto2 profile to burn: --profile 0-99",
                )
            })?;
            if profile >= PROFILES {
                return Err(CliError::input(
                    "profile",
                    format!("a Molto2 has profiles 0-{}", PROFILES - 1),
                ));
            }
            check(Family::Molto2, &params, seed.credential.secret.len())?;
            let timeout = DisplayTimeout::from_seconds(a.display_timeout.unwrap_or(30))
                .ok_or_else(|| {
                    CliError::input(
                        "display_timeout",
                        "the display stays on 15, 30, 60 or 120 s",
                    )
                })?;
            let mut m = molto2(&a.reader)?;
            workflow::burn::checked_clock(&desk::tenant()?, &mut desk::progress_to_stderr)?;
            m.burn(
                profile,
                &seed.credential.secret,
                &params,
                a.title.as_deref(),
                timeout,
                &now,
            )?;
            (m.info().serial.clone(), format!("profile {profile}"))
        }
        _ => {
            check(Family::Ykoath, &params, seed.credential.secret.len())?;
            let name = credential_name(
                seed.credential.display_issuer(),
                &seed.credential.account,
                params.period,
            );
            let mut y = ykoath(&a.reader)?;
            y.put(
                &name,
                &seed.credential.secret,
                seed.credential.kind,
                &params,
                false,
            )?;
            ("ykoath".to_string(), format!("credential {name}"))
        }
    };
    station.audit(AuditEntry {
        action: oathdesk_station::audit::AuditAction::Burn,
        serial: Some(serial.clone()),
        outcome: oathdesk_station::audit::Outcome::Ok,
        detail: Some(format!(
            "{where_}, {} bits, from {}",
            seed.credential.secret.bits(),
            seed.origin
        )),
        ..Default::default()
    })?;
    let code = totp_at(&seed.credential.secret, &params, u64::from(now()));
    print(
        ctx,
        &json!({"serial": serial, "written_to": where_, "code": code.code, "valid_to": code.valid_to}),
        |v| v.to_string(),
    );
    Ok(())
}

/// Checks the settings against the family's device profile, before any write.
fn check(family: Family, params: &CodeParams, seed_len: usize) -> Result<(), CliError> {
    let kind = match family {
        Family::Molto2 => ProfileFamily::Token2Molto2,
        _ => ProfileFamily::Ykoath,
    };
    let profiles = Profiles::builtin();
    let profile = profiles
        .for_family(kind)
        .expect("built-in profile for every family");
    profile
        .check(params, seed_len)
        .map_err(|e| CliError::input("not_writable", e.to_string()))
}

pub fn sync(ctx: &Ctx, a: &SyncArgs) -> Result<(), CliError> {
    if family_of(&a.reader)? != Family::Molto2 {
        return Err(CliError::input(
            "family",
            "a YKOATH applet takes its time from the host at each calculation; it has no clock to set",
        ));
    }
    let profiles: Vec<u8> = match (a.all, a.profile) {
        (true, _) => (0..PROFILES).collect(),
        (false, Some(p)) => vec![p],
        (false, None) => {
            return Err(CliError::input(
                "profile",
                "say which profile (--profile N) or --all",
            ));
        }
    };
    let mut m = molto2(&a.reader)?;
    workflow::burn::checked_clock(&desk::tenant()?, &mut desk::progress_to_stderr)?;
    for p in &profiles {
        m.sync_clock(*p, &now)?;
    }
    print(
        ctx,
        &json!({"serial": m.info().serial, "clock": m.info().clock, "profiles": profiles.len()}),
        |v| v.to_string(),
    );
    Ok(())
}
