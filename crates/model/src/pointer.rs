//! Building RFC 6901 JSON pointers, the addresses every [`crate::Issue`] and
//! [`crate::Placeholder`] carries.

/// Appends one reference token to a pointer, escaping `~` and `/`.
pub(crate) fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Appends an array index to a pointer.
pub(crate) fn push_index(pointer: &str, index: usize) -> String {
    format!("{pointer}/{index}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped() {
        assert_eq!(
            push_token("/metadata/annotations", "a/b~c"),
            "/metadata/annotations/a~1b~0c"
        );
    }
}
