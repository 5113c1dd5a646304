//! proptest (R-A4): an accepted password satisfies each rule of its policy; a rejected one
//! names at least one broken rule, and only rules it really breaks.

use bunko::Policy;
use bunko::policy::{PasswordProblem, password_char_allowed, password_problems};
use proptest::prelude::*;

proptest! {
    #[test]
    fn accepted_passwords_satisfy_every_rule_and_rejections_name_real_breaks(
        preset in prop::sample::select(bunko::policy::PRESET_NAMES.to_vec()),
        pw in "[a-zA-Z0-9#$%&@+*=!()?ａ漢 ]{0,14}",
    ) {
        let rules = Policy::preset(preset).unwrap().passwords;
        let problems = password_problems(&rules, &pw);
        let n = pw.chars().count() as u32;
        let checks = [
            (n >= rules.min_length, PasswordProblem::TooShort { min: rules.min_length }),
            (rules.max_length.is_none_or(|m| n <= m), PasswordProblem::TooLong { max: rules.max_length.unwrap_or(0) }),
            (!rules.require_letter || pw.chars().any(|c| c.is_ascii_alphabetic()), PasswordProblem::NeedsLetter),
            (!rules.require_digit || pw.chars().any(|c| c.is_ascii_digit()), PasswordProblem::NeedsDigit),
            (!rules.require_symbol || pw.chars().any(|c| rules.symbols.contains(c)), PasswordProblem::NeedsSymbol { symbols: rules.symbols.clone() }),
        ];
        for (ok, problem) in &checks {
            prop_assert_eq!(!ok, problems.contains(problem), "{:?} for {:?}", problem, pw);
        }
        let all_allowed = pw.chars().all(|c| password_char_allowed(rules.charset, &rules.symbols, c));
        prop_assert_eq!(!all_allowed, problems.iter().any(|p| matches!(p, PasswordProblem::CharacterNotAllowed { .. })));
        prop_assert_eq!(problems.is_empty(), checks.iter().all(|(ok, _)| *ok) && all_allowed);
    }
}
