//! Reading secrets and URIs: from `OATHDESK_SECRET` if set, else stdin.
//! Never from arguments, never echoed.

use std::io::Read;

use zeroize::Zeroizing;

use crate::output::CliError;

/// The environment variable a script may use instead of stdin.
pub const SECRET_ENV: &str = "OATHDESK_SECRET";

/// Reads one input (secret or URI) and trims it.
pub fn read_secret_input() -> Result<Zeroizing<String>, CliError> {
    if let Ok(value) = std::env::var(SECRET_ENV) {
        return Ok(Zeroizing::new(value.trim().to_string()));
    }
    let mut buf = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| CliError::input("stdin", format!("could not read stdin: {e}")))?;
    let trimmed = Zeroizing::new(buf.trim().to_string());
    if trimmed.is_empty() {
        return Err(CliError::input(
            "empty",
            format!("nothing on stdin: pipe the secret or URI in, or set {SECRET_ENV}"),
        ));
    }
    Ok(trimmed)
}
