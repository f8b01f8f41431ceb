//! oathdesk-station
