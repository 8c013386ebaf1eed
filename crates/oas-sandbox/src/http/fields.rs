//! Serializer fields with DRF's validation and messages. A field is described by name and
//! options ([`Field`]), then read from `request.data`; problems go into the serializer's
//! [`Errors`], keyed by field.

use serde_json::{json, Map, Value};

use super::pipeline::python_type;
use super::responses::{add_error, Errors};
use crate::store::Contact;
use crate::util::valid_currency;

const REQUIRED: &str = "This field is required.";
const BLANK: &str = "This field may not be blank.";
const NULL: &str = "This field may not be null.";

/// A serializer field's options, with DRF's defaults (`required=True`, `allow_blank=False`,
/// no `max_length`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Field<'n> {
    name: &'n str,
    required: bool,
    allow_blank: bool,
    max_length: Option<usize>,
}

impl<'n> Field<'n> {
    pub const fn new(name: &'n str) -> Self {
        Field { name, required: true, allow_blank: false, max_length: None }
    }

    /// `required=False`.
    pub const fn optional(self) -> Self {
        self.required(false)
    }

    /// `required=...` (a partial update makes every field optional).
    pub const fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    pub const fn allow_blank(mut self) -> Self {
        self.allow_blank = true;
        self
    }

    pub const fn max_length(mut self, max: usize) -> Self {
        self.max_length = Some(max);
        self
    }

    /// The raw value; None when absent (with "This field is required." if it must be there).
    fn value<'d>(&self, data: &'d Map<String, Value>, errors: &mut Errors) -> Option<&'d Value> {
        let v = data.get(self.name);
        if v.is_none() && self.required {
            add_error(errors, self.name, REQUIRED);
        }
        v
    }

    /// DRF `CharField` (trim_whitespace on). None = absent, or refused (see `errors`).
    pub fn char(&self, data: &Map<String, Value>, errors: &mut Errors) -> Option<String> {
        let name = self.name;
        let s = match self.value(data, errors)? {
            Value::Null => {
                add_error(errors, name, NULL);
                return None;
            }
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            // A repeated form field: Django's QueryDict gives the last value.
            Value::Array(list) if list.iter().all(|x| x.is_string()) && !list.is_empty() => {
                list.last().and_then(|x| x.as_str()).unwrap_or("").trim().to_string()
            }
            _ => {
                add_error(errors, name, "Not a valid string.");
                return None;
            }
        };
        if s.is_empty() && !self.allow_blank {
            add_error(errors, name, BLANK);
            return None;
        }
        if let Some(max) = self.max_length {
            if s.chars().count() > max {
                add_error(errors, name, format!("Ensure this field has no more than {max} characters."));
                return None;
            }
        }
        Some(s)
    }

    /// Django's `EmailField` as `User.email` declares it (blank allowed, at most 254
    /// characters).
    pub fn email(&self, data: &Map<String, Value>, errors: &mut Errors) -> Option<String> {
        let s = self.allow_blank().max_length(254).char(data, errors)?;
        if !s.is_empty() && !valid_email(&s) {
            add_error(errors, self.name, "Enter a valid email address.");
            return None;
        }
        Some(s)
    }

    /// DRF `ChoiceField` over the currency codes.
    pub fn currency(&self, data: &Map<String, Value>, errors: &mut Errors) -> Option<String> {
        let name = self.name;
        let s = match self.value(data, errors)? {
            Value::Null => {
                add_error(errors, name, NULL);
                return None;
            }
            Value::String(s) => s.clone(),
            Value::Array(list) if !list.is_empty() && list.iter().all(|x| x.is_string()) => {
                list.last().and_then(|x| x.as_str()).unwrap_or("").to_string()
            }
            other => other.to_string(),
        };
        if !valid_currency(&s) {
            add_error(errors, name, invalid_choice(&s));
            return None;
        }
        Some(s)
    }

    /// `currencies`: a JSON list or a comma-separated string of codes.
    pub fn currencies(&self, data: &Map<String, Value>, errors: &mut Errors) -> Option<Vec<String>> {
        let name = self.name;
        let items: Vec<String> = match self.value(data, errors)? {
            Value::Null => {
                add_error(errors, name, NULL);
                return None;
            }
            Value::String(s) => s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
            Value::Array(list) => {
                let mut out = Vec::new();
                for item in list {
                    match item {
                        // A form field may repeat, and each value may itself be "USD,EUR".
                        Value::String(s) if s.contains(',') => out.extend(
                            s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
                        ),
                        Value::String(s) => out.push(s.clone()),
                        other => out.push(other.to_string()),
                    }
                }
                out
            }
            other => {
                add_error(
                    errors,
                    name,
                    format!("Expected a list of items but got type \"{}\".", python_type(other)),
                );
                return None;
            }
        };
        if items.is_empty() {
            add_error(errors, name, "This selection may not be empty.");
            return None;
        }
        let mut unique: Vec<String> = Vec::new();
        for code in items {
            if !valid_currency(&code) {
                add_error(errors, name, invalid_choice(&code));
                return None;
            }
            if !unique.contains(&code) {
                unique.push(code);
            }
        }
        Some(unique)
    }
}

/// A close approximation of Django's `EmailValidator`.
fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || domain.is_empty() || s.chars().any(|c| c.is_whitespace()) {
        return false;
    }
    let local_ok = local
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain == "localhost"
        || (labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())));
    local_ok && domain_ok
}

fn invalid_choice(v: &str) -> String {
    format!("\"{v}\" is not a valid choice.")
}

/// Django's `URLValidator`, approximately: http(s)/ftp(s) with a host.
fn valid_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https" | "ftp" | "ftps")
                && u.host_str().is_some_and(|h| !h.is_empty())
                && !s.chars().any(|c| c.is_whitespace())
        }
        Err(_) => false,
    }
}

/// `image`: URL or null (blank is taken as null).
pub(super) fn image_field(data: &Map<String, Value>, errors: &mut Errors) -> Option<Option<String>> {
    match data.get("image") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) if s.trim().is_empty() => Some(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.chars().count() > 200 {
                add_error(errors, "image", "Ensure this field has no more than 200 characters.");
                None
            } else if !valid_url(s) {
                add_error(errors, "image", "Enter a valid URL.");
                None
            } else {
                Some(Some(s.to_string()))
            }
        }
        Some(_) => {
            add_error(errors, "image", "Not a valid string.");
            None
        }
    }
}

/// `contacts` (extension): a list of `{name, email, phone, role}`; errors nest per item.
pub(super) fn contacts_field(data: &Map<String, Value>, errors: &mut Errors) -> Option<Vec<Contact>> {
    let v = data.get("contacts")?;
    let list = match v {
        Value::Array(list) => list,
        Value::Null => {
            add_error(errors, "contacts", NULL);
            return None;
        }
        other => {
            errors.insert(
                "contacts".into(),
                json!({"non_field_errors": [format!("Expected a list of items but got type \"{}\".", python_type(other))]}),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    let mut item_errors = Vec::new();
    let mut any_error = false;
    for item in list {
        let mut e = Errors::new();
        let Value::Object(obj) = item else {
            add_error(&mut e, "non_field_errors", format!("Invalid data. Expected a dictionary, but got {}.", python_type(item)));
            any_error = true;
            item_errors.push(json!(e));
            continue;
        };
        let name = Field::new("name").max_length(255).char(obj, &mut e);
        let email = Field::new("email").optional().email(obj, &mut e);
        let phone = Field::new("phone").optional().allow_blank().max_length(32).char(obj, &mut e);
        let role = Field::new("role").optional().allow_blank().max_length(100).char(obj, &mut e);
        if e.is_empty() {
            out.push(Contact {
                name: name.unwrap_or_default(),
                email: email.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
                role: role.unwrap_or_default(),
            });
            item_errors.push(json!({}));
        } else {
            any_error = true;
            item_errors.push(json!(e));
        }
    }
    if any_error {
        errors.insert("contacts".into(), Value::Array(item_errors));
        return None;
    }
    Some(out)
}
