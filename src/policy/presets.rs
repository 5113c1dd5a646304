//! The five reference policies, embedded at build time.

/// Short names of the reference policies: one per seed library, then `example-city`, an
/// illustration of the rules matrix that no real library stands behind.
pub const PRESET_NAMES: [&str; 6] = ["fukushima", "shizuoka", "chiba", "kanagawa", "chikushino", "example-city"];

/// The presets that restate a seed library's guide.
pub const SEED_PRESETS: [&str; 5] = ["fukushima", "shizuoka", "chiba", "kanagawa", "chikushino"];

const TEXTS: [&str; 6] = [
    include_str!("../../policies/fukushima.toml"),
    include_str!("../../policies/shizuoka.toml"),
    include_str!("../../policies/chiba.toml"),
    include_str!("../../policies/kanagawa.toml"),
    include_str!("../../policies/chikushino.toml"),
    include_str!("../../policies/example-city.toml"),
];

pub(super) fn text(name: &str) -> Option<&'static str> {
    PRESET_NAMES.iter().position(|n| *n == name).map(|i| TEXTS[i])
}
