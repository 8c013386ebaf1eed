//! The report as CSV: the file's own columns, then the result and its reason, so the failed rows
//! can be fixed in the spreadsheet and the same file imported again (rows done since are then
//! "already exists").

use crate::read::Table;

/// The words of one row's result, in the person's language (the UI has the catalogs).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RowWords {
    pub line: u32,
    pub result: String,
    pub reason: String,
}

/// A leading `= + - @` would run as a formula in a spreadsheet program: prefixed with `'`, as the
/// app's export does (and the import reads it back without).
fn safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// UTF-8 with a BOM, CRLF, the file's own separator, quoted where needed. `columns`: the headers of the two added columns.
pub fn report_csv(table: &Table, columns: [&str; 2], words: &[RowWords]) -> String {
    let width = table.headers.len();
    let mut w = csv::WriterBuilder::new().delimiter(if table.delimiter == 0 { b',' } else { table.delimiter }).terminator(csv::Terminator::CRLF).flexible(true).from_writer(Vec::new());
    let header: Vec<String> = table.headers.iter().map(|h| safe(h)).chain(columns.iter().map(|c| c.to_string())).collect();
    w.write_record(&header).expect("writing to memory");
    let by_line: std::collections::HashMap<u32, &RowWords> = words.iter().map(|r| (r.line, r)).collect();
    for row in &table.rows {
        let mut cells: Vec<String> = (0..width.max(row.cells.len())).map(|c| safe(row.cell(c))).collect();
        cells.resize(width.max(cells.len()), String::new());
        let (result, reason) = by_line.get(&row.line).map(|r| (r.result.as_str(), r.reason.as_str())).unwrap_or(("", ""));
        cells.push(result.to_string());
        cells.push(reason.to_string());
        w.write_record(&cells).expect("writing to memory");
    }
    let bytes = w.into_inner().expect("writing to memory");
    format!("\u{feff}{}", String::from_utf8(bytes).expect("the cells are UTF-8"))
}
