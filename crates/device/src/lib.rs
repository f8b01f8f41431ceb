//! oathdesk-device
