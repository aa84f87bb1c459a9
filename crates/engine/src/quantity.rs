//! Just enough of `resource.Quantity` for the scheduler's arithmetic.

/// CPU in millicores (`100m` -> 100, `1` -> 1000, `0.5` -> 500). Unparseable input counts as 0.
pub fn cpu_millis(q: &str) -> i64 {
    let q = q.trim();
    if let Some(m) = q.strip_suffix('m') {
        return m.parse::<f64>().map(|v| v.ceil() as i64).unwrap_or(0);
    }
    q.parse::<f64>().map(|v| (v * 1000.0).ceil() as i64).unwrap_or(0)
}

/// Memory in bytes (`128Mi`, `1G`, `1e3`, `512`). Unparseable input counts as 0.
pub fn memory_bytes(q: &str) -> i64 {
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
        ("Ti", 1024.0 * 1024.0 * 1024.0 * 1024.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("m", 1e-3),
    ];
    let q = q.trim();
    for (s, mult) in SUFFIXES {
        if let Some(n) = q.strip_suffix(s) {
            return n.parse::<f64>().map(|v| (v * mult).ceil() as i64).unwrap_or(0);
        }
    }
    q.parse::<f64>().map(|v| v.ceil() as i64).unwrap_or(0)
}
