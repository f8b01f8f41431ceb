//! The helpdesk workflows, each a sequence of steps that emits [`Progress`].

pub mod progress;

pub use progress::{Progress, ProgressSink, Quiet, Step, StepStatus};
