//! Several threads, each with its own `Library` on one database file, check in, lend, place and
//! cancel holds, receive transits and sweep expiry at once. Afterwards every invariant holds:
//! no copy is assigned twice, no hold has two copies, every loan and hold is consistent.

mod common;

use std::sync::Arc;
use std::thread;

use bunko::catalog::{NewCopy, NewTitle};
use bunko::holds::HoldRequest;
use bunko::patrons::{NewPatron, Phone, PhoneKind};
use bunko::policy::ContactMethod;
use bunko::{Error, FixedClock, Library, Policy};
use chrono::{TimeZone, Utc};
use common::Lcg;

const BRANCHES: [&str; 3] = ["chuo", "seibu", "tobu"];
const TITLES: usize = 12;
const COPIES_PER_TITLE: usize = 2;
const PATRONS: usize = 16;
const OPS_PER_THREAD: usize = 120;

/// A tiny deterministic generator, so each thread's workload is reproducible.
fn open(path: &std::path::Path, clock: Arc<FixedClock>) -> Library {
    Library::open(path, Policy::preset("chiba").unwrap(), clock).unwrap()
}

/// Errors a busy library legitimately answers with; anything else fails the test.
fn acceptable(e: &Error) -> bool {
    matches!(e, Error::Refused(_) | Error::Conflict { .. } | Error::NotFound { .. })
}

#[test]
fn concurrent_handles_never_assign_a_copy_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap()));
    let mut setup = open(&path, clock.clone());
    let mut titles = Vec::new();
    for t in 0..TITLES {
        let id = setup.add_title(NewTitle::new(format!("書名{t}"))).unwrap();
        for c in 0..COPIES_PER_TITLE {
            let branch = BRANCHES[(t + c) % 3];
            setup.add_copy(NewCopy::new(format!("C{t:02}{c}"), id, branch, "book")).unwrap();
        }
        titles.push(id);
    }
    let mut patrons = Vec::new();
    for p in 0..PATRONS {
        let mut np = NewPatron::new(format!("1{p:07}"), "利用者", chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap());
        np.phones = vec![Phone { chosen: true, ..Phone::new(PhoneKind::Mobile, "090-0000-0000") }];
        patrons.push(setup.register_patron(np).unwrap());
    }
    drop(setup);

    let workers: Vec<_> = (0..4u64)
        .map(|seed| {
            let (path, clock, titles, patrons) = (path.clone(), clock.clone(), titles.clone(), patrons.clone());
            thread::spawn(move || {
                let mut lib = open(&path, clock);
                let mut rng = Lcg(seed * 7919 + 1);
                let mut done = 0usize;
                for _ in 0..OPS_PER_THREAD {
                    let barcode = format!("C{:02}{}", rng.below(TITLES), rng.below(COPIES_PER_TITLE));
                    let branch = BRANCHES[rng.below(3)];
                    let patron = patrons[rng.below(PATRONS)];
                    let result = match rng.below(6) {
                        0 => lib.checkout(&barcode, patron, branch).map(drop),
                        1 | 2 => lib.check_in(&barcode, branch).map(drop),
                        3 => {
                            let request = HoldRequest::web(branch, ContactMethod::Phone).at_counter();
                            lib.place_hold(patron, titles[rng.below(TITLES)], &request).map(drop)
                        }
                        4 => lib.receive_copy(&barcode, branch).map(drop),
                        _ => lib.expire_holds().map(drop),
                    };
                    match result {
                        Ok(()) => done += 1,
                        Err(e) => assert!(acceptable(&e), "unexpected error under concurrency: {e}"),
                    }
                }
                done
            })
        })
        .collect();
    let succeeded: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(succeeded > OPS_PER_THREAD, "the workload did real work ({succeeded} operations succeeded)");

    let lib = open(&path, clock);
    let violations = lib.check().unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
}
