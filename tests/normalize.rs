//! The normalisation table (#8): width, kana, case, NFKC compatibility, combining marks,
//! prolonged sound marks, middle dots, spaces.

use bunko::alerts::normalize;

const PAIRS: [(&str, &str); 32] = [
    ("ﾄﾞｽﾄｴﾌｽｷｰ", "half-width katakana with voiced mark"),
    ("ドストエフスキー", "full-width katakana"),
    ("どすとえふすきー", "hiragana"),
    ("ＳＱＬｉｔｅ", "full-width Latin"),
    ("SQLite", "mixed case"),
    ("sqlite", "lower case"),
    ("ＡＢＣ１２３", "full-width alphanumerics"),
    ("①②③", "circled digits"),
    ("㈱岩波書店", "parenthesised ideograph"),
    ("ｶﾞﾝﾀﾞﾑ", "half-width voiced"),
    ("カ\u{3099}ンダム", "combining voiced mark"),
    ("ガンダム", "precomposed"),
    ("ﾊﾟﾝ", "half-width semi-voiced"),
    ("ヴァイオリン", "katakana vu"),
    ("ゔぁいおりん", "hiragana vu"),
    ("ヵヶ", "small ka and ke"),
    ("ぁぃぅ", "small kana stay small"),
    ("コーヒー", "long vowel"),
    ("ｺｰﾋｰ", "half-width long vowel"),
    ("コ－ヒ－", "full-width hyphen as long vowel"),
    ("コ〜ヒ〜", "wave dash as long vowel"),
    ("Ｃ－３ＰＯ", "hyphen after Latin stays a hyphen"),
    ("ドストエフスキー・フョードル", "middle dot"),
    ("ﾄﾞｽﾄｴﾌｽｷｰ･ﾌｮｰﾄﾞﾙ", "half-width middle dot"),
    ("村上　春樹", "ideographic space"),
    ("村上 春樹", "ascii space"),
    ("Harry  Potter", "spaces between words"),
    ("Ｈａｒｒｙ　Ｐｏｔｔｅｒ", "full-width words"),
    ("Café", "precomposed accent"),
    ("Cafe\u{301}", "combining accent"),
    ("ﬁ", "ligature"),
    ("ⅻ", "roman numeral"),
];

#[test]
fn normalisation_table() {
    let table: String =
        PAIRS.iter().map(|(input, what)| format!("{input} → {} ({what})\n", normalize(input))).collect();
    insta::assert_snapshot!(table);
}

#[test]
fn the_issue_examples_match_each_other() {
    let dostoevsky = normalize("どすとえふすきー");
    assert_eq!(normalize("ﾄﾞｽﾄｴﾌｽｷｰ"), dostoevsky);
    assert_eq!(normalize("ドストエフスキー"), dostoevsky);
    assert_eq!(normalize("ＳＱＬｉｔｅ"), normalize("sqlite"));
    assert_eq!(normalize("ガンダム"), normalize("ｶﾞﾝﾀﾞﾑ"));
    assert_eq!(normalize("カ\u{3099}ンダム"), normalize("ガンダム"));
    assert_eq!(normalize("Cafe\u{301}"), normalize("Café"));
    assert!(normalize("ドストエフスキー・フョードル").contains(&dostoevsky));
    // #14 item 9: the katakana iteration marks ヽ ヾ (U+30FD–30FE) fold like the other kana.
    assert_eq!(normalize("コヽロ"), normalize("こゝろ"));
    assert_eq!(normalize("ミスヾ"), normalize("みすゞ"));
}

#[test]
fn normalising_twice_changes_nothing() {
    for (input, _) in PAIRS {
        let once = normalize(input);
        assert_eq!(normalize(&once), once, "{input}");
    }
}
