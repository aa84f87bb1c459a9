//! kubectl's table layout: Go's `text/tabwriter` as cli-runtime configures it.
//!
//! `printers.GetNewTabWriter` uses `github.com/liggitt/tabwriter` (a fork of `text/tabwriter` that
//! can remember column widths across flushes, for `kubectl get --watch`) with minwidth 6,
//! tabwidth 4, padding 3, pad char `' '` and the `RememberWidths` flag.
//!
//! The rules, from the Go source:
//! - a cell is text terminated by `\t` (or `\v`); the text after the last tab of a line is not part
//!   of any column and is never padded;
//! - a column's width is the widest cell (counted in Unicode scalar values, like `utf8.RuneCount`)
//!   plus the padding, and at least minwidth, taken over a *block*: the run of consecutive lines
//!   that have a cell in that column;
//! - `\f` ends a line like `\n` and also flushes; every line ends with `\n` on output.

/// `tabwriterMinWidth` in cli-runtime: the narrowest a column gets, padding included.
pub const MIN_WIDTH_CHARS: usize = 6;
/// `tabwriterPadding` in cli-runtime: spaces added after the widest cell of a column.
pub const PADDING_CHARS: usize = 3;

/// A tab writer that, like kubectl's, remembers the widest width of each column between
/// [`TabWriter::format`] calls (`RememberWidths`), so rows printed later by `get --watch` stay
/// aligned with the header printed first.
#[derive(Clone, Debug)]
pub struct TabWriter {
    max_widths: Vec<usize>,
    min_width: usize,
    padding: usize,
    remember_widths: bool,
}

impl Default for TabWriter {
    fn default() -> Self {
        TabWriter {
            max_widths: Vec::new(),
            min_width: MIN_WIDTH_CHARS,
            padding: PADDING_CHARS,
            remember_widths: true,
        }
    }
}

struct Line {
    /// Cells terminated by a tab; the last entry is the unterminated trailing text.
    cells: Vec<String>,
}

impl TabWriter {
    /// A writer with no remembered widths.
    pub fn new() -> Self {
        TabWriter::default()
    }

    /// A writer with other settings and no memory between calls: `kubectl describe` uses
    /// minwidth 0, padding 2 (its `PrefixWriter`).
    pub fn with_layout(min_width: usize, padding: usize) -> Self {
        TabWriter { max_widths: Vec::new(), min_width, padding, remember_widths: false }
    }

    /// Forgets remembered widths (kubectl does this when the resource kind changes).
    pub fn reset_widths(&mut self) {
        self.max_widths.clear();
    }

    /// Lays out `text` (a whole write followed by a `Flush`) and returns what kubectl prints.
    pub fn format(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 2);
        let mut lines: Vec<Line> = Vec::new();
        let mut cells: Vec<String> = Vec::new();
        let mut cell = String::new();
        for c in text.chars() {
            match c {
                '\t' | '\x0b' => cells.push(std::mem::take(&mut cell)),
                '\n' | '\x0c' => {
                    cells.push(std::mem::take(&mut cell));
                    let single = cells.len() == 1;
                    lines.push(Line { cells: std::mem::take(&mut cells) });
                    // A line without tabs, or a form feed, flushes (text/tabwriter's Write).
                    if single || c == '\x0c' {
                        self.flush(&mut out, &lines, true);
                        lines.clear();
                    }
                }
                c => cell.push(c),
            }
        }
        // Flush: an unterminated last line is written without a newline.
        let partial = !cell.is_empty() || !cells.is_empty();
        if partial {
            cells.push(cell);
            lines.push(Line { cells });
        }
        self.flush(&mut out, &lines, !partial);
        out
    }

    fn flush(&mut self, out: &mut String, lines: &[Line], last_has_newline: bool) {
        // widths[i][c]: the width of column c on line i (present only where the line has a
        // tab-terminated cell c). A block for column c is a maximal run of lines having one.
        let max_cols = lines.iter().map(|l| l.cells.len().saturating_sub(1)).max().unwrap_or(0);
        let mut widths: Vec<Vec<usize>> =
            lines.iter().map(|l| vec![0; l.cells.len().saturating_sub(1)]).collect();
        for col in 0..max_cols {
            let mut i = 0;
            while i < lines.len() {
                if lines[i].cells.len().saturating_sub(1) <= col {
                    i += 1;
                    continue;
                }
                let start = i;
                let mut width = self.min_width;
                while i < lines.len() && lines[i].cells.len().saturating_sub(1) > col {
                    width = width.max(lines[i].cells[col].chars().count() + self.padding);
                    i += 1;
                }
                // RememberWidths: a column never gets narrower than it has been.
                if self.remember_widths {
                    if self.max_widths.len() <= col {
                        self.max_widths.resize(col + 1, 0);
                    }
                    width = width.max(self.max_widths[col]);
                    self.max_widths[col] = width;
                }
                for row in &mut widths[start..i] {
                    row[col] = width;
                }
            }
        }
        for (i, line) in lines.iter().enumerate() {
            for (c, text) in line.cells.iter().enumerate() {
                out.push_str(text);
                if let Some(&w) = widths[i].get(c) {
                    for _ in text.chars().count()..w {
                        out.push(' ');
                    }
                }
            }
            if i + 1 < lines.len() || last_has_newline {
                out.push('\n');
            }
        }
    }
}

/// Formats a table the way `kubectl get` prints it: `rows[0]` is the header, cells are joined by
/// tabs and every row ends with a newline. Cells are taken as they are; run kubectl's cell
/// clean-up with [`escape_cell`] first.
///
/// ```
/// use kubeplay_engine::kubectl::format::format_table;
/// let rows = vec![
///     vec!["NAME".into(), "READY".into(), "STATUS".into(), "RESTARTS".into(), "AGE".into()],
///     vec!["kubia-5d7bd".into(), "1/1".into(), "Running".into(), "0".into(), "5s".into()],
/// ];
/// assert_eq!(
///     format_table(&rows),
///     "NAME          READY   STATUS    RESTARTS   AGE\n\
///      kubia-5d7bd   1/1     Running   0          5s\n"
/// );
/// ```
pub fn format_table(rows: &[Vec<String>]) -> String {
    let mut text = String::new();
    for row in rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    TabWriter::new().format(&text)
}

/// What kubectl's table printer does to a string cell: cut it at the first `\f`, `\n` or `\r`
/// (adding `...`), then show ESC as `^[` so a cell cannot drive the terminal.
pub fn escape_cell(cell: &str) -> String {
    let (text, cut) = match cell.find(['\x0c', '\n', '\r']) {
        Some(i) => (&cell[..i], true),
        None => (cell, false),
    };
    let mut out = text.replace('\x1b', "^[");
    if cut {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> String {
        let rows: Vec<Vec<String>> =
            rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        format_table(&rows)
    }

    #[test]
    fn pods_table_like_kubectl() {
        // Header spacing as printed by kubectl get pods on a fresh cluster.
        assert_eq!(
            table(&[
                &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
                &["nginx", "1/1", "Running", "0", "10s"],
            ]),
            "NAME    READY   STATUS    RESTARTS   AGE\n\
             nginx   1/1     Running   0          10s\n"
        );
    }

    #[test]
    fn min_width_applies_to_short_columns() {
        // "a" + 3 padding = 4 < minwidth 6.
        assert_eq!(table(&[&["a", "b"], &["c", "d"]]), "a     b\nc     d\n");
    }

    #[test]
    fn last_column_is_not_padded() {
        assert_eq!(
            table(&[&["NAME", "DATA", "AGE"], &["kube-root-ca.crt", "1", "3d"]]),
            "NAME               DATA   AGE\nkube-root-ca.crt   1      3d\n"
        );
    }

    #[test]
    fn empty_cells_are_padded() {
        assert_eq!(
            table(&[&["NAME", "HOSTS", "X"], &["a", "", "z"]]),
            "NAME   HOSTS   X\na              z\n"
        );
    }

    #[test]
    fn width_counts_chars_not_bytes() {
        assert_eq!(table(&[&["ÄÖÜÄÖÜ", "x"], &["a", "y"]]), "ÄÖÜÄÖÜ   x\na        y\n");
    }

    #[test]
    fn services_table() {
        assert_eq!(
            table(&[
                &["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
                &["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "5d"],
            ]),
            "NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n\
             kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5d\n"
        );
    }

    #[test]
    fn single_column_and_empty() {
        assert_eq!(table(&[&["NAME"], &["a-very-long-name"]]), "NAME\na-very-long-name\n");
        assert_eq!(format_table(&[]), "");
    }

    #[test]
    fn lines_without_tabs_split_blocks() {
        // The blank line flushes, but RememberWidths keeps the first block's width for the second.
        let out = TabWriter::new().format("A\tB\nlong-long-long\tx\n\nC\tD\n");
        assert_eq!(out, "A                B\nlong-long-long   x\n\nC                D\n");
        // ... but widths are remembered (RememberWidths), as in kubectl get --watch.
        let mut w = TabWriter::new();
        assert_eq!(w.format("NAME\tAGE\nlong-name\t1s\n"), "NAME        AGE\nlong-name   1s\n");
        assert_eq!(w.format("a\t2s\n"), "a           2s\n");
        w.reset_widths();
        assert_eq!(w.format("a\t2s\n"), "a     2s\n");
    }

    #[test]
    fn ragged_rows_form_nested_blocks() {
        let out = TabWriter::new().format("a\tb\tc\nlonger\tb\nx\ty\tz\n");
        assert_eq!(out, "a        b     c\nlonger   b\nx        y     z\n");
    }

    #[test]
    fn unterminated_last_line() {
        assert_eq!(TabWriter::new().format("a\tb\nc\td"), "a     b\nc     d");
    }

    #[test]
    fn escape_cell_like_kubectl() {
        assert_eq!(escape_cell("line1\nline2"), "line1...");
        assert_eq!(escape_cell("a\x1b[31mred"), "a^[[31mred");
        assert_eq!(escape_cell("plain"), "plain");
    }
}
