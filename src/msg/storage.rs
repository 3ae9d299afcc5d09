//! The bytes behind a large message: one allocation shared by every copy of the
//! message (`zmq_msg_copy` is a reference-count increment, never a data copy), freed
//! when the last copy is dropped. libzmq: `msg.cpp` (`content_t`, `zmq_free_fn`).
//!
//! This is one of the few places with `unsafe`: the bytes are reached through a raw
//! pointer because C may write them through `zmq_msg_data` while we hold the storage.

use core::fmt;
use core::ptr::NonNull;
use std::alloc::{self, Layout};

use crate::error::{Errno, Result};

/// Releases memory that C handed us (`zmq_msg_init_data`'s free function).
pub type Release = Box<dyn FnOnce() + Send>;

/// A shared, immutable-length run of bytes.
pub struct Storage {
    /// Non-null and valid for `len` bytes, except that it may be NULL or dangling
    /// when `len` is 0.
    ptr: *mut u8,
    len: usize,
    owner: Owner,
}

enum Owner {
    /// Allocated here with this layout (zero-sized runs allocate nothing).
    Heap(Layout),
    /// A `Vec<u8>` taken over without copying; its capacity.
    Vec(usize),
    /// Memory owned by the caller; `None` once released or when there is nothing to call.
    Foreign(Option<Release>),
}

// SAFETY: the bytes are plain data reached only through `ptr`; the release callback is
// `Send` and is only taken out in `drop`, through `&mut self`, so sharing `&Storage`
// across threads never touches it.
unsafe impl Send for Storage {}
// SAFETY: see above; `&Storage` exposes only reads of `ptr`/`len`.
unsafe impl Sync for Storage {}

impl Storage {
    /// `len` zeroed bytes; `ENOMEM` when the allocation fails (never aborts).
    pub fn zeroed(len: usize) -> Result<Storage> {
        let layout = Layout::array::<u8>(len).map_err(|_| Errno::ENOMEM)?;
        let ptr = if len == 0 {
            NonNull::dangling().as_ptr()
        } else {
            // SAFETY: `layout` has a non-zero size.
            let ptr = unsafe { alloc::alloc_zeroed(layout) };
            if ptr.is_null() {
                return Err(Errno::ENOMEM);
            }
            ptr
        };
        Ok(Storage { ptr, len, owner: Owner::Heap(layout) })
    }

    /// A copy of `bytes`; `ENOMEM` when the allocation fails.
    pub fn copy_of(bytes: &[u8]) -> Result<Storage> {
        let mut storage = Storage::zeroed(bytes.len())?;
        storage.as_mut_slice_unique().copy_from_slice(bytes);
        Ok(storage)
    }

    /// Takes over a vector's buffer without copying.
    pub fn from_vec(bytes: Vec<u8>) -> Storage {
        let mut bytes = core::mem::ManuallyDrop::new(bytes);
        let (len, capacity) = (bytes.len(), bytes.capacity());
        Storage { ptr: bytes.as_mut_ptr(), len, owner: Owner::Vec(capacity) }
    }

    /// Wraps memory owned by the caller; `release` runs exactly once, when the last
    /// message referring to it is dropped, on whichever thread drops it.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `len` bytes until `release` runs
    /// (or forever, when `release` is `None`); it may be NULL only when `len` is 0.
    pub unsafe fn foreign(ptr: *mut u8, len: usize, release: Option<Release>) -> Storage {
        Storage { ptr, len, owner: Owner::Foreign(release) }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_slice(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: with `len > 0`, `ptr` is non-null and valid for `len` bytes for the
        // life of `self` (each constructor's contract).
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// The first byte, for C to read and write (`zmq_msg_data`).
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// The bytes, writable: `&mut self` (an unshared `Arc`, say) proves no other
    /// message refers to them.
    pub(crate) fn as_mut_slice_unique(&mut self) -> &mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: `&mut self` proves no other reference to these bytes exists in Rust;
        // `ptr` is valid for `len` bytes as in `as_slice`.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        match &mut self.owner {
            Owner::Heap(layout) => {
                if layout.size() != 0 {
                    // SAFETY: allocated in `zeroed` with exactly this layout.
                    unsafe { alloc::dealloc(self.ptr, *layout) }
                }
            }
            Owner::Vec(capacity) => {
                // SAFETY: these are the parts of the Vec taken apart in `from_vec`.
                drop(unsafe { Vec::from_raw_parts(self.ptr, self.len, *capacity) });
            }
            Owner::Foreign(release) => {
                if let Some(release) = release.take() {
                    release();
                }
            }
        }
    }
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let owner = match self.owner {
            Owner::Heap(_) => "heap",
            Owner::Vec(_) => "vec",
            Owner::Foreign(_) => "foreign",
        };
        f.debug_struct("Storage").field("len", &self.len).field("owner", &owner).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn zeroed_storage_is_zero_and_sized() {
        let storage = Storage::zeroed(1000).unwrap();
        assert_eq!(storage.len(), 1000);
        assert!(storage.as_slice().iter().all(|&b| b == 0));
        assert!(Storage::zeroed(0).unwrap().is_empty());
    }

    #[test]
    fn impossible_sizes_are_enomem_not_aborts() {
        assert_eq!(Storage::zeroed(usize::MAX).unwrap_err(), Errno::ENOMEM);
        assert_eq!(Storage::zeroed(isize::MAX as usize).unwrap_err(), Errno::ENOMEM);
    }

    #[test]
    fn vec_is_taken_without_copy() {
        let bytes = vec![1u8, 2, 3];
        let address = bytes.as_ptr();
        let storage = Storage::from_vec(bytes);
        assert_eq!(storage.as_ptr() as *const u8, address);
        assert_eq!(storage.as_slice(), &[1, 2, 3]);
    }

    #[test]
    fn foreign_release_runs_once_on_last_drop() {
        let released = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&released);
        let mut bytes = vec![7u8; 64];
        // SAFETY: `bytes` outlives the storage, which is dropped below.
        let storage = unsafe {
            Storage::foreign(
                bytes.as_mut_ptr(),
                bytes.len(),
                Some(Box::new(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                })),
            )
        };
        let shared = Arc::new(storage);
        let second = Arc::clone(&shared);
        let thread = std::thread::spawn(move || drop(second));
        drop(shared);
        thread.join().unwrap();
        assert_eq!(released.load(Ordering::SeqCst), 1);
    }
}
