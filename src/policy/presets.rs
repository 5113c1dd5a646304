//! The five reference policies, embedded at build time.

/// Short names of the reference policies, one per seed library.
pub const PRESET_NAMES: [&str; 5] = ["fukushima", "shizuoka", "chiba", "kanagawa", "chikushino"];

const TEXTS: [&str; 5] = [
    include_str!("../../policies/fukushima.toml"),
    include_str!("../../policies/shizuoka.toml"),
    include_str!("../../policies/chiba.toml"),
    include_str!("../../policies/kanagawa.toml"),
    include_str!("../../policies/chikushino.toml"),
];

pub(super) fn text(name: &str) -> Option<&'static str> {
    PRESET_NAMES.iter().position(|n| *n == name).map(|i| TEXTS[i])
}
