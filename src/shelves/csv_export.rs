//! Booklist CSV (R-B3): RFC 4180 through the `csv` crate, UTF-8, optional BOM for Excel.

use super::BooklistEntry;
use crate::error::{Error, Result};

/// Column headings, as the fukushima download shows them.
const HEADER: [&str; 7] = ["書名", "著者", "出版者", "出版日", "ISBN", "メモ", "登録日"];

/// The entries as CSV: a header row, then one row per entry. Fields are quoted when they hold
/// a comma, quote or line break; records end with CRLF. With `bom`, the bytes start with the
/// UTF-8 byte-order mark so Excel on Japanese Windows does not read them as Shift_JIS.
pub fn booklist_csv(entries: &[BooklistEntry], bom: bool) -> Result<Vec<u8>> {
    let mut out = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(HEADER).map_err(csv_error)?;
        for e in entries {
            let published = e.published_on.map(|d| d.to_string()).unwrap_or_default();
            let added = e.added_on.to_string();
            w.write_record([&e.title_text, &e.author, &e.publisher, &published, &e.isbn, &e.memo, &added])
                .map_err(csv_error)?;
        }
        w.flush().map_err(|e| Error::InvalidInput { field: "csv", reason: e.to_string() })?;
    }
    Ok(out)
}

fn csv_error(e: csv::Error) -> Error {
    Error::InvalidInput { field: "csv", reason: e.to_string() }
}
