//! The documented shapes of the catalogue search's answers. The use case serialises its own
//! values (a cached result page is answered without a copy); these structs give the OpenAPI
//! document their shape, and the test below holds the two together.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A procedure in result lists.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProcedureSummary)]
pub struct ProcedureSummarySchema {
    pub code: String,
    pub name: String,
    pub field: FieldSummarySchema,
    /// `province`, `commune`, `ministry`, `other`.
    pub levels: Vec<String>,
    /// The time limit in words (first case).
    pub processing_time: String,
    /// The fees in words ("Miễn phí", "50.000 đồng", …).
    pub fees: String,
    /// `full`, `partial`, `none`; absent when not published.
    pub online_level: Option<String>,
    /// The version in force.
    pub version: u32,
}

/// A field (lĩnh vực) and how many procedures in force it has.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FieldSummary)]
pub struct FieldSummarySchema {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedures: Option<usize>,
}

/// A page of search results.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SearchResult)]
pub struct SearchResultSchema {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<ProcedureSummarySchema>,
    /// The query as the search read it, when it corrected a word (a typo, syllables typed
    /// without their space): offer it as "Có phải bạn muốn tìm …".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

#[cfg(test)]
mod tests {
    use motcua_app::catalog::{FieldSummary, ProcedureSummary, SearchResult};

    use super::*;

    /// Every field the use case writes is documented, and none more: the JSON of a result page
    /// reads into the documented shape without loss and writes back the same.
    #[test]
    fn the_documented_shape_is_the_answered_one() {
        let field = FieldSummary { code: "G09".into(), name: "Hộ tịch".into(), procedures: None };
        let item = |online: Option<&str>| ProcedureSummary {
            code: "1.001193".into(),
            name: "Thủ tục đăng ký khai sinh".into(),
            field: field.clone(),
            levels: vec!["commune".into()],
            processing_time: "Trong ngày".into(),
            fees: "Miễn phí".into(),
            online_level: online.map(str::to_owned),
            version: 1,
        };
        let page = SearchResult {
            total: 2,
            page: 1,
            per_page: 20,
            items: vec![item(Some("full")), item(None)],
            suggestion: Some("khai sinh".into()),
        };
        let answered = serde_json::to_value(&page).unwrap();
        let documented: SearchResultSchema = serde_json::from_value(answered.clone()).unwrap();
        assert_eq!(serde_json::to_value(&documented).unwrap(), answered);
        let counted = FieldSummary { procedures: Some(3), ..field };
        let answered = serde_json::to_value(&counted).unwrap();
        let documented: FieldSummarySchema = serde_json::from_value(answered.clone()).unwrap();
        assert_eq!(serde_json::to_value(&documented).unwrap(), answered);
    }
}
