//! The home page: the chapters' lessons with the learner's progress, and the free sandbox.

use std::rc::Rc;

use yew::prelude::*;

use crate::lessons::Entry;
use crate::storage::Progress;

/// Props of [`Home`].
#[derive(Properties, PartialEq)]
pub struct HomeProps {
    /// The embedded lessons.
    pub lessons: Rc<Vec<Entry>>,
    /// Steps passed per lesson.
    pub progress: Rc<Progress>,
    /// A problem to report (e.g. unreadable saved progress).
    #[prop_or_default]
    pub notice: Option<AttrValue>,
    /// Logo and name.
    pub brand: Html,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// The first step of `total` not in `passed` (1-based), if any.
pub fn first_unfinished(
    passed: Option<&std::collections::BTreeSet<usize>>,
    total: usize,
) -> Option<usize> {
    (1..=total).find(|n| passed.is_none_or(|p| !p.contains(n)))
}

/// Lessons (title, chapter, steps, progress, continue) and the sandbox.
#[component]
pub fn Home(props: &HomeProps) -> Html {
    html! {
        <main class="home" data-testid="home">
            <header class="home-head">
                { props.brand.clone() }
                <p class="home-tagline">{ "Learn Kubernetes on a simulated cluster that runs in this page: \
                    one lesson per chapter of Kubernetes in Action, checked as you go." }</p>
            </header>
            if let Some(notice) = &props.notice {
                <div class="inline-alert" data-testid="error-banner" role="alert">
                    <span aria-hidden="true">{ "⚠ " }</span>{ notice.as_str() }
                </div>
            }
            <section class="home-sandbox">
                <a class="sandbox-card" href="#/play" data-testid="sandbox-link">
                    <span class="sandbox-icon" aria-hidden="true">{ "▶" }</span>
                    <span>
                        <strong>{ "Free sandbox" }</strong>
                        <span class="muted">{ " — a cluster of your own: type kubectl, apply YAML, let time run." }</span>
                    </span>
                </a>
            </section>
            <h2 class="home-title">{ "Lessons" }</h2>
            <ol class="lesson-list">
                { for props.lessons.iter().map(|e| lesson_card(e, &props.progress)) }
            </ol>
        </main>
    }
}

fn lesson_card(entry: &Entry, progress: &Progress) -> Html {
    let lesson = match &entry.lesson {
        Ok(l) => l,
        Err(e) => {
            return html! {
                <li class="lesson-card broken" data-testid="lesson-card" data-id={entry.id}>
                    <h3>{ entry.id }</h3>
                    <p role="alert">{ "⚠ This lesson could not be read: " }{ e.as_str() }</p>
                </li>
            };
        }
    };
    let total = lesson.steps.len();
    let passed = progress.get(&lesson.id);
    let done = passed.map_or(0, |p| p.iter().filter(|&&n| n <= total).count());
    let next = first_unfinished(passed, total);
    let (label, target) = match next {
        _ if done == 0 => ("Start".to_owned(), 1),
        Some(n) => (format!("Continue at step {n}"), n),
        None => ("Review".to_owned(), 1),
    };
    let state = if done == total {
        "complete"
    } else if done > 0 {
        "started"
    } else {
        "new"
    };
    html! {
        <li class={classes!("lesson-card", state)} data-testid="lesson-card" data-id={lesson.id.clone()}
            data-passed={done.to_string()} data-steps={total.to_string()}>
            <span class="lesson-chapter">{ format!("Chapter {}", lesson.chapter) }</span>
            <h3><a href={format!("#/lesson/{}/1", lesson.id)}>{ lesson.title.as_str() }</a></h3>
            <p class="lesson-steps">{ format!("{total} steps") }</p>
            <div class="lesson-progress">
                <progress max={total.to_string()} value={done.to_string()}
                    aria-label={format!("{} progress", lesson.title)} />
                <span data-testid="lesson-progress">
                    if done == total { <span aria-hidden="true">{ "✓ " }</span> }
                    { format!("{done} / {total} steps passed") }
                </span>
            </div>
            <a class="continue" data-testid="continue" href={format!("#/lesson/{}/{target}", lesson.id)}>
                { label }{ " →" }
            </a>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_goes_to_the_first_step_not_passed() {
        assert_eq!(first_unfinished(None, 3), Some(1));
        assert_eq!(first_unfinished(Some(&[1, 3].into()), 3), Some(2));
        assert_eq!(first_unfinished(Some(&[1, 2, 3].into()), 3), None);
        assert_eq!(first_unfinished(Some(&[].into()), 0), None);
    }
}
