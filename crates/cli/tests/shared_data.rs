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
