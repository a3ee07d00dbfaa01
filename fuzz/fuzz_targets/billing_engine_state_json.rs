#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mediameter_fuzz::billing::engine_state_json(data));
