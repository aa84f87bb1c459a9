//! The lessons, embedded at build time (`lessons/chNN-*.md`, text) and parsed on first use.
//!
//! A file that does not parse is listed with its error instead of breaking the app.

use std::rc::Rc;

use kubeplay_engine::lesson::{self, Lesson};

/// (id, text) of every lesson file, in chapter order.
const FILES: [(&str, &str); 9] = [
    ("ch01-cluster-tour", include_str!("../lessons/ch01-cluster-tour.md")),
    ("ch02-first-steps", include_str!("../lessons/ch02-first-steps.md")),
    ("ch03-pods", include_str!("../lessons/ch03-pods.md")),
    ("ch04-controllers", include_str!("../lessons/ch04-controllers.md")),
    ("ch05-services", include_str!("../lessons/ch05-services.md")),
    ("ch06-volumes", include_str!("../lessons/ch06-volumes.md")),
    ("ch07-config", include_str!("../lessons/ch07-config.md")),
    ("ch08-downward-api", include_str!("../lessons/ch08-downward-api.md")),
    ("ch09-deployments", include_str!("../lessons/ch09-deployments.md")),
];

/// A parsed lesson shared by the components; equal when it is the same lesson (pointer).
#[derive(Clone, Debug)]
pub struct Shared(pub Rc<Lesson>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Shared {
    type Target = Lesson;
    fn deref(&self) -> &Lesson {
        &self.0
    }
}

/// One embedded lesson file.
pub struct Entry {
    /// The file name without `.md`.
    pub id: &'static str,
    /// The parsed lesson, or why it did not parse.
    pub lesson: Result<Rc<Lesson>, String>,
}

thread_local! {
    static ALL: Rc<Vec<Entry>> = Rc::new(FILES.iter().map(|&(id, text)| Entry { id, lesson: load(id, text) }).collect());
}

fn load(id: &str, text: &str) -> Result<Rc<Lesson>, String> {
    let lesson = lesson::parse(text).map_err(|e| format!("{id}.md: {e}"))?;
    if lesson.id != id {
        return Err(format!("{id}.md: its id is `{}`", lesson.id));
    }
    Ok(Rc::new(lesson))
}

/// Every lesson file, in chapter order.
pub fn all() -> Rc<Vec<Entry>> {
    ALL.with(Rc::clone)
}

/// The lesson with this id, if it exists and parses.
pub fn find(id: &str) -> Option<Shared> {
    all().iter().find(|e| e.id == id).and_then(|e| e.lesson.as_ref().ok().cloned()).map(Shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_file_is_embedded_and_parses() {
        let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons"))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("ch") && n.ends_with(".md"))
            .count();
        assert_eq!(on_disk, FILES.len(), "a lesson file is not embedded in src/lessons.rs");
        for e in all().iter() {
            let lesson = e.lesson.as_ref().unwrap_or_else(|err| panic!("{err}"));
            assert!(!lesson.steps.is_empty());
        }
        assert!(find("ch02-first-steps").is_some());
        assert!(find("ch99-nothing").is_none());
    }
}
