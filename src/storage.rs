//! localStorage save/restore of the sandbox session.
//!
//! The value is `kubeplay-session v1\n<seed>\n<session script>`. A value that does not parse is
//! reported and removed; a full store is reported, and the session goes on unsaved.

use crate::session::{self, Item};

const KEY: &str = "kubeplay.session";
const HEADER: &str = "kubeplay-session v1";

fn store() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Saves the session; `Err` with a message when the browser refuses (full, disabled).
pub fn save(seed: u64, items: &[Item]) -> Result<(), String> {
    let Some(store) = store() else { return Ok(()) };
    let value = format!("{HEADER}\n{seed}\n{}", session::to_script(items));
    store.set_item(KEY, &value).map_err(|_| {
        "Could not save the session in this browser (storage is full or disabled); \
         it will not survive a reload. Use Share to keep it."
            .to_owned()
    })
}

/// The saved session, if any; `Err` (and the value removed) when it is corrupt.
pub fn load() -> Result<Option<(u64, Vec<Item>)>, String> {
    let Some(store) = store() else { return Ok(None) };
    let Some(value) = store.get_item(KEY).ok().flatten() else { return Ok(None) };
    let parsed = (|| {
        let rest = value.strip_prefix(HEADER)?.strip_prefix('\n')?;
        let (seed, script) = rest.split_once('\n').unwrap_or((rest, ""));
        let seed = seed.parse().ok()?;
        session::from_script(script).ok().map(|items| (seed, items))
    })();
    match parsed {
        Some(session) => Ok(Some(session)),
        None => {
            let _ = store.remove_item(KEY);
            Err("The saved session was corrupt and has been discarded; starting a clean cluster."
                .to_owned())
        }
    }
}

/// Forgets the saved session.
pub fn clear() {
    if let Some(store) = store() {
        let _ = store.remove_item(KEY);
    }
}
