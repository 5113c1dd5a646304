//! MARC21 catalogue import (#19 part 1): records written by an implementation nobody here
//! wrote (PyPI `pymarc`), in ISO 2709 and MARCXML, read field by field through the public API;
//! bad records reported with their position and field, never stopping the rest; hostile bytes
//! never panic.

mod common;

use bunko::catalog::{CopyStatus, TitleId};
use bunko::marc::{IMPORT_BATCH, ImportProgress, ImportReport, MarcField, MarcFormat, MarcMapping, MarcRecord};
use bunko::{Entity, Error};
use chrono::NaiveDate;
use common::World;
use common::python::{python_with, run_peer};
use proptest::prelude::*;

/// The test mapping: Koha's defaults, with the records' `WEST` branch being the library's `seibu`.
fn mapping() -> MarcMapping {
    MarcMapping::from_toml("[holdings.branch_codes]\nWEST = \"seibu\"\n").unwrap()
}

fn import(w: &mut World, bytes: &[u8], format: MarcFormat) -> (ImportReport, Vec<ImportProgress>) {
    let mut progress = Vec::new();
    let report = w.lib.import_marc(bytes, format, &mapping(), |p| progress.push(p)).unwrap();
    (report, progress)
}

fn date(s: &str) -> Option<NaiveDate> {
    Some(s.parse().unwrap())
}

/// The stored titles with ids 1..=n (ids are dense: a refused record leaves no row behind).
fn stored_titles(w: &World) -> Vec<String> {
    (1..=20).filter_map(|id| w.lib.title(TitleId::from(id)).ok()).map(|t| t.title).collect()
}

/// What both files hold, checked field by field.
fn check_catalogue(w: &World) {
    let copy = |b: &str| w.lib.copy_by_barcode(b).unwrap_or_else(|e| panic!("{b}: {e}"));
    let title_of = |b: &str| w.lib.title(copy(b).title).unwrap();

    // LC practice: romanized 245, kanji in 880 → the kanji form is the title.
    let soseki = title_of("J0001");
    assert_eq!(soseki.title, "吾輩は猫である");
    assert_eq!(soseki.author, "夏目, 漱石");
    assert_eq!(soseki.publisher, "岩波書店");
    assert_eq!(soseki.published_on, date("1990-04-01"), "264$c 1990.4 is April 1990");
    assert_eq!(soseki.isbn, "9784003101018", "020$a ISBN-10 stored as ISBN-13");
    assert_eq!(soseki.category, "913.6", "084 with $2 njb/09");
    assert_eq!(soseki.subjects, ["日本文学"]);
    assert!(!soseki.serial);
    let j1 = copy("J0001");
    assert_eq!((j1.branch.as_str(), j1.material_kind.as_str(), j1.loanable), ("chuo", "book", true));
    assert_eq!(j1.status, CopyStatus::OnShelf);
    let j2 = copy("J0002");
    assert_eq!((j2.branch.as_str(), j2.title, j2.loanable), ("seibu", soseki.id, false), "952$7 = 1: not for loan");

    // NDL practice: kanji in 245, the katakana reading in 880 → 245 stays the title.
    let norway = title_of("J0003");
    assert_eq!(norway.title, "ノルウェイの森");
    assert_eq!(norway.author, "村上, 春樹");
    assert_eq!(norway.publisher, "講談社");
    assert_eq!(norway.published_on, date("1987-01-01"));
    assert_eq!(norway.isbn, "9784062035163");
    assert_eq!(norway.category, "913.6", "084 with $2 ndc9");
    assert_eq!(copy("J0003").branch, "tobu");

    let hobbit = title_of("E0001");
    assert_eq!(hobbit.title, "The hobbit : or, There and back again");
    assert_eq!(hobbit.author, "Tolkien, J. R. R.; Anderson, Douglas A.");
    assert_eq!(hobbit.publisher, "Houghton Mifflin");
    assert_eq!(hobbit.published_on, date("2001-01-01"));
    assert_eq!(hobbit.isbn, "9780618260300", "the first word of `0618260307 (pbk.)`");
    assert_eq!(hobbit.category, "", "a DDC number (084 $2 ddc) is not an NDC");

    let serial = title_of("S0001");
    assert!(serial.serial, "leader/07 s");
    assert_eq!(copy("S0001").material_kind, "magazine");
    let av = copy("A0001");
    assert_eq!((av.material_kind.as_str(), av.branch.as_str()), ("av", "seibu"), "leader/06 j; WEST → seibu");
    assert_eq!(title_of("L0001").title, "最後の本", "the record after the broken ones is imported");

    // Nothing of a refused record is stored: not its title, not its other copies.
    for b in ["X0001", "X0002", "X0003"] {
        assert!(matches!(w.lib.copy_by_barcode(b), Err(Error::NotFound { entity: Entity::Copy, .. })), "{b}");
    }
    assert_eq!(
        stored_titles(w),
        [
            "吾輩は猫である",
            "ノルウェイの森",
            "The hobbit : or, There and back again",
            "週刊アスキー",
            "交響曲第9番",
            "最後の本"
        ]
    );
    assert!(w.lib.check().unwrap().is_empty());
}

/// (index, field, a word of the reason) of each skipped record.
fn skipped(report: &ImportReport) -> Vec<(usize, &str, u64)> {
    report.skipped.iter().map(|e| (e.position.index, e.field.as_str(), e.position.byte_offset)).collect()
}

#[test]
fn pymarc_records_import_field_by_field_from_iso2709_and_marcxml() {
    let Some(python) = python_with(&["pymarc==5.*"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    run_peer(&python, "marc_peer.py", &["write", dir.path().to_str().unwrap()]);
    let mrc = std::fs::read(dir.path().join("records.mrc")).unwrap();
    let xml = std::fs::read(dir.path().join("records.xml")).unwrap();

    // ISO 2709: pymarc's nine records plus one whose directory points past its data.
    let mut w = World::new("chiba", "2026-11-02");
    let (report, progress) = import(&mut w, &mrc, MarcFormat::Iso2709);
    let ends: Vec<u64> = mrc.iter().enumerate().filter(|(_, b)| **b == 0x1D).map(|(i, _)| i as u64 + 1).collect();
    let s = skipped(&report);
    assert_eq!(
        s.iter().map(|(i, f, _)| (*i, *f)).collect::<Vec<_>>(),
        [(5, "001"), (6, "020$a"), (7, "952$a"), (8, "952$p")]
    );
    assert_eq!(s[0].2, ends[4], "the broken record's byte offset");
    assert_eq!(s[3].2, ends[7]);
    assert!(report.skipped[0].reason.contains("directory"), "{}", report.skipped[0]);
    assert!(report.skipped[1].reason.contains("check digit"), "{}", report.skipped[1]);
    assert!(report.skipped[2].reason.contains("nowhere"), "{}", report.skipped[2]);
    assert!(report.skipped[3].reason.contains("J0001"), "{}", report.skipped[3]);
    assert_eq!((report.titles, report.copies), (6, 7));
    let last = progress.last().unwrap();
    assert!(last.done);
    assert_eq!((last.records, last.titles, last.copies, last.skipped), (10, 6, 7, 4));
    check_catalogue(&w);

    // MARCXML: the same nine records, read the same way.
    let mut w = World::new("chiba", "2026-11-02");
    let (report, _) = import(&mut w, &xml, MarcFormat::MarcXml);
    let s = skipped(&report);
    assert_eq!(s.iter().map(|(i, f, _)| (*i, *f)).collect::<Vec<_>>(), [(5, "020$a"), (6, "952$a"), (7, "952$p")]);
    assert_eq!((report.titles, report.copies), (6, 7));
    check_catalogue(&w);

    // Importing the same file again: every record's barcode is taken, nothing is added.
    let (again, _) = import(&mut w, &xml, MarcFormat::MarcXml);
    assert_eq!(again.titles, 0);
    assert!(again.skipped.iter().all(|e| e.field == "020$a" || e.field.starts_with("952$")), "{:?}", again.skipped);
    assert_eq!(stored_titles(&w).len(), 6);
}

#[test]
fn records_bunko_writes_read_back_in_pymarc() {
    let Some(python) = python_with(&["pymarc==5.*"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.mrc");
    let rec = book(1, "E1");
    std::fs::write(&file, rec.to_iso2709().unwrap()).unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&run_peer(&python, "marc_peer.py", &["read", file.to_str().unwrap()])).unwrap();
    let fields = out[0]["fields"].as_array().unwrap();
    assert_eq!(out[0]["leader"].as_str().unwrap().as_bytes()[9], b'a');
    let f245 = fields.iter().find(|f| f["tag"] == "245").unwrap();
    assert_eq!(f245["sub"][1], serde_json::json!(["a", "本 1 /"]));
    assert_eq!(f245["ind"], serde_json::json!(["1", "0"]));
    let f880 = fields.iter().find(|f| f["tag"] == "880").unwrap();
    assert_eq!(f880["sub"][1], serde_json::json!(["a", "ホン 1"]));
}

/// A book record with one copy at chuo.
fn book(n: usize, barcode: &str) -> MarcRecord {
    MarcRecord {
        leader: "00000nam a2200000 i 4500".into(),
        fields: vec![
            MarcField::control("001", format!("b{n}")),
            MarcField::data("245", ['1', '0'], &[('6', "880-01"), ('a', &format!("本 {n} /"))]),
            MarcField::data("880", ['1', '0'], &[('6', "245-01/$1"), ('a', &format!("ホン {n}"))]),
            MarcField::data("952", [' ', ' '], &[('a', "chuo"), ('p', barcode)]),
        ],
    }
}

#[test]
fn a_bad_record_in_a_later_batch_is_reported_and_every_batch_around_it_is_committed() {
    let mut w = World::new("chiba", "2026-11-02");
    let n = 2 * IMPORT_BATCH + 500;
    let mut bytes = Vec::new();
    let mut bad_offset = 0;
    for i in 0..n {
        let mut rec = book(i, &format!("B{i:05}")).to_iso2709().unwrap();
        if i == IMPORT_BATCH + 7 {
            rec[9] = b' '; // MARC-8
            bad_offset = bytes.len() as u64;
        }
        bytes.extend_from_slice(&rec);
    }
    let (report, progress) = import(&mut w, &bytes, MarcFormat::Iso2709);
    assert_eq!((report.titles, report.copies), (n - 1, n - 1));
    assert_eq!(report.skipped.len(), 1);
    let e = &report.skipped[0];
    assert_eq!(
        (e.position.index, e.position.byte_offset, e.field.as_str()),
        (IMPORT_BATCH + 7, bad_offset, "leader/09")
    );
    assert!(e.reason.contains("MARC-8"), "{e}");
    assert_eq!(
        progress.iter().map(|p| (p.titles, p.done)).collect::<Vec<_>>(),
        [(IMPORT_BATCH, false), (2 * IMPORT_BATCH, false), (n - 1, true)]
    );
    assert_eq!(w.lib.title(w.lib.copy_by_barcode("B02499").unwrap().title).unwrap().title, "本 2499");
    assert!(matches!(w.lib.copy_by_barcode(&format!("B{:05}", IMPORT_BATCH + 7)), Err(Error::NotFound { .. })));
}

#[test]
fn a_mapping_naming_an_unknown_kind_or_branch_is_refused_before_anything_is_read() {
    let mut w = World::new("chiba", "2026-11-02");
    let bytes = book(1, "B1").to_iso2709().unwrap();
    for toml in [
        "[[kinds]]\nkind = \"dvd\"\n",
        "[holdings.branch_codes]\nWEST = \"nowhere\"\n",
        "title = \"24$a\"\n",
        "titel = \"245$a\"\n",
    ] {
        let m = MarcMapping::from_toml(toml);
        let err = match m {
            Ok(m) => w.lib.import_marc(&bytes[..], MarcFormat::Iso2709, &m, |_| {}).unwrap_err(),
            Err(e) => e,
        };
        assert!(matches!(err, Error::InvalidInput { field: "mapping", .. }), "{toml}: {err}");
    }
    assert!(w.lib.copy_by_barcode("B1").is_err());
}

#[test]
fn hostile_iso2709_is_a_record_error_never_a_panic() {
    let mut w = World::new("chiba", "2026-11-02");
    let good = book(1, "G1").to_iso2709().unwrap();
    let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    cases.push(("truncated", good[..good.len() / 2].to_vec(), "record"));
    let mut wrong_len = good.clone();
    wrong_len[..5].copy_from_slice(b"00099");
    cases.push(("wrong length", wrong_len, "leader/00-04"));
    let mut bad_base = good.clone();
    bad_base[12..17].copy_from_slice(b"00030");
    cases.push(("wrong base address", bad_base, "leader/12-16"));
    let mut bad_offset = good.clone();
    bad_offset[24 + 12 + 7..24 + 12 + 12].copy_from_slice(b"00001");
    cases.push(("directory offset into another field", bad_offset, "245"));
    let mut not_utf8 = good.clone();
    let at = not_utf8.windows(3).position(|w| w == "本".as_bytes()).unwrap();
    not_utf8[at] = 0xFF;
    cases.push(("invalid UTF-8", not_utf8, "245"));
    cases.push(("garbage", (0..=255u8).cycle().take(5000).collect(), "leader/00-04"));
    let mut huge = b"99999nam a2200000 i 4500".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 1 << 20));
    cases.push(("1 MB field without terminators", huge, "record"));
    for (name, bytes, field) in cases {
        let mut input = bytes;
        input.extend_from_slice(&book(2, &format!("OK-{}", name.len())).to_iso2709().unwrap());
        let (report, _) = import(&mut w, &input, MarcFormat::Iso2709);
        assert_eq!(report.titles, 1, "{name}: the good record after it is imported");
        assert!(!report.skipped.is_empty(), "{name}");
        assert_eq!(report.skipped[0].field, field, "{name}: {}", report.skipped[0]);
    }
    let too_big = MarcRecord {
        leader: "00000nam a2200000 i 4500".into(),
        fields: vec![MarcField::data("245", [' ', ' '], &[('a', &"x".repeat(1 << 20))])],
    };
    assert!(matches!(too_big.to_iso2709(), Err(Error::InvalidInput { .. })));
}

#[test]
fn hostile_marcxml_is_a_record_error_never_a_panic() {
    let mut w = World::new("chiba", "2026-11-02");
    let ok = |n: &str| {
        format!(
            "<record><leader>00000nam a2200000 i 4500</leader><datafield tag=\"245\" ind1=\"1\" ind2=\"0\">\
             <subfield code=\"a\">A &amp; B &#x672C; {n}</subfield></datafield>\
             <datafield tag=\"952\"><subfield code=\"a\">chuo</subfield><subfield code=\"p\">{n}</subfield></datafield></record>"
        )
    };
    let xml = format!(
        "<?xml version=\"1.0\"?><marc:collection xmlns:marc=\"http://www.loc.gov/MARC21/slim\">{}<record><leader>short</leader></record>{}</marc:collection>",
        ok("X1").replace("<record>", "<marc:record>").replace("</record>", "</marc:record>"),
        ok("X2")
    );
    let (report, _) = import(&mut w, xml.as_bytes(), MarcFormat::MarcXml);
    assert_eq!(report.titles, 2, "{:?}", report.skipped);
    assert_eq!(w.lib.title(w.lib.copy_by_barcode("X1").unwrap().title).unwrap().title, "A & B 本 X1");
    assert_eq!((report.skipped[0].position.index, report.skipped[0].field.as_str()), (1, "leader"));

    let broken = format!(
        "<collection>{}<record><leader>00000nam a2200000 i 4500</leader><datafield tag=\"245\"></record>{}",
        ok("Y1"),
        ok("Y2")
    );
    let (report, _) = import(&mut w, broken.as_bytes(), MarcFormat::MarcXml);
    assert_eq!(report.titles, 1, "the record before the syntax error is imported");
    assert_eq!(report.skipped.last().unwrap().field, "xml");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random bytes, and random bytes spliced into a valid record, in either format: the import
    /// returns a report (never a panic), and everything it stored passes the integrity check.
    #[test]
    fn random_bytes_never_panic(
        noise in proptest::collection::vec(any::<u8>(), 0..600),
        at in 0usize..200,
        xml in any::<bool>(),
    ) {
        let mut w = World::new("chiba", "2026-11-02");
        let format = if xml { MarcFormat::MarcXml } else { MarcFormat::Iso2709 };
        let mut good = if xml { ok_xml().into_bytes() } else { book(1, "P1").to_iso2709().unwrap() };
        let _ = w.lib.import_marc(&noise[..], format, &mapping(), |_| {}).unwrap();
        let cut = at.min(good.len());
        good.splice(cut..cut, noise.iter().copied());
        let report = w.lib.import_marc(&good[..], format, &mapping(), |_| {}).unwrap();
        prop_assert!(report.titles <= 2);
        prop_assert!(w.lib.check().unwrap().is_empty());
    }
}

fn ok_xml() -> String {
    "<collection><record><leader>00000nam a2200000 i 4500</leader><datafield tag=\"245\" ind1=\"1\" ind2=\"0\">\
     <subfield code=\"a\">本</subfield></datafield><datafield tag=\"952\"><subfield code=\"a\">chuo</subfield>\
     <subfield code=\"p\">P1</subfield></datafield></record></collection>"
        .into()
}
