//! Text normalisation for Japanese-aware matching, one function for records and queries alike.
//!
//! Groonga's `NormalizerNFKC` options are the reference for what Japanese search folds
//! (`unify_kana`, `unify_prolonged_sound_mark`, `unify_middle_dot`, ...); NFKC alone does not
//! fold hiragana and katakana.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Normalises `text` for substring matching:
///
/// 1. Unicode NFKC: full-width ASCII to half-width (`ＳＱＬ` → `SQL`), half-width katakana to
///    full-width with voiced marks composed (`ﾄﾞ` → `ド`), compatibility characters (`①` → `1`).
/// 2. Lower case (`SQLite` → `sqlite`).
/// 3. Katakana to hiragana (`ドストエフスキー` → `どすとえふすきー`), including `ヴ` → `ゔ` and the
///    iteration marks `ヽ` `ヾ` → `ゝ` `ゞ` (`コヽロ` matches `こゝろ`).
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
#[must_use]
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into a reused buffer (cleared first): the matcher's hot path.
pub(crate) fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    // Most text is already NFKC (checking is much cheaper than composing); skip the pass then.
    // Printable ASCII, kana and the CJK unified ideographs, nearly all of a Japanese catalogue,
    // are known stable without the general check's table lookups.
    if text.chars().all(is_plainly_nfkc) || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        fold(text.chars(), out);
    } else {
        fold(text.nfkc(), out);
    }
}

/// Steps 2–6 of [`normalize`] over NFKC text.
fn fold(chars: impl Iterator<Item = char>, out: &mut String) {
    let mut previous_is_kana = false;
    for c in chars.flat_map(lower) {
        let c = katakana_to_hiragana(c);
        let c = if previous_is_kana && is_long_vowel_variant(c) { 'ー' } else { c };
        if c.is_whitespace() || is_middle_dot(c) {
            continue;
        }
        previous_is_kana = is_kana(c);
        out.push(c);
    }
}

/// `char::to_lowercase`, short-cut for ASCII and for the CJK and kana block (no case there),
/// which is nearly all of a Japanese catalogue.
fn lower(c: char) -> Lower {
    match c {
        _ if c.is_ascii() => Lower::One(Some(c.to_ascii_lowercase())),
        '\u{3000}'..='\u{9fff}' => Lower::One(Some(c)),
        _ => Lower::Any(c.to_lowercase()),
    }
}

/// The lower case of one character: itself, or what `char::to_lowercase` gives.
enum Lower {
    One(Option<char>),
    Any(std::char::ToLowercase),
}

impl Iterator for Lower {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        match self {
            Lower::One(c) => c.take(),
            Lower::Any(it) => it.next(),
        }
    }
}

/// Characters NFKC leaves alone whatever surrounds them: none decomposes, and none is the
/// second half of a composition (in kana only the combining voiced marks U+3099/U+309A are,
/// and they are outside these ranges).
fn is_plainly_nfkc(c: char) -> bool {
    matches!(c, ' '..='~' | 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー' | '一'..='\u{9fff}')
}

fn katakana_to_hiragana(c: char) -> char {
    match c {
        'ァ'..='ヶ' | 'ヽ' | 'ヾ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

fn is_kana(c: char) -> bool {
    matches!(c, 'ぁ'..='ゖ' | 'ゝ' | 'ゞ' | 'ァ'..='ヺ' | 'ヽ' | 'ヾ' | 'ー')
}

fn is_long_vowel_variant(c: char) -> bool {
    matches!(c, 'ー' | '－' | '-' | '〜' | '～' | '~' | '‐' | '—' | '―')
}

fn is_middle_dot(c: char) -> bool {
    matches!(c, '・' | '･' | '·' | '•')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_case_short_cut_agrees_with_std_for_every_char() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert!(lower(c).eq(c.to_lowercase()), "{c:?} (U+{:04X})", c as u32);
        }
    }

    #[test]
    fn plainly_nfkc_characters_are_nfkc_and_start_no_composition() {
        let plain: Vec<char> =
            (0..=u32::from(char::MAX)).filter_map(char::from_u32).filter(|c| is_plainly_nfkc(*c)).collect();
        for &c in &plain {
            assert_eq!(is_nfkc_quick([c].into_iter()), IsNormalized::Yes, "{c:?}");
        }
        // Every pair stays as it is: nothing here composes with what precedes it.
        for &c in plain.iter().filter(|c| !c.is_ascii()).step_by(97) {
            for &d in plain.iter().step_by(89) {
                let pair: String = [c, d].iter().collect();
                assert_eq!(pair.nfkc().collect::<String>(), pair);
            }
        }
    }

    #[test]
    fn text_already_in_nfkc_skips_the_pass_with_the_same_result() {
        for text in ["どすとえふすきー", "sqlite入門", "ﾄﾞｽﾄｴﾌｽｷｰ", "ＳＱＬｉｔｅ", "Ａ・Ｂ　ｃ", "e\u{301}"]
        {
            let mut full = String::new();
            fold(text.nfkc(), &mut full);
            assert_eq!(normalize(text), full, "{text}");
        }
    }
}
