//! `kubeplay`: run session scripts against a simulated cluster, and check lessons.

use std::process::ExitCode;

use kubeplay_engine::{Sim, SimConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("script") => {
            let Some(path) = args.get(1) else {
                eprintln!("usage: kubeplay script FILE [--seed N]");
                return ExitCode::from(2);
            };
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("kubeplay: cannot read {path}: {e}");
                    return ExitCode::from(2);
                }
            };
            let mut sim = Sim::new(SimConfig::default());
            let mut failed = false;
            for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
                let out = sim.run(line);
                print!("$ {line}\n{}{}", out.stdout, out.stderr);
                failed |= out.exit_code != 0;
            }
            if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
        }
        _ => {
            eprintln!("usage: kubeplay script FILE [--seed N] | kubeplay lessons check [DIR]");
            ExitCode::from(2)
        }
    }
}
