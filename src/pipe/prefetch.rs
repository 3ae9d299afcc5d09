//! Asking early for a cache line the writer is about to fill.
//!
//! A pipe's writer fills slots whose cache lines the reader on another CPU read last
//! (the two sides trade their buffers, see `Direction`). Writing such a line first
//! takes it back from the other CPU, and the lock released right after the write
//! waits for that to finish: with an 8-byte message, the wait is most of the cost of
//! a send. Asked for a couple of slots ahead, the line is on its way while this one
//! is written, and is here by the time it is needed.

/// Asks for the cache line at `ptr` in a state fit for writing. Only a hint: `ptr`
/// may point anywhere, even at memory that is not mapped; nothing is read or written.
#[inline]
pub(super) fn for_write<T>(ptr: *const T) {
    #[cfg(target_arch = "x86_64")]
    if *x86_64::HAS_PREFETCHW {
        // SAFETY: PREFETCHW is supported (checked above); a prefetch reads and writes
        // nothing the program sees and never faults, whatever the address.
        unsafe {
            core::arch::asm!("prefetchw [{0}]", in(reg) ptr, options(nostack, preserves_flags, readonly))
        };
    }
    #[cfg(target_arch = "aarch64")]
    // SAFETY: PRFM is part of every AArch64 CPU; it is a hint that never faults.
    unsafe {
        core::arch::asm!("prfm pstl1keep, [{0}]", in(reg) ptr, options(nostack, preserves_flags, readonly))
    };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    let _ = ptr;
}

#[cfg(target_arch = "x86_64")]
mod x86_64 {
    use once_cell::sync::Lazy;

    /// Whether the CPU has PREFETCHW (CPUID 8000_0001h, ECX bit 8: AMD since the
    /// K8, Intel since Broadwell).
    pub(super) static HAS_PREFETCHW: Lazy<bool> = Lazy::new(|| {
        use core::arch::x86_64::__cpuid;
        // CPUID is part of every x86_64 CPU.
        let highest_extended = __cpuid(0x8000_0000).eax;
        highest_extended >= 0x8000_0001 && __cpuid(0x8000_0001).ecx & (1 << 8) != 0
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_address_is_only_a_hint() {
        let slot = [0u64; 8];
        for_write(slot.as_ptr());
        for_write(core::ptr::null::<u64>());
        for_write(usize::MAX as *const u64);
        assert_eq!(slot, [0; 8]);
    }
}
