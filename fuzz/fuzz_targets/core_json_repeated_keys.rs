#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mediameter_fuzz::core::json_repeated_keys(data));
