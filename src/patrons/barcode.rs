//! The card number as a Codabar (NW-7) barcode, the symbology Japanese library cards use, so a
//! phone can show it at the counter (R-O1). Pure; no dependency.

use std::fmt::Write as _;

use super::CardNumber;

/// Module patterns: `1` a dark module, `0` a light one; a wide element is two modules.
fn pattern(c: char) -> Option<&'static str> {
    Some(match c {
        '0' => "101010011",
        '1' => "101011001",
        '2' => "101001011",
        '3' => "110010101",
        '4' => "101101001",
        '5' => "110101001",
        '6' => "100101011",
        '7' => "100101101",
        '8' => "100110101",
        '9' => "110100101",
        'A' => "1011001001",
        'B' => "1001001011",
        _ => return None,
    })
}

/// Module width and bar height in SVG user units; quiet zone in modules on each side.
const MODULE: usize = 2;
const HEIGHT: usize = 60;
const QUIET: usize = 10;

/// The modules of `A<digits>B`, one light module between characters.
fn modules(card: &CardNumber) -> String {
    let text = format!("A{}B", card.as_str());
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 {
            out.push('0');
        }
        out.push_str(pattern(c).unwrap_or(""));
    }
    out
}

/// A self-contained SVG of the card number as Codabar with start `A` and stop `B`, the number
/// printed underneath.
///
/// # Examples
/// ```
/// use bunko::{Policy, patrons::{CardNumber, card_barcode_svg}};
/// let card = CardNumber::parse(&Policy::preset("chikushino").unwrap().cards, "01234567").unwrap();
/// let svg = card_barcode_svg(&card);
/// assert!(svg.starts_with("<svg") && svg.contains(">01234567</text>"));
/// ```
#[must_use]
pub fn card_barcode_svg(card: &CardNumber) -> String {
    let bits = modules(card);
    let width = (bits.len() + 2 * QUIET) * MODULE;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\" role=\"img\" aria-label=\"{card}\">\n<rect width=\"{width}\" height=\"{}\" fill=\"#fff\"/>\n",
        HEIGHT + 24,
        HEIGHT + 24,
        HEIGHT + 24,
    );
    let mut x = 0;
    for run in runs(&bits) {
        if run.0 {
            let _ = writeln!(
                svg,
                "<rect x=\"{}\" y=\"4\" width=\"{}\" height=\"{HEIGHT}\"/>",
                (QUIET + x) * MODULE,
                run.1 * MODULE
            );
        }
        x += run.1;
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-family=\"monospace\" font-size=\"16\" text-anchor=\"middle\">{card}</text>\n</svg>\n",
        width / 2,
        HEIGHT + 20
    );
    svg
}

/// Consecutive equal modules as `(dark, length)`.
fn runs(bits: &str) -> Vec<(bool, usize)> {
    let mut out: Vec<(bool, usize)> = Vec::new();
    for b in bits.chars().map(|c| c == '1') {
        match out.last_mut() {
            Some((dark, n)) if *dark == b => *n += 1,
            _ => out.push((b, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(digits: &str) -> CardNumber {
        CardNumber::from_stored(digits.to_owned())
    }

    // R-O1: the patron number shown as a barcode on a phone and used as the card.
    #[test]
    fn every_character_has_four_bars_and_three_spaces_r_o1() {
        for c in "0123456789AB".chars() {
            let p = pattern(c).unwrap();
            let elements = runs(p);
            assert_eq!(elements.len(), 7, "{c}");
            assert!(elements.iter().all(|(_, n)| *n <= 2), "{c}: narrow or wide only");
            assert!(elements[0].0 && elements[6].0, "{c}: starts and ends with a bar");
        }
    }

    #[test]
    fn the_symbol_is_start_digits_stop_with_gaps_r_o1() {
        let bits = modules(&card("05"));
        assert_eq!(
            bits,
            format!(
                "{}0{}0{}0{}",
                pattern('A').unwrap(),
                pattern('0').unwrap(),
                pattern('5').unwrap(),
                pattern('B').unwrap()
            )
        );
    }

    #[test]
    fn svg_snapshot_r_o1() {
        insta::assert_snapshot!(card_barcode_svg(&card("01234567")));
    }
}
