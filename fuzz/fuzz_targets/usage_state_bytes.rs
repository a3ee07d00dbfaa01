#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mediameter_fuzz::usage::state_bytes(data));
