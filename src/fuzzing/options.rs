//! Socket option values: `zmq_setsockopt`/`zmq_getsockopt` on a real socket.

use std::sync::OnceLock;

use super::Input;
use crate::constants::ZMQ_CURVE_PUBLICKEY;
use crate::error::Errno;
use crate::{Context, Socket};

/// Buffer sizes worth asking with: each fixed size an option comes in, and others.
const CAPACITIES: [usize; 8] = [0, 1, 4, 8, 32, 41, 256, 3];

fn context() -> &'static Context {
    static CONTEXT: OnceLock<Context> = OnceLock::new();
    CONTEXT.get_or_init(Context::new)
}

/// `zmq_getsockopt`'s outcome must be a value that fits the buffer, or `EINVAL`.
fn get(socket: &Socket, option: i32, capacity: usize) -> Option<Vec<u8>> {
    match socket.option(option, capacity) {
        Ok(value) => {
            assert!(
                value.len() <= capacity,
                "option {option}: {} bytes for a buffer of {capacity}",
                value.len()
            );
            Some(value)
        }
        Err(error) => {
            assert_eq!(error, Errno::EINVAL, "getsockopt({option}, {capacity})");
            None
        }
    }
}

/// Arbitrary `zmq_setsockopt` and `zmq_getsockopt` calls, every option id (and ids
/// that are none), on a fresh socket of any type: values of any length (NULL
/// included) and buffers of any size. Nothing may panic; every refusal is `EINVAL`,
/// as libzmq's; and a value of a fixed-size option read back (an `int`, an `int64`,
/// a raw or Z85 CURVE key), when accepted set again, reads back the same
/// (set(get()) changes nothing).
///
/// Input: a socket type byte, then calls: an opcode byte (`% 4`: set with a value
/// of a length byte and bytes; set NULL; get; set an `int`), an option id byte
/// (minus one), and the operands.
pub fn socket_options(data: &[u8]) {
    let mut input = Input(data);
    let socket_type = i32::from(input.byte() % 21);
    let Ok(socket) = Socket::new(context(), socket_type) else { return };
    while !input.is_empty() {
        let op = input.byte();
        let option = i32::from(input.byte()) - 1;
        let outcome = match op % 4 {
            0 => Some(socket.set_option(option, Some(input.short()))),
            1 => Some(socket.set_option(option, None)),
            2 => {
                let capacity = CAPACITIES[usize::from(op >> 2) % CAPACITIES.len()];
                let _ = get(&socket, option, capacity);
                None
            }
            _ => Some(socket.set_option(option, Some(input.bytes(4)))),
        };
        if let Some(Err(error)) = outcome {
            assert_eq!(error, Errno::EINVAL, "setsockopt({option})");
        }
        // set(get()) changes nothing, for options of a fixed size (those refuse a
        // larger buffer, where strings would fill it).
        for capacity in [4, 8, 32, 41] {
            let Some(value) = get(&socket, option, capacity).filter(|value| value.len() == capacity) else {
                continue;
            };
            if get(&socket, option, capacity + 1).is_some() {
                continue;
            }
            if socket.set_option(option, Some(&value)).is_ok() {
                assert_eq!(get(&socket, option, capacity), Some(value), "option {option}, {capacity} bytes");
            }
        }
    }
    // A CURVE key can always be read in both forms.
    let raw = get(&socket, ZMQ_CURVE_PUBLICKEY, 32);
    let text = get(&socket, ZMQ_CURVE_PUBLICKEY, 41);
    assert_eq!(raw.is_some(), text.is_some());
    socket.close();
}
