//! Accounts: password rules per library, temporary passwords, login, sessions, lockout.

mod common;

use bunko::holds::HoldRequest;
use bunko::policy::{ContactMethod, PasswordProblem, Reason, password_problems};
use bunko::{Error, Policy};
use common::{World, dump};

fn problems(preset: &str, pw: &str) -> Vec<PasswordProblem> {
    password_problems(&Policy::preset(preset).unwrap().passwords, pw)
}

#[test]
fn chiba_passwords_are_6_to_10_half_width_alphanumerics_r_a4() {
    assert!(problems("chiba", "Abc123").is_empty());
    assert_eq!(problems("chiba", "Ab1"), [PasswordProblem::TooShort { min: 6 }]);
    assert_eq!(problems("chiba", "Abcdefghij1"), [PasswordProblem::TooLong { max: 10 }]);
    assert_eq!(problems("chiba", "abc#123"), [PasswordProblem::CharacterNotAllowed { found: '#' }]);
    assert_eq!(problems("chiba", "ａｂｃ１２３"), [PasswordProblem::CharacterNotAllowed { found: 'ａ' }], "full-width");
}

#[test]
fn kanagawa_passwords_need_10_with_letter_digit_and_symbol_r_a4() {
    assert!(problems("kanagawa", "kanagawa#1").is_empty());
    assert_eq!(
        problems("kanagawa", "abc"),
        [
            PasswordProblem::TooShort { min: 10 },
            PasswordProblem::NeedsDigit,
            PasswordProblem::NeedsSymbol { symbols: "#$%&@+*=!()".into() }
        ],
        "every broken rule at once"
    );
    assert_eq!(
        problems("kanagawa", "kanagawa?12"),
        [
            PasswordProblem::CharacterNotAllowed { found: '?' },
            PasswordProblem::NeedsSymbol { symbols: "#$%&@+*=!()".into() }
        ]
    );
}

#[test]
fn chikushino_passwords_are_4_to_10_alphanumerics_r_a4() {
    assert!(problems("chikushino", "ab12").is_empty());
    assert_eq!(problems("chikushino", "ab1"), [PasswordProblem::TooShort { min: 4 }]);
}

#[test]
fn a_temporary_password_can_only_be_changed_and_chiba_refuses_holds_with_it_r_a2() {
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    assert_eq!(temporary.len(), 8);
    let session = w.lib.login(&card, &temporary).unwrap();
    assert!(session.must_change_password);
    assert!(w.lib.authenticate(&session.token).unwrap().must_change_password);
    let t = w.title("本");
    w.copy_of(t, "chuo", "book");
    let err = w.lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::None)).unwrap_err();
    assert!(matches!(err, Error::Refused(ref r) if r.reasons == [Reason::TemporaryPassword]), "{err}");

    let fresh = w.lib.change_password(p, &temporary, "Chiba2026", "Chiba2026").unwrap();
    assert!(!fresh.must_change_password);
    assert!(matches!(w.lib.authenticate(&session.token), Err(Error::NotAuthenticated)), "old sessions are revoked");
    assert!(w.lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::None)).is_ok());
    // Case-sensitive (R-A4).
    assert!(matches!(w.lib.login(&card, "chiba2026"), Err(Error::LoginFailed)));
    assert!(w.lib.login(&card, "Chiba2026").is_ok());
}

#[test]
fn kanagawa_temporary_password_is_10_characters_r_a2() {
    // 「10桁のパスワード」: ten long. Its characters are an assumption (half-width letters and
    // digits): the guide's next sentence uses 桁 for 「英数字と記号」 too, so not digits only.
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    assert_eq!(temporary.chars().count(), 10);
    assert!(temporary.chars().all(|c| c.is_ascii_alphanumeric()), "assumed charset");
}

#[test]
fn password_change_needs_the_current_password_and_the_new_one_twice_r_a4() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    assert!(matches!(
        w.lib.change_password(p, &temporary, "kanagawa#1", "kanagawa#2"),
        Err(Error::InvalidInput { field: "confirmation", .. })
    ));
    assert!(matches!(
        w.lib.change_password(p, "wrong", "kanagawa#1", "kanagawa#1"),
        Err(Error::InvalidInput { field: "current_password", .. })
    ));
    let err = w.lib.change_password(p, &temporary, "short", "short").unwrap_err();
    assert!(matches!(&err, Error::PasswordRules(list) if list.len() == 3), "{err}");
    insta::assert_snapshot!(err.to_string(), @"the password does not meet the rules: use at least 10 characters; include a digit; include one of #$%&@+*=!()");
    assert!(w.lib.change_password(p, &temporary, "kanagawa#1", "kanagawa#1").is_ok());
}

#[test]
fn unknown_card_and_wrong_password_give_the_same_error() {
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.issue_temporary_password(p).unwrap();
    let wrong = w.lib.login(&card, "nope").unwrap_err();
    let unknown = w.lib.login("99999999", "nope").unwrap_err();
    assert_eq!(format!("{wrong:?}"), format!("{unknown:?}"));
    assert_eq!(wrong.to_string(), unknown.to_string());
    // A patron who never set a password looks the same too.
    let q = w.patron();
    let q_card = w.lib.patron(q).unwrap().card_number.to_string();
    assert_eq!(format!("{:?}", w.lib.login(&q_card, "x").unwrap_err()), format!("{wrong:?}"));
}

#[test]
fn five_failures_in_15_minutes_lock_the_card_known_or_not_then_it_reopens() {
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    for card in [card.as_str(), "99999999"] {
        for _ in 0..5 {
            assert!(matches!(w.lib.login(card, "bad"), Err(Error::LoginFailed)));
        }
        assert!(matches!(w.lib.login(card, "bad"), Err(Error::LockedOut { .. })), "{card}");
    }
    assert!(matches!(w.lib.login(&card, &temporary), Err(Error::LockedOut { .. })), "even the right password waits");
    w.clock.advance(chrono::Duration::minutes(16));
    assert!(w.lib.login(&card, &temporary).is_ok());
}

#[test]
fn staff_issuing_a_new_password_clears_the_lockout() {
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.issue_temporary_password(p).unwrap();
    for _ in 0..5 {
        let _ = w.lib.login(&card, "bad");
    }
    let again = w.lib.issue_temporary_password(p).unwrap();
    assert!(w.lib.login(&card, &again).is_ok());
}

#[test]
fn sessions_expire_when_idle_and_end_at_logout() {
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    let s = w.lib.change_password(p, &temporary, "Secret99", "Secret99").unwrap();
    w.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(w.lib.authenticate(&s.token).unwrap().patron, p, "use extends the session");
    w.clock.advance(chrono::Duration::minutes(20));
    assert!(w.lib.authenticate(&s.token).is_ok());
    w.clock.advance(chrono::Duration::minutes(31));
    assert!(matches!(w.lib.authenticate(&s.token), Err(Error::NotAuthenticated)));
    let s2 = w.lib.login(&card, "Secret99").unwrap();
    assert!(w.lib.logout(&s2.token).unwrap());
    assert!(matches!(w.lib.authenticate(&s2.token), Err(Error::NotAuthenticated)));
    assert!(matches!(w.lib.authenticate("not-a-token"), Err(Error::NotAuthenticated)));
}

#[test]
fn kanagawa_blocks_login_with_overdue_items_after_the_password_checks_r_a6() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    let c = w.copy_at("honkan", "book");
    w.lib.checkout(&c, p, "honkan").unwrap();
    w.go_to("2026-07-01");
    let err = w.lib.login(&card, &temporary).unwrap_err();
    assert!(matches!(err, Error::Refused(ref r) if r.reasons == [Reason::HasOverdueLoans { count: 1 }]), "{err}");
}

#[test]
fn no_password_or_token_is_stored_in_clear() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let path = db.path.clone();
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    let s1 = w.lib.login(&card, &temporary).unwrap();
    let s2 = w.lib.change_password(p, &temporary, "Plain0Text", "Plain0Text").unwrap();
    let s3 = w.lib.login(&card, "Plain0Text").unwrap();
    let everything = dump(&path);
    assert!(everything.contains(&card), "the dump is searchable text");
    for secret in [temporary.as_str(), "Plain0Text", &s1.token, &s2.token, &s3.token] {
        assert!(!everything.contains(secret), "`{secret}` found in the database");
    }
    assert!(everything.contains("$argon2id$"), "hashes are argon2id PHC strings");
    assert!(!format!("{s3:?}").contains(&s3.token), "Debug redacts the token");
}

#[test]
fn a_hash_with_old_parameters_is_upgraded_at_login() {
    use argon2::password_hash::PasswordHasher;
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let path = db.path.clone();
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    );
    let old = weak.hash_password_with_salt(b"Legacy123", b"saltsaltsaltsalt").unwrap().to_string();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE patrons SET password_hash = ?2 WHERE id = ?1", rusqlite::params![p.get(), old])
        .unwrap();
    w.lib.login(&card, "Legacy123").unwrap();
    let stored: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT password_hash FROM patrons WHERE id = ?1", [p.get()], |r| r.get(0))
        .unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    assert!(w.lib.login(&card, "Legacy123").is_ok(), "the upgraded hash still verifies");
}

#[test]
fn fukushima_patron_may_delete_the_password_r_a3() {
    // 「パスワード変更・削除、メールアドレス登録・変更・削除が行えます。」 (fukushima, R-A3).
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    let session = w.lib.change_password(p, &temporary, "Fukushima1", "Fukushima1").unwrap();
    w.lib.add_email(p, "a@example.jp", Some("a@example.jp"), None).unwrap();
    let code = w.lib.pending_notices(10).unwrap().pop().unwrap();
    let code = code.body.lines().find_map(|l| l.strip_prefix("コード: ")).unwrap().to_owned();
    assert!(matches!(w.lib.delete_password(p, "wrong"), Err(Error::InvalidInput { field: "current_password", .. })));
    w.lib.delete_password(p, "Fukushima1").unwrap();
    assert!(matches!(w.lib.authenticate(&session.token), Err(Error::NotAuthenticated)), "sessions end");
    assert!(w.lib.confirm_email(&code).is_err(), "outstanding codes end");
    let deleted = w.lib.login(&card, "Fukushima1").unwrap_err();
    let q = w.patron();
    let never = w.lib.patron(q).unwrap().card_number.to_string();
    assert_eq!(format!("{deleted:?}"), format!("{:?}", w.lib.login(&never, "Fukushima1").unwrap_err()));
    assert!(matches!(deleted, Error::LoginFailed), "like an account without a password");
}

#[test]
fn chiba_patron_may_not_delete_the_password_r_a3() {
    // Only fukushima's guide offers deletion; elsewhere the preset says so and marks it unstated.
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    assert!(matches!(w.lib.delete_password(p, &temporary), Err(Error::InvalidInput { field: "password", .. })));
}

#[test]
fn kanagawa_email_settings_are_refused_with_a_temporary_password_r_a2() {
    // The refused services of a temporary password are an assumption (not stated in the guide);
    // kanagawa's preset names e-mail settings among them.
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    w.lib.register_email_at_counter(p, "k@example.jp", Some("pc")).unwrap();
    w.lib.issue_temporary_password(p).unwrap();
    let temporary = |e: Error| matches!(e, Error::Refused(ref r) if r.reasons == [Reason::TemporaryPassword]);
    assert!(temporary(w.lib.add_email(p, "m@example.jp", Some("m@example.jp"), Some("mobile")).unwrap_err()));
    assert!(temporary(w.lib.choose_hold_email(p, "k@example.jp").unwrap_err()));
    assert!(temporary(w.lib.set_due_reminders(p, true).unwrap_err()));
    assert!(w.lib.remove_email(p, "k@example.jp").unwrap(), "deleting one's own data is never refused");
    // Staff at the counter still see the loans of a patron who may not log in (R-A6).
    let c = w.copy_at("honkan", "book");
    w.lib.checkout(&c, p, "honkan").unwrap();
    w.go_to("2026-07-01");
    assert!(!w.lib.patron_standing(p, None).unwrap().is_empty(), "overdue: no login at kanagawa");
    assert_eq!(w.lib.patron_loans(p).unwrap().len(), 1);
}

#[test]
fn patrons_change_their_own_personal_details_only_where_the_policy_allows_r_a7() {
    // shizuoka 「住所、電話番号、氏名については、マイライブラリからの変更ができません」, chikushino
    // 「住所や電話番号の変更は窓口でお願いします」; the other three presets do the same (not
    // stated in their guides).
    for preset in bunko::policy::PRESET_NAMES {
        let mut w = World::new(preset, "2026-06-01");
        let p = w.patron();
        let err = w.lib.update_own_personal_details(p, "新しい名前", None, Vec::new()).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "personal_details", .. }), "{preset}: {err}");
    }
    let mut policy = Policy::preset("chiba").unwrap();
    policy.accounts.patron_edits_personal_details = true; // a library that allows it
    let mut w = World::with_policy(policy, "2026-06-01");
    let p = w.patron();
    w.lib.update_own_personal_details(p, "新しい名前", None, Vec::new()).unwrap();
    assert_eq!(w.lib.patron(p).unwrap().name, "新しい名前");
}

#[test]
fn kanagawa_a_card_unused_for_three_years_cannot_log_in_r_a6() {
    // 「3年以上図書館カードを利用していない場合…表示されます」: the login itself must not count
    // as the use that lifts the block.
    let mut w = World::new("kanagawa", "2026-05-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    w.go_to("2029-06-01");
    for _ in 0..2 {
        let err = w.lib.login(&card, &temporary).unwrap_err();
        assert!(matches!(err, Error::Refused(ref r) if matches!(r.reasons[..], [Reason::CardUnused { .. }])), "{err}");
    }
}
