//! Commands over the OATH core alone: inspect, code, drift, generate.

use clap::{Args, Subcommand, ValueEnum};
use oathdesk_otp::{
    Algorithm, Classification, CodeParams, OtpAuthUri, OtpKind, SecretEncoding, classify,
    find_drift, generate_secret, hotp, totp_at,
};
use serde::Serialize;
use std::io::IsTerminal;

use crate::input::read_secret_input;
use crate::output::{CliError, Ctx, print};

#[derive(Subcommand)]
pub enum OtpCommand {
    /// Say what a scanned or pasted input is (secret or URI on stdin).
    Inspect(InspectArgs),
    /// Compute the current (or a given) code (secret or URI on stdin).
    Code(CodeArgs),
    /// Measure a token's clock drift from the code it shows (secret on stdin).
    Drift(DriftArgs),
    /// Print a fresh random base32 secret from the OS random generator.
    Generate(GenerateArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EncodingArg {
    Base32,
    Hex,
}

impl From<EncodingArg> for SecretEncoding {
    fn from(e: EncodingArg) -> Self {
        match e {
            EncodingArg::Base32 => SecretEncoding::Base32,
            EncodingArg::Hex => SecretEncoding::Hex,
        }
    }
}

#[derive(Args)]
pub struct InspectArgs {
    /// How a bare secret is written, when it reads both ways.
    #[arg(long, value_enum)]
    encoding: Option<EncodingArg>,
}

/// Code parameters a flag may override (flags win over the URI's).
#[derive(Args)]
pub struct ParamArgs {
    #[arg(long, value_parser = parse_algorithm)]
    algorithm: Option<Algorithm>,
    #[arg(long)]
    digits: Option<u32>,
    #[arg(long)]
    period: Option<u64>,
    /// How a bare secret is written, when it reads both ways.
    #[arg(long, value_enum)]
    encoding: Option<EncodingArg>,
}

#[derive(Args)]
pub struct CodeArgs {
    /// Unix time to compute the code for (default: now).
    #[arg(long)]
    at: Option<u64>,
    /// Compute an HOTP code at this counter instead of a TOTP code.
    #[arg(long)]
    counter: Option<u64>,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(Args)]
pub struct DriftArgs {
    /// The code the token shows now.
    #[arg(long)]
    observed: String,
    /// The code it shows in the next step, to settle an ambiguous match.
    #[arg(long)]
    observed2: Option<String>,
    /// Unix time at which the first code was read (default: now).
    #[arg(long)]
    at: Option<u64>,
    /// Steps to search either side (default: one day's worth).
    #[arg(long)]
    window_steps: Option<u64>,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(Args)]
pub struct GenerateArgs {
    #[arg(long, value_parser = parse_algorithm, default_value = "sha1")]
    algorithm: Algorithm,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse().map_err(|e: oathdesk_otp::OtpError| e.to_string())
}

impl OtpCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            OtpCommand::Inspect(a) => inspect(ctx, a),
            OtpCommand::Code(a) => code(ctx, a),
            OtpCommand::Drift(a) => drift(ctx, a),
            OtpCommand::Generate(a) => generate(ctx, a),
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Reads stdin and insists on a usable credential; anything else becomes
/// the classifier's advice as an input error.
fn read_credential(
    encoding: Option<EncodingArg>,
) -> Result<(OtpAuthUri, Classification), CliError> {
    let text = read_secret_input()?;
    let mut c = classify(&text, encoding.map(Into::into));
    match c.credential.take() {
        Some(cred) => Ok((cred, c)),
        None => Err(advice_error(&c)),
    }
}

fn advice_error(c: &Classification) -> CliError {
    let kind = serde_json::to_value(c.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "garbage".into());
    CliError::input(&kind, format!("{} {}", c.explanation, c.next_step))
}

fn apply_overrides(mut p: CodeParams, a: &ParamArgs) -> Result<CodeParams, CliError> {
    p.algorithm = a.algorithm.unwrap_or(p.algorithm);
    p.digits = a.digits.unwrap_or(p.digits);
    p.period = a.period.unwrap_or(p.period);
    p.validate()?;
    Ok(p)
}

#[derive(Serialize)]
struct InspectOut {
    kind: oathdesk_otp::InputKind,
    issuer: Option<String>,
    label_issuer: Option<String>,
    account: Option<String>,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
    secret_bits: usize,
    encoding: Option<SecretEncoding>,
    explanation: String,
    next_step: String,
}

fn inspect(ctx: &Ctx, a: InspectArgs) -> Result<(), CliError> {
    let (cred, c) = read_credential(a.encoding)?;
    let out = InspectOut {
        kind: c.kind,
        issuer: cred.display_issuer().map(str::to_string),
        label_issuer: cred.label_issuer.clone(),
        account: (!cred.account.is_empty()).then(|| cred.account.clone()),
        algorithm: cred.params.algorithm,
        digits: cred.params.digits,
        period: cred.params.period,
        secret_bits: cred.secret.bits(),
        encoding: c.encoding,
        explanation: c.explanation,
        next_step: c.next_step,
    };
    print(ctx, &out, |o| {
        format!("{}\nNext: {}", o.explanation, o.next_step)
    });
    Ok(())
}

#[derive(Serialize)]
struct HotpOut {
    code: String,
    counter: u64,
}

fn code(ctx: &Ctx, a: CodeArgs) -> Result<(), CliError> {
    let (cred, _) = read_credential(a.params.encoding)?;
    let params = apply_overrides(cred.params, &a.params)?;
    let counter = a.counter.or(if cred.kind == OtpKind::Hotp {
        cred.counter
    } else {
        None
    });
    if let Some(counter) = counter {
        let out = HotpOut {
            code: hotp(&cred.secret, params.algorithm, params.digits, counter)?,
            counter,
        };
        print(ctx, &out, |o| o.code.clone());
        return Ok(());
    }
    let at = a.at.unwrap_or_else(now);
    let out = totp_at(&cred.secret, &params, at)?;
    // A pipe or a file gets the code alone, for `| xclip` and `$(…)`; a
    // person at a terminal also sees how long it lasts.
    let terminal = std::io::stdout().is_terminal();
    print(ctx, &out, |o| {
        if terminal {
            format!(
                "{}  (valid for {} more s)",
                o.code,
                o.valid_to.saturating_sub(at)
            )
        } else {
            o.code.clone()
        }
    });
    Ok(())
}

fn drift(ctx: &Ctx, a: DriftArgs) -> Result<(), CliError> {
    for code in std::iter::once(&a.observed).chain(a.observed2.as_ref()) {
        if !code.chars().all(|c| c.is_ascii_digit()) || code.is_empty() {
            return Err(CliError::input(
                "invalid_code",
                "a code is digits only, as the token shows it",
            ));
        }
    }
    let (cred, _) = read_credential(a.params.encoding)?;
    let params = apply_overrides(cred.params, &a.params)?;
    if a.observed.len() != params.digits as usize {
        return Err(CliError::input(
            "invalid_code",
            format!(
                "the code has {} digits but the token uses {}; pass --digits",
                a.observed.len(),
                params.digits
            ),
        ));
    }
    let window = a.window_steps.unwrap_or(86_400 / params.period);
    let at = a.at.unwrap_or_else(now);
    let found = find_drift(
        &cred.secret,
        &params,
        &a.observed,
        a.observed2.as_deref(),
        at,
        window,
    )?
    .ok_or_else(|| {
        CliError::failure(
            "no_match",
            "no match: the code was not produced within the window; check the secret, the \
                 token's settings, or widen --window-steps",
        )
    })?;
    print(ctx, &found, |m| {
        let note = if m.candidates > 1 {
            " (ambiguous: pass --observed2 with the next code)"
        } else {
            ""
        };
        format!(
            "offset {} steps ({} s){note}",
            m.offset_steps, m.offset_seconds
        )
    });
    Ok(())
}

#[derive(Serialize)]
struct GenerateOut<'a> {
    secret: &'a str,
    algorithm: Algorithm,
    secret_bits: usize,
}

fn generate(ctx: &Ctx, a: GenerateArgs) -> Result<(), CliError> {
    let secret = generate_secret(a.algorithm);
    let b32 = secret.to_base32();
    let out = GenerateOut {
        secret: &b32,
        algorithm: a.algorithm,
        secret_bits: secret.bits(),
    };
    print(ctx, &out, |o| o.secret.to_string());
    Ok(())
}
