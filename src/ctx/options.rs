//! Context options (`zmq_ctx_set`/`zmq_ctx_get` and their `_ext` forms), with libzmq's
//! defaults and exact EINVAL rules. libzmq: `ctx.cpp` (`ctx_t::set/get`,
//! `thread_ctx_t::set/get`).

use core::ffi::c_int;
use std::collections::BTreeSet;

use crate::constants::*;
use crate::error::{Errno, Result};
use crate::reactor::thread_setup::{thread_name, ThreadSetup};

/// The size of `zmq_msg_t`, reported by `ZMQ_MSG_T_SIZE`.
pub(crate) const MSG_T_SIZE: c_int = 64;

/// What `ZMQ_SOCKET_LIMIT` reports: the largest `ZMQ_MAX_SOCKETS` accepted. libzmq's
/// epoll build has no descriptor-set limit, so this is its fixed ceiling.
pub(crate) const SOCKET_LIMIT: c_int = 65535;

/// The longest thread-name prefix (Linux thread names hold 16 bytes).
const THREAD_NAME_PREFIX_MAX: usize = 16;

/// Every context option, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextOptions {
    pub io_threads: c_int,
    pub max_sockets: c_int,
    pub max_msgsz: c_int,
    pub ipv6: bool,
    pub blocky: bool,
    pub zero_copy_recv: bool,
    pub thread_priority: c_int,
    pub thread_sched_policy: c_int,
    pub thread_affinity_cpus: BTreeSet<c_int>,
    pub thread_name_prefix: Vec<u8>,
}

impl Default for ContextOptions {
    fn default() -> ContextOptions {
        ContextOptions {
            io_threads: ZMQ_IO_THREADS_DFLT,
            max_sockets: ZMQ_MAX_SOCKETS_DFLT,
            max_msgsz: c_int::MAX,
            ipv6: false,
            blocky: true,
            zero_copy_recv: true,
            thread_priority: ZMQ_THREAD_PRIORITY_DFLT,
            thread_sched_policy: ZMQ_THREAD_SCHED_POLICY_DFLT,
            thread_affinity_cpus: BTreeSet::new(),
            thread_name_prefix: Vec::new(),
        }
    }
}

/// An option value as C passes it: an `int` exactly when it is `sizeof(int)` bytes.
fn as_int(value: &[u8]) -> Option<c_int> {
    Some(c_int::from_ne_bytes(value.try_into().ok()?))
}

impl ContextOptions {
    /// `zmq_ctx_set_ext`: `value` is the raw option value (`zmq_ctx_set` passes an
    /// `int`). Every rejected value or unknown option is `EINVAL`.
    pub fn set(&mut self, option: c_int, value: &[u8]) -> Result<()> {
        let int = as_int(value);
        let non_negative = int.filter(|&v| v >= 0);
        match (option, non_negative) {
            (ZMQ_MAX_SOCKETS, Some(v)) if v >= 1 => self.max_sockets = v,
            (ZMQ_IO_THREADS, Some(v)) => self.io_threads = v,
            (ZMQ_IPV6, Some(v)) => self.ipv6 = v != 0,
            (ZMQ_BLOCKY, Some(v)) => self.blocky = v != 0,
            (ZMQ_MAX_MSGSZ, Some(v)) => self.max_msgsz = v,
            (ZMQ_ZERO_COPY_RECV, Some(v)) => self.zero_copy_recv = v != 0,
            (ZMQ_THREAD_SCHED_POLICY, Some(v)) => self.thread_sched_policy = v,
            (ZMQ_THREAD_PRIORITY, Some(v)) => self.thread_priority = v,
            (ZMQ_THREAD_AFFINITY_CPU_ADD, Some(v)) => {
                self.thread_affinity_cpus.insert(v);
            }
            (ZMQ_THREAD_AFFINITY_CPU_REMOVE, Some(v)) => {
                if !self.thread_affinity_cpus.remove(&v) {
                    return Err(Errno::EINVAL);
                }
            }
            // An int is stored as its decimal text; otherwise 1 to 16 bytes of name.
            (ZMQ_THREAD_NAME_PREFIX, _) => match int {
                Some(v) => self.thread_name_prefix = v.to_string().into_bytes(),
                None if (1..=THREAD_NAME_PREFIX_MAX).contains(&value.len()) => {
                    self.thread_name_prefix = value.to_vec();
                }
                None => return Err(Errno::EINVAL),
            },
            _ => return Err(Errno::EINVAL),
        }
        Ok(())
    }

    /// `zmq_ctx_get`: an option readable as an `int`. Options that can only be set
    /// (priority, affinity) and unknown options are `EINVAL`.
    pub fn get(&self, option: c_int) -> Result<c_int> {
        Ok(match option {
            ZMQ_MAX_SOCKETS => self.max_sockets,
            ZMQ_SOCKET_LIMIT => SOCKET_LIMIT,
            ZMQ_IO_THREADS => self.io_threads,
            ZMQ_IPV6 => self.ipv6.into(),
            ZMQ_BLOCKY => self.blocky.into(),
            ZMQ_MAX_MSGSZ => self.max_msgsz,
            ZMQ_MSG_T_SIZE => MSG_T_SIZE,
            ZMQ_ZERO_COPY_RECV => self.zero_copy_recv.into(),
            ZMQ_THREAD_SCHED_POLICY => self.thread_sched_policy,
            ZMQ_THREAD_NAME_PREFIX => leading_int(&self.thread_name_prefix),
            _ => return Err(Errno::EINVAL),
        })
    }

    /// `zmq_ctx_get_ext` with a buffer of `capacity` bytes: an `int` when the buffer is
    /// `sizeof(int)`, else the bytes of a byte-valued option if they fit.
    pub fn get_ext(&self, option: c_int, capacity: usize) -> Result<Vec<u8>> {
        if capacity == core::mem::size_of::<c_int>() {
            return Ok(self.get(option)?.to_ne_bytes().to_vec());
        }
        match option {
            ZMQ_THREAD_NAME_PREFIX if capacity >= self.thread_name_prefix.len() => {
                Ok(self.thread_name_prefix.clone())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// How a background thread in `role` (`IO/0`…) names and schedules itself.
    pub fn thread_setup(&self, role: &str) -> ThreadSetup {
        let set = |value: c_int| (value >= 0).then_some(value);
        ThreadSetup {
            name: thread_name(&self.thread_name_prefix, role),
            policy: set(self.thread_sched_policy),
            priority: set(self.thread_priority),
            cpus: self.thread_affinity_cpus.iter().filter_map(|&cpu| usize::try_from(cpu).ok()).collect(),
        }
    }
}

/// C's `atoi`: optional blanks, an optional sign, then digits; 0 when there are none.
fn leading_int(text: &[u8]) -> c_int {
    let text = text.trim_ascii_start();
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let magnitude = digits
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |n, &d| (n * 10 + i64::from(d - b'0')).min(i64::from(u32::MAX)));
    let value = if negative { -magnitude } else { magnitude };
    value.clamp(c_int::MIN.into(), c_int::MAX.into()) as c_int
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: c_int) -> [u8; 4] {
        v.to_ne_bytes()
    }

    #[test]
    fn defaults_are_libzmqs() {
        let options = ContextOptions::default();
        assert_eq!(options.get(ZMQ_IO_THREADS), Ok(1));
        assert_eq!(options.get(ZMQ_MAX_SOCKETS), Ok(1023));
        assert_eq!(options.get(ZMQ_SOCKET_LIMIT), Ok(65535));
        assert_eq!(options.get(ZMQ_MAX_MSGSZ), Ok(c_int::MAX));
        assert_eq!(options.get(ZMQ_MSG_T_SIZE), Ok(64));
        assert_eq!(options.get(ZMQ_IPV6), Ok(0));
        assert_eq!(options.get(ZMQ_BLOCKY), Ok(1));
        assert_eq!(options.get(ZMQ_ZERO_COPY_RECV), Ok(1));
        assert_eq!(options.get(ZMQ_THREAD_SCHED_POLICY), Ok(-1));
        assert_eq!(options.get(ZMQ_THREAD_NAME_PREFIX), Ok(0));
    }

    #[test]
    fn set_only_and_unknown_options_are_einval_on_get() {
        let options = ContextOptions::default();
        for option in [ZMQ_THREAD_AFFINITY_CPU_ADD, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0, 99] {
            assert_eq!(options.get(option), Err(Errno::EINVAL), "option {option}");
        }
    }

    #[test]
    fn negative_and_non_int_values_are_einval() {
        let mut options = ContextOptions::default();
        for option in [ZMQ_IO_THREADS, ZMQ_MAX_SOCKETS, ZMQ_IPV6, ZMQ_BLOCKY, ZMQ_MAX_MSGSZ] {
            assert_eq!(options.set(option, &int(-1)), Err(Errno::EINVAL));
            assert_eq!(options.set(option, &[1, 0]), Err(Errno::EINVAL));
        }
        assert_eq!(options.set(ZMQ_MAX_SOCKETS, &int(0)), Err(Errno::EINVAL));
        assert_eq!(options.set(12345, &int(1)), Err(Errno::EINVAL));
        assert_eq!(options, ContextOptions::default());
    }

    #[test]
    fn values_round_trip() {
        let mut options = ContextOptions::default();
        options.set(ZMQ_IO_THREADS, &int(4)).unwrap();
        options.set(ZMQ_IPV6, &int(7)).unwrap();
        options.set(ZMQ_BLOCKY, &int(0)).unwrap();
        options.set(ZMQ_MAX_SOCKETS, &int(10)).unwrap();
        assert_eq!(options.get(ZMQ_IO_THREADS), Ok(4));
        assert_eq!(options.get(ZMQ_IPV6), Ok(1));
        assert_eq!(options.get(ZMQ_BLOCKY), Ok(0));
        assert_eq!(options.get(ZMQ_MAX_SOCKETS), Ok(10));
    }

    #[test]
    fn affinity_remove_needs_a_present_cpu() {
        let mut options = ContextOptions::default();
        assert_eq!(options.set(ZMQ_THREAD_AFFINITY_CPU_REMOVE, &int(1)), Err(Errno::EINVAL));
        options.set(ZMQ_THREAD_AFFINITY_CPU_ADD, &int(1)).unwrap();
        options.set(ZMQ_THREAD_AFFINITY_CPU_REMOVE, &int(1)).unwrap();
        assert!(options.thread_affinity_cpus.is_empty());
    }

    #[test]
    fn thread_name_prefix_as_int_or_text() {
        let mut options = ContextOptions::default();
        options.set(ZMQ_THREAD_NAME_PREFIX, &int(-42)).unwrap();
        assert_eq!(options.get(ZMQ_THREAD_NAME_PREFIX), Ok(-42));
        options.set(ZMQ_THREAD_NAME_PREFIX, b"worker").unwrap();
        assert_eq!(options.get_ext(ZMQ_THREAD_NAME_PREFIX, 16).unwrap(), b"worker");
        assert_eq!(options.get_ext(ZMQ_THREAD_NAME_PREFIX, 5), Err(Errno::EINVAL));
        assert_eq!(options.get(ZMQ_THREAD_NAME_PREFIX), Ok(0));
        assert_eq!(options.set(ZMQ_THREAD_NAME_PREFIX, &[b'x'; 17]), Err(Errno::EINVAL));
        assert_eq!(options.set(ZMQ_THREAD_NAME_PREFIX, b""), Err(Errno::EINVAL));
    }

    #[test]
    fn atoi_rules() {
        assert_eq!(leading_int(b"  12ab"), 12);
        assert_eq!(leading_int(b"-7"), -7);
        assert_eq!(leading_int(b"x1"), 0);
        assert_eq!(leading_int(b"99999999999"), c_int::MAX);
    }
}
