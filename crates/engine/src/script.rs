//! Session scripts: the one format shared by the CLI, tests, lesson solutions and share links.
//!
//! A line is a command as typed in the terminal; `<<EOF` heredocs carry YAML inline; a trailing
//! backslash continues a line; `#` starts a comment. Running a script prints a transcript: each
//! command as `$ command`, then what the terminal showed while it ran: its output and, in order,
//! what background jobs (`COMMAND &`) printed meanwhile. A command that waits runs to its end
//! (or its `timeout`), exactly as the browser's terminal streams it while time plays.

use crate::sim::{CommandOutput, Sim};

/// The most commands one script may hold.
pub const MAX_SCRIPT_COMMANDS: usize = 10_000;
/// The largest script accepted.
pub const MAX_SCRIPT_BYTES: usize = 4 * 1024 * 1024;

/// One command of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The command line (without the heredoc body).
    pub line: String,
    /// The heredoc body, if the line has one.
    pub stdin: Option<String>,
    /// 1-based line number where the command starts.
    pub line_number: usize,
}

impl Command {
    /// The command as it was typed, heredoc included.
    pub fn as_typed(&self) -> String {
        match &self.stdin {
            None => self.line.clone(),
            Some(body) => {
                let marker = heredoc_marker(&self.line).unwrap_or_else(|| "EOF".into());
                format!("{}\n{body}{marker}", self.line)
            }
        }
    }
}

/// Why a script could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// Larger than [`MAX_SCRIPT_BYTES`].
    #[error("script too large: limit is {MAX_SCRIPT_BYTES} bytes")]
    TooLarge,
    /// More than [`MAX_SCRIPT_COMMANDS`].
    #[error("script has too many commands: limit is {MAX_SCRIPT_COMMANDS}")]
    TooManyCommands,
    /// A heredoc never ends.
    #[error("line {0}: here-document delimited by end-of-file (wanted `{1}')")]
    UnterminatedHeredoc(usize, String),
}

fn heredoc_marker(line: &str) -> Option<String> {
    let pos = line.find("<<")?;
    let rest = line[pos + 2..].trim_start_matches('-').trim();
    let word = rest.split_whitespace().next()?;
    let word = word.trim_matches(|c| c == '\'' || c == '"');
    (!word.is_empty()).then(|| word.to_string())
}

/// Splits a script into commands.
pub fn parse(text: &str) -> Result<Vec<Command>, ScriptError> {
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(ScriptError::TooLarge);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut commands = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let mut line = lines[i].trim_end().to_string();
        i += 1;
        while line.ends_with('\\') && i < lines.len() {
            line.pop();
            line.push(' ');
            line.push_str(lines[i].trim());
            i += 1;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut stdin = None;
        if let Some(marker) = heredoc_marker(trimmed) {
            let mut body = String::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if l.trim() == marker {
                    closed = true;
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            if !closed {
                return Err(ScriptError::UnterminatedHeredoc(start + 1, marker));
            }
            stdin = Some(body);
        }
        if commands.len() >= MAX_SCRIPT_COMMANDS {
            return Err(ScriptError::TooManyCommands);
        }
        let line = match trimmed.find("<<") {
            Some(p) if stdin.is_some() => {
                trimmed[..p].trim_end().to_string() + " " + trimmed[p..].trim()
            }
            _ => trimmed.to_string(),
        };
        commands.push(Command { line, stdin, line_number: start + 1 });
    }
    Ok(commands)
}

/// One executed command and what it printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The command.
    pub command: Command,
    /// Its output.
    pub output: CommandOutput,
    /// What the terminal showed, in order: the output, and what background jobs printed.
    pub text: String,
}

/// Runs one parsed command as the terminal does, waiting for a command that waits.
pub fn run_step(sim: &mut Sim, command: &Command) -> Step {
    let line = match command.line.find("<<") {
        Some(p) if command.stdin.is_some() => command.line[..p].trim_end(),
        _ => command.line.as_str(),
    };
    let started = sim.start(line, command.stdin.as_deref());
    let mut output = started.output;
    let mut text = output.terminal_text();
    if started.waiting {
        output.push(sim.wait_foreground());
    }
    text.push_str(&sim.take_output());
    Step { command: command.clone(), output, text }
}

/// Runs one parsed command; its output.
pub fn run_command(sim: &mut Sim, command: &Command) -> CommandOutput {
    run_step(sim, command).output
}

/// Runs every command, going on after failures as a terminal does.
pub fn run(sim: &mut Sim, commands: &[Command]) -> Vec<Step> {
    commands.iter().map(|c| run_step(sim, c)).collect()
}

/// The transcript of executed steps: `$ command` then what the terminal showed, per command.
pub fn transcript(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        out.push_str("$ ");
        out.push_str(&s.command.as_typed());
        out.push('\n');
        out.push_str(&s.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredocs_comments_and_continuations_parse() {
        let cmds =
            parse("# c\nkubectl apply -f - <<EOF\nkind: Pod\nEOF\n\nkubectl get \\\n  pods\n")
                .unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].stdin.as_deref(), Some("kind: Pod\n"));
        assert_eq!(cmds[0].as_typed(), "kubectl apply -f - <<EOF\nkind: Pod\nEOF");
        assert_eq!(cmds[1].line, "kubectl get  pods");
        assert!(matches!(parse("cat <<EOF\nx\n"), Err(ScriptError::UnterminatedHeredoc(1, _))));
    }
}
