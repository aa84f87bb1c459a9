//! Session <-> URL fragment: `#/play?seed=N&s=<lz-string compressed script>`, and for a lesson
//! `#/lesson/<id>/<step>?s=...` (the lesson gives the seed and nodes) (design §3, §5).
//!
//! Decoding is bounded before any work is done: the compressed text's length, then the
//! decompressed script's size and command count (see [`crate::session`]).

use crate::session::{self, Item};

/// The longest `s=` value decoded (characters). lz-string output can grow quadratically in the
/// worst case, so the input is kept small; a real session compresses well below this.
pub const ENCODED_CHARS_MAX: usize = 16 * 1024;

/// What a link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// Seed of the cluster.
    pub seed: u64,
    /// The session to replay.
    pub items: Vec<Item>,
}

/// The fragment (without `#`) for a session.
pub fn encode(seed: u64, items: &[Item]) -> String {
    let script = session::to_script(items);
    format!("/play?seed={seed}&s={}", lz_str::compress_to_encoded_uri_component(&script))
}

/// The fragment (without `#`) for a lesson session: opening it replays `items` on the lesson's
/// fresh cluster and shows step `step`.
pub fn encode_lesson(id: &str, step: usize, items: &[Item]) -> String {
    let script = session::to_script(items);
    format!("/lesson/{id}/{step}?s={}", lz_str::compress_to_encoded_uri_component(&script))
}

/// Route part and query of a fragment: `"/play?seed=1"` -> (`"/play"`, `Some("seed=1")`).
pub fn split_fragment(fragment: &str) -> (&str, Option<&str>) {
    let fragment = fragment.trim_start_matches('#');
    match fragment.split_once('?') {
        Some((route, query)) => (route, Some(query)),
        None => (fragment, None),
    }
}

/// A link's query decoded; `Ok(None)` when it carries no session.
pub fn decode_query(query: &str) -> Result<Option<Shared>, String> {
    let mut seed = None;
    let mut script = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "seed" => {
                seed = Some(v.parse::<u64>().map_err(|_| format!("bad seed {:?}", trunc(v)))?)
            }
            "s" => script = Some(v),
            _ => {}
        }
    }
    let Some(encoded) = script else {
        return Ok(seed.map(|seed| Shared { seed, items: Vec::new() }));
    };
    if encoded.len() > ENCODED_CHARS_MAX {
        return Err(format!("the link is too long (over {ENCODED_CHARS_MAX} characters)"));
    }
    let units = lz_str::decompress_from_encoded_uri_component(encoded)
        .ok_or_else(|| "the link's session data is corrupt".to_owned())?;
    if units.len() > session::REPLAY_BYTES_MAX {
        return Err("the link's session is too large".to_owned());
    }
    let text = String::from_utf16(&units).map_err(|_| "the link's session data is corrupt")?;
    if text.is_empty() && !encoded.is_empty() {
        return Err("the link's session data is corrupt".to_owned());
    }
    let items = session::from_script(&text)?;
    Ok(Some(Shared { seed: seed.unwrap_or(1), items }))
}

fn trunc(s: &str) -> String {
    s.chars().take(24).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_hostile_ones_fail_cleanly() {
        let items = vec![
            Item::File("a.yaml".into(), "kind: Pod\n".into()),
            Item::Command("kubectl apply -f a.yaml".into()),
            Item::Sleep(3000),
        ];
        let fragment = encode(7, &items);
        let (route, query) = split_fragment(&fragment);
        assert_eq!(route, "/play");
        assert_eq!(decode_query(query.unwrap()).unwrap(), Some(Shared { seed: 7, items }));
        assert!(decode_query("seed=1&s=%%%garbage!!").is_err());
        assert!(decode_query("seed=x").is_err());
        assert!(decode_query(&format!("s={}", "A".repeat(ENCODED_CHARS_MAX + 1))).is_err());
        assert_eq!(decode_query("foo=bar").unwrap(), None);
    }

    #[test]
    fn lesson_links_round_trip() {
        let items = vec![
            Item::File("kubia-rc.yaml".into(), "kind: ReplicationController\n".into()),
            Item::Command("kubectl run kubia --image=luksa/kubia --port=8080".into()),
            Item::Sleep(10_000),
            Item::File("configmap-files/a.conf".into(), "gzip on;\n".into()),
        ];
        let fragment = encode_lesson("ch02-first-steps", 3, &items);
        let (route, query) = split_fragment(&fragment);
        assert_eq!(route, "/lesson/ch02-first-steps/3");
        let shared = decode_query(query.unwrap()).unwrap().unwrap();
        assert_eq!(shared.items, items);
    }
}
