//! When two organisation names are the same name: case, accents and spacing aside.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The key two names are compared by: compatibility-decomposed, accents dropped, lower case,
/// runs of white space as one space. "  Café  Núñez " and "CAFE NUNEZ" have the same key.
pub fn name_key(name: &str) -> String {
    let folded: String = name.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn case_accents_and_spaces_do_not_make_another_name() {
        assert_eq!(name_key("  Café  Núñez "), name_key("CAFE NUNEZ"));
        assert_eq!(name_key("ÅNGSTRÖM"), "angstrom");
        assert_eq!(name_key("Straße"), "straße");
        assert_ne!(name_key("Acme"), name_key("Acme 2"));
        // Decomposed input (macOS file names, some exports) matches precomposed.
        assert_eq!(name_key("Cafe\u{301}"), name_key("Café"));
    }
}
