//! The `udp_datagram` target: its body is `zmq::fuzzing::udp_datagram` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/udp_datagram/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::udp_datagram(data));
