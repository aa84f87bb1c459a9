//! `kubeplay`: run session scripts against a simulated cluster, and check lessons.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kubeplay_engine::{Sim, SimConfig, lesson, script};

// The engine makes many short-lived allocations, several of a kilobyte or more (k8s-openapi's
// objects are large); glibc's malloc spends about a third of a rollout on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:\n  kubeplay script FILE [--seed N] [--nodes N]\n  kubeplay lessons check [DIR]\n  kubeplay lessons manifests [DIR] OUT\n";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("script") => run_script(&args[1..]),
        Some("lessons") if args.get(1).map(String::as_str) == Some("check") => {
            let dir = args.get(2).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("lessons"));
            check_lessons(&dir)
        }
        Some("lessons") if args.get(1).map(String::as_str) == Some("manifests") => {
            match (args.get(2), args.get(3)) {
                (Some(out), None) => export_manifests(Path::new("lessons"), Path::new(out)),
                (Some(dir), Some(out)) => export_manifests(Path::new(dir), Path::new(out)),
                _ => {
                    eprint!("{USAGE}");
                    ExitCode::from(2)
                }
            }
        }
        Some("--help") | Some("-h") | Some("help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_script(args: &[String]) -> ExitCode {
    let mut file = None;
    let mut config = SimConfig::default();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" | "--nodes" => {
                let Some(v) = args.get(i + 1).and_then(|v| v.parse::<u64>().ok()) else {
                    eprintln!("kubeplay: {} needs a number", args[i]);
                    return ExitCode::from(2);
                };
                if args[i] == "--seed" {
                    config.seed = v;
                } else {
                    config.worker_nodes = v.min(u64::from(u32::MAX)) as u32;
                }
                i += 1;
            }
            f if file.is_none() => file = Some(f.to_string()),
            other => {
                eprintln!("kubeplay: unexpected argument {other}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    let Some(file) = file else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kubeplay: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let commands = match script::parse(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubeplay: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let base = Path::new(&file).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut sim = Sim::new(config);
    // `kubectl apply -f x.yaml` reads files next to the script.
    sim.set_file_reader(move |name| std::fs::read_to_string(base.join(name)).ok());
    let mut failed = false;
    for command in &commands {
        let step = script::run_step(&mut sim, command);
        print!("$ {}\n{}", command.as_typed(), step.text);
        failed |= step.output.exit_code != 0;
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Every `chNN-*.md` in `dir`: parse, then prove each step (check fails before the solution,
/// passes after). One line per step, a closing count; exit 1 on any failure or unreadable file.
fn check_lessons(dir: &Path) -> ExitCode {
    let files = match lesson_files(dir) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
        let lesson = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| lesson::parse(&text).map_err(|e| e.to_string()))
        {
            Ok(l) if l.id == stem => l,
            Ok(l) => {
                println!("{}: id `{}` does not match the file name: FAILED", file.display(), l.id);
                failed += 1;
                continue;
            }
            Err(e) => {
                println!("{}: {e}: FAILED", file.display());
                failed += 1;
                continue;
            }
        };
        for report in lesson::verify(&lesson) {
            let head = format!("{} step {} \"{}\"", lesson.id, report.number, report.title);
            if report.ok() {
                println!("{head}: ok");
                passed += 1;
            } else {
                println!("{head}: FAILED");
                for p in &report.problems {
                    println!("    {}", p.replace('\n', "\n    "));
                }
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The `chNN-*.md` files of `dir`, sorted.
fn lesson_files(dir: &Path) -> Result<Vec<PathBuf>, ExitCode> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("kubeplay: cannot read {}: {e}", dir.display());
            return Err(ExitCode::from(2));
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("ch") && name.ends_with(".md")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Writes every ```yaml file=NAME block to OUT/valid/ or OUT/invalid/ (as `ID.stepN.NAME`), for
/// schema validation outside the engine (scripts/test.sh runs kubernetes-validate on them).
fn export_manifests(dir: &Path, out: &Path) -> ExitCode {
    let files = match lesson_files(dir) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let (mut valid, mut invalid) = (0usize, 0usize);
    for sub in ["valid", "invalid"] {
        let d = out.join(sub);
        // Start clean so a manifest removed from a lesson is not validated again.
        let _ = std::fs::remove_dir_all(&d);
        if let Err(e) = std::fs::create_dir_all(&d) {
            eprintln!("kubeplay: cannot create {}: {e}", d.display());
            return ExitCode::from(2);
        }
    }
    for file in &files {
        let parsed = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| lesson::parse(&text).map_err(|e| e.to_string()))
        {
            Ok(l) => l,
            Err(e) => {
                eprintln!("kubeplay: {}: {e}", file.display());
                return ExitCode::from(1);
            }
        };
        for step in &parsed.steps {
            for block in &step.blocks {
                let lesson::BlockKind::File { name, invalid: bad } = &block.kind else { continue };
                let sub = if *bad { "invalid" } else { "valid" };
                let path = out.join(sub).join(format!("{}.step{}.{name}", parsed.id, step.number));
                if let Err(e) = std::fs::write(&path, &block.text) {
                    eprintln!("kubeplay: cannot write {}: {e}", path.display());
                    return ExitCode::from(2);
                }
                if *bad { invalid += 1 } else { valid += 1 }
            }
        }
    }
    println!("{valid} manifests to validate, {invalid} marked invalid, in {}", out.display());
    ExitCode::SUCCESS
}
