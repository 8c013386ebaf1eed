//! Importing organisations from a spreadsheet, Tauri-free: reading CSV or XLSX ([`read`]),
//! guessing which column is which ([`mapping`]), the preview of what each row will become
//! ([`preview`], names matched case- and accent-insensitively by [`names`]), the run
//! ([`run`]: bounded concurrency, `Retry-After`, cancel between requests, nothing created
//! twice) and the report as CSV ([`report`]).

pub mod mapping;
pub mod names;
pub mod preview;
pub mod read;
pub mod report;
pub mod run;

pub use mapping::{guess, Field};
pub use names::name_key;
pub use preview::{preview, Choices, OnExisting, Preview, PreviewOptions, Problem, ProblemKind, RowPreview, RowStatus, Values};
pub use read::{read_bytes, read_csv, read_file, read_xlsx, ReadError, Row, Table};
pub use report::{report_csv, RowWords};
pub use run::{run, run_with, Api, Outcome, Progress, Reason, Report, ReportRow, RunOptions};
pub use tokio_util::sync::CancellationToken;
