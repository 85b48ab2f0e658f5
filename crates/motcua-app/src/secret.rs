//! Random secrets (session ids, API tokens, one-time passwords) and their stored digests.

use sha2::{Digest, Sha256};

/// `n` random bytes from the operating system's CSPRNG, hex-encoded.
pub fn random_hex(n: usize) -> String {
    hex::encode(random_bytes(n))
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// URL-safe token of 32 random bytes (256 bits) with a readable kind prefix.
pub fn random_token(prefix: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = random_bytes(32);
    // 32 bytes → 43 characters; each character carries 6 bits, read straight from the bytes.
    let mut out = String::with_capacity(prefix.len() + 44);
    out.push_str(prefix);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(ALPHABET[((acc >> bits) & 63) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (6 - bits)) & 63) as usize] as char);
    }
    out
}

/// A password people can type from a printout: 4 groups of 4 letters and digits without the
/// easily confused 0/O, 1/l/I.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes(16);
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// SHA-256 hex digest. Tokens are long random strings, so a fast hash is the right tool: there
/// is nothing to brute-force.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_url_safe() {
        let a = random_token("mct_");
        let b = random_token("mct_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert!(a[4..].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn passwords_are_readable_and_long_enough() {
        let p = random_password();
        assert_eq!(p.len(), 19);
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
    }

    #[test]
    fn digest_and_compare() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
