//! proptest (#8): the matcher equals a naive oracle (every query × every record with
//! `str::contains` on normalised text), also after random add / change / delete of queries.

use bunko::alerts::{Field, Matcher, Query, Record, normalize};
use proptest::prelude::*;

const VOCAB: [&str; 12] =
    ["猫", "ねこ", "ネコ", "本", "ドストエフスキー", "ﾄﾞｽﾄｴﾌｽｷｰ", "SQL", "ｓｑｌ", "村上", "春樹", "の", "ite"];
const FIELDS: [Field; 5] = [Field::Title, Field::Author, Field::Publisher, Field::Subject, Field::Keyword];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(VOCAB.to_vec()), 0..4).prop_map(|w| w.join(" "))
}

fn query() -> impl Strategy<Value = Query> {
    (
        prop::collection::vec((prop::sample::select(FIELDS.to_vec()), prop::sample::select(VOCAB.to_vec())), 0..3),
        prop::option::of(prop::sample::select(vec!["9", "91", "913", "4"])),
    )
        .prop_map(|(terms, category)| Query {
            terms: terms.into_iter().map(|(f, t)| (f, t.to_owned())).collect(),
            category: category.map(str::to_owned),
        })
}

fn record() -> impl Strategy<Value = Record> {
    (text(), text(), text(), text(), prop::sample::select(vec!["913.6", "910", "007", "490"])).prop_map(
        |(title, author, publisher, subjects, category)| Record {
            title,
            author,
            publisher,
            subjects,
            category: category.into(),
        },
    )
}

fn oracle(q: &Query, r: &Record) -> bool {
    let terms: Vec<(Field, String)> =
        q.terms.iter().map(|(f, t)| (*f, normalize(t))).filter(|(_, t)| !t.is_empty()).collect();
    if terms.is_empty() {
        return false;
    }
    let fields = [
        (Field::Title, normalize(&r.title)),
        (Field::Author, normalize(&r.author)),
        (Field::Publisher, normalize(&r.publisher)),
        (Field::Subject, normalize(&r.subjects)),
    ];
    let in_field =
        |f: Field, t: &str| fields.iter().any(|(g, text)| (f == Field::Keyword || *g == f) && text.contains(t));
    let category_ok = q.category.as_deref().map(normalize).is_none_or(|c| normalize(&r.category).starts_with(&c));
    category_ok && terms.iter().all(|(f, t)| in_field(*f, t))
}

fn sorted(mut keys: Vec<usize>) -> Vec<usize> {
    keys.sort_unstable();
    keys
}

#[derive(Debug, Clone)]
enum Change {
    Add(Query),
    Replace(usize, Query),
    Delete(usize),
}

proptest! {
    #[test]
    fn matcher_equals_the_naive_oracle(
        queries in prop::collection::vec(query(), 0..20),
        records in prop::collection::vec(record(), 1..10),
        changes in prop::collection::vec(prop_oneof![
            query().prop_map(Change::Add),
            (0..20usize, query()).prop_map(|(i, q)| Change::Replace(i, q)),
            (0..20usize).prop_map(Change::Delete),
        ], 0..6),
    ) {
        let mut live: Vec<(usize, Query)> = queries.into_iter().enumerate().collect();
        let mut next = live.len();
        for step in 0..=changes.len() {
            let matcher = Matcher::new(live.iter().cloned());
            let batch = matcher.matches_all(&records);
            for (r, got) in records.iter().zip(batch) {
                let expected: Vec<usize> = live.iter().filter(|(_, q)| oracle(q, r)).map(|(k, _)| *k).collect();
                prop_assert_eq!(&sorted(matcher.matches(r)), &expected, "record {:?}", r);
                prop_assert_eq!(sorted(got), expected, "batch, record {:?}", r);
            }
            match changes.get(step) {
                Some(Change::Add(q)) => { live.push((next, q.clone())); next += 1; }
                Some(Change::Replace(i, q)) if !live.is_empty() => { let n = live.len(); live[i % n].1 = q.clone(); }
                Some(Change::Delete(i)) if !live.is_empty() => { let n = live.len(); live.remove(i % n); }
                _ => {}
            }
        }
    }
}

#[test]
fn terms_must_all_match_and_in_their_own_field() {
    let q = |terms: &[(Field, &str)]| Query {
        terms: terms.iter().map(|(f, t)| (*f, t.to_string())).collect(),
        category: None,
    };
    let m = Matcher::new([
        (1, q(&[(Field::Author, "ドストエフスキー")])),
        (2, q(&[(Field::Title, "ドストエフスキー")])),
        (3, q(&[(Field::Keyword, "罪と罰"), (Field::Author, "ﾄﾞｽﾄｴﾌｽｷｰ")])),
        (4, q(&[(Field::Keyword, "罪と罰"), (Field::Keyword, "白痴")])),
        (5, q(&[(Field::Title, "  ")])),
    ]);
    let r = Record {
        title: "罪と罰".into(), author: "ドストエフスキー, フョードル".into(), ..Record::default()
    };
    assert_eq!(
        sorted(m.matches(&r)),
        [1, 3],
        "author term in the author field; every term needed; blank never matches"
    );
}
