//! oathdesk-entra
