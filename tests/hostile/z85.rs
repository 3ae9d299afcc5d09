//! Z85 through the C ABI (OSV-2020-1655: libzmq's `zmq_z85_decode` read past the
//! end of a CURVE key given to `zmq_setsockopt` without a terminator). Every
//! answer is compared with the system libzmq's, loaded beside ours with `dlopen`,
//! and nothing may be written past what the answer says.

#[path = "../support/mod.rs"]
mod support;

use core::ffi::{c_char, c_int, c_void};
use std::ffi::CString;

use zmq::constants::*;
use zmq::ffi;

use crate::serial;

type Decode = unsafe extern "C" fn(*mut u8, *const c_char) -> *mut u8;
type Encode = unsafe extern "C" fn(*mut c_char, *const u8, usize) -> *mut c_char;
type Version = unsafe extern "C" fn(*mut c_int, *mut c_int, *mut c_int);

/// The system libzmq's Z85 functions (the reference of this crate's C tests).
struct Reference {
    decode: Decode,
    encode: Encode,
}

fn reference() -> Reference {
    let path = CString::new(support::system_library().into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: dlopen of a shared library by path; RTLD_LOCAL keeps its symbols
    // from interposing on anything of ours. It is never closed.
    let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!handle.is_null(), "dlopen the system libzmq");
    let symbol = |name: &std::ffi::CStr| {
        // SAFETY: looking a symbol up in the handle just opened.
        let found = unsafe { libc::dlsym(handle, name.as_ptr()) };
        assert!(!found.is_null(), "{name:?} in the system libzmq");
        found
    };
    // SAFETY: these symbols have these C signatures in every libzmq 4.x.
    let (decode, encode, version) = unsafe {
        (
            core::mem::transmute::<*mut c_void, Decode>(symbol(c"zmq_z85_decode")),
            core::mem::transmute::<*mut c_void, Encode>(symbol(c"zmq_z85_encode")),
            core::mem::transmute::<*mut c_void, Version>(symbol(c"zmq_version")),
        )
    };
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: three valid int pointers.
    unsafe { version(&mut major, &mut minor, &mut patch) };
    assert_eq!((major, minor), (4, 3), "the reference is libzmq 4.3 (got {major}.{minor}.{patch})");
    Reference { decode, encode }
}

const CANARY: u8 = 0xC5;

/// Decodes `text` with `decode` into a canary-filled buffer: the result (None for
/// NULL, with errno) and the whole buffer.
fn decode_with(decode: Decode, errno: fn() -> c_int, text: &[u8]) -> (Option<c_int>, Vec<u8>) {
    let text = CString::new(text).unwrap();
    let mut out = vec![CANARY; text.as_bytes().len() + 64];
    // SAFETY: a C string, and room for len * 4 / 5 bytes (and more).
    let result = unsafe { decode(out.as_mut_ptr(), text.as_ptr()) };
    let outcome = if result.is_null() { Some(errno()) } else { None };
    assert!(result.is_null() || result == out.as_mut_ptr(), "returns dest or NULL");
    (outcome, out)
}

fn encode_with(encode: Encode, errno: fn() -> c_int, data: &[u8]) -> (Option<c_int>, Vec<u8>) {
    let mut out = vec![CANARY; data.len() * 2 + 64];
    // SAFETY: `data` is valid for its length; room for size * 5 / 4 + 1 bytes.
    let result = unsafe { encode(out.as_mut_ptr().cast(), data.as_ptr(), data.len()) };
    let outcome = if result.is_null() { Some(errno()) } else { None };
    assert!(result.is_null() || result.cast::<u8>() == out.as_mut_ptr());
    (outcome, out)
}

fn our_errno() -> c_int {
    ffi::errno::zmq_errno()
}

fn system_errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

#[test]
fn z85_decode_and_encode_answer_as_libzmq_and_write_nothing_more() {
    let _serial = serial();
    let system = reference();
    let ours_decode: Decode = ffi::util::zmq_z85_decode;
    let ours_encode: Encode = ffi::util::zmq_z85_encode;
    let alphabet = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    let mut compared = 0;
    let mut check_decode = |text: &[u8]| {
        let ours = decode_with(ours_decode, our_errno, text);
        let theirs = decode_with(system.decode, system_errno, text);
        assert_eq!(ours.0, theirs.0, "decode {text:?}: NULL and errno as libzmq");
        // Nothing past the length the text decodes to, whatever the outcome.
        let bound = text.len() / 5 * 4;
        assert!(ours.1[bound..].iter().all(|&b| b == CANARY), "nothing written past {bound} for {text:?}");
        if ours.0.is_none() {
            assert_eq!(ours.1, theirs.1, "decode {text:?}");
        }
        compared += 1;
    };
    // Every length up to 26 (multiples of 5 or not), each character of the alphabet.
    for len in 0..=26 {
        let text: Vec<u8> = (0..len).map(|i| alphabet[(i * 7 + len) % alphabet.len()]).collect();
        check_decode(&text);
    }
    // Every byte value (but NUL, the terminator) in each position of 10 characters,
    // above 0x80 included.
    let base = b"HelloWorld";
    for position in 0..base.len() {
        for byte in 1..=255u8 {
            let mut text = base.to_vec();
            text[position] = byte;
            check_decode(&text);
        }
    }
    // Group values just above 2^32 - 1, in first and last place.
    for text in [&b"%nSc0"[..], b"%nSc1", b"%nSd0", b"#####", b"HelloWorld%nSc1", b"%nSc1HelloWorld"] {
        check_decode(text);
    }
    // Long texts: 40 (a key), 41 (a key and a stray character), 4000, 4001.
    for len in [40, 41, 4000, 4001] {
        let text: Vec<u8> = (0..len).map(|i| alphabet[i % alphabet.len()]).collect();
        check_decode(&text);
    }
    // Encoding: every size up to 40; the ones not a multiple of 4 are NULL.
    let data: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(97)).collect();
    for size in 0..=40 {
        let ours = encode_with(ours_encode, our_errno, &data[..size]);
        let theirs = encode_with(system.encode, system_errno, &data[..size]);
        assert_eq!(ours.0, theirs.0, "encode of {size} bytes");
        let written = if ours.0.is_none() { size / 4 * 5 + 1 } else { 0 };
        assert_eq!(ours.1[..written], theirs.1[..written], "encode of {size} bytes");
        assert!(ours.1[written..].iter().all(|&b| b == CANARY), "nothing past {written} for {size} bytes");
        if size % 4 != 0 {
            assert_eq!(ours.0, Some(libc::EINVAL));
        }
        compared += 1;
    }
    assert!(compared > 2500);
}

#[test]
fn curve_keys_without_a_terminator_are_read_to_their_length_only() {
    // OSV-2020-1655: a 40-character Z85 key given without its NUL, in a buffer that
    // goes on with more text; and a 41-byte value whose last byte is not NUL.
    let _serial = serial();
    let key_text = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    let mut expected = [0u8; 32];
    // SAFETY: a C string of 40 characters and 32 bytes of room.
    assert!(!unsafe {
        ffi::util::zmq_z85_decode(expected.as_mut_ptr(), c"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7".as_ptr())
    }
    .is_null());
    let context = ffi::ctx::zmq_ctx_new();
    let socket = ffi::socket::zmq_socket(context, ZMQ_DEALER);
    assert!(!socket.is_null());
    let set = |value: &[u8], len: usize| {
        // SAFETY: `value` is valid for `len` bytes.
        unsafe { ffi::socket::zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, value.as_ptr().cast(), len) }
    };
    let get = || {
        let mut key = [0u8; 32];
        let mut len = 32usize;
        // SAFETY: a 32-byte buffer and its length.
        let rc = unsafe {
            ffi::socket::zmq_getsockopt(socket, ZMQ_CURVE_SERVERKEY, key.as_mut_ptr().cast(), &mut len)
        };
        assert_eq!(rc, 0);
        key
    };
    // The key followed by more Z85 characters and no NUL anywhere near.
    let mut buffer = key_text.to_vec();
    buffer.extend_from_slice(&[b'0'; 4096]);
    assert_eq!(set(&buffer, 40), 0);
    assert_eq!(get(), expected);
    // 41 bytes whose last is not NUL: 41 characters, not a multiple of 5.
    assert_eq!(set(&[0; 32], 32), 0);
    assert_eq!(set(&buffer, 41), -1);
    assert_eq!(ffi::errno::zmq_errno(), libc::EINVAL);
    // A key with a character above 0x80, a space or a NUL inside: refused.
    for bad in [0x80u8, 0xff, b' ', 0] {
        let mut text = key_text.to_vec();
        text[39] = bad;
        text.extend_from_slice(&[b'0'; 64]);
        assert_eq!(set(&text, 40), -1, "{bad:#x}");
    }
    assert_eq!(ffi::socket::zmq_close(socket), 0);
    assert_eq!(ffi::ctx::zmq_ctx_term(context), 0);
}
