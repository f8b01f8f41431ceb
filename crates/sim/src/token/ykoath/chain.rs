//! Long answers in pieces, as the applet sends them: at most 256 data
//! bytes per answer, `61 XX` while more waits (XX = what waits, `00` for
//! 256 or more), the rest fetched with SEND REMAINING (`00 A5 00 00`).

/// Data bytes in one answer (a short APDU's Le of `00`).
pub const CHUNK: usize = 256;

/// What a long answer has not sent yet.
#[derive(Default)]
pub(super) struct Pending {
    rest: Vec<u8>,
}

impl Pending {
    /// The first piece of a successful answer's `data`; the rest waits.
    pub fn start(&mut self, data: Vec<u8>) -> Vec<u8> {
        self.rest = data;
        self.next()
    }

    /// The next piece. With nothing waiting it is an empty `90 00`, as
    /// Yubico's applet answers (it sends what remains: nothing).
    pub fn next(&mut self) -> Vec<u8> {
        let n = self.rest.len().min(CHUNK);
        let mut out: Vec<u8> = self.rest.drain(..n).collect();
        match self.rest.len() {
            0 => out.extend([0x90, 0x00]),
            // 256 or more waiting is `61 00`.
            left => out.extend([0x61, (left.min(CHUNK) % 256) as u8]),
        }
        out
    }

    /// Any other command (or a reselect, or power) drops what waited.
    pub fn clear(&mut self) {
        self.rest = Vec::new();
    }
}
