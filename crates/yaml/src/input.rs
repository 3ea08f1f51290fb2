//! Checks raw input before any parsing: the size limit, UTF-8 validity (with
//! the position of the first bad byte) and a leading byte order mark.

use crate::lines::position_after;
use crate::{InputError, Limits};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The input as text, without a leading byte order mark.
pub(crate) fn decode<'a>(bytes: &'a [u8], limits: &Limits) -> Result<&'a str, InputError> {
    if bytes.len() > limits.max_bytes {
        return Err(InputError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        // The prefix up to `valid_up_to` is valid UTF-8 by definition.
        let valid = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or_default();
        InputError::NotUtf8 {
            position: position_after(valid),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;

    #[test]
    fn size_limit_is_inclusive() {
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(decode(b"a: 1", &limits), Ok("a: 1"));
        assert_eq!(
            decode(b"a: 12", &limits),
            Err(InputError::TooLarge { size: 5, limit: 4 })
        );
    }

    #[test]
    fn bad_byte_position_counts_characters() {
        let err = decode(b"a: 1\nb: \xc3\xa9\xff", &Limits::default());
        assert_eq!(
            err,
            Err(InputError::NotUtf8 {
                position: Position { line: 2, column: 5 }
            })
        );
    }

    #[test]
    fn leading_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1", &Limits::default()), Ok("a: 1"));
    }
}
