//! The helpdesk workflows, each a sequence of steps that emits [`Progress`].

pub mod burn;
pub mod enrol;
pub mod progress;
pub mod resync;

pub use burn::{BurnChoices, BurnOutcome, burn_seed};
pub use enrol::{EnrolOutcome, EnrolRequest, Tenant, enrol, resume};
pub use progress::{Progress, ProgressSink, Quiet, Step, StepStatus};
pub use resync::{ResyncOutcome, ResyncPreview, ResyncRequest, StatedSettings, resync};
