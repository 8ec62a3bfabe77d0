//! Bytes to text: BOMs, UTF-16 (what PowerShell writes), binary files, and the
//! URL encoding that IAM APIs use for policy documents.

/// Why a file's bytes are not text we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// NUL bytes or invalid UTF-8 that is not UTF-16 either.
    Binary { offset: usize },
    /// UTF-16 that does not decode (an unpaired surrogate).
    BadUtf16 { offset: usize },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Binary { offset } => {
                write!(f, "not a text file: invalid UTF-8 at byte {offset}")
            }
            Self::BadUtf16 { offset } => {
                write!(f, "invalid UTF-16 at byte {offset} (an unpaired surrogate or a lone final byte)")
            }
        }
    }
}

/// Decodes a file's bytes: UTF-8 (a BOM is dropped; the buffer is reused,
/// not copied) or UTF-16 with a BOM or with the NUL-byte pattern of UTF-16
/// ASCII text.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, DecodeError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
        return utf8(bytes, 3);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes, 2);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes, 2);
    }
    // UTF-16 without a BOM: ASCII text has a NUL in every other byte.
    if bytes.len() >= 4 && bytes.len().is_multiple_of(2) {
        let head = &bytes[..bytes.len().min(64)];
        let odd_nuls = head.iter().skip(1).step_by(2).all(|&b| b == 0);
        let even_nuls = head.iter().step_by(2).all(|&b| b == 0);
        if odd_nuls && !even_nuls {
            return utf16(&bytes, u16::from_le_bytes, 0);
        }
        if even_nuls && !odd_nuls {
            return utf16(&bytes, u16::from_be_bytes, 0);
        }
    }
    utf8(bytes, 0)
}

fn utf8(bytes: Vec<u8>, base: usize) -> Result<String, DecodeError> {
    if let Some(nul) = memchr::memchr(0, &bytes) {
        return Err(DecodeError::Binary { offset: base + nul });
    }
    String::from_utf8(bytes).map_err(|e| DecodeError::Binary { offset: base + e.utf8_error().valid_up_to() })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, base: usize) -> Result<String, DecodeError> {
    if bytes.len() % 2 == 1 {
        return Err(DecodeError::BadUtf16 { offset: base + bytes.len() - 1 });
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok('\0') => {
                return Err(DecodeError::Binary { offset: base + 2 * i });
            }
            Ok(c) => out.push(c),
            Err(_) => {
                return Err(DecodeError::BadUtf16 { offset: base + 2 * i });
            }
        }
    }
    Ok(out)
}

/// Whether `s` looks URL-encoded the way IAM returns policy documents
/// (`%7B%22Version%22...`).
pub fn looks_url_encoded(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with("%7B") || t.starts_with("%7b")
}

/// Percent-decodes `s` (`+` stays `+`, as IAM encodes spaces as `%20`), and
/// returns for every decoded byte, plus one past the end, its offset in `s`.
pub fn percent_decode_with_offsets(s: &str) -> Option<(String, Vec<u32>)> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        let pos = u32::try_from(i).ok()?;
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
        map.push(pos);
    }
    map.push(u32::try_from(i).ok()?);
    String::from_utf8(out).ok().map(|s| (s, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
        assert_eq!(decode(b"\xFF\xFE{\0}\0".to_vec()).unwrap(), "{}");
        assert_eq!(decode(b"\xFE\xFF\0{\0}".to_vec()).unwrap(), "{}");
        assert_eq!(decode(b"{\0\"\0a\0\"\0:\x001\0}\0".to_vec()).unwrap(), "{\"a\":1}");
        assert!(matches!(decode(b"\x7fELF\0\0\x01".to_vec()), Err(DecodeError::Binary { .. })));
        assert!(matches!(decode(b"\xFF\xFE\x00\xD8".to_vec()), Err(DecodeError::BadUtf16 { .. })));
    }

    #[test]
    fn percent_decoding_keeps_offsets() {
        let (s, map) = percent_decode_with_offsets("%7B%22a%22:1%7D").unwrap();
        assert_eq!(s, "{\"a\":1}");
        assert_eq!(map, vec![0, 3, 6, 7, 10, 11, 12, 15]);
        assert!(percent_decode_with_offsets("%zz").is_none());
    }
}
