//! Which column holds which field: guessed from the header (English and Spanish), then fixed by
//! the person.

use serde::{Deserialize, Serialize};

use crate::names::name_key;

/// A field of an organisation a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Name,
    BaseCurrency,
    Currencies,
    Image,
    ContactName,
    ContactEmail,
    ContactPhone,
    ContactRole,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Name,
        Field::BaseCurrency,
        Field::Currencies,
        Field::Image,
        Field::ContactName,
        Field::ContactEmail,
        Field::ContactPhone,
        Field::ContactRole,
    ];

    /// Headers that mean this field, compared after [`header_key`]. The app's own export uses
    /// the first English one of each.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "name", "organisation", "organization", "organisation name", "organization name", "org", "company",
                "company name", "nombre", "organizacion", "nombre de la organizacion", "empresa", "nombre de la empresa",
                "razon social",
            ],
            Field::BaseCurrency => &[
                "base currency", "base_currency", "main currency", "currency base", "moneda base", "divisa base",
                "moneda principal", "divisa principal",
            ],
            Field::Currencies => &[
                "currencies", "currency", "supported currencies", "other currencies", "monedas", "divisas", "moneda",
                "divisa", "monedas admitidas", "monedas soportadas",
            ],
            Field::Image => &["image", "image url", "logo", "logo url", "imagen", "url de la imagen", "url imagen", "url del logo"],
            Field::ContactName => &["contact", "contact name", "contacto", "nombre de contacto", "nombre del contacto", "persona de contacto"],
            Field::ContactEmail => &[
                "email", "e-mail", "contact email", "mail", "correo", "correo electronico", "email de contacto",
                "correo de contacto",
            ],
            Field::ContactPhone => &["phone", "telephone", "contact phone", "phone number", "telefono", "movil", "telefono de contacto"],
            Field::ContactRole => &["role", "position", "contact role", "job title", "cargo", "puesto", "rol"],
        }
    }
}

/// A header as compared: the name key without punctuation ("Base_Currency" = "base currency").
fn header_key(header: &str) -> String {
    name_key(&header.replace(['_', '-', '.', ':', '(', ')', '*'], " "))
}

/// One entry per column: the field it holds, or `None` (ignored). Each field is guessed for one
/// column at most, the first whose header means it.
pub fn guess(headers: &[String]) -> Vec<Option<Field>> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let key = header_key(h);
            let field = Field::ALL
                .into_iter()
                .find(|f| !taken.contains(f) && f.headers().iter().any(|s| header_key(s) == key))?;
            taken.push(field);
            Some(field)
        })
        .collect()
}

/// The column of `field` in a mapping.
pub fn column_of(mapping: &[Option<Field>], field: Field) -> Option<usize> {
    mapping.iter().position(|m| *m == Some(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(headers: &[&str]) -> Vec<Option<Field>> {
        guess(&headers.iter().map(|h| h.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_app_export_header_is_understood() {
        assert_eq!(
            g(&["id", "name", "base_currency", "currencies", "image", "active"]),
            [None, Some(Field::Name), Some(Field::BaseCurrency), Some(Field::Currencies), Some(Field::Image), None]
        );
    }

    #[test]
    fn spanish_headers_with_accents_and_capitals() {
        assert_eq!(
            g(&["Nombre", "Moneda base", "Monedas", "Logo", "Contacto", "Correo electrónico", "Teléfono", "Cargo"]),
            Field::ALL.map(Some)
        );
    }

    #[test]
    fn a_field_is_guessed_once_and_unknown_headers_are_ignored() {
        assert_eq!(
            g(&["Organization Name", "Currency", "Moneda", "Notes", "result"]),
            [Some(Field::Name), Some(Field::Currencies), None, None, None]
        );
        assert_eq!(column_of(&g(&["x", "Base Currency"]), Field::BaseCurrency), Some(1));
    }
}
