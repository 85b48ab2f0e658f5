//! Names of the use cases' values as both the API and the pages show them.

use motcua_domain::calendar::TableOrigin;

/// The origin of a year's holiday table as the API names it.
pub fn origin_str(o: TableOrigin) -> &'static str {
    match o {
        TableOrigin::Statutory => "statutory",
        TableOrigin::Notice => "notice",
        TableOrigin::Edited => "edited",
    }
}
