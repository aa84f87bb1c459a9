//! Every lesson in `lessons/` parses and verifies: each step's check fails before its solution and
//! passes after (the same `lesson::verify` that `kubeplay lessons check` runs), and the ids match
//! the file names, so `cargo test` proves the lessons too.

use std::path::PathBuf;

use kubeplay_engine::lesson;

fn lesson_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("ch") && name.ends_with(".md")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_lesson_parses_and_every_step_verifies() {
    let files = lesson_files();
    assert!(!files.is_empty(), "no lessons found");
    let mut failures = Vec::new();
    for file in &files {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let parsed = lesson::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        assert_eq!(parsed.id, stem, "{}: id must equal the file name", file.display());
        for report in lesson::verify(&parsed) {
            if !report.ok() {
                failures.push(format!(
                    "{} step {} \"{}\": {}",
                    parsed.id,
                    report.number,
                    report.title,
                    report.problems.join("; ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "lesson steps failed:\n{}", failures.join("\n"));
}

#[test]
fn lessons_are_deterministic() {
    // Verifying twice gives the same reports: same seed, same cluster, same outcome.
    for file in lesson_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let Ok(parsed) = lesson::parse(&text) else { continue };
        assert_eq!(lesson::verify(&parsed), lesson::verify(&parsed), "{}", file.display());
    }
}

#[test]
fn lesson_chapters_are_unique_and_ordered_by_file_name() {
    let chapters: Vec<u32> = lesson_files()
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .filter_map(|t| lesson::parse(&t).ok())
        .map(|l| l.chapter)
        .collect();
    let mut sorted = chapters.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(chapters, sorted, "one lesson per chapter, files named in chapter order");
}
