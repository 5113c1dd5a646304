//! Each reference policy loads, validates, and carries the values its guide states.

use bunko::Policy;
use bunko::policy::{ContactMethod, MailRecipients, PasswordCharset, RenewalBlock, ResetMethod, Service, Weekday};

fn methods(p: &Policy) -> Vec<ContactMethod> {
    p.contact.methods.iter().map(|m| m.method.clone()).collect()
}

#[test]
fn every_preset_loads_and_round_trips() {
    for name in bunko::policy::PRESET_NAMES {
        let p = Policy::preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.library.code, name);
        let again = Policy::from_toml(&p.to_toml().unwrap()).unwrap();
        assert_eq!(again, p, "{name} round-trips through TOML");
    }
}

#[test]
fn unknown_preset_names_the_known_ones() {
    let e = Policy::preset("tokyo").unwrap_err();
    assert!(e.to_string().contains("fukushima, shizuoka, chiba, kanagawa, chikushino"), "{e}");
}

#[test]
fn fukushima_guide_values() {
    let p = Policy::preset("fukushima").unwrap();
    // R-L2: renewal 15 days from the renewal day, including it; R-L3: once, not overdue/held/ILL.
    assert_eq!((p.loans.renewal.max_renewals, p.loans.renewal.days, p.loans.renewal.counts_renewal_day), (1, 15, true));
    assert_eq!(
        p.loans.renewal.refused_when,
        [RenewalBlock::Overdue, RenewalBlock::HeldByOthers, RenewalBlock::InterlibraryLoan]
    );
    // R-C1: 3 addresses, notices to all; R-C3: ready notices by mail only, web holds need mail.
    assert_eq!(p.contact.email_cap, 3);
    assert_eq!(p.contact.mail_recipients, MailRecipients::All);
    assert_eq!(methods(&p), [ContactMethod::Mail]);
    assert!(p.contact.web_holds_require_email);
    // R-A3: web self-issue; R-A6: an expired card cannot hold; R-A2: temporary password first changed.
    assert!(p.accounts.self_issue);
    assert_eq!(p.accounts.expired_card_refuses, [Service::Holds]);
    assert!(p.passwords.temporary.refused_services.contains(&Service::Holds));
    assert!(p.passwords.reset.methods.contains(&ResetMethod::SelfIssue));
    // R-H4, R-H12: municipal partner pickup with its own pickup place; loan starts at dispatch.
    let partner = p.branches.iter().find(|b| b.partner).expect("a municipal partner");
    assert!(partner.pickup && partner.loan_starts_at_dispatch && !partner.pickup_points.is_empty());
    // R-H11: hold-placed confirmation mail.
    assert!(p.holds.placed_confirmation);
    // R-H1: holds only through the cart, 「以上の三段階で行います」.
    assert!(!p.holds.reserve_now);
    // Loan period: an assumption (not stated in the guide), 15 days counting the checkout day as
    // the guide counts renewals 「手続日を含む」, so day 0 + 14.
    assert_eq!(p.material("book").unwrap().loan_days, Some(14));
    // R-B1, R-B3: 100 lists x 100, name 50, memos 1000, CSV.
    let b = &p.booklists;
    assert_eq!(
        (b.max_lists, b.max_entries, b.name_max_chars, b.list_memo_max_chars, b.entry_memo_max_chars),
        (100, 100, 50, 1000, 1000)
    );
    assert!(b.csv_export);
    // R-N2: published within a year, available within 2 weeks, no serials; R-N3: 2nd and 4th Tuesday.
    let n = &p.alerts.new_arrival;
    assert_eq!((n.published_within_days, n.available_within_days, n.exclude_serials), (365, 14, true));
    assert_eq!((p.alerts.schedule.weekday, p.alerts.schedule.weeks_of_month.as_slice()), (Weekday::Tue, &[2u8, 4][..]));
}

#[test]
fn shizuoka_guide_values() {
    let p = Policy::preset("shizuoka").unwrap();
    // R-L2: 2 weeks from the renewal day; R-L3: also refused when any loan is overdue.
    assert_eq!((p.loans.renewal.days, p.loans.renewal.counts_renewal_day), (14, false));
    assert!(p.loans.renewal.refused_when.contains(&RenewalBlock::AccountHasOverdue));
    // R-C3: phone / mail / voice / none; R-C4: several phones; R-C5: default pickup.
    assert_eq!(methods(&p), [ContactMethod::Phone, ContactMethod::Mail, ContactMethod::Voice, ContactMethod::None]);
    // The guide says 「「自宅」「携帯」など」: at least two; the cap itself is an assumption.
    assert!(p.contact.phone_cap >= 2);
    assert!(p.contact.default_pickup);
    // R-H1: cart and "reserve now"; R-H10: cancelled holds shown a few days.
    assert!(p.holds.reserve_now);
    assert!((1..=7).contains(&p.holds.cancelled_visible_days));
    // R-A3: self-issue; R-A7: personal details not editable online; R-R1: reading history.
    assert!(p.accounts.self_issue);
    assert!(!p.accounts.patron_edits_personal_details);
    assert!(p.reading.history_offered);
}

#[test]
fn chiba_guide_values() {
    let p = Policy::preset("chiba").unwrap();
    // R-H3: 5 holds per patron; R-H5: web holds provisional; R-H6: delivery twice a week.
    assert_eq!(p.holds.limits.total, Some(5));
    assert!(p.holds.web_holds_need_approval);
    assert_eq!(p.delivery.weekdays.len(), 2);
    // R-H4: three branches.
    let codes: Vec<&str> = p.branches.iter().map(|b| b.code.as_str()).collect();
    assert_eq!(codes, ["chuo", "seibu", "tobu"]);
    // R-H2: magazines and AV are not for loan, so not holdable.
    for kind in ["magazine", "av"] {
        let m = p.material(kind).unwrap();
        assert!(!m.loanable && !m.holdable, "{kind}");
    }
    // R-A4: 6-10 half-width alphanumerics; R-A2: no holds with a temporary password.
    assert_eq!(
        (p.passwords.min_length, p.passwords.max_length, p.passwords.charset),
        (6, Some(10), PasswordCharset::Alphanumeric)
    );
    assert_eq!(p.passwords.temporary.refused_services, [Service::Holds]);
    // R-A5: counter only.
    assert_eq!(p.passwords.reset.methods, [ResetMethod::Counter]);
    // R-C3: none/mail/phone/post/fax, post only for hearing-impaired; R-C6: bounce falls back to phone.
    assert_eq!(
        methods(&p),
        [ContactMethod::None, ContactMethod::Mail, ContactMethod::Phone, ContactMethod::Post, ContactMethod::Fax]
    );
    let post = p.contact.methods.iter().find(|m| m.method == ContactMethod::Post).unwrap();
    assert_eq!(post.requires.as_deref(), Some("hearing_impaired"));
    // 「聴覚に障害のある方(要登録)」: a flag staff register, declared in the policy.
    assert_eq!(p.flag("hearing_impaired").unwrap().label, "聴覚に障害のある方");
    assert_eq!(p.contact.bounce_fallback, Some(ContactMethod::Phone));
}

#[test]
fn kanagawa_guide_values() {
    let p = Policy::preset("kanagawa").unwrap();
    // R-A1: 6-digit card numbers.
    assert_eq!((p.cards.min_length, p.cards.max_length), (6, 6));
    // R-A4: >= 10 with a letter, a digit and a symbol from # $ % & @ + * = ! ( ).
    let pw = &p.passwords;
    assert_eq!((pw.min_length, pw.max_length), (10, None));
    assert!(pw.require_letter && pw.require_digit && pw.require_symbol);
    assert_eq!(pw.symbols, "#$%&@+*=!()");
    // R-A2: the counter's temporary password is 「10桁」 long; its characters are an assumption
    // (the guide's next sentence uses 桁 for letters and symbols too).
    assert_eq!(pw.temporary.length, 10);
    // R-A5: e-mailed reset link; R-A6: 3 unused years or overdue items block login.
    assert!(pw.reset.methods.contains(&ResetMethod::EmailLink));
    assert_eq!(p.accounts.unused_card_block_years, Some(3));
    assert!(p.accounts.overdue_blocks_login);
    // R-C1: 2 addresses tagged PC/mobile, one chosen; R-C3: none/mail; R-C6: due reminders.
    assert_eq!(p.contact.email_cap, 2);
    assert_eq!(p.contact.email_tags.len(), 2);
    assert_eq!(p.contact.mail_recipients, MailRecipients::Chosen);
    assert_eq!(methods(&p), [ContactMethod::None, ContactMethod::Mail]);
    assert!(p.contact.due_reminder_days_before.is_some());
    // R-H3: 12 books + 6 AV; R-H10: cancelled holds listed 2 weeks.
    assert_eq!(p.holds.limits.total, None);
    assert_eq!((p.holds.limits.per_kind["book"], p.holds.limits.per_kind["av"]), (12, 6));
    assert_eq!(p.holds.cancelled_visible_days, 14);
    // R-L3: within the loan period, once, not when held; preview before confirming.
    assert!(p.loans.renewal.refused_when.contains(&RenewalBlock::Overdue));
    assert!(p.loans.renewal.preview_before_confirm);
    // R-O3: e-books are an outside service; the policy only carries its link.
    assert_eq!(p.library.ebook_services.len(), 1);
    assert!(p.library.ebook_services[0].name.contains("KinoDen"));
    // R-B1, R-B2: 10 shelves x 100, copy/move.
    assert_eq!((p.booklists.max_lists, p.booklists.max_entries), (10, 100));
    assert!(p.booklists.copy_move);
}

#[test]
fn chikushino_guide_values() {
    let p = Policy::preset("chikushino").unwrap();
    // R-A1: 8 digits starting with 0; R-A4: 4-10 half-width alphanumerics.
    assert_eq!((p.cards.min_length, p.cards.max_length, p.cards.allowed_first_digits.as_slice()), (8, 8, &['0'][..]));
    assert_eq!((p.passwords.min_length, p.passwords.max_length), (4, Some(10)));
    // R-H3: 10 books + 1 AV, 11 in all, counter holds counted.
    let l = &p.holds.limits;
    assert_eq!((l.total, l.per_kind["book"], l.per_kind["av"]), (Some(11), 10, 1));
    assert!(p.holds.counter_holds_count);
    // R-A3: the guide links a web 「新規パスワード申請」 form.
    assert!(p.accounts.self_issue);
    // R-H2: holds on items on loan and on magazines.
    assert!(p.holds.web_holds_only_when_none_on_shelf);
    assert!(p.material("magazine").unwrap().holdable);
    // R-H9: one week on the hold shelf after the notice; R-H8: ILL holds not cancellable online.
    assert_eq!(p.holds.shelf_days, 7);
    assert!(!p.holds.shelf_days_skip_closed);
    assert!(!p.holds.patron_may_cancel_ill);
    // R-R1, R-R2: reading history and goals.
    assert!(p.reading.history_offered && p.reading.goals_offered);
}

#[test]
fn every_unstated_value_is_marked_in_the_files() {
    // A librarian reads the preset top to bottom: defaults we chose say so.
    for name in bunko::policy::SEED_PRESETS {
        let text = Policy::preset_toml(name).unwrap();
        assert!(text.contains("# not stated in the guide"), "{name}");
        assert!(text.lines().next().unwrap().starts_with("# "), "{name} starts with a header comment");
    }
}
