//! A duration as a count of nanoseconds that fits the atomics it is kept in.

use std::time::Duration;

/// `duration` in nanoseconds, `u64::MAX` for the (centuries-long) ones beyond it.
pub(crate) fn saturating_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanoseconds_saturate() {
        assert_eq!(saturating_nanos(Duration::from_micros(3)), 3_000);
        assert_eq!(saturating_nanos(Duration::MAX), u64::MAX);
    }
}
