//! Invalid policies fail with the key path and the reason; messages are snapshot-tested.

use bunko::Policy;

fn chiba_with(from: &str, to: &str) -> String {
    let text = Policy::preset_toml("chiba").unwrap();
    assert!(text.contains(from), "fixture text `{from}` not in chiba.toml");
    text.replacen(from, to, 1)
}

fn error_of(text: &str) -> String {
    Policy::from_toml(text).expect_err("policy should be refused").to_string()
}

#[test]
fn unknown_key_is_named_with_its_path_and_line() {
    insta::assert_snapshot!(error_of(&chiba_with("[holds]\n", "[holds]\nmax_holds = 5\n")));
}

#[test]
fn min_greater_than_max_is_refused() {
    insta::assert_snapshot!(error_of(&chiba_with(
        "min_length = 6\nmax_length = 10",
        "min_length = 12\nmax_length = 10"
    )));
}

#[test]
fn missing_pickup_branch_is_refused() {
    let text = chiba_with("[[branches]]\ncode = \"chuo\"\nname = \"中央図書館\"\n", "");
    let text = text.replace("name = \"西部図書館\"\n", "name = \"西部図書館\"\npickup = false\n");
    let text = text.replace("name = \"東部図書館\"\n", "name = \"東部図書館\"\npickup = false\n");
    insta::assert_snapshot!(error_of(&text));
}

#[test]
fn empty_delivery_days_with_several_branches_is_refused() {
    insta::assert_snapshot!(error_of(&chiba_with("weekdays = [\"tue\", \"fri\"]", "weekdays = []")));
}

#[test]
fn bad_card_format_spec_is_refused() {
    let text = Policy::preset_toml("chikushino")
        .unwrap()
        .replace("allowed_first_digits = [\"0\"]", "allowed_first_digits = [\"A\"]");
    insta::assert_snapshot!(error_of(&text));
}

#[test]
fn limit_for_an_unknown_or_unholdable_kind_names_the_key() {
    insta::assert_snapshot!(error_of(&chiba_with("total = 5", "total = 5\nav = 9\ncd = 2")));
}

#[test]
fn a_wrong_type_names_the_key() {
    insta::assert_snapshot!(error_of(&chiba_with("shelf_days = 7", "shelf_days = \"a week\"")));
}

#[test]
fn an_unknown_enum_value_names_the_key() {
    insta::assert_snapshot!(error_of(&chiba_with("mail_recipients = \"chosen\"", "mail_recipients = \"pigeon\"")));
}

/// Contact methods are an open set (#15): a code of the right shape is a channel the policy
/// must declare; one of the wrong shape is refused as it is read.
#[test]
fn an_undeclared_or_malformed_contact_method_names_the_key() {
    insta::assert_snapshot!(error_of(&chiba_with("bounce_fallback = \"phone\"", "bounce_fallback = \"pigeon\"")));
    insta::assert_snapshot!(error_of(&chiba_with(
        "{ method = \"fax\" },",
        "{ method = \"fax\" },\n    { method = \"S M S\" },"
    )));
}

/// Flags and channels are declared in the policy; every rule naming one is checked against
/// the declarations, with the key of the rule (#15).
#[test]
fn flags_and_channels_name_what_is_wrong_with_their_keys() {
    let text = chiba_with(
        "{ method = \"fax\" },",
        "{ method = \"fax\" },\n    { method = \"sms\" },\n    { method = \"line\" },",
    )
    .replacen("requires = \"hearing_impaired\"", "requires = \"visually_impaired\"", 1)
    .replacen("bounce_fallback = \"phone\"", "bounce_fallback = \"line\"", 1)
        + "\n[flags.\"Braille Reader\"]\nlabel = \"点字\"\n\n[contact.channels.mail]\nlabel = \"メール\"\nneeds = \"email\"\n\n[contact.channels.line]\nlabel = \"LINE\"\nneeds = \"email\"\n";
    insta::assert_snapshot!(error_of(&text));
}

#[test]
fn flags_and_channels_are_bounded() {
    let mut p = Policy::preset("chiba").unwrap();
    let label = |l: &str| bunko::policy::FlagRule { label: l.into() };
    for i in p.flags.len()..50 {
        p.flags.insert(format!("flag_{i}"), label("x"));
    }
    for i in 0..20 {
        let channel = bunko::policy::ChannelRule { label: "x".into(), needs: bunko::policy::ChannelNeeds::Nothing };
        p.contact.channels.insert(format!("app_{i}"), channel);
    }
    assert_eq!(problems_at(&p, "flags"), Vec::<String>::new());
    assert_eq!(problems_at(&p, "contact.channels"), Vec::<String>::new());
    p.flags.insert("one_more".into(), label("x"));
    let channel = bunko::policy::ChannelRule { label: "x".into(), needs: bunko::policy::ChannelNeeds::Phone };
    p.contact.channels.insert("one_more".into(), channel);
    assert_eq!(problems_at(&p, "flags"), ["lists 51 entries, at most 50 allowed"]);
    assert_eq!(problems_at(&p, "contact.channels"), ["lists 21 entries, at most 20 allowed"]);
    p.flags.insert("long".into(), label(&"点".repeat(101)));
    assert_eq!(problems_at(&p, "flags.long.label"), ["101 characters, at most 100 allowed"]);
}

#[test]
fn syntax_errors_give_a_line() {
    insta::assert_snapshot!(error_of(&chiba_with("[holds]\n", "[holds\n")));
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = chiba_with("shelf_days = 7", "shelf_days = 0")
        .replacen("email_cap = 1 ", "email_cap = 11 ", 1)
        .replacen("code = \"chiba\"", "code = \"Chiba Pref\"", 1);
    insta::assert_snapshot!(error_of(&text));
}

#[test]
fn a_policy_error_is_matchable_with_key_paths() {
    let e = Policy::from_toml(&chiba_with("total = 5", "total = 0")).unwrap_err();
    let keys: Vec<&str> = e.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["holds.limits.total"]);
}

/// One bounded number of the policy: its key path, its documented upper bound, and a setter.
type Bound = (&'static str, u32, fn(&mut Policy, u32));

/// Every number a policy carries, with the upper bound its doc comment states (item 9).
fn bounds() -> Vec<Bound> {
    vec![
        ("cards.max_length", 32, |p, v| p.cards.max_length = v),
        ("passwords.min_length", 128, |p, v| p.passwords.min_length = v),
        ("passwords.max_length", 128, |p, v| p.passwords.max_length = Some(v)),
        ("passwords.temporary.length", 64, |p, v| p.passwords.temporary.length = v),
        ("passwords.reset.token_minutes", 1440, |p, v| p.passwords.reset.token_minutes = v),
        ("passwords.reset.max_outstanding", 10, |p, v| p.passwords.reset.max_outstanding = v),
        ("passwords.reset.requests_per_hour", 60, |p, v| p.passwords.reset.requests_per_hour = v),
        ("accounts.unused_card_block_years", 100, |p, v| p.accounts.unused_card_block_years = Some(v)),
        ("accounts.lockout_attempts", 100, |p, v| p.accounts.lockout_attempts = v),
        ("accounts.lockout_window_minutes", 10080, |p, v| p.accounts.lockout_window_minutes = v),
        ("accounts.session_minutes", 10080, |p, v| p.accounts.session_minutes = v),
        ("accounts.session_max_hours", 720, |p, v| p.accounts.session_max_hours = v),
        ("contact.email_cap", 10, |p, v| p.contact.email_cap = v),
        ("contact.phone_cap", 10, |p, v| p.contact.phone_cap = v),
        ("contact.due_reminder_days_before", 30, |p, v| p.contact.due_reminder_days_before = Some(v)),
        ("materials.book.loan_days", 366, |p, v| p.materials.get_mut("book").unwrap().loan_days = Some(v)),
        ("holds.limits.total", 1000, |p, v| p.holds.limits.total = Some(v)),
        ("holds.limits.book", 1000, |p, v| {
            p.holds.limits.total = None;
            p.holds.limits.per_kind.insert("book".into(), v);
        }),
        ("holds.shelf_days", 366, |p, v| p.holds.shelf_days = v),
        ("holds.cancelled_visible_days", 3660, |p, v| p.holds.cancelled_visible_days = v),
        ("loans.renewal.max_renewals", 100, |p, v| p.loans.renewal.max_renewals = v),
        ("loans.renewal.days", 366, |p, v| p.loans.renewal.days = v),
        ("booklists.max_lists", 1000, |p, v| p.booklists.max_lists = v),
        ("booklists.max_entries", 10_000, |p, v| p.booklists.max_entries = v),
        ("booklists.name_max_chars", 1000, |p, v| p.booklists.name_max_chars = v),
        ("booklists.list_memo_max_chars", 10_000, |p, v| p.booklists.list_memo_max_chars = v),
        ("booklists.entry_memo_max_chars", 10_000, |p, v| p.booklists.entry_memo_max_chars = v),
        ("reading.goal_max_days", 3660, |p, v| p.reading.goal_max_days = v),
        ("alerts.max_searches", 1000, |p, v| p.alerts.max_searches = v),
        ("alerts.max_terms", 100, |p, v| p.alerts.max_terms = v),
        ("alerts.term_max_chars", 1000, |p, v| p.alerts.term_max_chars = v),
        ("alerts.new_arrival.published_within_days", 3660, |p, v| p.alerts.new_arrival.published_within_days = v),
        ("alerts.new_arrival.available_within_days", 3660, |p, v| p.alerts.new_arrival.available_within_days = v),
    ]
}

/// The messages `policy`'s validation gives for `key`.
fn problems_at(policy: &Policy, key: &str) -> Vec<String> {
    match policy.validate() {
        Ok(()) => vec![],
        Err(e) => e.problems.into_iter().filter(|p| p.key == key).map(|p| p.reason).collect(),
    }
}

#[test]
fn hostile_policy_bounds_item_9() {
    for preset in bunko::policy::PRESET_NAMES {
        let base = Policy::preset(preset).unwrap();
        for (key, bound, set) in bounds() {
            let mut at = base.clone();
            set(&mut at, bound);
            let over_at_bound: Vec<String> =
                problems_at(&at, key).into_iter().filter(|r| r.contains("at most")).collect();
            assert!(over_at_bound.is_empty(), "{preset}: {key} = {bound} is within the bound: {over_at_bound:?}");
            for value in [bound + 1, u32::MAX] {
                let mut past = base.clone();
                set(&mut past, value);
                let found = problems_at(&past, key);
                assert!(
                    found.iter().any(|r| r.contains(&format!("at most {bound}"))),
                    "{preset}: {key} = {value} must be refused naming the key, got {found:?}"
                );
            }
        }
    }
}

#[test]
fn hostile_policy_bounds_item_9_issue_examples() {
    let keys_of = |text: &str| -> Vec<String> {
        Policy::from_toml(text).expect_err("must be refused").problems.into_iter().map(|p| p.key).collect()
    };
    let kanagawa = Policy::preset_toml("kanagawa").unwrap();
    let huge_years = kanagawa.replacen("unused_card_block_years = 3", "unused_card_block_years = 357913942", 1);
    assert_eq!(keys_of(&huge_years), ["accounts.unused_card_block_years"]);
    let long_temporary = chiba_with("length = 8 ", "length = 4294967295 ");
    assert_eq!(keys_of(&long_temporary), ["passwords.temporary.length"]);
    let endless_session = chiba_with("session_minutes = 30", "session_minutes = 4294967295");
    assert_eq!(keys_of(&endless_session), ["accounts.session_minutes"]);
    let long_name = chiba_with("name = \"中央図書館\"", &format!("name = \"{}\"", "館".repeat(101)));
    assert_eq!(keys_of(&long_name), ["branches[0].name"]);
    let bell = chiba_with("name = \"中央図書館\"", "name = \"中央\\u0007\"");
    assert_eq!(keys_of(&bell), ["branches[0].name"]);
    for offset in ["++9:00", "+-9:00", "+ 9:00", "+09:-0", "+9:00"] {
        let text = chiba_with("utc_offset = \"+09:00\"", &format!("utc_offset = \"{offset}\""));
        assert_eq!(keys_of(&text), ["library.utc_offset"], "{offset}");
    }
    assert!(bunko::policy::UtcOffset::from_minutes(i32::MIN).is_none());
}

proptest::proptest! {
    /// Any value past a documented bound, in any preset, is refused naming its key.
    #[test]
    fn hostile_policy_bounds_item_9_any_value_past_a_bound(
        preset in proptest::sample::select(bunko::policy::PRESET_NAMES.to_vec()),
        which in 0..bounds().len(),
        excess in 1..=u32::MAX,
    ) {
        let (key, bound, set) = bounds()[which];
        let mut p = Policy::preset(preset).unwrap();
        set(&mut p, bound.saturating_add(excess));
        let found = problems_at(&p, key);
        proptest::prop_assert!(found.iter().any(|r| r.contains("at most")), "{}: {} {:?}", preset, key, found);
    }
}

#[test]
fn hostile_patron_work_bounded_item_12_caps_default_when_absent() {
    let text = Policy::preset_toml("chikushino").unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("goal_max_days") && !l.starts_with("max_terms"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without, text, "the preset states both caps");
    let p = Policy::from_toml(&without).unwrap();
    assert_eq!((p.reading.goal_max_days, p.alerts.max_terms), (366, 10));
    assert_eq!(p, Policy::preset("chikushino").unwrap());
}

/// E-books are an outside service (R-O3): the policy carries only a link, and it must be one.
#[test]
fn an_ebook_service_link_must_be_an_https_address_r_o3() {
    let text = Policy::preset_toml("kanagawa").unwrap();
    let url = Policy::preset("kanagawa").unwrap().library.ebook_services[0].url.clone();
    assert!(text.contains(&url));
    let err = error_of(&text.replacen(&url, "javascript:alert(1)", 1));
    assert!(err.contains("library.ebook_services[0].url"), "{err}");
}

#[test]
fn a_problem_inside_an_array_of_tables_gives_its_line() {
    let e = Policy::from_toml(&chiba_with("code = \"seibu\"", "code = \"Seibu West\"")).unwrap_err();
    let found: Vec<(&str, Option<usize>)> = e.problems.iter().map(|p| (p.key.as_str(), p.line)).collect();
    assert_eq!(found, [("branches[1].code", Some(16))]);
}

#[test]
fn a_policy_error_names_its_place_in_japanese_and_keeps_english_for_logs() {
    let error = Policy::from_toml(&chiba_with("[holds]\n", "[holds]\nmax_holds = 5\n")).expect_err("refused");
    assert_eq!(error.message(bunko::Lang::En), error.to_string());
    insta::assert_snapshot!(error.message(bunko::Lang::Ja));
}

/// #16 item 4: every semantic problem reads in Japanese for the librarian who configures the
/// engine; English stays the `Display` form for logs.
#[test]
fn every_validation_problem_has_a_japanese_reason() {
    let mut p = Policy::preset("chiba").unwrap();
    p.library.name = String::new();
    p.cards.min_length = 40;
    p.passwords.min_length = 0;
    p.holds.shelf_days = 0;
    p.branches[0].transit_days = 99;
    p.branches.push(p.branches[0].clone());
    let error = p.validate().expect_err("refused");
    assert!(error.problems.len() >= 6, "{error}");
    for problem in &error.problems {
        let ja = problem.message(bunko::Lang::Ja);
        let reason_ja = ja.rsplit(": ").next().unwrap();
        assert!(
            reason_ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{problem} has no Japanese reason: {ja}"
        );
        assert_eq!(problem.message(bunko::Lang::En), problem.to_string());
    }
    insta::assert_snapshot!(error.message(bunko::Lang::Ja));
}
