//! Other crates keep copies of the CLI's sample data so that their tests and examples build
//! from their own published packages; the copies must not drift from what `mediameter demo`
//! shows.

#[test]
fn the_diagnostics_tests_read_the_demo_call() {
    assert!(
        include_str!("../data/diagnostics_call.json")
            == include_str!("../../diagnostics/tests/data/demo_call.json"),
        "crates/diagnostics/tests/data/demo_call.json differs from crates/cli/data/diagnostics_call.json"
    );
}

#[test]
fn the_gateway_example_serves_the_demo_segments() {
    assert!(
        include_str!("../data/usage_sample.csv")
            == include_str!("../../gateway/examples/service/usage_sample.csv"),
        "crates/gateway/examples/service/usage_sample.csv differs from crates/cli/data/usage_sample.csv"
    );
}

#[test]
fn the_facade_tests_bill_the_demo_month() {
    for (cli, copy, name) in [
        (
            include_str!("../data/usage_sample.csv"),
            include_str!("../../mediameter/tests/data/usage_sample.csv"),
            "usage_sample.csv",
        ),
        (
            include_str!("../data/invoice_packs.json"),
            include_str!("../../mediameter/tests/data/invoice_packs.json"),
            "invoice_packs.json",
        ),
        (
            include_str!("../data/invoice_tariff.json"),
            include_str!("../../mediameter/tests/data/invoice_tariff.json"),
            "invoice_tariff.json",
        ),
        (
            include_str!("../data/invoice_mapping.json"),
            include_str!("../../mediameter/tests/data/invoice_mapping.json"),
            "invoice_mapping.json",
        ),
    ] {
        assert!(
            cli == copy,
            "crates/mediameter/tests/data/{name} differs from crates/cli/data/{name}"
        );
    }
}
