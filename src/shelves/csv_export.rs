//! Booklist CSV (R-B3): RFC 4180 through the `csv` crate, UTF-8, optional BOM for Excel.

use std::borrow::Cow;

use super::BooklistEntry;
use crate::error::{Error, Result};

/// Column headings, as the fukushima download shows them.
const HEADER: [&str; 7] = ["書名", "著者", "出版者", "出版日", "ISBN", "メモ", "登録日"];

/// First characters that make a spreadsheet read a cell as a formula (or, for tab and CR, split
/// it into one): OWASP "CSV injection".
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The entries as CSV: a header row, then one row per entry. Fields are quoted when they hold
/// a comma, quote or line break; records end with CRLF. With `bom`, the bytes start with the
/// UTF-8 byte-order mark so Excel on Japanese Windows does not read them as Shift_JIS.
///
/// The file is meant for Excel, so a cell beginning with `=`, `+`, `-`, `@`, tab or CR gets a
/// leading `'` (OWASP's advice against CSV injection): a memo `=HYPERLINK(...)` is shown as
/// the text it is instead of running as a formula. Such a cell reads back with the `'`.
///
/// # Errors
///
/// - `InvalidInput`: the CSV could not be written (not expected).
pub fn booklist_csv(entries: &[BooklistEntry], bom: bool) -> Result<Vec<u8>> {
    let mut out = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(HEADER).map_err(csv_error)?;
        for e in entries {
            let published = e.published_on.map(|d| d.to_string()).unwrap_or_default();
            let added = e.added_on.to_string();
            let cells =
                [&e.title_text, &e.author, &e.publisher, &published, &e.isbn, &e.memo, &added].map(|c| neutralised(c));
            w.write_record(cells.iter().map(|c| c.as_bytes())).map_err(csv_error)?;
        }
        w.flush().map_err(|e| Error::InvalidInput { field: "csv", reason: e.to_string() })?;
    }
    Ok(out)
}

/// `cell` with a leading `'` when it begins like a formula, so a spreadsheet shows it as text.
fn neutralised(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

fn csv_error(e: csv::Error) -> Error {
    Error::InvalidInput { field: "csv", reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn only_formula_starts_are_neutralised() {
        for (cell, shown) in [
            ("=1+1", "'=1+1"),
            ("+81 3", "'+81 3"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("a=1", "a=1"),
            ("", ""),
            ("＝全角", "＝全角"),
        ] {
            assert_eq!(neutralised(cell), shown, "{cell:?}");
        }
    }
}
