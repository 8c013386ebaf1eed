//! Which builds lay out their start-up functions side by side (`link-order.txt`, made by
//! `scripts/link-order.sh`): a rule of `build.rs`, which includes this file. `lib.rs` includes it
//! in its tests, where `cargo test` reaches it.

/// Linux x86_64 release builds do. Linux maps code 64 KiB at a time around each page a program
/// touches, so scattered start-up code costs memory: measured, the launch touches 1.3–2.0 MiB of
/// the binary's code in place of 4.4 MiB. LLD is the linker there since Rust 1.90 (this crate's
/// minimum); a build whose flags ask for another linker is left alone, as is any other target,
/// and `OAS_DESKTOP_LINK_ORDER=0` turns it off.
///
/// `var` reads the build script's environment as Cargo sets it ("" for a variable not set).
pub fn wanted(var: impl Fn(&str) -> String) -> bool {
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    let other_linker = ["-fuse-ld", "linker-features", "linker-flavor", "link-self-contained"].iter().any(|flag| flags.contains(flag));
    var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && var("PROFILE") == "release"
        && var("OAS_DESKTOP_LINK_ORDER") != "0"
        && !other_linker
}

/// The linker's arguments for the list at `file`. A function it names that the binary does not
/// have is skipped without a warning.
pub fn link_args(file: &std::path::Path) -> [String; 2] {
    [format!("-Wl,--symbol-ordering-file={}", file.display()), "-Wl,--no-warn-symbol-ordering".to_owned()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Linux x86_64 release build with nothing else set, with `changes` over it.
    fn build(changes: &[(&str, &str)]) -> bool {
        let mut env = std::collections::HashMap::from([
            ("CARGO_CFG_TARGET_OS", "linux"),
            ("CARGO_CFG_TARGET_ARCH", "x86_64"),
            ("CARGO_CFG_TARGET_ENV", "gnu"),
            ("PROFILE", "release"),
        ]);
        env.extend(changes.iter().copied());
        wanted(|name| env.get(name).copied().unwrap_or_default().to_owned())
    }

    #[test]
    fn linux_x86_64_release_builds_are_laid_out() {
        assert!(build(&[]));
        assert!(build(&[("OAS_DESKTOP_LINK_ORDER", "1")]));
        // Flags that leave the linker alone (Cargo separates them with 0x1f).
        assert!(build(&[("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-cpu=native\x1f-Cdebuginfo=1")]));
    }

    #[test]
    fn other_targets_and_debug_builds_are_not() {
        assert!(!build(&[("PROFILE", "debug")]));
        assert!(!build(&[("CARGO_CFG_TARGET_OS", "windows"), ("CARGO_CFG_TARGET_ENV", "msvc")]));
        assert!(!build(&[("CARGO_CFG_TARGET_OS", "macos"), ("CARGO_CFG_TARGET_ENV", "")]));
        assert!(!build(&[("CARGO_CFG_TARGET_ARCH", "aarch64")]));
        assert!(!build(&[("CARGO_CFG_TARGET_ENV", "musl")]));
    }

    #[test]
    fn a_build_that_chooses_its_linker_or_turns_it_off_is_left_alone() {
        assert!(!build(&[("OAS_DESKTOP_LINK_ORDER", "0")]));
        for flags in ["-Clink-arg=-fuse-ld=mold", "-Zlinker-features=-lld", "-Clinker-flavor=gcc", "-Clink-self-contained=-linker"] {
            assert!(!build(&[("CARGO_ENCODED_RUSTFLAGS", &format!("-Copt-level=3\x1f{flags}"))]), "{flags}");
        }
    }

    #[test]
    fn the_linker_gets_the_list_and_no_warning_per_missing_name() {
        let args = link_args(std::path::Path::new("/src/src-tauri/link-order.txt"));
        assert_eq!(args, ["-Wl,--symbol-ordering-file=/src/src-tauri/link-order.txt".to_owned(), "-Wl,--no-warn-symbol-ordering".to_owned()]);
    }
}
