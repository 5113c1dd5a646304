//! The wait estimate (#17): when a queued hold is expected to get a copy, from the copies, their
//! due dates, the renewal rules and the holds ahead. Pure: the operation gathers the facts.
//!
//! Its model is stated on [`wait_estimate`].

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{Days, NaiveDate};

/// Where one copy of the title is, as far as the wait estimate cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyOutlook {
    /// On the shelf, or on its way home: free today.
    Free,
    /// On loan, due on `due_on`; `renewal_days` more for each renewal the borrower may still
    /// make while others wait (`renewals_left`, 0 where held titles are not renewed).
    OnLoan {
        /// Its due date.
        due_on: NaiveDate,
        /// Renewals the borrower may still make despite the queue.
        renewals_left: u32,
        /// Days one renewal adds.
        renewal_days: u32,
    },
    /// Set aside for another hold, and with that patron from `from` (its arrival day, or today
    /// on the hold shelf) for the turnaround.
    SetAside {
        /// The day the other patron is expected to collect it.
        from: NaiveDate,
    },
}

/// The day `copy` is expected to be free, today at the earliest.
#[must_use]
pub fn copy_free_on(today: NaiveDate, copy: CopyOutlook, turnaround_days: u32) -> NaiveDate {
    let plus = |d: NaiveDate, days: u64| d.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX);
    let day = match copy {
        CopyOutlook::Free => today,
        CopyOutlook::OnLoan { due_on, renewals_left, renewal_days } => {
            plus(due_on, u64::from(renewals_left) * u64::from(renewal_days))
        }
        CopyOutlook::SetAside { from } => plus(from, u64::from(turnaround_days)),
    };
    day.max(today)
}

/// The expected day the hold at `position` (0-based) of `queue` gets a copy, under the model
/// below. `queue` gives, for each queued hold in queue order, the day it is active
/// from: today for a hold not frozen, its thaw date for a frozen one, `None` for one frozen
/// until lifted. `copies_free_on` gives the day each copy that could fill the hold is next
/// free ([`copy_free_on`]); `turnaround_days` how long a hold keeps the copy it takes.
///
/// # The model
///
/// - **When each copy is next free.** A copy on the shelf (or travelling home) is free today. A
///   copy on loan is free on its due date, or on its due date plus the renewal days of every
///   renewal the loan has left when its borrower may still renew it while others wait (the
///   policy does not list `held_by_others` in `loans.renewal.refused_when`); an overdue loan
///   is free today at the earliest. A copy set aside for another hold is free once that patron
///   has had it for the turnaround (below): from its arrival when in transit, from today when
///   on the hold shelf. A copy that could not fill the hold (not for loan, missing, withdrawn,
///   a kind the patron may not hold) is left out.
/// - **The queue.** Holds are served in queue order. Each hold takes the next copy to become
///   free at a time it is not frozen (a provisional hold counts as waiting: it is expected to be
///   approved); a frozen hold is skipped until its thaw date and keeps its place, one frozen
///   until lifted is skipped for good. A hold that takes a copy keeps it for the **turnaround**,
///   the loan period of the waiting hold's rules (the patron collects it at once and returns
///   it on the due date, with no renewal since others wait), and the copy is free again after.
/// - **The estimate** is the day the simulated schedule gives the patron's hold a copy. It
///   ignores transit between branches, time on the hold shelf, which copy suits which patron
///   beyond the waiting patron's own rules, and holds placed later with a higher priority.
///   `None` when no copy can fill the hold, or the hold is frozen until lifted.
///
/// # Examples
/// ```
/// use bunko::policy::wait_estimate;
/// use chrono::NaiveDate;
///
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let today = d("2026-06-01");
/// // One copy due on June 10; two holds ahead, each keeping it 14 days: the third hold gets it
/// // on June 10 + 14 + 14.
/// let queue = [Some(today); 3];
/// assert_eq!(wait_estimate(&[d("2026-06-10")], &queue, 2, 14), Some(d("2026-07-08")));
/// ```
#[must_use]
pub fn wait_estimate(
    copies_free_on: &[NaiveDate],
    queue: &[Option<NaiveDate>],
    position: usize,
    turnaround_days: u32,
) -> Option<NaiveDate> {
    queue.get(position).copied().flatten()?;
    let mut free: BinaryHeap<Reverse<NaiveDate>> = copies_free_on.iter().map(|&d| Reverse(d)).collect();
    let mut served = vec![false; queue.len()];
    let turnaround = Days::new(u64::from(turnaround_days));
    // Each round serves a hold, or moves a copy to the next thaw date. Between two holds
    // served, each copy moves at most once per distinct thaw date, so this bounds the rounds.
    let rounds = (queue.len() + 1) * (copies_free_on.len() + 1) * 2;
    for _ in 0..=rounds {
        let Reverse(day) = free.pop()?;
        let next = queue
            .iter()
            .enumerate()
            .find(|&(i, from)| !served[i] && from.is_some_and(|from| from <= day))
            .map(|(i, _)| i);
        match next {
            Some(i) if i == position => return Some(day),
            Some(i) => {
                served[i] = true;
                free.push(Reverse(day.checked_add_days(turnaround).unwrap_or(NaiveDate::MAX)));
            }
            None => {
                // Everyone left is frozen on `day`: the copy waits for the first thaw.
                let thaw = queue.iter().enumerate().filter(|&(i, _)| !served[i]).filter_map(|(_, from)| *from).min()?;
                free.push(Reverse(thaw.max(day)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only hold, frozen until a date, with three copies free today: available on the
    /// thaw date (the review found `None`: each copy used a round moving to the thaw).
    #[test]
    fn a_lone_frozen_hold_with_several_free_copies_is_served_on_its_thaw_date() {
        let today = d("2026-06-01");
        let thaw = d("2026-06-10");
        assert_eq!(wait_estimate(&[today, today, today], &[Some(thaw)], 0, 14), Some(thaw));
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const TODAY: &str = "2026-06-01";

    fn active(n: usize) -> Vec<Option<NaiveDate>> {
        vec![Some(d(TODAY)); n]
    }

    #[test]
    fn the_first_hold_gets_a_copy_on_the_shelf_today() {
        assert_eq!(wait_estimate(&[d(TODAY)], &active(1), 0, 14), Some(d(TODAY)));
    }

    #[test]
    fn no_copy_no_estimate() {
        assert_eq!(wait_estimate(&[], &active(2), 1, 14), None);
    }

    /// Two copies due June 5 and June 12, loan period 14 days, four holds:
    /// 1st ← copy A on 6-05, 2nd ← copy B on 6-12, 3rd ← A again on 6-19, 4th ← B on 6-26.
    #[test]
    fn two_copies_four_holds_by_hand() {
        let copies = [d("2026-06-12"), d("2026-06-05")];
        let got: Vec<_> = (0..4).map(|p| wait_estimate(&copies, &active(4), p, 14).unwrap()).collect();
        assert_eq!(got, [d("2026-06-05"), d("2026-06-12"), d("2026-06-19"), d("2026-06-26")]);
    }

    /// One copy due 6-10, queue: [frozen until 7-01, me]. The frozen hold is skipped: I get the
    /// copy on 6-10. Behind it, a hold frozen until lifted never takes one.
    #[test]
    fn a_frozen_hold_ahead_is_skipped_until_its_thaw_date() {
        let queue = [Some(d("2026-07-01")), Some(d(TODAY)), None];
        assert_eq!(wait_estimate(&[d("2026-06-10")], &queue, 1, 14), Some(d("2026-06-10")));
        // Frozen until 6-05 instead: it thaws first, takes the copy on 6-10 for 14 days.
        let queue = [Some(d("2026-06-05")), Some(d(TODAY))];
        assert_eq!(wait_estimate(&[d("2026-06-10")], &queue, 1, 14), Some(d("2026-06-24")));
    }

    /// My own hold frozen until 6-20, one copy on the shelf, a hold behind me: the copy goes to
    /// the hold behind today and comes back 6-15, waits on the shelf, and I get it on 6-20.
    #[test]
    fn my_own_freeze_delays_me_and_lets_the_hold_behind_borrow_meanwhile() {
        let queue = [Some(d("2026-06-20")), Some(d(TODAY))];
        assert_eq!(wait_estimate(&[d(TODAY)], &queue, 0, 14), Some(d("2026-06-20")));
        // Frozen until lifted: no estimate.
        assert_eq!(wait_estimate(&[d(TODAY)], &[None, Some(d(TODAY))], 0, 14), None);
    }

    proptest::proptest! {
        /// Without freezes, a hold further back never expects a copy earlier, one more copy
        /// never delays anyone, and with as many copies as holds ahead and itself, the k-th
        /// hold gets a copy no later than the k-th copy's own free day.
        #[test]
        fn later_holds_wait_no_less_and_more_copies_never_delay(
            free in proptest::collection::vec(0..60u64, 1..5),
            holds in 1..12usize,
            turnaround in 1..30u32,
        ) {
            let today = d(TODAY);
            let copies: Vec<NaiveDate> = free.iter().map(|&n| today + Days::new(n)).collect();
            let queue = active(holds);
            let est: Vec<NaiveDate> =
                (0..holds).map(|p| wait_estimate(&copies, &queue, p, turnaround).unwrap()).collect();
            proptest::prop_assert!(est.windows(2).all(|w| w[0] <= w[1]), "{est:?}");
            let mut more = copies.clone();
            more.push(today);
            for (p, &before) in est.iter().enumerate() {
                proptest::prop_assert!(wait_estimate(&more, &queue, p, turnaround).unwrap() <= before);
            }
            let mut sorted = copies.clone();
            sorted.sort();
            for (p, &e) in est.iter().enumerate().take(sorted.len()) {
                proptest::prop_assert!(e <= sorted[p] && e >= sorted[0], "{e} vs {sorted:?}");
            }
        }
    }

    #[test]
    fn a_copy_is_free_on_its_due_date_or_after_the_renewals_left() {
        let today = d(TODAY);
        let due_on = d("2026-06-10");
        assert_eq!(copy_free_on(today, CopyOutlook::OnLoan { due_on, renewals_left: 0, renewal_days: 14 }, 14), due_on);
        let renewing = CopyOutlook::OnLoan { due_on, renewals_left: 2, renewal_days: 7 };
        assert_eq!(copy_free_on(today, renewing, 14), d("2026-06-24"));
        let overdue = CopyOutlook::OnLoan { due_on: d("2026-05-20"), renewals_left: 0, renewal_days: 14 };
        assert_eq!(copy_free_on(today, overdue, 14), today);
        assert_eq!(copy_free_on(today, CopyOutlook::SetAside { from: d("2026-06-03") }, 14), d("2026-06-17"));
        assert_eq!(copy_free_on(today, CopyOutlook::Free, 14), today);
    }
}
