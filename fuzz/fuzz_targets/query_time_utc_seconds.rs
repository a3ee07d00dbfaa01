#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mediameter_fuzz::query::time_utc_seconds(data));
