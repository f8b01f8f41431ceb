//! The Windows Time service's NTP client status, read through the client
//! interface `w32time.dll` exports (`W32TimeQueryNTPProviderStatus`, the
//! local wrapper of MS-W32T's `W32TimeQueryProviderStatus`, which is what
//! `w32tm /query /peers` shows). No SDK header or `windows-sys` binding
//! declares it, so it is looked up at run time: a Windows without it (or
//! Wine) gets "not available", not a program that fails to start. The
//! service allocates the answer in one block; we copy it out and free it
//! with `W32TimeBufferFree` before returning.

use std::ffi::c_void;
use std::ptr;

use windows_sys::Win32::Foundation::{FreeLibrary, HMODULE};
use windows_sys::Win32::System::LibraryLoader::{
    GetProcAddress, LOAD_LIBRARY_SEARCH_SYSTEM32, LoadLibraryExW,
};
use windows_sys::core::{s, w};

use crate::{ReadError, TimePeer, TimeServiceState, filetime_to_unix};

/// `W32TIME_NTP_PEER_INFO` (MS-W32T 2.2.6), in the client's C layout;
/// the fields we do not read are there for the layout.
#[repr(C)]
#[allow(dead_code)]
struct PeerInfo {
    size: u32,
    resolve_attempts: u32,
    time_remaining: u64,
    last_successful_sync: u64,
    last_sync_error: u32,
    last_sync_error_msg_id: u32,
    valid_data_counter: u32,
    auth_type_msg_id: u32,
    unique_name: *const u16,
    mode: u8,
    stratum: u8,
    reachability: u8,
    peer_poll_interval: u8,
    host_poll_interval: u8,
}

/// `W32TIME_NTP_PROVIDER_DATA` (MS-W32T 2.2.5).
#[repr(C)]
#[allow(dead_code)]
struct ProviderData {
    size: u32,
    error: u32,
    error_msg_id: u32,
    peer_count: u32,
    peers: *const PeerInfo,
}

type QueryFn = unsafe extern "system" fn(
    server: *const u16,
    flags: u32,
    provider: *const u16,
    data: *mut *mut ProviderData,
) -> u32;
type FreeFn = unsafe extern "system" fn(buffer: *mut c_void);

/// More peers than any real configuration has: a count beyond it is a
/// broken answer, not one to walk.
const MAX_PEERS: u32 = 64;
/// The longest peer name kept (UTF-16 units).
const MAX_NAME: usize = 256;

/// `w32time.dll`, loaded from System32 only, freed on drop.
struct Library(HMODULE);

impl Drop for Library {
    fn drop(&mut self) {
        #[allow(unsafe_code)]
        // SAFETY: `self.0` is the non-null handle `LoadLibraryExW` gave us,
        // freed once, after every pointer obtained from it is gone (the
        // function pointers live in `query`'s frame, which this outlives).
        unsafe {
            FreeLibrary(self.0);
        }
    }
}

/// Asks the local Windows Time service for its NTP client's status.
pub fn query() -> Result<TimeServiceState, ReadError> {
    #[allow(unsafe_code)]
    // SAFETY: a static NUL-terminated wide string and no file handle; the
    // System32-only search keeps a planted `w32time.dll` out.
    let handle = unsafe {
        LoadLibraryExW(
            w!("w32time.dll"),
            ptr::null_mut(),
            LOAD_LIBRARY_SEARCH_SYSTEM32,
        )
    };
    if handle.is_null() {
        return Err(ReadError::NotAvailable("w32time.dll cannot be loaded"));
    }
    let lib = Library(handle);
    #[allow(unsafe_code)]
    // SAFETY: a live module handle and static NUL-terminated names.
    let (query, free) = unsafe {
        (
            GetProcAddress(lib.0, s!("W32TimeQueryNTPProviderStatus")),
            GetProcAddress(lib.0, s!("W32TimeBufferFree")),
        )
    };
    let (Some(query), Some(free)) = (query, free) else {
        return Err(ReadError::NotAvailable(
            "w32time.dll lacks W32TimeQueryNTPProviderStatus",
        ));
    };
    #[allow(unsafe_code)]
    // SAFETY: both exports have these signatures (the `w32tm` client
    // calls them so: server name or NULL for this computer, flags 0, the
    // provider's name, an out pointer; and a buffer to free). Casting one
    // `extern "system"` function pointer to another is sound when the
    // real signature is the target's.
    let (query, free) = unsafe {
        (
            std::mem::transmute::<unsafe extern "system" fn() -> isize, QueryFn>(query),
            std::mem::transmute::<unsafe extern "system" fn() -> isize, FreeFn>(free),
        )
    };
    let mut data: *mut ProviderData = ptr::null_mut();
    #[allow(unsafe_code)]
    // SAFETY: NULL asks this computer's service; the provider name is a
    // static NUL-terminated wide string the call only reads; `data` is
    // ours to receive the service's buffer.
    let code = unsafe { query(ptr::null(), 0, w!("NtpClient"), &mut data) };
    if code != 0 {
        // On failure the wrapper leaves the out pointer unset.
        return Err(ReadError::service_failed(code));
    }
    if data.is_null() {
        return Err(ReadError::Malformed("no status at all"));
    }
    #[allow(unsafe_code)]
    // SAFETY: on success `data` points to one block the service allocated
    // for us (the provider data, its peer array and their names); we read
    // it, then free it exactly once and never touch it again.
    let state = unsafe {
        let state = copy_out(&*data);
        free(data.cast());
        state
    };
    drop(lib);
    state
}

/// Copies the service's answer into owned values.
///
/// # Safety
/// `data` must be a `W32TIME_NTP_PROVIDER_DATA` as the service returns it:
/// `peers` valid for `peer_count` entries, each name NULL or NUL-terminated.
#[allow(unsafe_code)]
unsafe fn copy_out(data: &ProviderData) -> Result<TimeServiceState, ReadError> {
    if (data.size as usize) < size_of::<ProviderData>() {
        return Err(ReadError::Malformed(
            "a provider record shorter than MS-W32T's",
        ));
    }
    if data.peer_count > MAX_PEERS || (data.peer_count > 0 && data.peers.is_null()) {
        return Err(ReadError::Malformed("an impossible list of peers"));
    }
    let raw: &[PeerInfo] = match data.peer_count {
        0 => &[],
        // SAFETY: non-null and valid for `peer_count` entries (checked
        // above and promised by the caller).
        n => unsafe { std::slice::from_raw_parts(data.peers, n as usize) },
    };
    let mut peers = Vec::with_capacity(raw.len());
    for p in raw {
        if (p.size as usize) < size_of::<PeerInfo>() {
            return Err(ReadError::Malformed("a peer record shorter than MS-W32T's"));
        }
        peers.push(TimePeer {
            // SAFETY: NULL or NUL-terminated, as promised by the caller.
            name: unsafe { wide(p.unique_name) },
            last_sync_unix: filetime_to_unix(p.last_successful_sync),
            last_sync_error: p.last_sync_error,
            stratum: p.stratum,
            reachability: p.reachability,
        });
    }
    Ok(TimeServiceState {
        provider_error: data.error,
        peers,
    })
}

/// A NUL-terminated UTF-16 string, at most [`MAX_NAME`] units of it.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated UTF-16 string.
#[allow(unsafe_code)]
unsafe fn wide(p: *const u16) -> String {
    if p.is_null() {
        return String::new();
    }
    let mut units = Vec::new();
    for i in 0..MAX_NAME {
        // SAFETY: every unit up to and including the NUL is readable, and
        // we stop at the NUL.
        let u = unsafe { *p.add(i) };
        if u == 0 {
            break;
        }
        units.push(u);
    }
    String::from_utf16_lossy(&units)
}
