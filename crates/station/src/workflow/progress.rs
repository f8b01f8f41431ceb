//! Progress events every workflow emits, so the GUI can show a live step
//! list and the CLI a line per step. Events never carry secret material.

use serde::Serialize;

/// The steps of the helpdesk workflows, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Read and validate the seed against the token's profile.
    CheckSeed,
    /// Look the user up: member, not guest, fewer than 5 OATH methods.
    CheckUser,
    /// Compare the host clock with Microsoft's before any clock write.
    CheckClock,
    /// Read the token: serial, model, clock.
    ReadToken,
    /// Write the configuration and the clock.
    SetClock,
    /// Write the seed.
    WriteSeed,
    /// Create the token in the Entra inventory (with assignment when possible).
    Create,
    /// Assign it to the user.
    Assign,
    /// Activate it with a code computed locally at the token's clock.
    Activate,
    /// Read back until Entra says `activated`.
    Verify,
    /// Remove the old registration (re-seed after a seed-wiping resync).
    RemoveOld,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepStatus {
    Started,
    Done { detail: Option<String> },
    Skipped { why: String },
    Failed { message: String, next_step: String },
}

/// One event: which step, how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub step: Step,
    #[serde(flatten)]
    pub status: StepStatus,
}

/// Receives progress events. Closures implement it.
pub trait ProgressSink {
    fn emit(&mut self, event: Progress);
}

impl<F: FnMut(Progress)> ProgressSink for F {
    fn emit(&mut self, event: Progress) {
        self(event)
    }
}

/// Discards events (scripts that only want the result).
pub struct Quiet;

impl ProgressSink for Quiet {
    fn emit(&mut self, _: Progress) {}
}

/// Helpers so workflow code reads as the steps it runs.
pub(crate) trait ProgressExt {
    fn started(&mut self, step: Step);
    fn done(&mut self, step: Step, detail: Option<String>);
    fn failed(&mut self, step: Step, message: &str, next_step: &str);
}

impl<S: ProgressSink + ?Sized> ProgressExt for S {
    fn started(&mut self, step: Step) {
        self.emit(Progress {
            step,
            status: StepStatus::Started,
        });
    }
    fn done(&mut self, step: Step, detail: Option<String>) {
        self.emit(Progress {
            step,
            status: StepStatus::Done { detail },
        });
    }
    fn failed(&mut self, step: Step, message: &str, next_step: &str) {
        self.emit(Progress {
            step,
            status: StepStatus::Failed {
                message: message.into(),
                next_step: next_step.into(),
            },
        });
    }
}
