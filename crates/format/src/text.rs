//! Bytes and values written for people in error messages: hex pairs with
//! spaces ("58 4d 44 48"), never Rust's debug form ("[58, 4d, 44, 48]").

/// `bytes` as lower-case hex pairs separated by spaces.
pub fn hex_bytes(bytes: &[u8]) -> String {
    let pairs: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    pairs.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_hex_pairs_with_spaces() {
        assert_eq!(hex_bytes(&[0xcc, 0x03, 0xe9, 0x90]), "cc 03 e9 90");
        assert_eq!(hex_bytes(&[]), "");
    }
}
