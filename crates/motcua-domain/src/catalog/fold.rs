//! Vietnamese text folding for search.
//!
//! People type Vietnamese with full marks, without marks ("dang ky khai sinh"), or with a
//! keyboard that sends decomposed Unicode (a base letter followed by combining marks). All three
//! must find the same procedures, so text is compared in two forms: *exact* (NFC, lower case,
//! marks kept) and *folded* (marks dropped, `đ` → `d`). `đ` is a letter of its own in Unicode,
//! not `d` plus a mark, so it is mapped explicitly.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC + lower case: the form accent-exact matches are compared in.
pub fn exact(text: &str) -> String {
    text.nfc().flat_map(char::to_lowercase).collect()
}

/// Drops every diacritic and maps `đ`/`Đ` to `d`, lower-cased. Idempotent.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// The search key of one folded syllable: the i/y spelling variants in use side by side ("ký"
/// and "kí", "lý" and "lí", "mỹ" and "mĩ", "quy" and "qui") made one. A final `y` after a
/// consonant, or after `qu`, reads as `i`; `y` in a diphthong ("tuy", "ngày") and `y` alone (the
/// syllable "y" of "y tế") stay, being other sounds.
pub fn variant_key(folded: &str) -> String {
    let Some(stem) = folded.strip_suffix('y') else { return folded.to_owned() };
    let before = stem.chars().last();
    let consonant = before.is_some_and(|c| c.is_ascii_alphabetic() && !"aeiouy".contains(c));
    if consonant || stem == "qu" || stem.ends_with("qu") && stem.len() == 2 {
        format!("{stem}i")
    } else {
        folded.to_owned()
    }
}

/// Splits into word tokens (letters and digits); everything else separates. Codes such as
/// `1.001193` are kept whole so a code search matches the code, not its pieces.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let joins_digits = c == '.'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric());
        if c.is_alphanumeric() || is_combining_mark(c) || joins_digits {
            current.push(c);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Edit distance counting an adjacent swap as one edit (optimal string alignment), stopping
/// early once it exceeds `limit` (returns `limit + 1` then). Swapped letters are the commonest
/// typo on touch keyboards.
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 0..a.len() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            let mut d = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn i_and_y_spellings_of_a_syllable_share_a_key() {
        for (a, b) in [("ky", "ki"), ("ly", "li"), ("my", "mi"), ("sy", "si"), ("hy", "hi"), ("quy", "qui")] {
            assert_eq!(variant_key(a), variant_key(b), "{a} {b}");
        }
        for kept in ["tuy", "ngay", "thuy", "y", "khai", "1.001193"] {
            assert_eq!(variant_key(kept), kept);
        }
        assert_ne!(variant_key("tuy"), variant_key("tui"));
    }

    #[test]
    fn folds_vietnamese_marks_and_d_stroke() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("Giấy chứng nhận quyền sử dụng đất"), "giay chung nhan quyen su dung dat");
        assert_eq!(fold("Ưu tiên ƠN"), "uu tien on");
    }

    #[test]
    fn decomposed_input_folds_and_normalises_like_precomposed() {
        let decomposed: String = "Đăng ký khai sinh".nfd().collect();
        assert_ne!(decomposed, "Đăng ký khai sinh");
        assert_eq!(fold(&decomposed), "dang ky khai sinh");
        assert_eq!(exact(&decomposed), "đăng ký khai sinh");
    }

    #[test]
    fn tokens_keep_codes_whole() {
        assert_eq!(tokens("Mã 1.001193, đăng-ký"), vec!["Mã", "1.001193", "đăng", "ký"]);
        assert_eq!(tokens("2.001218.000.00.00.H38"), vec!["2.001218.000.00.00.H38"]);
        assert_eq!(tokens("hết. Tiếp"), vec!["hết", "Tiếp"]);
    }

    #[test]
    fn decomposed_tokens_stay_in_one_word() {
        let decomposed: String = "khai sinh đăng".nfd().collect();
        assert_eq!(tokens(&decomposed).len(), 3);
    }

    #[test]
    fn edit_distance() {
        assert_eq!(edit_distance_within("khai", "khai", 1), 0);
        assert_eq!(edit_distance_within("khia", "khai", 2), 1);
        assert_eq!(edit_distance_within("chugn", "chung", 1), 1);
        assert_eq!(edit_distance_within("sinh", "snh", 1), 1);
        assert_eq!(edit_distance_within("abc", "abcdef", 1), 2);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent_and_ascii_for_vietnamese(s in "[a-zA-ZàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđĐ ]{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(once.is_ascii());
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(fold(&nfd), once);
        }

        #[test]
        fn edit_distance_is_symmetric(a in "[a-z]{0,8}", b in "[a-z]{0,8}") {
            prop_assert_eq!(edit_distance_within(&a, &b, 3), edit_distance_within(&b, &a, 3));
        }
    }
}
