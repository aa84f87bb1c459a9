//! Just enough of `mongosh --eval` for the book's MongoDB exercise: `use DB`,
//! `db.COLL.insert(...)`/`insertOne(...)` and `db.COLL.find()`, with documents kept as files in
//! the container's `/data/db`, so they live exactly as long as the volume mounted there.

use crate::kubelet::fs::Fs;

/// Documents one collection file may hold.
pub const MAX_DOCS: usize = 1_000;

const DATA_DIR: &str = "/data/db";

/// Runs a `--eval` script against the files of `fs`; (stdout, exit code).
pub fn eval(fs: &mut Fs, script: &str, now_ms: u64) -> (String, i32) {
    let mut db = "test".to_string();
    let mut out = String::new();
    for stmt in split_statements(script) {
        let stmt = stmt.trim();
        if stmt.is_empty() {
            continue;
        }
        if let Some(name) = stmt.strip_prefix("use ") {
            db = name.trim().to_string();
            out = format!("switched to db {db}\n");
            continue;
        }
        let Some(rest) = stmt.strip_prefix("db.") else {
            return (
                format!(
                    "ReferenceError: {} is not defined\n",
                    stmt.split(['.', '(']).next().unwrap_or(stmt)
                ),
                1,
            );
        };
        let Some((coll, call)) = rest.split_once('.') else {
            out = format!("{db}.{rest}\n");
            continue;
        };
        let file = format!("{DATA_DIR}/{db}.{coll}.json");
        let docs: Vec<String> =
            fs.read(&file).map(|c| c.lines().map(str::to_string).collect()).unwrap_or_default();
        if let Some(arg) = call.strip_prefix("insertOne(").or_else(|| call.strip_prefix("insert("))
        {
            let arg = arg.trim_end().trim_end_matches(')');
            let Some(body) = normalize_doc(arg) else {
                return ("SyntaxError: Unexpected token\n".into(), 1);
            };
            if docs.len() >= MAX_DOCS {
                return ("MongoServerError: collection is full in this simulation\n".into(), 1);
            }
            let id = format!("{:08x}{:016x}", now_ms / 1000, (docs.len() as u64 + 1) * 0x9e37_79b9);
            let doc = if body.is_empty() {
                format!("{{ _id: ObjectId('{id}') }}")
            } else {
                format!("{{ _id: ObjectId('{id}'), {body} }}")
            };
            let mut content = docs.join("\n");
            if !content.is_empty() {
                content.push('\n');
            }
            content.push_str(&doc);
            content.push('\n');
            fs.mkdir_p(DATA_DIR);
            if fs.write(&file, &content, false).is_err() {
                return ("MongoServerError: not writable\n".into(), 1);
            }
            out = if call.starts_with("insertOne(") {
                format!("{{\n  acknowledged: true,\n  insertedId: ObjectId('{id}')\n}}\n")
            } else {
                format!(
                    "{{\n  acknowledged: true,\n  insertedIds: {{ '0': ObjectId('{id}') }}\n}}\n"
                )
            };
        } else if call.starts_with("find(") {
            out = match docs.as_slice() {
                [] => String::new(),
                [one] => format!("[ {one} ]\n"),
                many => format!("[\n  {}\n]\n", many.join(",\n  ")),
            };
        } else if call.starts_with("countDocuments(") || call.starts_with("count(") {
            out = format!("{}\n", docs.len());
        } else {
            return (format!("TypeError: db.{coll}.{call} is not a function\n"), 1);
        }
    }
    (out, 0)
}

/// Splits on `;` and newlines outside quotes and braces.
fn split_statements(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut depth, mut quote) = (0i32, None::<char>);
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '(' | '[') => depth += 1,
            (None, '}' | ')' | ']') => depth -= 1,
            (None, ';' | '\n') if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// `{name: "foo", "n": 1}` -> `name: 'foo', n: 1` (mongosh's way of printing a document).
fn normalize_doc(arg: &str) -> Option<String> {
    let inner = arg.trim().strip_prefix('{')?.strip_suffix('}')?.trim();
    if inner.is_empty() {
        return Some(String::new());
    }
    let mut fields = Vec::new();
    for part in inner.split(',') {
        let (k, v) = part.split_once(':')?;
        let k = k.trim().trim_matches(|c| c == '"' || c == '\'');
        let v = v.trim();
        let v = if (v.starts_with('"') && v.ends_with('"'))
            || (v.starts_with('\'') && v.ends_with('\''))
        {
            format!("'{}'", &v[1..v.len().saturating_sub(1).max(1)])
        } else {
            v.to_string()
        };
        fields.push(format!("{k}: {v}"));
    }
    Some(fields.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_then_find() {
        let mut fs = Fs::new();
        let (out, code) = eval(&mut fs, "use mystore; db.foo.insertOne({name:'foo'})", 1000);
        assert_eq!(code, 0);
        assert!(out.contains("acknowledged: true"));
        let (out, _) = eval(&mut fs, "use mystore\ndb.foo.find()", 2000);
        assert!(out.starts_with("[ { _id: ObjectId('"), "{out}");
        assert!(out.ends_with(", name: 'foo' } ]\n"), "{out}");
    }
}
