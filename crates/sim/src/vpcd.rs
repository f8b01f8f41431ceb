//! The card side of vpcd's socket protocol: a virtual card plugs into a
//! real pcscd through vsmartcard's vpcd reader driver.
//!
//! The card is the TCP client. Every message is a 2-byte big-endian length
//! and a body; a 1-byte body is control (`00` off, `01` on, `02` reset,
//! `04` get ATR — only `04` is answered), anything longer is an APDU.
//! `TCP_QUICKACK` is set before every read (on Linux), or each message costs
//! ~44 ms.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use socket2::SockRef;

use crate::token::VirtualCard;

/// A card shared between the vpcd thread and the test or demo that drives it.
pub type SharedCard = Arc<Mutex<dyn VirtualCard>>;

/// A card plugged into a vpcd slot. Dropping it removes the card.
pub struct VpcdHandle {
    pub card: SharedCard,
    /// Our second descriptor of the socket, to unblock the serving thread on
    /// removal. The thread takes it away when a fault cuts the link, so that
    /// closing its own descriptor really closes the socket.
    stream: Arc<Mutex<Option<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

/// Connects `card` to the vpcd slot listening on 127.0.0.1:`port` and serves
/// it on a thread.
pub fn attach(card: SharedCard, port: u16) -> io::Result<VpcdHandle> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_nodelay(true)?;
    let served = stream.try_clone()?;
    let ours = Arc::new(Mutex::new(Some(stream)));
    let (shared, theirs) = (card.clone(), ours.clone());
    let thread = std::thread::spawn(move || {
        let _ = serve(&shared, served, &theirs);
    });
    Ok(VpcdHandle {
        card,
        stream: ours,
        thread: Some(thread),
    })
}

impl VpcdHandle {
    /// Takes the card off the reader (closes the link) and waits for the
    /// serving thread to end.
    pub fn remove(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if let Some(s) = self
            .stream
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = s.shutdown(Shutdown::Both);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for VpcdHandle {
    fn drop(&mut self) {
        self.close();
    }
}

fn read_message(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    // Linux only: other systems have no TCP_QUICKACK (vpcd and the test
    // harness's pcscd run on Linux; elsewhere a message just waits out the
    // peer's delayed ACK).
    #[cfg(target_os = "linux")]
    SockRef::from(&*stream).set_quickack(true)?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len)?;
    let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
    stream.read_exact(&mut body)?;
    Ok(body)
}

fn write_message(stream: &mut TcpStream, body: &[u8]) -> io::Result<()> {
    let len = u16::try_from(body.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a vpcd message holds at most 65535 bytes",
        )
    })?;
    let mut msg = len.to_be_bytes().to_vec();
    msg.extend_from_slice(body);
    stream.write_all(&msg)
}

fn serve(
    card: &SharedCard,
    mut stream: TcpStream,
    other: &Mutex<Option<TcpStream>>,
) -> io::Result<()> {
    loop {
        let msg = read_message(&mut stream)?;
        let lock = || card.lock().unwrap_or_else(|p| p.into_inner());
        match msg.as_slice() {
            [0x00] => lock().power_off(),
            [0x01] | [0x02] => lock().power_on(),
            [0x04] => {
                let atr = lock().atr();
                write_message(&mut stream, &atr)?;
            }
            [_] => {}
            apdu => {
                let Some(answer) = answer_apdu(card, apdu) else {
                    cut(card, stream, other);
                    return Ok(());
                };
                write_message(&mut stream, &answer)?;
                if link_ends_now(card) {
                    cut(card, stream, other);
                    return Ok(());
                }
            }
        }
    }
}

/// Cuts the link as a card torn off the reader does: an abortive close
/// (RST). A graceful close in the middle of a command leaves vpcd waiting
/// for an answer that never comes, and its slot unusable.
fn cut(card: &SharedCard, stream: TcpStream, other: &Mutex<Option<TcpStream>>) {
    card.lock()
        .unwrap_or_else(|p| p.into_inner())
        .faults()
        .link_cut = true;
    let _ = SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    other.lock().unwrap_or_else(|p| p.into_inner()).take();
    drop(stream);
}

/// True once the card has answered as many APDUs as `drop_after` allows:
/// the link is cut right after the answer, before the next command.
fn link_ends_now(card: &SharedCard) -> bool {
    let mut c = card.lock().unwrap_or_else(|p| p.into_inner());
    let f = c.faults();
    f.drop_after.is_some_and(|n| f.apdus_seen >= n)
}

/// Runs one APDU through the card and its fault switches; `None` means the
/// link drops instead of answering.
fn answer_apdu(card: &SharedCard, apdu: &[u8]) -> Option<Vec<u8>> {
    let mut c = card.lock().unwrap_or_else(|p| p.into_inner());
    let f = c.faults().clone();
    if f.drop_after.is_some_and(|n| f.apdus_seen >= n) {
        return None;
    }
    if f.latency_ms > 0 {
        std::thread::sleep(Duration::from_millis(f.latency_ms));
    }
    let is_write = apdu.first() == Some(&0x84);
    let mut answer = c.transmit(apdu);
    let faults = c.faults();
    faults.apdus_seen += 1;
    if is_write && std::mem::take(&mut faults.drop_after_next_write) {
        return None;
    }
    if std::mem::take(&mut faults.corrupt_next) && !answer.is_empty() {
        answer[0] ^= 0xFF;
        answer.truncate(answer.len().saturating_sub(1).max(1));
    }
    Some(answer)
}
