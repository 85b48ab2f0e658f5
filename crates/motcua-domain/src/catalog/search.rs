//! The catalogue search: diacritic-insensitive, accent-exact first, typo-tolerant.
//!
//! A small in-memory inverted index over folded tokens. The catalogue is small (a province
//! publishes a few thousand procedures), changes rarely and must rank the same way on every
//! database backend, so the index lives in the process and is rebuilt from the database; the
//! ranking rules are ours and tested here rather than tuned inside an engine.
//!
//! Spelling: a word folds (marks dropped) and its i/y variant is made one ("kí" finds "ký"); a
//! word the catalogue does not know may be a typo (one edit in a short word, two in a long one)
//! or two syllables typed without their space ("khaisinh"). What the search read such a word as
//! comes back as a suggestion ("Có phải bạn muốn tìm …").
//!
//! Ranking, strongest first: the whole query as a phrase in the name (equal, leading, anywhere),
//! accent-exact matches over folded ones, the field the words matched in (code, name, field,
//! documents), then shorter names.

use std::collections::HashMap;

use super::code::FieldCode;
use super::content::{Level, OnlineLevel};
use super::fold::{edit_distance_within, exact, fold, tokens, variant_key};

/// Where a word was found; the weight of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Code,
    Name,
    Field,
    Documents,
}

impl Zone {
    fn weight(self) -> f32 {
        match self {
            Zone::Code => 8.0,
            Zone::Name => 4.0,
            Zone::Field => 2.0,
            Zone::Documents => 1.0,
        }
    }
}

/// What the index needs to know about one procedure.
#[derive(Debug, Clone)]
pub struct SearchDoc<T> {
    pub code: String,
    pub name: String,
    pub field_name: String,
    /// Document and result names.
    pub documents: Vec<String>,
    pub field_code: FieldCode,
    pub levels: Vec<Level>,
    pub online_level: Option<OnlineLevel>,
    /// Agencies whose catalogue lists it.
    pub agencies: Vec<i64>,
    /// What a hit returns.
    pub payload: T,
}

/// Narrowing of a search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchFilter {
    pub field: Option<FieldCode>,
    pub level: Option<Level>,
    pub online: Option<OnlineLevel>,
    pub agency: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    zone: Zone,
    /// Index into `exact_forms` of the word as written (lower case, marks kept).
    exact: u32,
}

struct Indexed<T> {
    doc: SearchDoc<T>,
    /// Folded name without a leading "thủ tục", words joined by single spaces.
    name_folded: String,
    name_exact: String,
    name_words: usize,
}

/// The index. Build it with [`SearchIndex::build`]; it is immutable afterwards (rebuild on
/// change: a few thousand documents take milliseconds).
pub struct SearchIndex<T> {
    docs: Vec<Indexed<T>>,
    postings: HashMap<String, Vec<Posting>>,
    /// Folded vocabulary, sorted, for prefix and typo matching.
    vocabulary: Vec<String>,
    exact_forms: Vec<String>,
    /// Key -> its commonest written form.
    spelling: HashMap<String, String>,
    /// Documents in name order, for browsing without a query.
    by_name: Vec<u32>,
}

/// A page of results.
#[derive(Debug)]
pub struct SearchPage<'a, T> {
    pub total: usize,
    pub hits: Vec<&'a T>,
    /// The query as the search read it, in the catalogue's own spelling, when it corrected a
    /// word (a typo, glued syllables).
    pub suggestion: Option<String>,
}

/// The search key of a word: folded, i/y variants made one.
fn key(word: &str) -> String {
    variant_key(&fold(word))
}

/// Longest query considered (words).
pub const MAX_QUERY_WORDS: usize = 8;

fn strip_procedure_prefix(folded: &str) -> &str {
    folded.strip_prefix("thu tuc ").unwrap_or(folded)
}

fn joined(words: &[String]) -> String {
    words.join(" ")
}

impl<T> SearchIndex<T> {
    pub fn build(docs: Vec<SearchDoc<T>>) -> SearchIndex<T> {
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut exact_ids: HashMap<String, u32> = HashMap::new();
        let mut exact_forms: Vec<String> = Vec::new();
        let mut indexed = Vec::with_capacity(docs.len());
        for (i, doc) in docs.into_iter().enumerate() {
            let id = u32::try_from(i).expect("catalogue fits in u32");
            let mut add = |text: &str, zone: Zone| {
                for word in tokens(text) {
                    let e = exact(&word);
                    let f = key(&e);
                    let next = u32::try_from(exact_forms.len()).expect("vocabulary fits in u32");
                    let exact_id = *exact_ids.entry(e.clone()).or_insert_with(|| {
                        exact_forms.push(e);
                        next
                    });
                    let list = postings.entry(f).or_default();
                    if !list.iter().rev().take_while(|p| p.doc == id).any(|p| p.zone == zone && p.exact == exact_id) {
                        list.push(Posting { doc: id, zone, exact: exact_id });
                    }
                }
            };
            add(&doc.code, Zone::Code);
            if doc.code.len() > 8 {
                add(&doc.code[..8], Zone::Code);
            }
            add(&doc.name, Zone::Name);
            add(&doc.field_name, Zone::Field);
            for d in &doc.documents {
                add(d, Zone::Documents);
            }
            let name_words: Vec<String> = tokens(&doc.name).iter().map(|w| exact(w)).collect();
            let name_exact = joined(&name_words);
            let name_keys: Vec<String> = name_words.iter().map(|w| key(w)).collect();
            let name_folded = strip_procedure_prefix(&joined(&name_keys)).to_owned();
            let name_exact = name_exact.strip_prefix("thủ tục ").map(str::to_owned).unwrap_or(name_exact);
            let name_words = name_folded.split(' ').count();
            indexed.push(Indexed { doc, name_folded, name_exact, name_words });
        }
        let mut vocabulary: Vec<String> = postings.keys().cloned().collect();
        vocabulary.sort();
        // How each key is most often written, for suggestions.
        let mut spelling: HashMap<String, String> = HashMap::new();
        for (k, list) in &postings {
            let mut counts: HashMap<u32, usize> = HashMap::new();
            for p in list {
                *counts.entry(p.exact).or_default() += 1;
            }
            if let Some((e, _)) = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))) {
                spelling.insert(k.clone(), exact_forms[e as usize].clone());
            }
        }
        let mut by_name: Vec<u32> = (0..u32::try_from(indexed.len()).expect("fits")).collect();
        by_name.sort_by(|a, b| {
            let (a, b) = (&indexed[*a as usize], &indexed[*b as usize]);
            a.name_folded.cmp(&b.name_folded).then_with(|| a.doc.code.cmp(&b.doc.code))
        });
        SearchIndex { docs: indexed, postings, vocabulary, exact_forms, spelling, by_name }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn passes(&self, doc: &SearchDoc<T>, filter: &SearchFilter) -> bool {
        filter.field.as_ref().is_none_or(|f| &doc.field_code == f)
            && filter.level.is_none_or(|l| doc.levels.contains(&l))
            && filter.online.is_none_or(|o| doc.online_level == Some(o))
            && filter.agency.is_none_or(|a| doc.agencies.contains(&a))
    }

    /// Vocabulary terms a query word may stand for, with the quality of each.
    fn candidates(&self, folded: &str, last: bool, alone: bool, few_words: bool) -> Vec<(&str, f32)> {
        let mut out: Vec<(&str, f32)> = Vec::new();
        let known = self.postings.contains_key(folded);
        if let Some((k, _)) = self.postings.get_key_value(folded) {
            out.push((k.as_str(), 1.0));
        }
        if last && (folded.chars().count() >= 2 || !alone) {
            let start = self.vocabulary.partition_point(|t| t.as_str() < folded);
            for term in self.vocabulary[start..].iter().take_while(|t| t.starts_with(folded)).take(200) {
                if term != folded {
                    out.push((term.as_str(), 0.6));
                }
            }
        }
        // Typos: only for words the catalogue does not know, long enough to be words, in short
        // queries (long queries already carry enough signal and would over-match).
        let len = folded.chars().count();
        if !known && few_words && len >= 3 {
            let limit = if len >= 8 { 2 } else { 1 };
            for term in &self.vocabulary {
                if term.len().abs_diff(folded.len()) <= limit
                    && edit_distance_within(term, folded, limit) <= limit
                    && !out.iter().any(|(t, _)| t == term)
                {
                    out.push((term.as_str(), 0.4));
                }
            }
        }
        out
    }

    /// Searches and returns one page (`offset`, `limit`) of payloads, best first.
    pub fn search(&self, query: &str, filter: &SearchFilter, offset: usize, limit: usize) -> SearchPage<'_, T> {
        let words: Vec<String> = tokens(query).iter().map(|w| exact(w)).take(MAX_QUERY_WORDS).collect();
        if words.is_empty() {
            let matching: Vec<u32> =
                self.by_name.iter().copied().filter(|i| self.passes(&self.docs[*i as usize].doc, filter)).collect();
            return SearchPage {
                total: matching.len(),
                hits: matching.iter().skip(offset).take(limit).map(|i| &self.docs[*i as usize].doc.payload).collect(),
                suggestion: None,
            };
        }
        // A word the catalogue does not know may be two syllables typed without their space.
        let mut corrected = false;
        let mut split_words: Vec<String> = Vec::with_capacity(words.len());
        for w in words {
            match self.unglue(&key(&w)) {
                Some((a, b)) => {
                    corrected = true;
                    split_words.push(a);
                    split_words.push(b);
                }
                None => split_words.push(w),
            }
        }
        let words: Vec<String> = split_words.into_iter().take(MAX_QUERY_WORDS).collect();
        let folded: Vec<String> = words.iter().map(|w| key(w)).collect();
        let n = words.len();
        // What each word was read as, by its best candidate's quality.
        let mut read_as: Vec<Option<(&str, f32)>> = vec![None; n];
        let mut best = vec![0f32; self.docs.len() * n];
        for (q, (word, f)) in words.iter().zip(&folded).enumerate() {
            for (term, quality) in self.candidates(f, q == n - 1, n == 1, n <= 3) {
                if read_as[q].is_none_or(|(_, best)| quality > best) {
                    read_as[q] = Some((term, quality));
                }
                for p in &self.postings[term] {
                    let accent = if quality == 1.0 && self.exact_forms[p.exact as usize] == *word { 1.25 } else { 1.0 };
                    let s = p.zone.weight() * quality * accent;
                    let slot = &mut best[p.doc as usize * n + q];
                    if s > *slot {
                        *slot = s;
                    }
                }
            }
        }
        let phrase_folded = folded.join(" ");
        let phrase_exact = words.join(" ");
        let has_marks = phrase_exact != words.iter().map(|w| fold(w)).collect::<Vec<_>>().join(" ");
        let mut scored: Vec<(f32, u32)> = Vec::new();
        for (i, row) in best.chunks_exact(n).enumerate() {
            if row.contains(&0.0) {
                continue;
            }
            let d = &self.docs[i];
            if !self.passes(&d.doc, filter) {
                continue;
            }
            let mut score: f32 = row.iter().sum();
            if d.name_folded == phrase_folded {
                score += 40.0;
            } else if d.name_folded.starts_with(&phrase_folded) {
                score += 20.0;
            } else if d.name_folded.contains(&phrase_folded) {
                score += 10.0;
            }
            // A query typed with marks means those marks: its accent-exact phrase outranks
            // every folded-only placement.
            if has_marks && d.name_exact.contains(&phrase_exact) {
                score += 45.0;
            }
            scored.push((score, u32::try_from(i).expect("fits")));
        }
        let order = |(sa, a): &(f32, u32), (sb, b): &(f32, u32)| {
            let (da, db) = (&self.docs[*a as usize], &self.docs[*b as usize]);
            sb.total_cmp(sa)
                .then_with(|| da.name_words.cmp(&db.name_words))
                .then_with(|| da.name_folded.cmp(&db.name_folded))
                .then_with(|| da.doc.code.cmp(&db.doc.code))
        };
        // Only the requested page needs ordering among the rest.
        // A typo (not a prefix being typed) or a split word is worth telling.
        corrected |= read_as.iter().enumerate().any(|(q, r)| r.is_some_and(|(_, quality)| quality < 0.5 && q < n));
        let suggestion = (corrected && !scored.is_empty()).then(|| {
            read_as
                .iter()
                .zip(&words)
                .map(|(r, w)| match r {
                    Some((term, quality)) if *quality < 0.5 || *quality == 1.0 => {
                        self.spelling.get(*term).cloned().unwrap_or_else(|| (*term).to_owned())
                    }
                    _ => w.clone(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        });
        let wanted = offset.saturating_add(limit).min(scored.len());
        if wanted > 0 && wanted < scored.len() {
            scored.select_nth_unstable_by(wanted - 1, order);
            scored[..wanted].sort_unstable_by(order);
        } else {
            scored.sort_unstable_by(order);
        }
        SearchPage {
            total: scored.len(),
            hits: scored.iter().skip(offset).take(limit).map(|(_, i)| &self.docs[*i as usize].doc.payload).collect(),
            suggestion,
        }
    }

    /// Two known syllables that `folded` is made of, when it is not a word itself: the split
    /// with the most even halves.
    fn unglue(&self, folded: &str) -> Option<(String, String)> {
        if self.postings.contains_key(folded) || folded.chars().count() < 4 || !folded.chars().all(char::is_alphabetic)
        {
            return None;
        }
        let chars: Vec<char> = folded.chars().collect();
        (2..chars.len() - 1)
            .map(|i| (chars[..i].iter().collect::<String>(), chars[i..].iter().collect::<String>()))
            .filter(|(a, b)| self.postings.contains_key(a) && self.postings.contains_key(b))
            .max_by_key(|(a, b)| a.len().min(b.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn doc(code: &str, name: &str, field: &str, documents: &[&str]) -> SearchDoc<String> {
        SearchDoc {
            code: code.into(),
            name: name.into(),
            field_name: field.into(),
            documents: documents.iter().map(|s| s.to_string()).collect(),
            field_code: FieldCode::from_name(field),
            levels: vec![Level::Commune],
            online_level: None,
            agencies: vec![1],
            payload: code.into(),
        }
    }

    fn index() -> SearchIndex<String> {
        SearchIndex::build(vec![
            doc("1.004884", "Thủ tục đăng ký lại khai sinh", "Hộ tịch", &["Tờ khai đăng ký lại khai sinh"]),
            doc("1.000689", "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con", "Hộ tịch", &[]),
            doc("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", &["Giấy chứng sinh", "Tờ khai đăng ký khai sinh"]),
            doc("2.000528", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", &[]),
            doc("1.000656", "Thủ tục đăng ký khai tử", "Hộ tịch", &["Giấy báo tử"]),
            doc("1.004222", "Đăng ký thường trú", "Cư trú", &["Tờ khai thay đổi thông tin cư trú"]),
            doc("1.012786", "Cấp lại Giấy chứng nhận do bị mất", "Đất đai", &["Đơn đề nghị cấp lại"]),
            doc(
                "2.001035",
                "Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
                "Chứng thực",
                &[],
            ),
            doc("9.000001", "Xác nhận dễ dàng", "Khác", &[]),
        ])
    }

    fn codes(ix: &SearchIndex<String>, q: &str) -> Vec<String> {
        ix.search(q, &SearchFilter::default(), 0, 20).hits.into_iter().cloned().collect()
    }

    #[test]
    fn unaccented_accented_and_decomposed_queries_agree() {
        let ix = index();
        let plain = codes(&ix, "dang ky khai sinh");
        assert_eq!(plain[0], "1.001193");
        assert_eq!(plain.len(), 4);
        assert_eq!(codes(&ix, "đăng ký khai sinh"), plain);
        let decomposed: String = "Đăng ký khai sinh".nfd().collect();
        assert_eq!(codes(&ix, &decomposed), plain);
        assert_eq!(codes(&ix, "ĐĂNG KÝ KHAI SINH"), plain);
    }

    #[test]
    fn accent_exact_matches_rank_first() {
        let ix = index();
        // "dàng" and "đăng" both fold to "dang": the accent-exact word decides.
        assert_eq!(codes(&ix, "dàng")[0], "9.000001");
        assert_eq!(codes(&ix, "đăng")[0], "1.001193");
        assert_eq!(codes(&ix, "dang").len(), 7);
    }

    #[test]
    fn code_field_and_document_names_are_searched() {
        let ix = index();
        assert_eq!(codes(&ix, "1.001193"), vec!["1.001193"]);
        assert_eq!(codes(&ix, "1.0046")[..], [] as [String; 0]);
        assert_eq!(codes(&ix, "1.00488"), vec!["1.004884"]);
        assert_eq!(codes(&ix, "cu tru")[0], "1.004222");
        assert_eq!(codes(&ix, "giay chung sinh"), vec!["1.001193"]);
        assert_eq!(codes(&ix, "dat dai"), vec!["1.012786"]);
        assert_eq!(codes(&ix, "dat")[0], "2.001035", "a name match outranks a field match");
    }

    #[test]
    fn short_queries_tolerate_typos() {
        let ix = index();
        assert_eq!(codes(&ix, "thuong tru")[0], "1.004222");
        assert_eq!(codes(&ix, "thuongg tru")[0], "1.004222");
        assert_eq!(codes(&ix, "chung thuc")[0], "2.001035");
        assert_eq!(codes(&ix, "chugn thuc")[0], "2.001035");
        assert!(codes(&ix, "xyzzy").is_empty());
    }

    #[test]
    fn spelling_variants_short_typos_and_glued_syllables_find_the_procedure() {
        let ix = index();
        for q in ["đăng kí khai sinh", "dang ki khai sinh", "khai snh", "khaisinh", "dangky khai sinh"] {
            let hits = codes(&ix, q);
            assert!(hits.contains(&"1.001193".to_string()), "{q}: {hits:?}");
        }
        assert_eq!(codes(&ix, "đăng kí khai sinh")[0], "1.001193");
        // Corrections are offered back in the catalogue's spelling; i/y is no correction.
        let page = |q: &str| ix.search(q, &SearchFilter::default(), 0, 10).suggestion;
        assert_eq!(page("khai snh").as_deref(), Some("khai sinh"));
        assert_eq!(page("khaisinh").as_deref(), Some("khai sinh"));
        assert_eq!(page("dang ki khai sinh"), None);
        assert_eq!(page("dang ky khai sinh"), None);
        assert_eq!(page("khai s"), None, "a word being typed is no typo");
        assert_eq!(page("xyzzy"), None);
    }

    #[test]
    fn prefix_of_the_last_word_matches() {
        let ix = index();
        assert_eq!(codes(&ix, "khai t")[0], "1.000656");
        assert!(codes(&ix, "thuo").contains(&"1.004222".to_string()));
    }

    #[test]
    fn filters_and_paging() {
        let ix = index();
        let filter = SearchFilter { field: Some(FieldCode::from_name("Cư trú")), ..SearchFilter::default() };
        assert_eq!(ix.search("dang ky", &filter, 0, 10).hits, vec!["1.004222"]);
        let all = ix.search("", &SearchFilter::default(), 0, 100);
        assert_eq!(all.total, 9);
        assert_eq!(all.hits[0], "1.012786", "browse order is by name");
        let page = ix.search("dang ky", &SearchFilter::default(), 2, 2);
        assert_eq!(page.total, 6);
        assert_eq!(page.hits.len(), 2);
        let none = SearchFilter { agency: Some(2), ..SearchFilter::default() };
        assert_eq!(ix.search("", &none, 0, 10).total, 0);
    }
}
