//! Z85 (RFC 32), in the engine and through the C ABI.

use core::ffi::c_char;
use std::ffi::CString;

use crate::ffi::util::{zmq_curve_public, zmq_z85_decode, zmq_z85_encode};
use crate::util::curve_keys::public_key;
use crate::util::z85::{decode, encode};

/// RFC 32's alphabet, written out again so that the reference below shares
/// nothing with the decoder it checks.
const DIGITS: &[u8] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// libzmq's `zmq_z85_decode` read plainly: a non-empty multiple of 5 characters,
/// each a digit, each group at most 0xFFFFFFFF.
fn reference_decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.is_empty() || !text.len().is_multiple_of(5) {
        return None;
    }
    let mut out = Vec::new();
    for group in text.chunks(5) {
        let mut value: u64 = 0;
        for &c in group {
            value = value * 85 + DIGITS.iter().position(|&d| d == c)? as u64;
        }
        out.extend_from_slice(&u32::try_from(value).ok()?.to_be_bytes());
    }
    Some(out)
}

/// Z85 both ways, against a plain reading of RFC 32 and libzmq's rules: the input
/// read as text decodes exactly when the reference does, to the same bytes, and
/// those encode back to the same text (Z85 is a bijection); read as bytes it
/// encodes exactly when its length is a multiple of 4 and decodes back. The C
/// functions (`zmq_z85_encode`, `zmq_z85_decode`, `zmq_curve_public`) agree with
/// the engine, write no further than they promise, and fail with NULL/-1 exactly
/// when it does.
pub fn z85(data: &[u8]) {
    // The input as text.
    let decoded = decode(data);
    assert_eq!(decoded, reference_decode(data));
    if let Some(bytes) = &decoded {
        assert_eq!(encode(bytes).as_deref().map(str::as_bytes), Some(data), "Z85 is a bijection");
    }
    // The input as bytes.
    match encode(data) {
        None => assert!(!data.len().is_multiple_of(4)),
        Some(text) => {
            assert_eq!(text.len(), data.len() / 4 * 5);
            assert!(text.bytes().all(|c| DIGITS.contains(&c)));
            let back = decode(text.as_bytes());
            assert_eq!(back.as_deref(), if data.is_empty() { None } else { Some(data) });
        }
    }
    // Through the C ABI: text up to the first NUL, as C sees it.
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = &data[..end];
    let Ok(c_text) = CString::new(text) else { return };
    // One guard byte past what each function may write.
    let mut dest = vec![0xa5u8; text.len() * 4 / 5 + 1];
    // SAFETY: `c_text` is a C string and `dest` has room for strlen * 4 / 5 bytes.
    let result = unsafe { zmq_z85_decode(dest.as_mut_ptr(), c_text.as_ptr()) };
    match decode(text) {
        Some(bytes) => {
            assert_eq!(result, dest.as_mut_ptr());
            assert_eq!(&dest[..bytes.len()], &bytes[..]);
        }
        None => assert!(result.is_null()),
    }
    assert_eq!(dest.last(), Some(&0xa5), "zmq_z85_decode wrote past its output");
    let mut text_out = vec![0x5au8; data.len() * 5 / 4 + 2];
    let out_ptr = text_out.as_mut_ptr().cast::<c_char>();
    // SAFETY: `data` is valid for its length and `text_out` for size * 5 / 4 + 1 bytes.
    let result = unsafe { zmq_z85_encode(out_ptr, data.as_ptr(), data.len()) };
    match encode(data) {
        Some(text) => {
            assert_eq!(result, out_ptr);
            assert_eq!(&text_out[..text.len()], text.as_bytes());
            assert_eq!(text_out[text.len()], 0);
        }
        None => assert!(result.is_null()),
    }
    assert_eq!(text_out.last(), Some(&0x5a), "zmq_z85_encode wrote past its output");
    let mut public = [0x77u8; 42];
    let public_ptr = public.as_mut_ptr().cast::<c_char>();
    // SAFETY: `public` has room for 41 bytes and `c_text` is a C string.
    let result = unsafe { zmq_curve_public(public_ptr, c_text.as_ptr()) };
    match decode(text).and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()) {
        Some(secret) => {
            assert_eq!(result, 0);
            let expected = encode(&public_key(&secret)).unwrap_or_default();
            assert_eq!(&public[..40], expected.as_bytes());
            assert_eq!(public[40], 0);
        }
        None => assert_eq!(result, -1),
    }
    assert_eq!(public[41], 0x77, "zmq_curve_public wrote past its output");
}
