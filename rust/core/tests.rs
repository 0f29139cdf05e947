//! Table-driven tests of the core: offsets, whole-word checks, not-followed-by, gaps,
//! scoring and validation.

use super::compiled::{
    CompiledWatchlist, Scanner, FLAG_CONTRACTION, FLAG_END, FLAG_EXACT_CASE, FLAG_START,
    KIND_COMPANY, KIND_COMPANY_VETO, KIND_CONTEXT, KIND_EXCLUSION, KIND_KEYWORD, KIND_SHARED_TAG,
};
use super::text::{normalise, push_cp};

/// `(start, end)`.
type Span = (usize, usize);
/// `(ref, start, end)`.
type RefSpan = (usize, usize, usize);

/// Encodes a test text as Python's `encode("utf-8", "surrogatepass")` would, reading
/// `\uXXXX` (a backslash, `u`, four hex digits) as that code point, so lone surrogates
/// can be written: `py("\\ud83d x")`.
fn py(s: &str) -> Vec<u8> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && chars.get(i + 1) == Some(&'u') && i + 6 <= chars.len() {
            let hex: String = chars[i + 2..i + 6].iter().collect();
            if let Ok(cp) = u32::from_str_radix(&hex, 16) {
                push_cp(&mut out, cp);
                i += 6;
                continue;
            }
        }
        push_cp(&mut out, chars[i] as u32);
        i += 1;
    }
    out
}

/// Normalises a phrase into a literal: fold, collapse, strip (docs §3).
fn literal(phrase: &str) -> Vec<u8> {
    let c = normalise(&py(phrase));
    let start = c.iter().position(|&b| b != b' ').unwrap_or(c.len());
    let end = c.iter().rposition(|&b| b != b' ').map_or(start, |e| e + 1);
    c[start..end].to_vec()
}

/// Builds compiled watchlists by hand (what the Python compiler produces).
#[derive(Default)]
struct Builder {
    cw: CompiledWatchlist,
}

impl Builder {
    fn lit(&mut self, phrase: &str) -> i64 {
        let l = literal(phrase);
        match self.cw.literals.iter().position(|x| *x == l) {
            Some(i) => i as i64,
            None => {
                self.cw.literals.push(l);
                self.cw.literals.len() as i64 - 1
            }
        }
    }

    fn target(&mut self, kind: u8, reference: usize, nparts: i64, max_gap: i64) -> i64 {
        self.cw
            .targets
            .push((i64::from(kind), reference as i64, nparts, max_gap));
        self.cw.targets.len() as i64 - 1
    }

    fn unit(&mut self, phrase: &str, target: i64, part: i64, flags: i64, nfb: i64) {
        let l = self.lit(phrase);
        self.cw.units.push((l, target, part, flags, nfb, -1));
    }

    fn nfb(&mut self, alts: &[&str]) -> i64 {
        self.cw
            .nfb_sets
            .push(alts.iter().map(|a| normalise(&py(a))).collect());
        self.cw.nfb_sets.len() as i64 - 1
    }

    /// A context term per phrase (kind 4, ref = its index), whole-word at both ends.
    fn phrases(phrases: &[&str]) -> Builder {
        let mut b = Builder::default();
        for (i, p) in phrases.iter().enumerate() {
            let t = b.target(KIND_CONTEXT, i, 1, 200);
            b.cw.context_terms.push(p.as_bytes().to_vec());
            b.cw.context_target.push(t);
            b.unit(p, t, 0, FLAG_START | FLAG_END, -1);
        }
        b
    }

    fn engine(&self) -> Scanner {
        match Scanner::new(&self.cw) {
            Ok(e) => e,
            Err(e) => panic!("test watchlist does not build: {e}"),
        }
    }
}

fn spans(engine: &Scanner, text: &str) -> Vec<(usize, usize, usize)> {
    engine
        .find(&py(text))
        .into_iter()
        .map(|o| (o.reference, o.start, o.end))
        .collect()
}

#[test]
fn phrase_offsets_and_whole_words() {
    // (phrase, text, expected (start, end))
    let cases: &[(&str, &str, &[Span])] = &[
        ("caldera", "Caldera is live", &[(0, 7)]),
        ("caldera", "😀😀 Caldera", &[(3, 10)]),
        ("caldera", "\\ud83d Caldera", &[(2, 9)]),
        ("caldera", "\\ud83d\\ude00 Caldera \\udfff", &[(3, 10)]),
        ("caldera", "\\udc00Caldera\\ud800", &[(1, 8)]),
        ("caldera", "\u{212A}\u{212A} CALDERA", &[(3, 10)]),
        (
            "caldera",
            "x\u{00A0}\u{00A0}\t\n\u{3000}  Caldera",
            &[(8, 15)],
        ),
        (
            "token generation event",
            "Token\u{00A0}\u{3000}generation\t\n event!",
            &[(0, 25)],
        ),
        (
            "token generation event",
            "a\r\n\r\ntoken\u{2003}generation\u{1C}event",
            &[(5, 27)],
        ),
        ("token generation event", "token generation-event", &[]),
        ("token generation event", "tokengeneration event", &[]),
        ("caldera", "xCaldera", &[]),
        ("caldera", "Caldera_", &[]),
        ("caldera", "_Caldera", &[]),
        ("caldera", "Calderaé", &[]),
        ("caldera", "éCaldera", &[]),
        ("caldera", "Caldera2", &[]),
        ("caldera", "(Caldera).", &[(1, 8)]),
        ("caldera", "Caldera-based", &[(0, 7)]),
        ("caldera", "caldera caldera", &[(0, 7), (8, 15)]),
        ("useless", "USELESSコイン", &[(0, 7)]),
        ("useless", "コインUSELESS", &[(3, 10)]),
        ("useless", "USELESS는", &[(0, 7)]),
        ("useless", "USELESSé", &[]),
        ("比特币", "我买了比特币。", &[(3, 6)]),
        ("$cal", "buy $CAL now", &[(4, 8)]),
        ("$cal", "buy$CAL", &[(3, 7)]),
        ("$cal", "$CALX", &[]),
        ("usd.ai", "USD.ai launch", &[(0, 6)]),
        ("usd.ai", "USDxai", &[]),
        ("kelvin", "\u{212A}ELVIN", &[(0, 6)]),
        ("caldera", "\u{212A}Caldera", &[]),
        ("caldera", "Caldera\u{212A}", &[]),
        ("k", "a \u{212A} b", &[(2, 3)]),
        ("İstanbul", "İSTANBUL", &[(0, 8)]),
        ("istanbul", "İstanbul", &[]),
        ("\\ud83d", "a \\ud83d b", &[(2, 3)]),
        ("\\ud83d", "a 😀 b", &[]),
        ("a b", "a    b", &[(0, 6)]),
        ("b", "a    b", &[(5, 6)]),
        ("deseret", "\u{10400} deseret", &[(2, 9)]),
    ];
    for &(phrase, text, expected) in cases {
        let engine = Builder::phrases(&[phrase]).engine();
        let got: Vec<(usize, usize)> = spans(&engine, text)
            .iter()
            .map(|&(_, s, e)| (s, e))
            .collect();
        assert_eq!(got, expected, "phrase {phrase:?} in {text:?}");
    }
}

#[test]
fn overlapping_literals_all_count() {
    let engine = Builder::phrases(&["tge", "tge is live", "is live", "live", "e is"]).engine();
    // "e is" is glued to the "g" before it; everything else occurs.
    assert_eq!(
        spans(&engine, "TGE is live"),
        [(0, 0, 3), (1, 0, 11), (2, 4, 11), (3, 7, 11)]
    );
    // Sorted by (start, end, kind, ref), distinct.
    let engine = Builder::phrases(&["aa", "aa aa"]).engine();
    assert_eq!(
        spans(&engine, "aa aa aa"),
        [(0, 0, 2), (1, 0, 5), (0, 3, 5), (1, 3, 8), (0, 6, 8)]
    );
}

#[test]
fn unit_flags_opt_out_of_word_checks() {
    let mut b = Builder::default();
    b.cw.context_terms = vec![b"launch".to_vec(), b"fi".to_vec()];
    let t0 = b.target(KIND_CONTEXT, 0, 1, 200);
    let t1 = b.target(KIND_CONTEXT, 1, 1, 200);
    b.cw.context_target = vec![t0, t1];
    b.unit("launch", t0, 0, FLAG_START, -1); // launch\w*
    b.unit("fi", t1, 0, FLAG_END, -1); // \w*fi
    let e = b.engine();
    assert_eq!(spans(&e, "launched relaunch"), [(0, 0, 6)]);
    assert_eq!(spans(&e, "defi fin"), [(1, 2, 4)]);
    // The same literal in two units with different flags.
    b.unit("fi", t0, 0, FLAG_START | FLAG_END, -1);
    let e = b.engine();
    assert_eq!(spans(&e, "defi fi"), [(1, 2, 4), (0, 5, 7), (1, 5, 7)]);
}

fn testnet_engine() -> Scanner {
    let mut b = Builder::default();
    b.cw.exclusion_labels = vec![b"testnet".to_vec(), b"game_token".to_vec()];
    b.cw.exclusion_penalties = vec![50, 40];
    let t0 = b.target(KIND_EXCLUSION, 0, 1, 200);
    let t1 = b.target(KIND_EXCLUSION, 1, 1, 200);
    b.cw.exclusion_target = vec![t0, t1];
    let n0 = b.nfb(&[" to mainnet"]);
    b.unit("testnet", t0, 0, 3, n0);
    b.unit("test net", t0, 0, 3, n0);
    let n1 = b.nfb(&["omics"]);
    b.unit("game token", t1, 0, FLAG_START, n1);
    b.engine()
}

#[test]
fn not_followed_by() {
    let e = testnet_engine();
    let cases: &[(&str, &[RefSpan])] = &[
        ("testnet is live", &[(0, 0, 7)]),
        ("Test Net launch", &[(0, 0, 8)]),
        ("testnet to mainnet", &[]),
        ("testnet  TO\n\u{00A0}Mainnet soon", &[]),
        ("test net to mainnets", &[]),
        ("testnet to main net", &[(0, 0, 7)]),
        ("testnet, to mainnet", &[(0, 0, 7)]),
        ("testnet to", &[(0, 0, 7)]),
        ("game tokenomics", &[]),
        ("game tokens", &[(1, 0, 10)]),
        ("game token omics", &[(1, 0, 10)]),
    ];
    for &(text, expected) in cases {
        assert_eq!(spans(&e, text), expected, "{text:?}");
    }
}

/// `announcing.*token` with the given max gap, whole-word parts.
fn gap_engine(parts: &[&[&str]], max_gap: i64) -> Scanner {
    let mut b = Builder::default();
    b.cw.keyword_patterns = vec![b"gap".to_vec()];
    b.cw.keyword_weights = vec![15];
    b.cw.seed_keyword_order = vec![0];
    let t = b.target(KIND_KEYWORD, 0, parts.len() as i64, max_gap);
    b.cw.keyword_target = vec![t];
    for (j, alts) in parts.iter().enumerate() {
        for a in *alts {
            b.unit(a, t, j as i64, 3, -1);
        }
    }
    b.engine()
}

#[test]
fn gaps() {
    let two = gap_engine(&[&["announcing"], &["token", "tokens"]], 200);
    let cases: &[(&str, &[(usize, usize)])] = &[
        ("Announcing our token", &[(0, 20)]),
        ("Announcing our\ntoken", &[]),
        ("Announcing our \r\n token", &[]),
        ("Announcing our\r token", &[(0, 21)]),
        ("announcing token token", &[(0, 16)]),
        ("announcing tokens token", &[(0, 17)]),
        ("announcing tokens", &[(0, 17)]),
        ("announcing announcing token", &[(0, 27), (11, 27)]),
        ("token announcing", &[]),
        ("announcingtoken", &[]),
        (
            "announcing\u{00A0}token\nannouncing token",
            &[(0, 16), (17, 33)],
        ),
        ("😀announcing 😀 token", &[(1, 19)]),
    ];
    for &(text, expected) in cases {
        let got: Vec<(usize, usize)> = spans(&two, text).iter().map(|&(_, s, e)| (s, e)).collect();
        assert_eq!(got, expected, "{text:?}");
    }

    // e' <= s <= e' + max_gap, measured in code points of the original text.
    let short = gap_engine(&[&["announcing"], &["token"]], 5);
    assert_eq!(spans(&short, "announcing 123 token"), [(0, 0, 20)]);
    assert_eq!(spans(&short, "announcing 1234 token"), []);
    assert_eq!(
        spans(&short, "announcing \u{3000}\u{3000}\u{3000}\u{3000}token"),
        [(0, 0, 20)]
    );
    let none = gap_engine(&[&["announcing"], &["token"]], -1);
    assert_eq!(spans(&none, "announcing token"), []);

    // Three parts: a chain through any reachable middle occurrence.
    let three = gap_engine(&[&["a"], &["b"], &["c"]], 4);
    assert_eq!(spans(&three, "a b xxxxxx b c"), []);
    assert_eq!(spans(&three, "a b b c"), [(0, 0, 7)]);
    assert_eq!(spans(&three, "a b b c c"), [(0, 0, 7)]);
    assert_eq!(spans(&three, "a b\nb c"), []);
    assert_eq!(spans(&three, "a b c a b c"), [(0, 0, 5), (0, 6, 11)]);
    // Only the farther middle occurrence reaches the last part.
    assert_eq!(spans(&three, "a b  b    c"), [(0, 0, 11)]);
    // Parts may be the same literal; a part may start where the previous one ended.
    let same = gap_engine(&[&["x"], &["x"]], 3);
    assert_eq!(spans(&same, "x x x"), [(0, 0, 3), (0, 2, 5)]);
}

#[test]
fn gaps_match_brute_force() {
    // Compare the deque-based combination with the literal definition of docs §4.
    use super::scan::combine_gaps;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..2000 {
        let k = 2 + rnd(3);
        let parts: Vec<Vec<(usize, usize)>> = (0..k)
            .map(|_| {
                let mut v: Vec<(usize, usize)> = (0..rnd(6))
                    .map(|_| {
                        let s = rnd(40);
                        (s, s + 1 + rnd(4))
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let mut newlines: Vec<usize> = (0..rnd(4)).map(|_| rnd(45)).collect();
        newlines.sort_unstable();
        newlines.dedup();
        let max_gap = rnd(12) as i64 - 1;
        let mut expected = Vec::new();
        for &(s0, e0) in &parts[0] {
            let mut reach = vec![(s0, e0)];
            for part in &parts[1..] {
                reach = part
                    .iter()
                    .copied()
                    .filter(|&(s, _)| {
                        reach.iter().any(|&(_, ep)| {
                            ep <= s
                                && (s as i64) <= ep as i64 + max_gap
                                && !newlines.iter().any(|&n| ep <= n && n < s)
                        })
                    })
                    .collect();
            }
            if let Some(min_end) = reach.iter().map(|&(_, e)| e).min() {
                expected.push((s0, min_end));
            }
        }
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(
            combine_gaps(&parts, max_gap, &newlines),
            expected,
            "{parts:?} gap {max_gap} newlines {newlines:?}"
        );
    }
}

/// A small watchlist in the shape the Python compiler produces.
fn scoring_engine() -> Scanner {
    let mut b = Builder::default();
    b.cw.company_names = vec![b"Caldera".to_vec(), b"Foo".to_vec()];
    b.cw.company_scores = vec![30, 20];
    let c0 = b.target(KIND_COMPANY, 0, 1, 200);
    let v0 = b.target(KIND_COMPANY_VETO, 0, 1, 200);
    let c1 = b.target(KIND_COMPANY, 1, 1, 200);
    b.cw.company_target = vec![c0, c1];
    b.cw.veto_target = vec![v0, -1];
    b.unit("caldera", c0, 0, 3, -1);
    b.unit("$cal", c0, 0, 3, -1);
    b.unit("volcanic caldera", v0, 0, 3, -1);
    b.unit("foo", c1, 0, 3, -1);

    b.cw.keyword_patterns = vec![b"tge\\s+(is\\s+)?live".to_vec(), b"airdrop".to_vec()];
    b.cw.keyword_weights = vec![40, 15];
    b.cw.seed_keyword_order = vec![0, 1];
    let k0 = b.target(KIND_KEYWORD, 0, 1, 200);
    let k1 = b.target(KIND_KEYWORD, 1, 1, 200);
    b.cw.keyword_target = vec![k0, k1];
    b.unit("tge is live", k0, 0, 3, -1);
    b.unit("tge live", k0, 0, 3, -1);
    b.unit("airdrop", k1, 0, 3, -1);

    b.cw.exclusion_labels = vec![b"testnet".to_vec(), b"odd".to_vec()];
    b.cw.exclusion_penalties = vec![50, -5];
    let x0 = b.target(KIND_EXCLUSION, 0, 1, 200);
    let x1 = b.target(KIND_EXCLUSION, 1, 1, 200);
    b.cw.exclusion_target = vec![x0, x1];
    let n = b.nfb(&[" to mainnet"]);
    b.unit("testnet", x0, 0, 3, n);
    b.unit("negative", x1, 0, 3, -1);

    b.cw.context_terms = vec![b"crypto".to_vec(), b"layer 2".to_vec()];
    let ctx0 = b.target(KIND_CONTEXT, 0, 1, 200);
    let ctx1 = b.target(KIND_CONTEXT, 1, 1, 200);
    b.cw.context_target = vec![ctx0, ctx1];
    b.unit("crypto", ctx0, 0, 3, -1);
    b.unit("layer 2", ctx1, 0, 3, -1);
    b.unit("layer2", ctx1, 0, 3, -1);

    b.cw.proximity_distance = 200;
    b.cw.proximity_boost = 20;
    b.cw.relevance_threshold = 50;
    b.cw.launch_threshold = 50;
    b.cw.halve_penalty_with_context = true;
    b.engine()
}

#[test]
fn analysis_scoring() {
    let e = scoring_engine();

    let a = e.analyze(&py("Caldera TGE is live, $CAL"));
    assert_eq!(a.companies, [(0, vec![(0, 7), (21, 25)])]);
    assert_eq!(a.keywords, [(0, vec![(8, 19)])]);
    assert!(a.vetoed.is_empty() && a.exclusions.is_empty() && !a.crypto_context);
    assert_eq!(
        (
            a.company_score,
            a.keyword_score,
            a.proximity_boost,
            a.penalty,
            a.confidence
        ),
        (30, 40, 20, 0, 90)
    );

    let a = e.analyze(&py("the volcanic caldera: tge live, Foo airdrop"));
    assert_eq!(a.vetoed, [0]);
    assert_eq!(a.companies, [(1, vec![(32, 35)])]);
    assert_eq!(a.keywords, [(0, vec![(22, 30)]), (1, vec![(36, 43)])]);
    assert_eq!(
        (a.company_score, a.keyword_score, a.proximity_boost),
        (20, 55, 20)
    );
    assert_eq!(a.confidence, 95);

    // Penalties: halved (floor) with crypto context, negative penalties are exact.
    let a = e.analyze(&py("Caldera testnet on layer2"));
    assert!(a.crypto_context);
    assert_eq!(a.exclusions, [(0, vec![(8, 15)], 25)]);
    assert_eq!((a.penalty, a.confidence), (25, 5));
    let a = e.analyze(&py("Caldera testnet"));
    assert_eq!((a.penalty, a.confidence), (50, 0));
    let a = e.analyze(&py("Caldera testnet to mainnet negative crypto"));
    assert_eq!(a.exclusions, [(1, vec![(27, 35)], -3)]);
    assert_eq!((a.penalty, a.confidence), (-3, 33));
    let a = e.analyze(&py("Caldera Foo airdrop tge live $cal negative"));
    assert_eq!(a.confidence, 100);

    // Proximity: |company position - keyword position| < 200.
    let far = format!("Caldera{} airdrop", " x".repeat(96));
    let a = e.analyze(&py(&far));
    assert_eq!(a.keywords, [(1, vec![(200, 207)])]);
    assert_eq!(a.proximity_boost, 0);
    let near = format!("Caldera{}  airdrop", " x".repeat(95));
    assert_eq!(e.analyze(&py(&near)).keywords, [(1, vec![(199, 206)])]);
    assert_eq!(e.analyze(&py(&near)).proximity_boost, 20);
    let before = format!("airdrop {}Caldera", "x ".repeat(95));
    assert_eq!(e.analyze(&py(&before)).proximity_boost, 20);

    // Nothing at all.
    assert_eq!(e.analyze(b""), Default::default());
    assert_eq!(e.analyze(&py("nothing to see")).confidence, 0);
}

#[test]
fn find_reports_kinds_and_refs() {
    let e = scoring_engine();
    let got: Vec<(u8, usize, usize, usize)> = e
        .find(&py("volcanic caldera crypto"))
        .into_iter()
        .map(|o| (o.kind, o.reference, o.start, o.end))
        .collect();
    assert_eq!(got, [(1, 0, 0, 16), (0, 0, 9, 16), (4, 0, 17, 23)]);
}

#[test]
fn malformed_watchlists_are_errors() {
    let good = Builder::phrases(&["caldera"]);
    assert!(Scanner::new(&good.cw).is_ok());
    type Breaker = fn(&mut CompiledWatchlist);
    let breakers: &[(&str, Breaker)] = &[
        ("literals[0] is empty", |cw| cw.literals[0].clear()),
        ("begins or ends with a space", |cw| {
            cw.literals[0] = b" x".to_vec()
        }),
        ("not valid", |cw| cw.literals[0] = vec![0xFF]),
        ("units[0].literal", |cw| cw.units[0].0 = 5),
        ("units[0].target", |cw| cw.units[0].1 = -1),
        ("units[0].part", |cw| cw.units[0].2 = 1),
        ("units[0].flags", |cw| cw.units[0].3 = 16),
        ("units[0].flags", |cw| cw.units[0].3 = -1),
        ("units[0].nfb", |cw| cw.units[0].4 = 0),
        ("units[0].cased", |cw| cw.units[0].5 = 0),
        ("nparts 0", |cw| cw.targets[0].2 = 0),
        ("kind 7", |cw| cw.targets[0].0 = 7),
        ("targets[0].ref", |cw| cw.targets[0].1 = 1),
        ("context_target has 2", |cw| cw.context_target.push(0)),
        ("company_scores has 1", |cw| cw.company_scores.push(1)),
        ("seed_keyword_order has 1", |cw| {
            cw.seed_keyword_order.push(0)
        }),
        ("nfb_sets[0][0] is empty", |cw| {
            cw.nfb_sets.push(vec![Vec::new()]);
            cw.units[0].4 = 0;
        }),
    ];
    for (expected, breaker) in breakers {
        let mut cw = good.cw.clone();
        breaker(&mut cw);
        match Scanner::new(&cw) {
            Ok(_) => panic!("accepted a watchlist with {expected}"),
            Err(e) => assert!(e.to_string().contains(expected), "{e} lacks {expected:?}"),
        }
    }
}

#[test]
fn engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scanner>();
}

#[test]
fn empty_watchlist_and_empty_text() {
    let e = Builder::default().engine();
    assert!(e.find(b"anything at all").is_empty());
    let e = Builder::phrases(&["x"]).engine();
    assert!(e.find(b"").is_empty());
    assert!(e.find(b"   ").is_empty());
    assert_eq!(spans(&e, "x"), [(0, 0, 1)]);
}

#[test]
fn large_watchlists_use_the_nfa_and_agree() {
    use super::compiled::DFA_MAX_LITERALS;
    let phrases: Vec<String> = (0..DFA_MAX_LITERALS + 10)
        .map(|i| format!("w{i}"))
        .collect();
    let refs: Vec<&str> = phrases.iter().map(String::as_str).collect();
    let big = Builder::phrases(&refs).engine();
    let small = Builder::phrases(&refs[..3]).engine();
    let text = "W0 w1 xw2 w4100 W4105\u{3000}w2";
    assert_eq!(
        spans(&big, text),
        [
            (0, 0, 2),
            (1, 3, 5),
            (4100, 10, 15),
            (4105, 16, 21),
            (2, 22, 24)
        ]
    );
    assert_eq!(spans(&small, text), [(0, 0, 2), (1, 3, 5), (2, 22, 24)]);
}

// ------------------------------------------------------------------ the modern profile

/// End check, contraction-aware (what the modern compiler gives every phrase, §8.2).
const MODERN: i64 = FLAG_START | FLAG_END | FLAG_CONTRACTION;

impl Builder {
    /// An exact-case unit: `written` is the phrase as written, its literal the fold.
    fn cased_unit(&mut self, written: &str, target: i64, flags: i64) {
        let l = self.lit(written);
        let form = py(written);
        let k = match self.cw.cased_literals.iter().position(|x| *x == form) {
            Some(k) => k,
            None => {
                self.cw.cased_literals.push(form);
                self.cw.cased_literals.len() - 1
            }
        };
        self.cw
            .units
            .push((l, target, 0, flags | FLAG_EXACT_CASE, -1, k as i64));
    }

    /// A company with the given score; returns its target.
    fn company(&mut self, name: &str, score: i64) -> i64 {
        let i = self.cw.company_names.len();
        self.cw.company_names.push(name.as_bytes().to_vec());
        self.cw.company_scores.push(score);
        let t = self.target(KIND_COMPANY, i, 1, 200);
        self.cw.company_target.push(t);
        self.cw.veto_target.push(-1);
        t
    }

    /// A company exclusion phrase (veto) of company `i`.
    fn veto(&mut self, i: usize, phrase: &str) {
        let t = self.target(KIND_COMPANY_VETO, i, 1, 200);
        self.cw.veto_target[i] = t;
        self.unit(phrase, t, 0, MODERN, -1);
    }

    /// A keyword rule of one phrase; returns its target.
    fn keyword(&mut self, phrase: &str, weight: i64) -> i64 {
        let i = self.cw.keyword_patterns.len();
        self.cw
            .keyword_patterns
            .push(format!("{phrase}#{i}").into_bytes());
        self.cw.keyword_weights.push(weight);
        self.cw.seed_keyword_order.push(i as i64);
        let t = self.target(KIND_KEYWORD, i, 1, 200);
        self.cw.keyword_target.push(t);
        self.unit(phrase, t, 0, MODERN, -1);
        t
    }

    /// An exclusion rule of one phrase.
    fn exclusion(&mut self, phrase: &str, penalty: i64) {
        let i = self.cw.exclusion_labels.len();
        self.cw.exclusion_labels.push(phrase.as_bytes().to_vec());
        self.cw.exclusion_penalties.push(penalty);
        let t = self.target(KIND_EXCLUSION, i, 1, 200);
        self.cw.exclusion_target.push(t);
        self.unit(phrase, t, 0, MODERN, -1);
    }

    /// A cashtag shared by `claimants`.
    fn shared_tag(&mut self, tag: &str, claimants: &[i64]) {
        let i = self.cw.shared_tags.len();
        self.cw.shared_tags.push(tag.as_bytes().to_vec());
        self.cw.shared_tag_companies.push(claimants.to_vec());
        let t = self.target(KIND_SHARED_TAG, i, 1, 200);
        self.cw.shared_tag_target.push(t);
        self.unit(tag, t, 0, MODERN, -1);
    }

    fn scoring(mut self, span_once: bool, relevance_mode: i64) -> Builder {
        self.cw.proximity_distance = 200;
        self.cw.proximity_boost = 20;
        self.cw.relevance_threshold = 50;
        self.cw.launch_threshold = 50;
        self.cw.span_once = span_once;
        self.cw.relevance_mode = relevance_mode;
        self
    }
}

#[test]
fn exact_case_units() {
    let mut b = Builder::default();
    b.cw.context_terms = vec![b"Fabric".to_vec(), b"Fabric Protocol".to_vec()];
    b.cw.context_terms
        .extend([b"Kelvin".to_vec(), b"Ecole".to_vec(), b"fabric".to_vec()]);
    let t: Vec<i64> = (0..5).map(|i| b.target(KIND_CONTEXT, i, 1, 200)).collect();
    b.cw.context_target = t.clone();
    b.cased_unit("Fabric", t[0], MODERN);
    b.cased_unit("Fabric Protocol", t[1], MODERN);
    b.cased_unit("Kelvin", t[2], MODERN);
    b.cased_unit("École", t[3], MODERN);
    // The same literal in an any-case unit: the exact-case flag is per unit.
    b.unit("fabric", t[4], 0, MODERN, -1);
    let e = b.engine();
    let cases: &[(&str, &[RefSpan])] = &[
        ("Fabric launches", &[(0, 0, 6), (4, 0, 6)]),
        ("fabric launches", &[(4, 0, 6)]),
        ("FABRIC", &[(4, 0, 6)]),
        ("FabriC", &[(4, 0, 6)]),
        ("the Fabric Protocol", &[(0, 4, 10), (4, 4, 10), (1, 4, 19)]),
        // Spaces stand for runs of any white space, compared by position in the literal.
        (
            "Fabric \t\n\u{3000} Protocol",
            &[(0, 0, 6), (4, 0, 6), (1, 0, 19)],
        ),
        ("Fabric protocol", &[(0, 0, 6), (4, 0, 6)]),
        ("Kelvin", &[(2, 0, 6)]),
        // The Kelvin sign folds to `k` but is not the `K` written.
        ("\u{212A}elvin", &[]),
        ("École", &[(3, 0, 5)]),
        ("école ÉCOLE", &[]),
        ("😀 École", &[(3, 2, 7)]),
    ];
    for &(text, expected) in cases {
        assert_eq!(spans(&e, text), expected, "{text:?}");
    }
}

#[test]
fn contraction_aware_end_check() {
    let mut b = Builder::default();
    b.cw.context_terms = vec![b"haven".to_vec(), b"caldera".to_vec(), b"plain".to_vec()];
    let t: Vec<i64> = (0..3).map(|i| b.target(KIND_CONTEXT, i, 1, 200)).collect();
    b.cw.context_target = t.clone();
    b.unit("haven", t[0], 0, MODERN, -1);
    b.unit("caldera", t[1], 0, MODERN, -1);
    // Bit 3 without the end check means nothing.
    b.unit("plain", t[2], 0, FLAG_START | FLAG_CONTRACTION, -1);
    let e = b.engine();
    let cases: &[(&str, &[RefSpan])] = &[
        ("haven't", &[]),
        ("Haven’t", &[]),
        ("Haven's", &[(0, 0, 5)]),
        ("Caldera's token", &[(1, 0, 7)]),
        ("Caldera’s token", &[(1, 0, 7)]),
        ("Caldera'S", &[(1, 0, 7)]),
        // `'s` followed by a word character is not a possessive.
        ("Caldera'sx", &[]),
        ("Caldera’ss", &[]),
        // The apostrophe at the end of the text, or before a non-word character.
        ("Caldera", &[(1, 0, 7)]),
        ("Caldera'", &[(1, 0, 7)]),
        ("Caldera’", &[(1, 0, 7)]),
        ("Caldera' x", &[(1, 0, 7)]),
        ("Caldera''t", &[(1, 0, 7)]),
        ("Caldera'😀", &[(1, 0, 7)]),
        // Another quote is not an apostrophe; a non-ASCII word character is one.
        ("Caldera‘t", &[(1, 0, 7)]),
        ("Caldera'é", &[]),
        ("😀Caldera'd", &[]),
        ("plain't", &[(2, 0, 5)]),
    ];
    for &(text, expected) in cases {
        assert_eq!(spans(&e, text), expected, "{text:?}");
    }
    // Without bit 3 the end check is the seed's.
    let mut b = Builder::phrases(&["haven"]);
    b.cw.units[0].3 = FLAG_START | FLAG_END;
    assert_eq!(spans(&b.engine(), "haven't"), [(0, 0, 5)]);
}

/// Companies 0 "Dogwifhat" (30) and 1 "Wif Labs" (20, vetoed by "wif labs scam"),
/// 2 "Other" (20); `$wif` shared by 0 and 1, `$oth` by 1 and 2; keyword "airdrop" (60).
fn shared_engine() -> Scanner {
    let mut b = Builder::default();
    let c0 = b.company("Dogwifhat", 30);
    let c1 = b.company("Wif Labs", 20);
    let c2 = b.company("Other", 20);
    b.unit("dogwifhat", c0, 0, MODERN, -1);
    b.unit("wif labs", c1, 0, MODERN, -1);
    b.unit("other", c2, 0, MODERN, -1);
    b.veto(1, "wif labs scam");
    b.shared_tag("$wif", &[0, 1]);
    b.shared_tag("$oth", &[1, 2]);
    b.keyword("airdrop", 60);
    b.scoring(true, 1).engine()
}

#[test]
fn shared_cashtags() {
    let e = shared_engine();
    // (text, companies, vetoed, ambiguous)
    type Case<'a> = (&'a str, &'a [(usize, &'a [Span])], &'a [usize], &'a [usize]);
    let cases: &[Case] = &[
        ("Dogwifhat $WIF", &[(0, &[(0, 9), (10, 14)])], &[], &[]),
        ("$WIF to the moon", &[], &[], &[0]),
        ("$wif $oth $wif", &[], &[], &[0, 1]),
        (
            "Dogwifhat and Wif Labs: $wif",
            &[(0, &[(0, 9), (24, 28)]), (1, &[(14, 22), (24, 28)])],
            &[],
            &[],
        ),
        // A vetoed claimant is not matched: the tag is ambiguous, or joins the other.
        ("Wif Labs scam $wif", &[], &[1], &[0]),
        (
            "Dogwifhat, Wif Labs scam, $wif",
            &[(0, &[(0, 9), (26, 30)])],
            &[1],
            &[],
        ),
        // Each tag on its own: `$oth` has no matched claimant here.
        (
            "Dogwifhat $wif $oth",
            &[(0, &[(0, 9), (10, 14)])],
            &[],
            &[1],
        ),
        ("other $oth $wif", &[(2, &[(0, 5), (6, 10)])], &[], &[0]),
    ];
    for &(text, companies, vetoed, ambiguous) in cases {
        let a = e.analyze(&py(text));
        let want: Vec<(usize, Vec<Span>)> =
            companies.iter().map(|&(c, s)| (c, s.to_vec())).collect();
        assert_eq!(a.companies, want, "{text:?}");
        assert_eq!(a.vetoed, vetoed, "{text:?}");
        assert_eq!(a.ambiguous, ambiguous, "{text:?}");
    }
    // Credited once: the company's score counts once however many tags join it.
    let a = e.analyze(&py("Dogwifhat $wif $wif"));
    assert_eq!(a.company_score, 30);
    // find reports kind 5 with the tag's index.
    let got: Vec<(u8, usize, usize, usize)> = e
        .find(&py("$oth $wif"))
        .into_iter()
        .map(|o| (o.kind, o.reference, o.start, o.end))
        .collect();
    assert_eq!(
        got,
        [(KIND_SHARED_TAG, 1, 0, 4), (KIND_SHARED_TAG, 0, 5, 9)]
    );

    // Proximity counts the joined tag's positions as the company's.
    let far = format!("Dogwifhat{} $wif airdrop", " x".repeat(150));
    let a = e.analyze(&py(&far));
    assert_eq!(a.proximity_boost, 20);
    let far = format!("Dogwifhat{} airdrop", " x".repeat(150));
    assert_eq!(e.analyze(&py(&far)).proximity_boost, 0);
    // An ambiguous tag never gives the boost.
    let a = e.analyze(&py("$wif airdrop"));
    assert_eq!((a.proximity_boost, a.company_score), (0, 0));
    assert!(a.is_launch && !a.is_relevant);
}

#[test]
fn span_once_resolution() {
    // (rules as (phrase, weight), text, span_once, reported (rule, spans), keyword score)
    type Case<'a> = (
        &'a [(&'a str, i64)],
        &'a str,
        bool,
        &'a [(usize, &'a [Span])],
        i128,
    );
    let tge: &[(&str, i64)] = &[
        ("token generation event", 25),
        ("token generation event", 45),
    ];
    let airdrop: &[(&str, i64)] = &[("airdrop", 10), ("airdrop campaign", 20)];
    let ties: &[(&str, i64)] = &[("beta gamma", 15), ("alpha beta", 15)];
    let chain: &[(&str, i64)] = &[("aa", 5), ("aa aa", 10)];
    let touching: &[(&str, i64)] = &[("ab", 10), ("-cd", 5)];
    let cases: &[Case] = &[
        (tge, "token generation event", true, &[(1, &[(0, 22)])], 45),
        (
            tge,
            "token generation event",
            false,
            &[(0, &[(0, 22)]), (1, &[(0, 22)])],
            70,
        ),
        (
            airdrop,
            "airdrop campaign, airdrop",
            true,
            &[(0, &[(18, 25)]), (1, &[(0, 16)])],
            30,
        ),
        (airdrop, "airdrop campaign", true, &[(1, &[(0, 16)])], 20),
        // Equal weights: the lower rule index first.
        (ties, "alpha beta gamma", true, &[(0, &[(6, 16)])], 15),
        // Within a rule by start: (0, 5) is kept, (3, 8) overlaps it; the weaker rule
        // keeps only what is left, and counts once for its one span.
        (
            chain,
            "aa aa aa",
            true,
            &[(0, &[(6, 8)]), (1, &[(0, 5)])],
            15,
        ),
        (chain, "aa aa aa aa", true, &[(1, &[(0, 5), (6, 11)])], 10),
        // Spans that only touch do not overlap.
        (
            touching,
            "ab-cd",
            true,
            &[(0, &[(0, 2)]), (1, &[(2, 5)])],
            15,
        ),
    ];
    for &(rules, text, span_once, expected, score) in cases {
        let mut b = Builder::default();
        for &(phrase, weight) in rules {
            b.keyword(phrase, weight);
        }
        let e = b.scoring(span_once, 0).engine();
        let a = e.analyze(&py(text));
        let want: Vec<(usize, Vec<Span>)> =
            expected.iter().map(|&(k, s)| (k, s.to_vec())).collect();
        assert_eq!(a.keywords, want, "{text:?} span_once {span_once}");
        assert_eq!(a.keyword_score, score, "{text:?} span_once {span_once}");
    }

    // Proximity uses only the kept keyword positions: "campaign" (at 8, inside the kept
    // "airdrop campaign" at 0) would be near enough to the company at 205, but is dropped.
    let text = format!("airdrop campaign{} Caldera", " x".repeat(94));
    for (span_once, keywords, boost) in [
        (true, vec![(0, vec![(0, 16)])], 0),
        (false, vec![(0, vec![(0, 16)]), (1, vec![(8, 16)])], 20),
    ] {
        let mut b = Builder::default();
        let c = b.company("Caldera", 30);
        b.unit("caldera", c, 0, MODERN, -1);
        b.keyword("airdrop campaign", 20);
        b.keyword("campaign", 10);
        let a = b.scoring(span_once, 0).engine().analyze(&py(&text));
        assert_eq!(a.companies, [(0, vec![(205, 212)])]);
        assert_eq!(a.keywords, keywords, "span_once {span_once}");
        assert_eq!(a.proximity_boost, boost, "span_once {span_once}");
    }
}

#[test]
fn launch_score_and_relevance_modes() {
    let build = |mode: i64| {
        let mut b = Builder::default();
        let c = b.company("Caldera", 30);
        b.unit("caldera", c, 0, MODERN, -1);
        b.keyword("presale", 40);
        b.keyword("airdrop", 15);
        b.keyword("mega launch", 150);
        b.exclusion("testnet", 30);
        b.scoring(true, mode).engine()
    };
    let (seed, modern) = (build(0), build(1));
    // (text, launch_score, is_launch, confidence, relevant in mode 0, relevant in mode 1)
    let cases: &[(&str, i128, bool, i128, bool, bool)] = &[
        ("Caldera presale", 40, false, 90, true, false),
        ("Caldera presale airdrop", 55, true, 100, true, true),
        // Launch news about no watched company.
        ("presale airdrop", 55, true, 55, true, false),
        ("Caldera", 0, false, 30, false, false),
        // Clamped at both ends.
        ("mega launch", 100, true, 100, true, false),
        ("testnet airdrop", 0, false, 0, false, false),
        (
            "Caldera testnet airdrop presale",
            25,
            false,
            75,
            true,
            false,
        ),
        ("", 0, false, 0, false, false),
    ];
    for &(text, launch, is_launch, confidence, relevant0, relevant1) in cases {
        for (e, relevant) in [(&seed, relevant0), (&modern, relevant1)] {
            let a = e.analyze(&py(text));
            assert_eq!(
                (a.launch_score, a.is_launch, a.confidence, a.is_relevant),
                (launch, is_launch, confidence, relevant),
                "{text:?}"
            );
        }
    }
    // The threshold is inclusive, and 0 makes every document launch news.
    let mut b = Builder::phrases(&["x"]);
    b.cw.launch_threshold = 0;
    assert!(b.engine().analyze(b"nothing").is_launch);
}

#[test]
fn malformed_modern_fields_are_errors() {
    let mut good = Builder::default();
    let c0 = good.company("Alpha", 20);
    let c1 = good.company("Beta", 20);
    good.cased_unit("Alpha Labs", c0, MODERN);
    good.unit("beta", c1, 0, MODERN, -1);
    good.shared_tag("$ab", &[0, 1]);
    good.cw.launch_threshold = 50;
    assert!(Scanner::new(&good.cw).is_ok());
    type Breaker = fn(&mut CompiledWatchlist);
    let breakers: &[(&str, Breaker)] = &[
        ("units[0].cased = -1", |cw| cw.units[0].5 = -1),
        ("units[0].cased = 1", |cw| cw.units[0].5 = 1),
        ("units[1].cased = 0 without", |cw| cw.units[1].5 = 0),
        ("units[0].flags = 16", |cw| cw.units[0].3 = 16),
        ("cased_literals[0] has 9 characters", |cw| {
            cw.cased_literals[0] = b"AlphaLabs".to_vec()
        }),
        ("differ in spaces at 5", |cw| {
            cw.cased_literals[0] = b"Alpha_Labs".to_vec()
        }),
        ("differ in spaces at 5", |cw| {
            cw.literals[0] = b"alpha_labs".to_vec()
        }),
        ("cased_literals[0][1] does not fold", |cw| {
            cw.cased_literals[0] = b"AIpha Labs".to_vec()
        }),
        ("cased_literals[0] is not valid", |cw| {
            cw.cased_literals[0] = vec![0xFF]
        }),
        ("shared_tags[0] is not valid", |cw| {
            cw.shared_tags[0] = vec![0xC0]
        }),
        ("shared_tag_companies[0] is empty", |cw| {
            cw.shared_tag_companies[0] = vec![]
        }),
        ("not strictly ascending at 1", |cw| {
            cw.shared_tag_companies[0] = vec![1, 0]
        }),
        ("not strictly ascending at 1", |cw| {
            cw.shared_tag_companies[0] = vec![1, 1]
        }),
        ("shared_tag_companies[0][1] = 2", |cw| {
            cw.shared_tag_companies[0] = vec![0, 2]
        }),
        ("shared_tag_companies has 0 entries", |cw| {
            cw.shared_tag_companies.clear()
        }),
        ("shared_tag_target has 2 entries", |cw| {
            cw.shared_tag_target.push(0)
        }),
        ("shared_tag_target[0] = 9", |cw| cw.shared_tag_target[0] = 9),
        ("targets[2].ref = 1", |cw| cw.targets[2].1 = 1),
        ("kind 6", |cw| cw.targets[2].0 = 6),
        ("relevance_mode = 2", |cw| cw.relevance_mode = 2),
        ("relevance_mode = -1", |cw| cw.relevance_mode = -1),
        ("launch_threshold = -1", |cw| cw.launch_threshold = -1),
        ("launch_threshold = 1000000001", |cw| {
            cw.launch_threshold = 1_000_000_001
        }),
    ];
    for (expected, breaker) in breakers {
        let mut cw = good.cw.clone();
        breaker(&mut cw);
        match Scanner::new(&cw) {
            Ok(_) => panic!("accepted a watchlist with {expected}"),
            Err(e) => assert!(e.to_string().contains(expected), "{e} lacks {expected:?}"),
        }
    }
    let mut cw = good.cw.clone();
    cw.launch_threshold = 1_000_000_000;
    assert!(Scanner::new(&cw).is_ok());
}
