//! How wide a label will be, without a font at hand.
//!
//! The layout runs on the server, where no font metrics exist, so widths
//! are estimated from character classes of a proportional sans-serif face
//! (narrow `i`, wide `m`, wider capitals and CJK). The estimate errs wide:
//! a box a little too large looks fine, a name spilling out of its box
//! does not. Labels are centred in their boxes, so a small error is shared
//! by both sides.

/// Average advance of a character, in pixels, for a font size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face {
    pub average: f64,
}

/// Node names: 13px, semibold. (Measured on DejaVu Sans Bold, the widest
/// common fallback; Segoe UI and San Francisco are about 15% narrower.)
pub const NAME: Face = Face { average: 8.4 };
/// Kind line: 10px capitals with letter spacing.
pub const KIND: Face = Face { average: 6.5 };
/// Edge labels: 10.5px.
pub const EDGE_LABEL: Face = Face { average: 6.2 };

impl Face {
    /// The estimated width of `text`.
    pub fn width(self, text: &str) -> f64 {
        text.chars().map(|c| self.average * factor(c)).sum()
    }

    /// `text` cut (with "…") so that it is at most `max` wide, and whether
    /// it was cut.
    pub fn fit(self, text: &str, max: f64) -> (String, bool) {
        if self.width(text) <= max {
            return (text.to_owned(), false);
        }
        let budget = max - self.width("…");
        let mut used = 0.0;
        let mut out = String::new();
        for c in text.chars() {
            used += self.average * factor(c);
            if used > budget {
                break;
            }
            out.push(c);
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('…');
        (out, true)
    }
}

/// Width of `c` relative to an average lower-case letter.
fn factor(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.55,
        'f' | 't' | 'r' | ' ' | '-' | '(' | ')' | '[' | ']' | '/' => 0.75,
        'm' | 'w' => 1.45,
        'M' | 'W' | '@' => 1.6,
        'A'..='Z' => 1.2,
        '0'..='9' => 1.0,
        c if c.is_ascii() => 1.0,
        // CJK, emoji and other wide scripts take about two cells.
        c if u32::from(c) >= 0x1100 => 1.9,
        _ => 1.1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_letters_are_wider() {
        assert!(NAME.width("mmmm") > NAME.width("iiii") * 2.0);
        assert!(NAME.width("ABC") > NAME.width("abc"));
        assert_eq!(NAME.width(""), 0.0);
    }

    #[test]
    fn long_text_is_cut_to_fit() {
        let (short, cut) = NAME.fit("parcel-tracker", 200.0);
        assert_eq!((short.as_str(), cut), ("parcel-tracker", false));
        let long = "a-very-long-component-name-that-goes-on-and-on-and-on";
        let (fitted, cut) = NAME.fit(long, 150.0);
        assert!(cut);
        assert!(fitted.ends_with('…'));
        assert!(NAME.width(&fitted) <= 150.0, "{fitted}");
        assert!(long.starts_with(fitted.trim_end_matches('…')));
    }

    #[test]
    fn cutting_respects_character_boundaries() {
        let (fitted, cut) = NAME.fit("日本語のサービス名前がとても長い", 60.0);
        assert!(cut);
        assert!(fitted.chars().count() < 16);
    }
}
