//! MARC import on [`Library`].

use std::io::{BufReader, Read};

use super::mapping::Mapped;
use super::read::Records;
use super::{IMPORT_BATCH, ImportProgress, ImportReport, MarcFormat, MarcMapping, RecordError, RecordPosition};
use crate::Library;
use crate::catalog::{NewCopy, TitleId};
use crate::error::{Error, Result};

impl Library {
    /// Imports a MARC21 catalogue: each record becomes a title and the copies its holdings
    /// fields describe, as `mapping` says. Records are committed in batches of
    /// [`IMPORT_BATCH`], one write transaction each, and `progress` hears after every batch.
    ///
    /// A record that cannot be read or mapped (malformed, MARC-8, no title, an invalid ISBN,
    /// an unknown branch, a barcode already taken, ...) is skipped whole, with its position
    /// and field in [`ImportReport::skipped`]; the records around it are imported. A MARCXML
    /// syntax error ends the reading there (reported the same way): what follows cannot be
    /// trusted to be where it seems. Copies become available today.
    ///
    /// # Errors
    ///
    /// - `InvalidInput` (field `mapping`): the mapping is malformed or names a material kind
    ///   or branch the policy does not have; nothing is imported.
    /// - `InvalidInput` (field `reader`): reading the input failed; the batches before it
    ///   stay committed (the last progress report says how many).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error); the
    ///   batches before it stay committed.
    pub fn import_marc(
        &mut self,
        reader: impl Read,
        format: MarcFormat,
        mapping: &MarcMapping,
        mut progress: impl FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        let compiled = mapping.compile(&self.policy)?;
        let barcode_field = mapping.holdings.as_ref().map_or(String::new(), |h| format!("{}${}", h.tag, h.barcode));
        let today = self.today();
        let mut records = Records::new(BufReader::with_capacity(1 << 16, reader), format);
        let mut batch: Vec<(RecordPosition, Mapped)> = Vec::with_capacity(IMPORT_BATCH);
        let mut report = ImportReport::default();
        let mut read = 0;
        loop {
            let next =
                records.next_record().map_err(|e| Error::InvalidInput { field: "reader", reason: e.to_string() })?;
            let end = next.is_none();
            if let Some((position, rec)) = next {
                read += 1;
                match rec.and_then(|r| compiled.map(&r, &self.policy)) {
                    Ok(m) => batch.push((position, m)),
                    Err(b) => report.skipped.push(RecordError { position, field: b.field, reason: b.reason }),
                }
            }
            if batch.len() >= IMPORT_BATCH || (end && !batch.is_empty()) {
                let (titles, copies, refused) = self.store.write(|tx| {
                    let (mut titles, mut copies, mut refused) = (0, 0, Vec::new());
                    for (position, m) in batch.drain(..) {
                        let mut new: Vec<NewCopy> = m
                            .copies
                            .into_iter()
                            .map(|c| {
                                let mut n = NewCopy::new(c.barcode, TitleId(0), c.branch, c.material_kind);
                                n.loanable = c.loanable;
                                n
                            })
                            .collect();
                        match tx.insert_title_with_copies(&m.title, &mut new, today) {
                            Ok((_, n)) => {
                                titles += 1;
                                copies += n;
                            }
                            Err(Error::Conflict { key, reason, .. }) => refused.push(RecordError {
                                position,
                                field: barcode_field.clone(),
                                reason: format!("`{key}`: {reason}"),
                            }),
                            Err(e) => return Err(e),
                        }
                    }
                    Ok((titles, copies, refused))
                })?;
                report.titles += titles;
                report.copies += copies;
                report.skipped.extend(refused);
                report.skipped.sort_by_key(|e| e.position.index);
                if !end {
                    progress(ImportProgress {
                        records: read,
                        titles: report.titles,
                        copies: report.copies,
                        skipped: report.skipped.len(),
                        done: false,
                    });
                }
            }
            if end {
                break;
            }
        }
        progress(ImportProgress {
            records: read,
            titles: report.titles,
            copies: report.copies,
            skipped: report.skipped.len(),
            done: true,
        });
        Ok(report)
    }
}
