//! How the CLI speaks: human text or `--json` on stdout, errors on stderr
//! with exit code 2 for bad input and 1 for failures.

use serde::Serialize;

/// Options every command sees.
pub struct Ctx {
    pub json: bool,
}

/// Whose fault an error is, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blame {
    /// The operator's input was wrong: exit 2, nothing was touched.
    Input,
    /// Something failed while doing the work: exit 1.
    Failure,
}

/// An error the CLI reports. `kind` is a stable machine-readable name;
/// `message` says what to do. Neither may contain secret material.
#[derive(Debug)]
pub struct CliError {
    pub blame: Blame,
    pub kind: String,
    pub message: String,
}

impl CliError {
    pub fn input(kind: &str, message: impl Into<String>) -> Self {
        CliError {
            blame: Blame::Input,
            kind: kind.to_string(),
            message: message.into(),
        }
    }

    pub fn failure(kind: &str, message: impl Into<String>) -> Self {
        CliError {
            blame: Blame::Failure,
            kind: kind.to_string(),
            message: message.into(),
        }
    }
}

impl From<oathdesk_otp::OtpError> for CliError {
    fn from(e: oathdesk_otp::OtpError) -> Self {
        use oathdesk_otp::OtpError as E;
        let kind = match e {
            E::Empty => "empty",
            E::InvalidBase32(_) | E::InvalidHex(_) => "invalid_encoding",
            E::AmbiguousEncoding => "ambiguous_encoding",
            E::TooShort { .. } => "too_short",
            E::InvalidUri(_) => "invalid_uri",
            E::UnknownAlgorithm(_) | E::InvalidDigits(_) | E::InvalidPeriod(_) => {
                "invalid_parameter"
            }
            E::NotASecret(_) => "not_a_secret",
        };
        CliError::input(kind, e.to_string())
    }
}

impl From<oathdesk_station::StationError> for CliError {
    fn from(e: oathdesk_station::StationError) -> Self {
        use oathdesk_station::StationError as E;
        match &e {
            E::BadInput(_) => CliError::input("bad_input", e.to_string()),
            E::NotFound(_) => CliError::input("not_found", e.to_string()),
            E::Storage(_) => CliError::failure("storage", e.to_string()),
            E::Keyring(_) => CliError::failure("keyring", e.to_string()),
            E::Clock(_) => CliError::failure("host_clock", e.to_string()),
            E::SignIn(entra) if entra.kind == oathdesk_entra::ErrorKind::Other => {
                CliError::failure("signin", entra.message.clone())
            }
            E::SignIn(entra) => entra.clone().into(),
            E::Token(f) => CliError::failure(
                &format!(
                    "token_{}",
                    serde_json::to_value(f.state)
                        .unwrap_or_default()
                        .as_str()
                        .unwrap_or("unknown")
                ),
                e.to_string(),
            ),
            E::Directory { failure, .. } => CliError::failure(
                &format!(
                    "entra_{}",
                    serde_json::to_value(failure.kind)
                        .unwrap_or_default()
                        .as_str()
                        .unwrap_or("error")
                ),
                e.to_string(),
            ),
        }
    }
}

/// Prints `value` as JSON, or `human` as text.
pub fn print<T: Serialize>(ctx: &Ctx, value: &T, human: impl FnOnce(&T) -> String) {
    if ctx.json {
        println!(
            "{}",
            serde_json::to_string(value).expect("serialisable output")
        );
    } else {
        println!("{}", human(value));
    }
}

/// Writes the error to stderr and returns the exit code.
pub fn report_error(ctx: &Ctx, err: &CliError) -> i32 {
    if ctx.json {
        let body = serde_json::json!({ "error": { "kind": err.kind, "message": err.message } });
        eprintln!("{body}");
    } else {
        eprintln!("error: {}", err.message);
    }
    match err.blame {
        Blame::Input => 2,
        Blame::Failure => 1,
    }
}

impl From<oathdesk_entra::EntraError> for CliError {
    fn from(e: oathdesk_entra::EntraError) -> Self {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut message = format!("{} {}", e.message, e.next_step());
        if let Some(id) = &e.request_id {
            message.push_str(&format!(" (request-id {id})"));
        }
        CliError::failure(&format!("entra_{kind}"), message)
    }
}
