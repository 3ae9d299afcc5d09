//! How option values cross `zmq_setsockopt`/`zmq_getsockopt`: each of libzmq's
//! decoding and encoding rules, in one place. libzmq: `options.cpp` (`do_setsockopt*`,
//! `do_getsockopt*`, `set_curve_key`).
//!
//! A value given to `zmq_setsockopt` is a [`Raw`]: `None` for a NULL pointer (with a
//! zero length), `Some(bytes)` otherwise. libzmq tells the two apart for a few string
//! options, where NULL clears the value and an empty non-NULL buffer is `EINVAL`.

use core::ffi::c_int;

use crate::error::{Errno, Result};
use crate::util::z85;

/// `optval`/`optvallen` of `zmq_setsockopt`: `None` is a NULL `optval` (length 0).
pub type Raw<'a> = Option<&'a [u8]>;

/// The size of a CURVE key in bytes.
pub(crate) const CURVE_KEY_SIZE: usize = 32;
/// The size of a CURVE key in Z85 text, without the terminating NUL.
pub(crate) const CURVE_KEY_SIZE_Z85: usize = 40;

/// The bytes of `value`, empty for NULL.
pub fn bytes(value: Raw<'_>) -> &[u8] {
    value.unwrap_or(&[])
}

fn fixed<const N: usize>(value: Raw<'_>) -> Result<[u8; N]> {
    bytes(value).try_into().map_err(|_| Errno::EINVAL)
}

/// An `int`: exactly `sizeof(int)` bytes, native endian.
pub fn int(value: Raw<'_>) -> Result<c_int> {
    fixed(value).map(c_int::from_ne_bytes)
}

/// An `int` that `accept` allows (libzmq's `is_int && <range>` tests).
pub fn int_where(value: Raw<'_>, accept: impl Fn(c_int) -> bool) -> Result<c_int> {
    int(value).and_then(|v| if accept(v) { Ok(v) } else { Err(Errno::EINVAL) })
}

/// An `int` used as a boolean that must be 0 or 1
/// (`do_setsockopt_int_as_bool_strict`).
pub fn bool_strict(value: Raw<'_>) -> Result<bool> {
    match int(value)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Errno::EINVAL),
    }
}

/// An `int` used as a boolean: any non-zero value is true
/// (`do_setsockopt_int_as_bool_relaxed`).
pub fn bool_relaxed(value: Raw<'_>) -> Result<bool> {
    int(value).map(|v| v != 0)
}

/// An `int64_t`: exactly 8 bytes.
pub fn i64(value: Raw<'_>) -> Result<i64> {
    fixed(value).map(i64::from_ne_bytes)
}

/// A `uint64_t`: exactly 8 bytes.
pub fn u64(value: Raw<'_>) -> Result<u64> {
    fixed(value).map(u64::from_ne_bytes)
}

/// A binary string of 1 to `max` bytes; empty (NULL or not) is `EINVAL`
/// (`do_setsockopt_string_allow_empty_relaxed`, and the ROUTING_ID, PLAIN and GSSAPI
/// length tests).
pub fn string_nonempty(value: Raw<'_>, max: usize) -> Result<Vec<u8>> {
    let value = bytes(value);
    if value.is_empty() || value.len() > max {
        return Err(Errno::EINVAL);
    }
    Ok(value.to_vec())
}

/// A binary string of 1 to `max` bytes, or NULL to clear it (the empty result); an
/// empty non-NULL buffer is `EINVAL` (`do_setsockopt_string_allow_empty_strict`).
pub fn string_or_null(value: Raw<'_>, max: usize) -> Result<Vec<u8>> {
    match value {
        None => Ok(Vec::new()),
        Some(value) => string_nonempty(Some(value), max),
    }
}

/// A binary string of at most `max` bytes where NULL and empty both clear it
/// (ZMQ_SOCKS_USERNAME, ZMQ_SOCKS_PASSWORD).
pub fn string_or_empty(value: Raw<'_>, max: usize) -> Result<Vec<u8>> {
    let value = bytes(value);
    if value.len() > max {
        return Err(Errno::EINVAL);
    }
    Ok(value.to_vec())
}

/// One member of a set option (`do_setsockopt_set`): `Ok(None)` for NULL (clear
/// the set), `Ok(Some(id))` for exactly `sizeof(T)` = 4 bytes.
pub fn set_member(value: Raw<'_>) -> Result<Option<[u8; 4]>> {
    match value {
        None => Ok(None),
        Some(value) => value.try_into().map(Some).map_err(|_| Errno::EINVAL),
    }
}

/// The bytes up to the first NUL, as a C function reading the value as a string
/// sees them.
pub fn c_string(value: &[u8]) -> &[u8] {
    match value.iter().position(|&byte| byte == 0) {
        Some(end) => value.get(..end).unwrap_or(value),
        None => value,
    }
}

/// Sets a CURVE key (`set_curve_key`): 32 raw bytes, or 40 characters of Z85, or 41
/// bytes of Z85 and its NUL. `Err` leaves the mechanism alone.
///
/// The text is read as a C string (up to its first NUL) and decoded as
/// `zmq_z85_decode` does, straight into the key: a shorter text that is still a
/// multiple of 5 characters replaces only the first bytes of the key (and succeeds);
/// a bad group fails but leaves the groups before it written. A 41-byte value whose
/// last byte is not NUL is 41 characters long, so it fails.
pub fn set_curve_key(key: &mut [u8; CURVE_KEY_SIZE], value: Raw<'_>) -> Result<()> {
    let value = bytes(value);
    match value.len() {
        CURVE_KEY_SIZE => {
            key.copy_from_slice(value);
            Ok(())
        }
        CURVE_KEY_SIZE_Z85 | 41 => decode_z85_into(key, c_string(value)),
        _ => Err(Errno::EINVAL),
    }
}

/// `zmq_z85_decode` into `key` (`text` holds at most 41 characters).
fn decode_z85_into(key: &mut [u8; CURVE_KEY_SIZE], text: &[u8]) -> Result<()> {
    if text.len() < 5 || !text.len().is_multiple_of(5) || text.len() / 5 * 4 > CURVE_KEY_SIZE {
        return Err(Errno::EINVAL);
    }
    for (group, out) in text.chunks_exact(5).zip(key.chunks_exact_mut(4)) {
        let decoded = z85::decode(group).ok_or(Errno::EINVAL)?;
        if decoded.len() != out.len() {
            return Err(Errno::EINVAL);
        }
        out.copy_from_slice(&decoded);
    }
    Ok(())
}

// ---- getsockopt ----------------------------------------------------------------

/// An `int` out: the buffer must be exactly `sizeof(int)` bytes.
pub fn int_out(value: c_int, capacity: usize) -> Result<Vec<u8>> {
    exact_out(&value.to_ne_bytes(), capacity)
}

/// A boolean out, as an `int` 0 or 1.
pub fn bool_out(value: bool, capacity: usize) -> Result<Vec<u8>> {
    int_out(c_int::from(value), capacity)
}

/// An `int64_t` out: the buffer must be exactly 8 bytes.
pub fn i64_out(value: i64, capacity: usize) -> Result<Vec<u8>> {
    exact_out(&value.to_ne_bytes(), capacity)
}

/// A `uint64_t` out: the buffer must be exactly 8 bytes.
pub fn u64_out(value: u64, capacity: usize) -> Result<Vec<u8>> {
    exact_out(&value.to_ne_bytes(), capacity)
}

fn exact_out(value: &[u8], capacity: usize) -> Result<Vec<u8>> {
    if capacity != value.len() {
        return Err(Errno::EINVAL);
    }
    Ok(value.to_vec())
}

/// Binary bytes out (`do_getsockopt`): the buffer must hold them all.
pub fn bytes_out(value: &[u8], capacity: usize) -> Result<Vec<u8>> {
    if capacity < value.len() {
        return Err(Errno::EINVAL);
    }
    Ok(value.to_vec())
}

/// A string out (`do_getsockopt` of a `std::string`): its bytes and a terminating
/// NUL; the buffer must hold them all.
pub fn string_out(value: &[u8], capacity: usize) -> Result<Vec<u8>> {
    let mut text = Vec::with_capacity(value.len() + 1);
    text.extend_from_slice(value);
    text.push(0);
    bytes_out(&text, capacity)
}

/// A CURVE key out (`do_getsockopt_curve_key`): 32 raw bytes for a 32-byte buffer,
/// Z85 and a NUL for a 41-byte buffer, `EINVAL` for any other size.
pub fn curve_key_out(key: &[u8; CURVE_KEY_SIZE], capacity: usize) -> Result<Vec<u8>> {
    match capacity {
        CURVE_KEY_SIZE => Ok(key.to_vec()),
        41 => {
            let mut text = z85::encode(key).ok_or(Errno::EINVAL)?.into_bytes();
            text.push(0);
            Ok(text)
        }
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_Z85: &[u8; 40] = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    const KEY: [u8; 32] = [
        0x54, 0xfc, 0xba, 0x24, 0xe9, 0x32, 0x49, 0x96, 0x93, 0x16, 0xfb, 0x61, 0x7c, 0x87, 0x2b, 0xb0, 0xc1,
        0xd1, 0xff, 0x14, 0x80, 0x04, 0x27, 0xc5, 0x94, 0xcb, 0xfa, 0xcf, 0x1b, 0xc2, 0xd6, 0x52,
    ];

    #[test]
    fn ints_need_exactly_four_bytes() {
        assert_eq!(int(Some(&7i32.to_ne_bytes())), Ok(7));
        assert_eq!(int(Some(&[1, 2, 3])), Err(Errno::EINVAL));
        assert_eq!(int(Some(&[0; 8])), Err(Errno::EINVAL));
        assert_eq!(int(None), Err(Errno::EINVAL));
        assert_eq!(int_where(Some(&(-1i32).to_ne_bytes()), |v| v >= 0), Err(Errno::EINVAL));
    }

    #[test]
    fn bools() {
        assert_eq!(bool_strict(Some(&1i32.to_ne_bytes())), Ok(true));
        assert_eq!(bool_strict(Some(&2i32.to_ne_bytes())), Err(Errno::EINVAL));
        assert_eq!(bool_strict(Some(&(-1i32).to_ne_bytes())), Err(Errno::EINVAL));
        assert_eq!(bool_relaxed(Some(&(-5i32).to_ne_bytes())), Ok(true));
        assert_eq!(bool_relaxed(Some(&0i32.to_ne_bytes())), Ok(false));
        assert_eq!(bool_relaxed(Some(&[1])), Err(Errno::EINVAL));
    }

    #[test]
    fn wide_ints_need_exactly_eight_bytes() {
        assert_eq!(i64(Some(&(-5i64).to_ne_bytes())), Ok(-5));
        assert_eq!(i64(Some(&4i32.to_ne_bytes())), Err(Errno::EINVAL));
        assert_eq!(u64(Some(&u64::MAX.to_ne_bytes())), Ok(u64::MAX));
        assert_eq!(u64(Some(b"abcd")), Err(Errno::EINVAL));
    }

    #[test]
    fn strings() {
        assert_eq!(string_nonempty(Some(b"a"), 1), Ok(b"a".to_vec()));
        assert_eq!(string_nonempty(Some(b"ab"), 1), Err(Errno::EINVAL));
        assert_eq!(string_nonempty(Some(b""), 1), Err(Errno::EINVAL));
        assert_eq!(string_nonempty(None, 1), Err(Errno::EINVAL));
        assert_eq!(string_or_null(None, 3), Ok(Vec::new()));
        assert_eq!(string_or_null(Some(b""), 3), Err(Errno::EINVAL));
        assert_eq!(string_or_null(Some(b"abcd"), 3), Err(Errno::EINVAL));
        assert_eq!(string_or_empty(Some(b""), 3), Ok(Vec::new()));
        assert_eq!(string_or_empty(None, 3), Ok(Vec::new()));
        assert_eq!(string_or_empty(Some(b"abcd"), 3), Err(Errno::EINVAL));
        assert_eq!(c_string(b"ab\0cd"), b"ab");
        assert_eq!(c_string(b"abcd"), b"abcd");
    }

    #[test]
    fn set_members() {
        assert_eq!(set_member(None), Ok(None));
        assert_eq!(set_member(Some(&[1, 0, 0, 0])), Ok(Some([1, 0, 0, 0])));
        assert_eq!(set_member(Some(b"")), Err(Errno::EINVAL));
        assert_eq!(set_member(Some(b"abcde")), Err(Errno::EINVAL));
    }

    #[test]
    fn curve_keys_in() {
        let mut key = [0; 32];
        assert_eq!(set_curve_key(&mut key, Some(KEY_Z85)), Ok(()));
        assert_eq!(key, KEY);
        let mut with_nul = KEY_Z85.to_vec();
        with_nul.push(0);
        key = [0; 32];
        assert_eq!(set_curve_key(&mut key, Some(&with_nul)), Ok(()));
        assert_eq!(key, KEY);
        // 41 bytes without a NUL is 41 characters of text.
        with_nul[40] = b'x';
        assert_eq!(set_curve_key(&mut key, Some(&with_nul)), Err(Errno::EINVAL));
        // Raw.
        assert_eq!(set_curve_key(&mut key, Some(&[0x11; 32])), Ok(()));
        assert_eq!(key, [0x11; 32]);
        // Other sizes.
        for len in [0, 1, 31, 33, 39, 42, 64] {
            assert_eq!(set_curve_key(&mut key, Some(&vec![b'0'; len])), Err(Errno::EINVAL), "{len}");
        }
        assert_eq!(set_curve_key(&mut key, None), Err(Errno::EINVAL));
    }

    #[test]
    fn curve_key_text_is_read_up_to_its_nul() {
        // A NUL at 35: 35 characters decode into the first 28 bytes (libzmq accepts).
        let mut text = KEY_Z85.to_vec();
        text.push(0);
        text[35] = 0;
        let mut key = [0x11; 32];
        assert_eq!(set_curve_key(&mut key, Some(&text)), Ok(()));
        assert_eq!(key[..28], KEY[..28]);
        assert_eq!(key[28..], [0x11; 4]);
        // A NUL at 3 (3 characters) or 0 (none): EINVAL, key untouched.
        text[3] = 0;
        key = [0x11; 32];
        assert_eq!(set_curve_key(&mut key, Some(&text)), Err(Errno::EINVAL));
        assert_eq!(key, [0x11; 32]);
        let mut text = KEY_Z85.to_vec();
        text[0] = 0;
        assert_eq!(set_curve_key(&mut key, Some(&text)), Err(Errno::EINVAL));
        assert_eq!(key, [0x11; 32]);
    }

    #[test]
    fn bad_z85_fails_after_writing_the_groups_before_it() {
        let mut text = KEY_Z85.to_vec();
        text[7] = b' ';
        let mut key = [0x11; 32];
        assert_eq!(set_curve_key(&mut key, Some(&text)), Err(Errno::EINVAL));
        assert_eq!(key[..4], KEY[..4]);
        assert_eq!(key[4..], [0x11; 28]);
    }

    #[test]
    fn getsockopt_encodings() {
        assert_eq!(int_out(5, 4), Ok(5i32.to_ne_bytes().to_vec()));
        for capacity in [0, 3, 5, 8] {
            assert_eq!(int_out(5, capacity), Err(Errno::EINVAL));
        }
        assert_eq!(bool_out(true, 4), Ok(1i32.to_ne_bytes().to_vec()));
        assert_eq!(i64_out(-1, 8), Ok((-1i64).to_ne_bytes().to_vec()));
        assert_eq!(i64_out(-1, 4), Err(Errno::EINVAL));
        assert_eq!(i64_out(-1, 16), Err(Errno::EINVAL));
        assert_eq!(u64_out(3, 8), Ok(3u64.to_ne_bytes().to_vec()));
        assert_eq!(bytes_out(b"ab", 2), Ok(b"ab".to_vec()));
        assert_eq!(bytes_out(b"ab", 100), Ok(b"ab".to_vec()));
        assert_eq!(bytes_out(b"ab", 1), Err(Errno::EINVAL));
        assert_eq!(bytes_out(b"", 0), Ok(Vec::new()));
        assert_eq!(string_out(b"ab", 3), Ok(b"ab\0".to_vec()));
        assert_eq!(string_out(b"ab", 2), Err(Errno::EINVAL));
        assert_eq!(string_out(b"", 0), Err(Errno::EINVAL));
        assert_eq!(string_out(b"a\0b", 4), Ok(b"a\0b\0".to_vec()));
    }

    #[test]
    fn curve_keys_out() {
        assert_eq!(curve_key_out(&KEY, 32), Ok(KEY.to_vec()));
        let mut text = KEY_Z85.to_vec();
        text.push(0);
        assert_eq!(curve_key_out(&KEY, 41), Ok(text));
        let mut zeros = vec![b'0'; 40];
        zeros.push(0);
        assert_eq!(curve_key_out(&[0; 32], 41), Ok(zeros));
        for capacity in [0, 31, 33, 40, 42] {
            assert_eq!(curve_key_out(&KEY, capacity), Err(Errno::EINVAL));
        }
    }
}
