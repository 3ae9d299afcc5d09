//! Timer set of the public API (`zmq_timers_*`).
//! libzmq: `timers.cpp`, `timers.hpp`.
//!
//! Time is always passed in by the caller, so the set never reads a clock.
//! The rules follow libzmq 4.3.5:
//! - timer ids count up from 1 and are never reused;
//! - a timer first fires at `now + interval` (now of [`Timers::add`]);
//! - a timer is due when its deadline is at or before `now`; after firing it
//!   is rescheduled at `now + interval` of the executing call, *not*
//!   `deadline + interval`, so missed periods are skipped rather than
//!   caught up;
//! - timers due at the same instant fire in the order they were scheduled;
//! - [`Timers::cancel`] only marks a timer: the entry is dropped lazily by
//!   [`Timers::timeout`] (cancelled timers ahead of the first live one) and by
//!   [`Timers::take_due`] (cancelled timers it walks over). Until then
//!   [`Timers::reset`] and [`Timers::set_interval`] still accept the id
//!   (returning success but leaving the timer cancelled), while a second
//!   [`Timers::cancel`] fails with `EINVAL`; afterwards all three fail.
//!
//! `zmq_timers_execute` is split in two so that the C wrapper can run C
//! callbacks without holding a borrow of the set: [`Timers::take_due`] then,
//! for each returned timer, `if timers.is_active(id) { call handler }`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::error::{Errno, Result};

/// When a timer fires; `Never` for a deadline beyond what `Instant` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Deadline {
    At(Instant),
    Never,
}

impl Deadline {
    fn after(now: Instant, interval: Duration) -> Self {
        now.checked_add(interval).map_or(Deadline::Never, Deadline::At)
    }
}

/// Position in the queue: deadline, then scheduling order for ties.
type Key = (Deadline, u64);

#[derive(Debug)]
struct Timer<H> {
    id: i32,
    interval: Duration,
    handler: H,
}

/// A set of repeating timers carrying handler payloads of type `H`.
#[derive(Debug)]
pub struct Timers<H> {
    /// Last id handed out (ids start at 1).
    last_id: i32,
    /// Scheduling counter that keeps equal deadlines in insertion order.
    next_seq: u64,
    queue: BTreeMap<Key, Timer<H>>,
    /// Where each timer still present in `queue` sits.
    keys: HashMap<i32, Key>,
    /// Ids cancelled but still present in `queue`.
    cancelled: HashSet<i32>,
}

impl<H> Default for Timers<H> {
    fn default() -> Self {
        Self {
            last_id: 0,
            next_seq: 0,
            queue: BTreeMap::new(),
            keys: HashMap::new(),
            cancelled: HashSet::new(),
        }
    }
}

impl<H> Timers<H> {
    /// An empty timer set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a timer firing every `interval`, first at `now + interval`, and
    /// returns its id (1, 2, 3, ... as in libzmq).
    pub fn add(&mut self, interval: Duration, handler: H, now: Instant) -> i32 {
        let id = self.allocate_id();
        self.schedule(Deadline::after(now, interval), Timer { id, interval, handler });
        id
    }

    /// Cancels timer `id`; `EINVAL` if it does not exist or is already
    /// cancelled.
    pub fn cancel(&mut self, id: i32) -> Result<()> {
        if !self.keys.contains_key(&id) || !self.cancelled.insert(id) {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    /// Changes the interval of timer `id` and reschedules it at
    /// `now + interval`; `EINVAL` if it does not exist.
    pub fn set_interval(&mut self, id: i32, interval: Duration, now: Instant) -> Result<()> {
        let mut timer = self.unschedule(id).ok_or(Errno::EINVAL)?;
        timer.interval = interval;
        self.schedule(Deadline::after(now, interval), timer);
        Ok(())
    }

    /// Restarts timer `id` so that it next fires at `now + interval`;
    /// `EINVAL` if it does not exist.
    pub fn reset(&mut self, id: i32, now: Instant) -> Result<()> {
        let timer = self.unschedule(id).ok_or(Errno::EINVAL)?;
        self.schedule(Deadline::after(now, timer.interval), timer);
        Ok(())
    }

    /// Time until the next live timer fires: `None` when there is none
    /// (libzmq's -1), zero when it is overdue, `Duration::MAX` when its
    /// deadline is beyond what `Instant` can represent.
    ///
    /// Takes `&mut self` because, like libzmq, it drops the cancelled timers
    /// that precede the first live one.
    pub fn timeout(&mut self, now: Instant) -> Option<Duration> {
        while let Some(entry) = self.queue.first_entry() {
            let (deadline, _) = *entry.key();
            let id = entry.get().id;
            if self.cancelled.remove(&id) {
                entry.remove();
                self.keys.remove(&id);
                continue;
            }
            return Some(match deadline {
                Deadline::At(at) => at.saturating_duration_since(now),
                Deadline::Never => Duration::MAX,
            });
        }
        None
    }

    /// Whether timer `id` exists and is not cancelled.
    ///
    /// The C wrapper calls this before each handler returned by
    /// [`Timers::take_due`], to skip a timer cancelled by an earlier handler
    /// of the same round.
    pub fn is_active(&self, id: i32) -> bool {
        self.keys.contains_key(&id) && !self.cancelled.contains(&id)
    }

    /// Hands out the next id, skipping any still in use after a wrap-around
    /// (which libzmq leaves undefined).
    fn allocate_id(&mut self) -> i32 {
        loop {
            self.last_id = self.last_id.checked_add(1).unwrap_or(1);
            if !self.keys.contains_key(&self.last_id) {
                return self.last_id;
            }
        }
    }

    fn schedule(&mut self, deadline: Deadline, timer: Timer<H>) {
        let key = (deadline, self.next_seq);
        // A u64 counter cannot realistically wrap; saturate rather than panic.
        self.next_seq = self.next_seq.saturating_add(1);
        self.keys.insert(timer.id, key);
        self.queue.insert(key, timer);
    }

    /// Removes timer `id` from the queue (its cancelled mark is kept).
    fn unschedule(&mut self, id: i32) -> Option<Timer<H>> {
        let key = self.keys.remove(&id)?;
        self.queue.remove(&key)
    }
}

impl<H: Clone> Timers<H> {
    /// Takes the timers due at `now` (deadline at or before `now`), in
    /// deadline order, rescheduling each at `now + interval`, and drops the
    /// cancelled timers met on the way.
    ///
    /// The walk stops, as libzmq's does, at the first live timer not yet due,
    /// counting the timers this call has just rescheduled; so a cancelled
    /// timer lying beyond that point stays until a later walk reaches it.
    /// Each timer is returned at most once per call: libzmq's execute loops
    /// forever on a zero-interval timer (its rescheduled entry is due again
    /// within the same walk), whereas here it fires once per call.
    pub fn take_due(&mut self, now: Instant) -> Vec<(i32, H)> {
        let round_start = self.next_seq;
        let mut due = Vec::new();
        while let Some(entry) = self.queue.first_entry() {
            let (deadline, seq) = *entry.key();
            if seq >= round_start {
                // A timer rescheduled by this very call: every due timer
                // precedes it, and libzmq's walk would stop here too.
                break;
            }
            let id = entry.get().id;
            if self.cancelled.remove(&id) {
                entry.remove();
                self.keys.remove(&id);
                continue;
            }
            if deadline > Deadline::At(now) {
                break;
            }
            let timer = entry.remove();
            self.keys.remove(&id);
            due.push((id, timer.handler.clone()));
            self.schedule(Deadline::after(now, timer.interval), timer);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake clock: instants as milliseconds from a fixed origin.
    struct Clock(Instant);

    impl Clock {
        fn new() -> Self {
            Clock(Instant::now())
        }

        fn at(&self, ms: u64) -> Instant {
            self.0 + Duration::from_millis(ms)
        }
    }

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    fn ids<H>(due: &[(i32, H)]) -> Vec<i32> {
        due.iter().map(|(id, _)| *id).collect()
    }

    #[test]
    fn ids_start_at_one_and_are_not_reused() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        assert_eq!(timers.add(ms(10), 'a', clock.at(0)), 1);
        assert_eq!(timers.add(ms(10), 'b', clock.at(0)), 2);
        assert_eq!(timers.cancel(2), Ok(()));
        assert_eq!(timers.timeout(clock.at(0)), Some(ms(10)));
        assert!(timers.take_due(clock.at(20)).len() == 1);
        assert_eq!(timers.add(ms(10), 'c', clock.at(20)), 3);
    }

    #[test]
    fn timeout_is_none_without_timers() {
        let clock = Clock::new();
        let mut timers: Timers<()> = Timers::new();
        assert_eq!(timers.timeout(clock.at(0)), None);
        assert!(timers.take_due(clock.at(1000)).is_empty());
    }

    #[test]
    fn timeout_counts_down_and_is_zero_when_overdue() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        timers.add(ms(100), (), clock.at(0));
        assert_eq!(timers.timeout(clock.at(0)), Some(ms(100)));
        assert_eq!(timers.timeout(clock.at(40)), Some(ms(60)));
        assert_eq!(timers.timeout(clock.at(100)), Some(Duration::ZERO));
        assert_eq!(timers.timeout(clock.at(500)), Some(Duration::ZERO));
    }

    #[test]
    fn timeout_reports_the_earliest_timer() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        timers.add(ms(300), (), clock.at(0));
        timers.add(ms(100), (), clock.at(0));
        timers.add(ms(200), (), clock.at(0));
        assert_eq!(timers.timeout(clock.at(0)), Some(ms(100)));
    }

    #[test]
    fn fires_at_deadline_not_before() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(ms(100), "h", clock.at(0));
        assert!(timers.take_due(clock.at(0)).is_empty());
        assert!(timers.take_due(clock.at(99)).is_empty());
        assert_eq!(timers.take_due(clock.at(100)), vec![(id, "h")]);
        assert!(timers.take_due(clock.at(100)).is_empty());
    }

    #[test]
    fn reschedules_at_now_plus_interval() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(ms(100), (), clock.at(0));
        // Late by 150 ms: fires once, next deadline is 250 + 100, not 200.
        assert_eq!(ids(&timers.take_due(clock.at(250))), vec![id]);
        assert_eq!(timers.timeout(clock.at(250)), Some(ms(100)));
        assert!(timers.take_due(clock.at(349)).is_empty());
        assert_eq!(ids(&timers.take_due(clock.at(350))), vec![id]);
        assert!(timers.is_active(id));
    }

    #[test]
    fn due_timers_come_in_deadline_then_insertion_order() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let c = timers.add(ms(30), 'c', clock.at(0));
        let a = timers.add(ms(10), 'a', clock.at(0));
        let b1 = timers.add(ms(20), 'b', clock.at(0));
        let b2 = timers.add(ms(20), 'B', clock.at(0));
        let later = timers.add(ms(50), 'z', clock.at(0));
        let due = timers.take_due(clock.at(30));
        assert_eq!(due, vec![(a, 'a'), (b1, 'b'), (b2, 'B'), (c, 'c')]);
        assert!(timers.is_active(later));
    }

    #[test]
    fn rescheduled_ties_keep_execution_order() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let first = timers.add(ms(10), (), clock.at(0));
        let second = timers.add(ms(5), (), clock.at(0));
        // Both rescheduled at 20 + 10: they stay in the order they fired.
        timers.set_interval(second, ms(10), clock.at(0)).ok();
        assert_eq!(ids(&timers.take_due(clock.at(20))), vec![first, second]);
        assert_eq!(ids(&timers.take_due(clock.at(30))), vec![first, second]);
    }

    #[test]
    fn cancel_rules() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        assert_eq!(timers.cancel(1), Err(Errno::EINVAL));
        let id = timers.add(ms(10), (), clock.at(0));
        assert!(timers.is_active(id));
        assert_eq!(timers.cancel(id), Ok(()));
        assert!(!timers.is_active(id));
        assert_eq!(timers.cancel(id), Err(Errno::EINVAL));
        assert!(timers.take_due(clock.at(100)).is_empty());
        assert_eq!(timers.cancel(id), Err(Errno::EINVAL));
        assert_eq!(timers.cancel(0), Err(Errno::EINVAL));
        assert_eq!(timers.cancel(-1), Err(Errno::EINVAL));
        assert_eq!(timers.timeout(clock.at(100)), None);
    }

    #[test]
    fn timeout_skips_and_drops_cancelled_front_timers() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let a = timers.add(ms(10), (), clock.at(0));
        let b = timers.add(ms(20), (), clock.at(0));
        timers.add(ms(30), (), clock.at(0));
        timers.cancel(a).ok();
        timers.cancel(b).ok();
        assert_eq!(timers.timeout(clock.at(0)), Some(ms(30)));
        // Dropped: reset now fails, as in libzmq.
        assert_eq!(timers.reset(a, clock.at(0)), Err(Errno::EINVAL));
        assert_eq!(timers.set_interval(b, ms(5), clock.at(0)), Err(Errno::EINVAL));
    }

    #[test]
    fn cancelled_but_not_dropped_timer_accepts_reset_yet_stays_cancelled() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let live = timers.add(ms(10), (), clock.at(0));
        let gone = timers.add(ms(20), (), clock.at(0));
        timers.cancel(gone).ok();
        // The live timer comes first, so timeout does not drop `gone`.
        assert_eq!(timers.timeout(clock.at(0)), Some(ms(10)));
        assert_eq!(timers.reset(gone, clock.at(0)), Ok(()));
        assert_eq!(timers.set_interval(gone, ms(1), clock.at(0)), Ok(()));
        assert!(!timers.is_active(gone));
        assert_eq!(timers.cancel(gone), Err(Errno::EINVAL));
        // It never fires and is dropped when walked over.
        assert_eq!(ids(&timers.take_due(clock.at(50))), vec![live]);
        assert_eq!(timers.reset(gone, clock.at(50)), Err(Errno::EINVAL));
    }

    #[test]
    fn cancelled_timer_behind_the_due_ones_is_kept_until_reached() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let due = timers.add(ms(10), (), clock.at(0));
        let later = timers.add(ms(100), (), clock.at(0));
        timers.cancel(later).ok();
        assert_eq!(ids(&timers.take_due(clock.at(10))), vec![due]);
        // As in libzmq, the walk stopped at `due`'s new slot (20 ms), before
        // reaching `later`, so `later` is still present (but cancelled).
        assert_eq!(timers.reset(later, clock.at(10)), Ok(()));
        assert!(!timers.is_active(later));
    }

    #[test]
    fn set_interval_reschedules_from_now() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(ms(100), (), clock.at(0));
        assert_eq!(timers.set_interval(id, ms(50), clock.at(30)), Ok(()));
        assert_eq!(timers.timeout(clock.at(30)), Some(ms(50)));
        assert!(timers.take_due(clock.at(79)).is_empty());
        assert_eq!(ids(&timers.take_due(clock.at(80))), vec![id]);
        // The new interval also governs later periods.
        assert_eq!(timers.timeout(clock.at(80)), Some(ms(50)));
        assert_eq!(timers.set_interval(99, ms(1), clock.at(0)), Err(Errno::EINVAL));
    }

    #[test]
    fn reset_restarts_the_full_interval() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(ms(100), (), clock.at(0));
        assert_eq!(timers.reset(id, clock.at(60)), Ok(()));
        assert_eq!(timers.timeout(clock.at(60)), Some(ms(100)));
        assert!(timers.take_due(clock.at(100)).is_empty());
        assert_eq!(ids(&timers.take_due(clock.at(160))), vec![id]);
        assert_eq!(timers.reset(99, clock.at(0)), Err(Errno::EINVAL));
    }

    #[test]
    fn zero_interval_fires_once_per_round() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(Duration::ZERO, (), clock.at(0));
        assert_eq!(timers.timeout(clock.at(0)), Some(Duration::ZERO));
        assert_eq!(ids(&timers.take_due(clock.at(0))), vec![id]);
        assert_eq!(ids(&timers.take_due(clock.at(0))), vec![id]);
    }

    #[test]
    fn handler_cancelling_a_later_timer_of_the_same_round() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let a = timers.add(ms(10), 'a', clock.at(0));
        let b = timers.add(ms(20), 'b', clock.at(0));
        let mut called = Vec::new();
        for (id, handler) in timers.take_due(clock.at(20)) {
            if !timers.is_active(id) {
                continue;
            }
            called.push(handler);
            if id == a {
                assert_eq!(timers.cancel(b), Ok(()));
            }
        }
        assert_eq!(called, vec!['a']);
        assert_eq!(ids(&timers.take_due(clock.at(100))), vec![a]);
    }

    #[test]
    fn handler_cancelling_itself_stops_the_timer() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(ms(10), (), clock.at(0));
        for (due, ()) in timers.take_due(clock.at(10)) {
            assert_eq!(timers.cancel(due), Ok(()));
        }
        assert!(!timers.is_active(id));
        assert!(timers.take_due(clock.at(1000)).is_empty());
        assert_eq!(timers.timeout(clock.at(1000)), None);
    }

    #[test]
    fn handler_adding_a_timer_does_not_run_it_in_the_same_round() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let a = timers.add(ms(10), 'a', clock.at(0));
        let due = timers.take_due(clock.at(10));
        let added = timers.add(Duration::ZERO, 'n', clock.at(10));
        assert_eq!(ids(&due), vec![a]);
        assert_eq!(ids(&timers.take_due(clock.at(10))), vec![added]);
    }

    #[test]
    fn interval_beyond_instant_range_never_fires() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(Duration::MAX, (), clock.at(0));
        assert_eq!(timers.timeout(clock.at(0)), Some(Duration::MAX));
        assert!(timers.take_due(clock.at(1_000_000)).is_empty());
        assert!(timers.is_active(id));
        assert_eq!(timers.cancel(id), Ok(()));
        assert_eq!(timers.timeout(clock.at(0)), None);
    }

    #[test]
    fn handlers_are_cloned_payloads() {
        let clock = Clock::new();
        let mut timers = Timers::new();
        let id = timers.add(ms(1), String::from("payload"), clock.at(0));
        assert_eq!(timers.take_due(clock.at(1)), vec![(id, String::from("payload"))]);
        assert_eq!(timers.take_due(clock.at(2)), vec![(id, String::from("payload"))]);
    }
}
