//! What the desk window acts on: the station's records, the readers and
//! Entra — or, in demo mode, the training desk behind them. The whole
//! context sits behind one swappable `Arc`, so "start the training desk"
//! replaces it at once and a running workflow keeps the context it began
//! with.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use oathdesk_station::adapters::{DeskReaders, GraphTenant};
use oathdesk_station::camera::{self, Cameras};
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::ports::Readers;
use oathdesk_station::sign_in::SignInCancel;
use oathdesk_station::{Station, sign_in};

use crate::demo::TrainingDesk;
use crate::error::{AppError, CommandResult};

/// Readers a context can hold across threads.
pub type Tokens = Box<dyn Readers + Send>;

pub struct DeskContext {
    pub station: Station,
    /// The readers: the desk's PC/SC readers and USB HID keys, opened on
    /// first use (PC/SC connects when pcscd is up), or the training desk's
    /// in-process tokens. One token operation at a time holds them, so the
    /// reader watch never reads a token in the middle of a burn.
    tokens: Mutex<Option<Tokens>>,
    tenant: GraphTenant,
    /// The desk's webcam, or the training desk's recorded one.
    pub cameras: Box<dyn Cameras>,
    /// Set in demo mode: the virtual tokens and sandbox tenant, alive as
    /// long as this context.
    pub demo: Option<TrainingDesk>,
}

impl DeskContext {
    /// The real desk: records in the data directory keyed from the OS
    /// keyring, PC/SC readers, and Entra as the remembered operator.
    pub fn real() -> CommandResult<DeskContext> {
        let config = sign_in::operator_config();
        let tenant = sign_in::tenant(&config)?;
        let station = Station::open(config.clone(), &KeyringStore::new(&config.key_profile()))?;
        Ok(DeskContext::new(station, tenant, None, None))
    }

    /// `tokens`: the readers to use; `None` for the desk's (PC/SC and HID).
    pub fn new(
        station: Station,
        tenant: GraphTenant,
        demo: Option<TrainingDesk>,
        tokens: Option<Tokens>,
    ) -> DeskContext {
        let cameras = demo
            .as_ref()
            .map_or_else(camera::desk_cameras, TrainingDesk::cameras);
        DeskContext {
            station,
            tokens: Mutex::new(tokens),
            tenant,
            cameras,
            demo,
        }
    }

    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    /// Runs `f` with the readers, holding them for the whole operation.
    pub fn with_tokens<T>(
        &self,
        f: impl FnOnce(&dyn Readers) -> CommandResult<T>,
    ) -> CommandResult<T> {
        let mut guard = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(Box::new(DeskReaders::connect(crate::touch::prompt())));
        }
        f(guard.as_deref().expect("opened above"))
    }

    /// Entra as the operator of this desk (a sign-in reopens the desk).
    pub fn tenant(&self) -> &GraphTenant {
        &self.tenant
    }
}

/// The app's managed state: the current desk context, and the browser
/// sign-in in progress (one at a time).
pub struct AppState {
    current: RwLock<Arc<DeskContext>>,
    sign_in: Mutex<Option<SignInCancel>>,
    /// The camera scan in progress, stopped by setting its flag.
    camera: Mutex<Option<Arc<AtomicBool>>>,
}

impl AppState {
    pub fn new(desk: DeskContext) -> AppState {
        AppState {
            current: RwLock::new(Arc::new(desk)),
            sign_in: Mutex::new(None),
            camera: Mutex::new(None),
        }
    }

    /// A stop flag for a new camera scan; one still looking is stopped
    /// (there is one camera).
    pub fn begin_camera(&self) -> Arc<AtomicBool> {
        let fresh = Arc::new(AtomicBool::new(false));
        let mut slot = self.camera.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = slot.replace(fresh.clone()) {
            previous.store(true, Ordering::Relaxed);
        }
        fresh
    }

    /// Stops the camera scan in progress, if any.
    pub fn stop_camera(&self) {
        if let Some(running) = self.camera.lock().unwrap_or_else(|p| p.into_inner()).take() {
            running.store(true, Ordering::Relaxed);
        }
    }

    /// A handle for a new browser sign-in; one still waiting is cancelled.
    pub fn begin_sign_in(&self) -> SignInCancel {
        let fresh = SignInCancel::default();
        let mut slot = self.sign_in.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = slot.replace(fresh.clone()) {
            previous.cancel();
        }
        fresh
    }

    /// Forgets `ended` once its sign-in is over, unless a newer one has
    /// taken its place: a later Cancel must not reach a finished sign-in.
    pub fn end_sign_in(&self, ended: &SignInCancel) {
        let mut slot = self.sign_in.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_some_and(|current| current.is_same(ended)) {
            *slot = None;
        }
    }

    /// Stops the browser sign-in in progress, if any.
    pub fn cancel_sign_in(&self) {
        if let Some(waiting) = self
            .sign_in
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            waiting.cancel();
        }
    }

    pub fn desk(&self) -> Arc<DeskContext> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn replace(&self, desk: DeskContext) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(desk);
    }
}

/// Runs a blocking token operation off the UI thread, holding the readers.
pub async fn on_tokens<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&DeskContext, &dyn Readers) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    blocking(state, move |d| d.with_tokens(|tokens| f(d, tokens))).await
}

/// Runs a blocking station call (PC/SC, Graph, SQLite) off the UI thread.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&DeskContext) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    let desk = state.desk();
    tauri::async_runtime::spawn_blocking(move || f(&desk))
        .await
        .map_err(|e| AppError::new("internal", e.to_string(), None))?
}
