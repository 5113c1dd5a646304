//! Text normalisation for Japanese-aware matching, one function for records and queries alike.
//!
//! Groonga's `NormalizerNFKC` options are the reference for what Japanese search folds
//! (`unify_kana`, `unify_prolonged_sound_mark`, `unify_middle_dot`, ...); NFKC alone does not
//! fold hiragana and katakana.

use unicode_normalization::UnicodeNormalization;

/// Normalises `text` for substring matching:
///
/// 1. Unicode NFKC: full-width ASCII to half-width (`ＳＱＬ` → `SQL`), half-width katakana to
///    full-width with voiced marks composed (`ﾄﾞ` → `ド`), compatibility characters (`①` → `1`).
/// 2. Lower case (`SQLite` → `sqlite`).
/// 3. Katakana to hiragana (`ドストエフスキー` → `どすとえふすきー`), including `ヴ` → `ゔ`.
/// 4. Prolonged-sound-mark variants (`ｰ`, `－`, `〜`, `～` after kana) to `ー`.
/// 5. Middle dots (`・`, `･`, `·`) removed, so `ドストエフスキー・フョードル` matches without it.
/// 6. All white space removed, so terms match across the spaces Japanese text rarely has.
///
/// Small kana stay small (`ぁ` ≠ `あ`): folding them would merge distinct words.
///
/// # Examples
/// ```
/// use bunko::alerts::normalize;
/// assert_eq!(normalize("ﾄﾞｽﾄｴﾌｽｷｰ"), normalize("どすとえふすきー"));
/// assert_eq!(normalize("ＳＱＬｉｔｅ 入門"), "sqlite入門");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_is_kana = false;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        let c = katakana_to_hiragana(c);
        let c = if previous_is_kana && is_long_vowel_variant(c) { 'ー' } else { c };
        if c.is_whitespace() || is_middle_dot(c) {
            continue;
        }
        previous_is_kana = is_kana(c);
        out.push(c);
    }
    out
}

fn katakana_to_hiragana(c: char) -> char {
    match c {
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

fn is_kana(c: char) -> bool {
    matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー')
}

fn is_long_vowel_variant(c: char) -> bool {
    matches!(c, 'ー' | '－' | '-' | '〜' | '～' | '~' | '‐' | '—' | '―')
}

fn is_middle_dot(c: char) -> bool {
    matches!(c, '・' | '･' | '·' | '•')
}
