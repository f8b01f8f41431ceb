//! The helpdesk workflows, each a sequence of steps that emits [`Progress`].

pub mod abandon;
pub mod batch;
pub mod burn;
pub mod delete;
pub mod enrol;
pub mod inventory;
pub mod progress;
pub mod resync;
pub mod users;

pub use abandon::abandon_enrolment;
pub use burn::{BurnChoices, BurnOutcome, burn_seed};
pub use delete::{DeleteRequest, Deleted, delete_seed};
pub use enrol::{EnrolOutcome, EnrolRequest, Tenant, enrol, resume};
pub use progress::{Progress, ProgressSink, Quiet, Step, StepStatus};
pub use resync::{ResyncOutcome, ResyncPreview, ResyncRequest, StatedSettings, resync};
pub use users::search_users;
