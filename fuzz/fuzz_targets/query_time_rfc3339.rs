#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mediameter_fuzz::query::time_rfc3339(data));
