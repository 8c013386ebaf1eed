//! Django's default `AUTH_PASSWORD_VALIDATORS`, in their order, with their messages:
//! `UserAttributeSimilarityValidator`, `MinimumLengthValidator`, `CommonPasswordValidator`,
//! `NumericPasswordValidator`.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The 3,500 most common entries of Django 5.2's `common-passwords.txt.gz` (Django's own list
/// has 19,640), one lowercase password a line.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty()).collect()
});

const MAX_SIMILARITY: f64 = 0.7;
const MIN_LENGTH: usize = 8;

/// Every validator's complaint about `password` for a user with `username` and `email`
/// (empty = all is well).
pub fn problems(password: &str, username: &str, email: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(attribute) = too_similar(password, &[("username", username), ("email address", email)]) {
        out.push(format!("The password is too similar to the {attribute}."));
    }
    if password.chars().count() < MIN_LENGTH {
        out.push(format!(
            "This password is too short. It must contain at least {MIN_LENGTH} characters."
        ));
    }
    if COMMON.contains(password.trim().to_lowercase().as_str()) {
        out.push("This password is too common.".to_string());
    }
    // Python's `str.isdigit()`, for ASCII digits.
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        out.push("This password is entirely numeric.".to_string());
    }
    out
}

/// `UserAttributeSimilarityValidator`: the verbose name of the first attribute that the
/// password resembles, whole or in part (split at non-word characters).
fn too_similar<'a>(password: &str, attributes: &[(&'a str, &str)]) -> Option<&'a str> {
    let password = password.to_lowercase();
    let pwd_len = password.chars().count();
    for (verbose_name, value) in attributes {
        if value.is_empty() {
            continue;
        }
        let value = value.to_lowercase();
        let parts = value.split(|c: char| !(c.is_alphanumeric() || c == '_')).chain([value.as_str()]);
        for part in parts {
            let part_len = part.chars().count();
            // exceeds_maximum_length_ratio: too short a part cannot be similar enough.
            if pwd_len >= 10 * part_len && (part_len as f64) < MAX_SIMILARITY / 2.0 * pwd_len as f64 {
                continue;
            }
            if quick_ratio(&password, part) >= MAX_SIMILARITY {
                return Some(verbose_name);
            }
        }
    }
    None
}

/// Python's `SequenceMatcher(a=a, b=b).quick_ratio()`: twice the characters the two have in
/// common (as multisets) over their total length.
fn quick_ratio(a: &str, b: &str) -> f64 {
    let mut available: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for c in b.chars() {
        *available.entry(c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a.chars() {
        if let Some(n) = available.get_mut(&c).filter(|n| **n > 0) {
            *n -= 1;
            matches += 1;
        }
    }
    let total = a.chars().count() + b.chars().count();
    if total == 0 {
        1.0
    } else {
        2.0 * matches as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_complaints_at_once_in_django_order() {
        assert_eq!(
            problems("alice", "alice", "alice@example.com"),
            [
                "The password is too similar to the username.",
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
            ]
        );
        assert_eq!(
            problems("12345678", "bob", ""),
            ["This password is too common.", "This password is entirely numeric."]
        );
        assert_eq!(problems("90210475", "bob", ""), ["This password is entirely numeric."]);
        assert_eq!(problems(" PassWord ", "bob", ""), ["This password is too common."]);
        assert!(problems("wonderland-42", "alice", "alice@example.com").is_empty());
    }

    #[test]
    fn similarity_checks_the_email_and_its_parts() {
        let similar = |p: &str| problems(p, "carol", "marguerite.fontaine@example.com");
        assert_eq!(similar("Marguerite1"), ["The password is too similar to the email address."]);
        assert_eq!(similar("fontaine-x"), ["The password is too similar to the email address."]);
        assert_eq!(similar("carol-24"), ["The password is too similar to the username."]);
        assert!(similar("carol-2024").is_empty(), "5 of 10 characters in common is not enough");
        assert!(similar("orbit-lantern-92").is_empty());
    }

    #[test]
    fn quick_ratio_is_pythons() {
        assert_eq!(quick_ratio("abcd", "bcde"), 0.75);
        assert_eq!(quick_ratio("", ""), 1.0);
        assert_eq!(quick_ratio("aab", "abb"), 2.0 * 2.0 / 6.0);
    }
}
