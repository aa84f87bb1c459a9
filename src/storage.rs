//! localStorage save/restore of the sandbox session, the lesson in progress and lesson progress.
//!
//! The sandbox is `kubeplay-session v1\n<seed>\n<session script>`; the lesson in progress
//! `kubeplay-lesson v1\n<id>\n<step>\n<session script>`; progress `kubeplay-progress v1` then
//! `<lesson id> <step>,<step>...` lines. A value that does not parse is reported and removed; a
//! full store is reported, and the app goes on unsaved.

use std::collections::{BTreeMap, BTreeSet};

use kubeplay_engine::lesson;

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

// ---- lesson progress and the lesson session ---------------------------------------------------

/// Steps passed, by lesson id.
pub type Progress = BTreeMap<String, BTreeSet<usize>>;

const PROGRESS_KEY: &str = "kubeplay.progress";
const PROGRESS_HEADER: &str = "kubeplay-progress v1";
/// The most lessons a progress record may name (more is a corrupt value).
const PROGRESS_LESSONS_MAX: usize = 200;

/// Progress as stored: the header, then `<lesson id> <step>,<step>,...` lines.
pub fn progress_to_text(progress: &Progress) -> String {
    let mut out = format!("{PROGRESS_HEADER}\n");
    for (id, steps) in progress.iter().filter(|(_, s)| !s.is_empty()) {
        let steps: Vec<String> = steps.iter().map(usize::to_string).collect();
        out.push_str(&format!("{id} {}\n", steps.join(",")));
    }
    out
}

/// Progress read back; `None` when the text is not what [`progress_to_text`] writes.
pub fn progress_from_text(text: &str) -> Option<Progress> {
    let mut lines = text.lines();
    if lines.next()? != PROGRESS_HEADER {
        return None;
    }
    let mut progress = Progress::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let (id, steps) = line.split_once(' ')?;
        let id_ok = (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok || progress.len() >= PROGRESS_LESSONS_MAX {
            return None;
        }
        // A loop, not `collect`: collecting into a set compiles another sort.
        let mut step_set = BTreeSet::new();
        for step in steps.split(',') {
            let n = step.parse::<usize>().ok().filter(|n| (1..=lesson::MAX_STEPS).contains(n))?;
            step_set.insert(n);
        }
        progress.insert(id.to_owned(), step_set);
    }
    Some(progress)
}

/// The saved progress (empty when none); `Err` (and the value removed) when it is corrupt.
pub fn load_progress() -> Result<Progress, String> {
    let Some(store) = store() else { return Ok(Progress::new()) };
    let Some(value) = store.get_item(PROGRESS_KEY).ok().flatten() else {
        return Ok(Progress::new());
    };
    progress_from_text(&value).ok_or_else(|| {
        let _ = store.remove_item(PROGRESS_KEY);
        "The saved lesson progress was unreadable and has been reset.".to_owned()
    })
}

/// Saves the progress; `Err` with a message when the browser refuses.
pub fn save_progress(progress: &Progress) -> Result<(), String> {
    let Some(store) = store() else { return Ok(()) };
    store.set_item(PROGRESS_KEY, &progress_to_text(progress)).map_err(|_| {
        "Could not save lesson progress in this browser (storage is full or disabled).".to_owned()
    })
}

const LESSON_KEY: &str = "kubeplay.lesson";
const LESSON_HEADER: &str = "kubeplay-lesson v1";

/// A lesson's session as saved: which lesson and step, and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonSession {
    /// Lesson id.
    pub id: String,
    /// The step shown when it was saved.
    pub step: usize,
    /// The session (from the lesson's fresh cluster).
    pub items: Vec<Item>,
}

/// Saves the lesson session (one at a time: the lesson in progress).
pub fn save_lesson(session: &LessonSession) -> Result<(), String> {
    let Some(store) = store() else { return Ok(()) };
    let value = format!(
        "{LESSON_HEADER}\n{}\n{}\n{}",
        session.id,
        session.step,
        session::to_script(&session.items)
    );
    store.set_item(LESSON_KEY, &value).map_err(|_| {
        "Could not save the lesson's cluster in this browser (storage is full or disabled); \
         a reload will start the step afresh."
            .to_owned()
    })
}

/// The saved lesson session, if any; `Err` (and the value removed) when it is corrupt.
pub fn load_lesson() -> Result<Option<LessonSession>, String> {
    let Some(store) = store() else { return Ok(None) };
    let Some(value) = store.get_item(LESSON_KEY).ok().flatten() else { return Ok(None) };
    let parsed = (|| {
        let rest = value.strip_prefix(LESSON_HEADER)?.strip_prefix('\n')?;
        let (id, rest) = rest.split_once('\n')?;
        let (step, script) = rest.split_once('\n').unwrap_or((rest, ""));
        let step = step.parse().ok()?;
        let items = session::from_script(script).ok()?;
        Some(LessonSession { id: id.to_owned(), step, items })
    })();
    match parsed {
        Some(s) => Ok(Some(s)),
        None => {
            let _ = store.remove_item(LESSON_KEY);
            Err("The saved lesson session was corrupt and has been discarded; the step starts afresh."
                .to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_and_corrupt_text_is_refused() {
        let mut p = Progress::new();
        p.insert("ch02-first-steps".into(), [1, 2, 5].into());
        p.insert("ch09-deployments".into(), [13].into());
        assert_eq!(progress_from_text(&progress_to_text(&p)), Some(p));
        assert_eq!(progress_from_text(&format!("{PROGRESS_HEADER}\n")), Some(Progress::new()));
        for bad in [
            "",
            "garbage",
            "kubeplay-progress v1\nch02 1,x",
            "kubeplay-progress v1\nch02 0",
            "kubeplay-progress v1\nch02 99",
            "kubeplay-progress v1\nCH02<b> 1",
            "kubeplay-progress v1\nch02",
        ] {
            assert_eq!(progress_from_text(bad), None, "{bad:?}");
        }
    }
}
