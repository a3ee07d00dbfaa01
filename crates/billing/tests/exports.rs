//! The export style of the crate docs ("Export style"): every public type and function is at
//! the crate root. This reads each module's source and checks that every `pub struct`,
//! `pub enum` and `pub fn` declared at its top level is named in a `pub use` of `lib.rs`, so a
//! type added to a module without its root re-export fails here.

const LIB: &str = include_str!("../src/lib.rs");
const MODULES: [(&str, &str); 8] = [
    ("app", include_str!("../src/app.rs")),
    ("input", include_str!("../src/input.rs")),
    ("lifecycle", include_str!("../src/lifecycle.rs")),
    ("packs", include_str!("../src/packs.rs")),
    ("period", include_str!("../src/period.rs")),
    ("proration", include_str!("../src/proration.rs")),
    ("settlement", include_str!("../src/settlement.rs")),
    ("tariff", include_str!("../src/tariff.rs")),
];

/// The names a `pub use <module>::{...};` (or `pub use <module>::Name;`) of `lib.rs` brings to
/// the root.
fn root_names(module: &str) -> Vec<String> {
    let mut names = Vec::new();
    let prefix = format!("pub use {module}::");
    let mut rest = LIB;
    while let Some(at) = rest.find(&prefix) {
        let after = &rest[at + prefix.len()..];
        let end = after.find(';').expect("a pub use ends with ';'");
        let list = after[..end].trim_matches(|c: char| c == '{' || c == '}' || c.is_whitespace());
        names.extend(
            list.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        );
        rest = &after[end..];
    }
    names
}

/// The top-level `pub struct`, `pub enum` and `pub fn` names of a module's source.
fn declared(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            ["pub struct ", "pub enum ", "pub fn "]
                .iter()
                .find_map(|kw| line.strip_prefix(kw))
        })
        .map(|rest| {
            rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn every_public_type_and_function_is_at_the_root() {
    let mut missing = Vec::new();
    for (module, source) in MODULES {
        let root = root_names(module);
        let names = declared(source);
        assert!(!names.is_empty(), "{module} declares nothing public");
        for name in names {
            if !root.contains(&name) {
                missing.push(format!("{module}::{name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not re-exported at the root: {missing:?}"
    );
}

#[test]
fn the_scan_sees_what_it_checks() {
    // The two readers above, on a known input, so the test cannot pass by reading nothing.
    assert_eq!(
        declared("pub struct A {\n    pub fn inner() {}\n}\npub enum B<T> {}\npub fn c() {}\n"),
        ["A", "B", "c"]
    );
    assert!(root_names("packs").iter().any(|n| n == "PackEngine"));
    assert!(root_names("settlement").iter().any(|n| n == "settle_all"));
}

/// The root paths in use: a billing month named only through `mediameter_billing::`.
#[test]
fn the_root_paths_compile_and_work() {
    use mediameter_billing::{
        AppAction, AppContext, AppStatus, Currency, DateTime, OutOfPeriod, Pack, PackEngine,
        Tariff, TimeRange, UsageItem, Utc, monthly_statement, split_by_period,
    };
    let day = |d: u32| -> DateTime<Utc> { format!("2023-04-{d:02}T00:00:00Z").parse().unwrap() };
    let rtc = "rtc".parse().unwrap();
    let mut engine = PackEngine::with_packs(vec![
        Pack::minutes("pk", "rtc".parse().unwrap(), 10.into(), day(1), day(30)).unwrap(),
    ])
    .unwrap();
    let usage =
        vec![UsageItem::minutes(1, day(2), rtc, "720p".parse().unwrap(), 15.into()).unwrap()];
    let month = TimeRange::new(day(1), day(30)).unwrap();
    let split = split_by_period(usage, month, OutOfPeriod::Refuse).unwrap();
    let report = engine.deduct_batch(&split.inside).unwrap();
    let tariff = Tariff::flat(
        Currency::CNY,
        "rtc".parse().unwrap(),
        mediameter_billing::Unit::Minute,
        "0.028".parse().unwrap(),
    )
    .unwrap();
    let statement = monthly_statement(&report.ledger, month, &tariff, &Default::default()).unwrap();
    assert_eq!(statement.total.to_string(), "0.14"); // 5 minutes over the pack
    let funded = AppContext::new(engine.has_balance(&"rtc".parse().unwrap(), day(2)), false);
    assert_eq!(
        AppStatus::Disabled.transition(AppAction::Enable, funded),
        Err(mediameter_billing::AppRefusal::NoPackBalance)
    );
}
