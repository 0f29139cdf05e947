//! Golden cases shared with the Python engines: `tests/golden/cases.json` (watchlist,
//! text, expected occurrences and analysis) and `tests/golden/compiled.json` (each
//! case's watchlist compiled by the Python compiler into the plain format of
//! docs/matching.md §5). The Rust core must reproduce every expected field.
//!
//! Skipped (with a message) when the files are missing.

use std::collections::BTreeMap;
use std::path::Path;

use _native::core::{CompiledWatchlist, Scanner};
use serde_json::Value;

const KIND_NAMES: [&str; 6] = [
    "company",
    "company_exclusion",
    "keyword",
    "exclusion",
    "context",
    "shared_cashtag",
];

fn get<'a>(v: &'a Value, key: &str, ctx: &str) -> &'a Value {
    match v.get(key) {
        Some(x) => x,
        None => panic!("{ctx}: missing key {key:?}"),
    }
}

fn arr<'a>(v: &'a Value, ctx: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("{ctx}: expected an array, got {v}"))
}

fn int(v: &Value, ctx: &str) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| panic!("{ctx}: expected an int, got {v}"))
}

fn string(v: &Value, ctx: &str) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("{ctx}: expected a string, got {v}"))
        .to_owned()
}

fn ints(plain: &Value, key: &str) -> Vec<i64> {
    arr(get(plain, key, "plain"), key)
        .iter()
        .map(|x| int(x, key))
        .collect()
}

fn strs(plain: &Value, key: &str) -> Vec<Vec<u8>> {
    arr(get(plain, key, "plain"), key)
        .iter()
        .map(|x| string(x, key).into_bytes())
        .collect()
}

fn rows(plain: &Value, key: &str, n: usize) -> Vec<Vec<i64>> {
    arr(get(plain, key, "plain"), key)
        .iter()
        .map(|row| {
            let r: Vec<i64> = arr(row, key).iter().map(|x| int(x, key)).collect();
            assert_eq!(r.len(), n, "{key}: row of {} ints, expected {n}", r.len());
            r
        })
        .collect()
}

/// `plain[key]` when present; golden files written before the modern profile (docs §8)
/// lack its fields, which then take the seed profile's values.
fn optional<'a>(plain: &'a Value, key: &str) -> Option<&'a Value> {
    plain.get(key)
}

fn compiled(plain: &Value) -> CompiledWatchlist {
    let units = arr(get(plain, "units", "plain"), "units")
        .iter()
        .map(|row| {
            let r: Vec<i64> = arr(row, "units").iter().map(|x| int(x, "units")).collect();
            match *r.as_slice() {
                [a, b, c, d, e] => (a, b, c, d, e, -1),
                [a, b, c, d, e, f] => (a, b, c, d, e, f),
                _ => panic!("units: row of {} ints, expected 5 or 6", r.len()),
            }
        })
        .collect();
    let opt_strs = |key: &str| optional(plain, key).map_or_else(Vec::new, |_| strs(plain, key));
    CompiledWatchlist {
        literals: strs(plain, "literals"),
        units,
        cased_literals: opt_strs("cased_literals"),
        shared_tags: opt_strs("shared_tags"),
        shared_tag_companies: optional(plain, "shared_tag_companies").map_or_else(Vec::new, |v| {
            arr(v, "shared_tag_companies")
                .iter()
                .map(|row| {
                    arr(row, "shared_tag_companies")
                        .iter()
                        .map(|x| int(x, "shared_tag_companies"))
                        .collect()
                })
                .collect()
        }),
        shared_tag_target: optional(plain, "shared_tag_target")
            .map_or_else(Vec::new, |_| ints(plain, "shared_tag_target")),
        span_once: optional(plain, "span_once").is_some_and(|v| {
            v.as_bool()
                .unwrap_or_else(|| panic!("span_once: expected a bool, got {v}"))
        }),
        relevance_mode: optional(plain, "relevance_mode").map_or(0, |v| int(v, "relevance_mode")),
        launch_threshold: optional(plain, "launch_threshold")
            .map_or(50, |v| int(v, "launch_threshold")),
        nfb_sets: arr(get(plain, "nfb_sets", "plain"), "nfb_sets")
            .iter()
            .map(|set| {
                arr(set, "nfb_sets")
                    .iter()
                    .map(|a| string(a, "nfb_sets").into_bytes())
                    .collect()
            })
            .collect(),
        targets: rows(plain, "targets", 4)
            .into_iter()
            .map(|r| (r[0], r[1], r[2], r[3]))
            .collect(),
        company_names: strs(plain, "company_names"),
        company_scores: ints(plain, "company_scores"),
        company_target: ints(plain, "company_target"),
        veto_target: ints(plain, "veto_target"),
        keyword_patterns: strs(plain, "keyword_patterns"),
        keyword_weights: ints(plain, "keyword_weights"),
        keyword_target: ints(plain, "keyword_target"),
        seed_keyword_order: ints(plain, "seed_keyword_order"),
        exclusion_labels: strs(plain, "exclusion_labels"),
        exclusion_penalties: ints(plain, "exclusion_penalties"),
        exclusion_target: ints(plain, "exclusion_target"),
        context_terms: strs(plain, "context_terms"),
        context_target: ints(plain, "context_target"),
        proximity_distance: int(
            get(plain, "proximity_distance", "plain"),
            "proximity_distance",
        ),
        proximity_boost: int(get(plain, "proximity_boost", "plain"), "proximity_boost"),
        relevance_threshold: int(
            get(plain, "relevance_threshold", "plain"),
            "relevance_threshold",
        ),
        halve_penalty_with_context: get(plain, "halve_penalty_with_context", "plain")
            .as_bool()
            .expect("halve_penalty_with_context: expected a bool"),
    }
}

fn name(cw: &CompiledWatchlist, kind: u8, reference: usize) -> String {
    let list = match kind {
        0 | 1 => &cw.company_names,
        2 => &cw.keyword_patterns,
        3 => &cw.exclusion_labels,
        4 => &cw.context_terms,
        _ => &cw.shared_tags,
    };
    String::from_utf8_lossy(&list[reference]).into_owned()
}

type SpanMap = BTreeMap<String, Vec<(i64, i64)>>;

fn span_map(v: &Value, ctx: &str) -> SpanMap {
    v.as_object()
        .unwrap_or_else(|| panic!("{ctx}: expected an object"))
        .iter()
        .map(|(k, spans)| {
            let spans = arr(spans, ctx)
                .iter()
                .map(|s| {
                    let s = arr(s, ctx);
                    (int(&s[0], ctx), int(&s[1], ctx))
                })
                .collect();
            (k.clone(), spans)
        })
        .collect()
}

fn to_i64(spans: &[(usize, usize)]) -> Vec<(i64, i64)> {
    spans.iter().map(|&(s, e)| (s as i64, e as i64)).collect()
}

fn load(path: &Path) -> Option<Value> {
    let raw = std::fs::read_to_string(path).ok()?;
    Some(
        serde_json::from_str(&raw)
            .unwrap_or_else(|e| panic!("{}: not valid JSON: {e}", path.display())),
    )
}

#[test]
fn golden_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let (Some(cases), Some(compiled_cases)) = (
        load(&dir.join("cases.json")),
        load(&dir.join("compiled.json")),
    ) else {
        eprintln!("golden files missing in {}: skipped", dir.display());
        return;
    };
    let plains: BTreeMap<String, &Value> = arr(get(&compiled_cases, "cases", "compiled"), "cases")
        .iter()
        .map(|c| {
            (
                string(get(c, "name", "compiled"), "name"),
                get(c, "plain", "compiled"),
            )
        })
        .collect();
    let cases = arr(get(&cases, "cases", "cases.json"), "cases");
    assert!(!cases.is_empty(), "no golden cases");
    let mut checked = 0;
    for case in cases {
        let case_name = string(get(case, "name", "case"), "name");
        let ctx = format!("golden case {case_name:?}");
        let plain = plains
            .get(&case_name)
            .unwrap_or_else(|| panic!("{ctx}: not in compiled.json"));
        let cw = compiled(plain);
        let engine = Scanner::new(&cw).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        let text = string(get(case, "text", &ctx), "text");

        let expected: Vec<(String, String, i64, i64)> = arr(get(case, "occurrences", &ctx), &ctx)
            .iter()
            .map(|o| {
                let o = arr(o, &ctx);
                (
                    string(&o[0], &ctx),
                    string(&o[1], &ctx),
                    int(&o[2], &ctx),
                    int(&o[3], &ctx),
                )
            })
            .collect();
        let got: Vec<(String, String, i64, i64)> = engine
            .find(text.as_bytes())
            .into_iter()
            .map(|o| {
                (
                    KIND_NAMES[usize::from(o.kind)].to_owned(),
                    name(&cw, o.kind, o.reference),
                    o.start as i64,
                    o.end as i64,
                )
            })
            .collect();
        assert_eq!(got, expected, "{ctx}: occurrences");

        let want = get(case, "analysis", &ctx);
        let a = engine.analyze(text.as_bytes());
        let companies: SpanMap = a
            .companies
            .iter()
            .map(|(c, spans)| (name(&cw, 0, *c), to_i64(spans)))
            .collect();
        assert_eq!(
            companies,
            span_map(get(want, "companies", &ctx), &ctx),
            "{ctx}: companies"
        );
        let keywords: SpanMap = a
            .keywords
            .iter()
            .map(|(k, spans)| (name(&cw, 2, *k), to_i64(spans)))
            .collect();
        assert_eq!(
            keywords,
            span_map(get(want, "keywords", &ctx), &ctx),
            "{ctx}: keywords"
        );
        let exclusions: BTreeMap<String, i64> = a
            .exclusions
            .iter()
            .map(|(x, _, applied)| (name(&cw, 3, *x), *applied))
            .collect();
        let want_exclusions: BTreeMap<String, i64> = get(want, "exclusions", &ctx)
            .as_object()
            .unwrap_or_else(|| panic!("{ctx}: exclusions: expected an object"))
            .iter()
            .map(|(k, v)| (k.clone(), int(v, &ctx)))
            .collect();
        assert_eq!(exclusions, want_exclusions, "{ctx}: exclusions");
        let vetoed: Vec<String> = a.vetoed.iter().map(|&c| name(&cw, 0, c)).collect();
        let want_vetoed: Vec<String> = arr(get(want, "vetoed", &ctx), &ctx)
            .iter()
            .map(|v| string(v, &ctx))
            .collect();
        assert_eq!(vetoed, want_vetoed, "{ctx}: vetoed");
        assert_eq!(
            Some(a.crypto_context),
            get(want, "crypto_context", &ctx).as_bool(),
            "{ctx}: crypto_context"
        );
        let confidence = int(get(want, "confidence", &ctx), &ctx);
        assert_eq!(a.confidence, i128::from(confidence), "{ctx}: confidence");
        assert_eq!(
            Some(a.is_relevant),
            get(want, "is_relevant", &ctx).as_bool(),
            "{ctx}: is_relevant"
        );
        // The modern profile's fields, when the case records them.
        if let Some(v) = optional(want, "launch_score") {
            assert_eq!(
                a.launch_score,
                i128::from(int(v, &ctx)),
                "{ctx}: launch_score"
            );
        }
        if let Some(v) = optional(want, "is_launch") {
            assert_eq!(Some(a.is_launch), v.as_bool(), "{ctx}: is_launch");
        }
        if let Some(v) = optional(want, "ambiguous") {
            let got: Vec<String> = a.ambiguous.iter().map(|&t| name(&cw, 5, t)).collect();
            let want: Vec<String> = arr(v, &ctx).iter().map(|x| string(x, &ctx)).collect();
            assert_eq!(got, want, "{ctx}: ambiguous");
        }
        checked += 1;
    }
    eprintln!("{checked} golden cases checked");
    assert_eq!(checked, cases.len());
}
