//! What each row will become, before anything is sent: new, already there (by name, case- and
//! accent-insensitive), or invalid with the reason at the cell.

use std::collections::{BTreeMap, HashMap, HashSet};

use oas_api::{Contact, Organisation};
use serde::{Deserialize, Serialize};

use crate::mapping::{column_of, Field};
use crate::names::name_key;
use crate::read::{Row, Table};

/// A row's values, read through the mapping and cleaned (codes upper case, duplicates dropped).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Values {
    pub name: String,
    pub base_currency: String,
    pub currencies: Vec<String>,
    pub image: Option<String>,
    pub contact: Option<ContactValues>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ContactValues {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
}

impl ContactValues {
    pub fn to_contact(&self) -> Contact {
        Contact {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            role: self.role.clone(),
            extra: Default::default(),
        }
    }
}

/// What is wrong with a cell, in words the UI chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ProblemKind {
    EmptyName,
    MissingBaseCurrency,
    UnknownCurrency,
    /// The base currency is not among the currencies: can be fixed by adding it.
    BaseNotInCurrencies,
    BadImageUrl,
    /// The same name (case and accents aside) is on an earlier row: `line` is that row.
    DuplicateInFile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub field: Field,
    pub kind: ProblemKind,
    /// The currency code concerned (unknown code, base currency to add).
    pub code: Option<String>,
    /// The earlier row of a duplicate.
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum RowStatus {
    New,
    /// An organisation of this account has the same name. `changes`: what an update would change.
    Exists {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        id: i64,
        name: String,
        changes: Vec<Field>,
    },
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RowPreview {
    pub line: u32,
    pub values: Values,
    pub status: RowStatus,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub rows: Vec<RowPreview>,
    pub new: u32,
    pub existing: u32,
    pub invalid: u32,
    /// Rows whose base currency is missing from their currencies (added when asked).
    pub base_missing: u32,
}

/// How the preview reads the file: the mapping, and whether a base currency missing from the
/// currencies is added to them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PreviewOptions {
    pub mapping: Vec<Option<Field>>,
    pub add_missing_base: bool,
}

/// The account's organisations by name key (the oldest when names repeat).
pub fn by_name(existing: &[Organisation]) -> HashMap<String, &Organisation> {
    let mut map: HashMap<String, &Organisation> = HashMap::with_capacity(existing.len());
    for o in existing {
        map.entry(name_key(&o.name)).and_modify(|e| if o.id < e.id { *e = o }).or_insert(o);
    }
    map
}

/// Classifies every row. `known`: the currency codes the app offers (upper case).
pub fn preview(table: &Table, options: &PreviewOptions, existing: &[Organisation], known: &HashSet<String>) -> Preview {
    let existing = by_name(existing);
    let mut seen: HashMap<String, u32> = HashMap::with_capacity(table.rows.len());
    let mut out = Preview { rows: Vec::with_capacity(table.rows.len()), ..Preview::default() };
    for row in &table.rows {
        let mut values = values_of(row, &options.mapping);
        let mut problems = check(&mut values, known, options.add_missing_base, &mut out.base_missing);
        let key = name_key(&values.name);
        if !key.is_empty() {
            match seen.get(&key) {
                Some(first) => problems.push(Problem { field: Field::Name, kind: ProblemKind::DuplicateInFile, code: None, line: Some(*first) }),
                None => {
                    seen.insert(key.clone(), row.line);
                }
            }
        }
        let status = if !problems.is_empty() {
            out.invalid += 1;
            RowStatus::Invalid
        } else if let Some(o) = existing.get(&key) {
            out.existing += 1;
            RowStatus::Exists { id: o.id, name: o.name.clone(), changes: changes(&values, o) }
        } else {
            out.new += 1;
            RowStatus::New
        };
        out.rows.push(RowPreview { line: row.line, values, status, problems });
    }
    out
}

/// A cell as the person meant it: trimmed, and without the `'` the app's export puts before a
/// leading `= + - @` so spreadsheet programs do not run it as a formula.
fn cell(row: &Row, column: Option<usize>) -> String {
    let text = column.map(|c| row.cell(c)).unwrap_or("").trim();
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => text.to_string(),
    }
}

fn optional(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// Currency codes from a cell: separated by spaces (the app's export), commas, semicolons or
/// slashes; upper case; each once.
pub fn codes(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in text.split([' ', ',', ';', '/', '|', '\n', '\t']).map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()) {
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

pub fn values_of(row: &Row, mapping: &[Option<Field>]) -> Values {
    let at = |f: Field| cell(row, column_of(mapping, f));
    let contact = ContactValues {
        name: at(Field::ContactName),
        email: optional(at(Field::ContactEmail)),
        phone: optional(at(Field::ContactPhone)),
        role: optional(at(Field::ContactRole)),
    };
    let has_contact = !contact.name.is_empty() || contact.email.is_some() || contact.phone.is_some() || contact.role.is_some();
    Values {
        name: at(Field::Name).split_whitespace().collect::<Vec<_>>().join(" "),
        base_currency: at(Field::BaseCurrency).to_uppercase(),
        currencies: codes(&at(Field::Currencies)),
        image: optional(at(Field::Image)),
        contact: has_contact.then_some(contact),
    }
}

fn problem(field: Field, kind: ProblemKind) -> Problem {
    Problem { field, kind, code: None, line: None }
}

/// The row's own problems (not the duplicates). A base currency missing from the currencies is
/// added first when `add_missing_base`; with no currencies at all, the base alone is used.
fn check(values: &mut Values, known: &HashSet<String>, add_missing_base: bool, base_missing: &mut u32) -> Vec<Problem> {
    let mut problems = Vec::new();
    if values.name.is_empty() {
        problems.push(problem(Field::Name, ProblemKind::EmptyName));
    }
    let base = values.base_currency.clone();
    if base.is_empty() {
        problems.push(problem(Field::BaseCurrency, ProblemKind::MissingBaseCurrency));
    } else if !known.contains(&base) {
        problems.push(Problem { code: Some(base.clone()), ..problem(Field::BaseCurrency, ProblemKind::UnknownCurrency) });
    } else if values.currencies.is_empty() {
        values.currencies.push(base.clone());
    } else if !values.currencies.contains(&base) {
        *base_missing += 1;
        if add_missing_base {
            values.currencies.insert(0, base.clone());
        } else {
            problems.push(Problem { code: Some(base.clone()), ..problem(Field::Currencies, ProblemKind::BaseNotInCurrencies) });
        }
    }
    for code in values.currencies.iter().filter(|c| !known.contains(*c)) {
        problems.push(Problem { code: Some(code.clone()), ..problem(Field::Currencies, ProblemKind::UnknownCurrency) });
    }
    if let Some(image) = &values.image {
        if !is_web_address(image) {
            problems.push(problem(Field::Image, ProblemKind::BadImageUrl));
        }
    }
    problems
}

fn is_web_address(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
}

/// The fields an update with these values would change on `o` (fields the file leaves empty
/// are kept as they are).
pub fn changes(values: &Values, o: &Organisation) -> Vec<Field> {
    let mut out = Vec::new();
    if !values.base_currency.is_empty() && values.base_currency != o.base_currency {
        out.push(Field::BaseCurrency);
    }
    if !values.currencies.is_empty() && values.currencies != o.currencies {
        out.push(Field::Currencies);
    }
    if values.image.is_some() && values.image != o.image {
        out.push(Field::Image);
    }
    if let Some(c) = &values.contact {
        if !o.contacts.iter().flatten().any(|existing| same_contact(existing, c)) {
            out.push(Field::ContactName);
        }
    }
    out
}

fn same_contact(existing: &Contact, c: &ContactValues) -> bool {
    let email = |e: &Option<String>| e.as_deref().map(str::to_lowercase);
    name_key(&existing.name) == name_key(&c.name) && email(&existing.email) == email(&c.email)
}

/// Per-row choices for rows whose organisation already exists: update it or leave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum OnExisting {
    #[default]
    Skip,
    Update,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Choices {
    pub on_existing: OnExisting,
    /// Row (line) → choice, where it differs from `on_existing`.
    pub overrides: BTreeMap<u32, OnExisting>,
}

impl Choices {
    pub fn for_line(&self, line: u32) -> OnExisting {
        self.overrides.get(&line).copied().unwrap_or(self.on_existing)
    }
}
