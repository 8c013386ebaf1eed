//! Reading a spreadsheet into a [`Table`]: CSV through the `csv` crate, XLSX (the first sheet)
//! through `calamine`. Nothing here parses by hand; it only chooses the reader and its options.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;

/// Files larger than this are refused before being read (a spreadsheet of organisations is a
/// few megabytes at most).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A sheet as text: the first non-empty row is the header; rows that are entirely blank are
/// left out. `line` is the row's number as the spreadsheet program shows it (the header is 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// The CSV's separator (`,` for an XLSX): the report is written with the same, so the
    /// spreadsheet program that wrote the file opens it the same way.
    pub delimiter: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u32,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in `column`, empty when the row is shorter.
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map(String::as_str).unwrap_or("")
    }
}

/// Why a file could not be read. The UI words each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReadError {
    #[error("the file could not be opened")]
    NotOpened,
    #[error("the file is too large")]
    TooLarge,
    #[error("not a CSV or XLSX file")]
    UnsupportedKind,
    #[error("the file is damaged or not a spreadsheet")]
    Damaged,
    #[error("the file has no rows")]
    Empty,
}

/// Reads `path` as CSV or XLSX, by its content (an XLSX is a zip: it starts with `PK`).
pub fn read_file(path: &Path) -> Result<Table, ReadError> {
    let size = std::fs::metadata(path).map_err(|_| ReadError::NotOpened)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    let bytes = std::fs::read(path).map_err(|_| ReadError::NotOpened)?;
    read_bytes(bytes)
}

pub fn read_bytes(bytes: Vec<u8>) -> Result<Table, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An old binary .xls: ask for xlsx or csv rather than guess.
        Err(ReadError::UnsupportedKind)
    } else {
        read_csv(&bytes)
    }
}

/// UTF-8 with or without a BOM (Windows-1252 when the bytes are not UTF-8, as Excel writes
/// "CSV" on Windows); comma, semicolon or tab, whichever the header line uses most; quoted
/// fields with commas and line breaks; CRLF or LF.
pub fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let text = decode(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let delimiter = guess_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|_| ReadError::Damaged)?;
        records.push((index as u32 + 1, record.iter().map(str::to_string).collect()));
    }
    table_of(records, delimiter)
}

/// The first sheet of an XLSX workbook, numbers and dates as the cell shows them.
pub fn read_xlsx(bytes: Vec<u8>) -> Result<Table, ReadError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::Damaged)?;
    let range = book.worksheet_range_at(0).ok_or(ReadError::Empty)?.map_err(|_| ReadError::Damaged)?;
    let first_line = range.start().map(|(row, _)| row + 1).unwrap_or(1);
    let first_column = range.start().map(|(_, column)| column as usize).unwrap_or(0);
    let records = range.rows().enumerate().map(|(index, cells)| {
        // Cells left of the used range are empty: keep columns where the sheet has them.
        let text = std::iter::repeat_n(String::new(), first_column).chain(cells.iter().map(cell_text)).collect();
        (first_line + index as u32, text)
    });
    table_of(records.collect(), b',')
}

fn cell_text(cell: &Data) -> String {
    match cell {
        // 12345.0 typed as a number reads "12345", as the cell shows it.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Error(_) => String::new(),
        other => other.to_string(),
    }
}

fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The separator the header line uses most, outside quotes.
fn guess_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            _ if !quoted => {
                if let Some(entry) = counts.iter_mut().find(|(d, _)| *d as char == c) {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map(|(d, _)| *d).unwrap_or(b',')
}

/// Blank rows dropped, the first row as headers, every row as long as the header.
fn table_of(records: Vec<(u32, Vec<String>)>, delimiter: u8) -> Result<Table, ReadError> {
    let mut rows = records.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let (_, headers) = rows.next().ok_or(ReadError::Empty)?;
    let headers: Vec<String> = headers.into_iter().map(|h| h.trim().to_string()).collect();
    let rows = rows.map(|(line, cells)| Row { line, cells }).collect();
    Ok(Table { headers, rows, delimiter })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_the_header_uses() {
        assert_eq!(guess_delimiter("name;base currency;currencies\r\n\"a,b\";USD;USD"), b';');
        assert_eq!(guess_delimiter("\"name;x\",base,currencies"), b',');
        assert_eq!(guess_delimiter("name\tbase"), b'\t');
        assert_eq!(guess_delimiter("name"), b',');
    }

    #[test]
    fn windows_1252_bytes_are_read_as_such() {
        let t = read_csv(b"name;base\n\xc9cole;EUR\n").unwrap();
        assert_eq!(t.rows[0].cells[0], "\u{c9}cole");
    }

    #[test]
    fn an_empty_file_or_blank_rows_only_is_empty() {
        assert_eq!(read_csv(b""), Err(ReadError::Empty));
        assert_eq!(read_csv(b"\xef\xbb\xbf;;;\r\n;;\r\n"), Err(ReadError::Empty));
        assert_eq!(read_bytes(b"PK\x03\x04garbage".to_vec()), Err(ReadError::Damaged));
        assert_eq!(read_bytes(vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0]), Err(ReadError::UnsupportedKind));
    }
}
