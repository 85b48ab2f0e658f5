//! A small builder for the few statements whose shape depends on input (scope lists, optional
//! filters). sqlx's own `QueryBuilder` writes `?` placeholders for the `Any` driver, which
//! PostgreSQL rejects; this one writes `$N`, which both backends accept.

use motcua_domain::agency::AgencyPath;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I64(i64),
    Text(String),
    Bool(bool),
    OptI64(Option<i64>),
    OptText(Option<String>),
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptI64(v)
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

#[derive(Debug, Default)]
pub(crate) struct SqlBuilder {
    text: String,
    args: Vec<Arg>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        Self { text: sql.to_owned(), args: Vec::new() }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// Puts statements without parameters in front (a savepoint, say).
    pub fn prepend(&mut self, sql: &str) -> &mut Self {
        self.text.insert_str(0, sql);
        self
    }

    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// `(col >= lo AND col < hi) OR …` for each subtree. A path ends in `/`, so every path
    /// below it lies in `[path, path with the final '/' replaced by '0')` — '0' follows '/' in
    /// byte order — and the predicate is an index range scan, not a `LIKE`.
    pub fn push_subtrees(&mut self, column: &str, scopes: &[AgencyPath]) -> &mut Self {
        self.push("(");
        if scopes.is_empty() {
            self.push("1 = 0");
        }
        for (i, scope) in scopes.iter().enumerate() {
            if i > 0 {
                self.push(" OR ");
            }
            let lo = scope.as_str();
            let hi = format!("{}0", &lo[..lo.len() - 1]);
            self.push("(").push(column).push(" >= ").bind(lo).push(" AND ").push(column).push(" < ").bind(hi).push(")");
        }
        self.push(")")
    }

    /// ` AND {column} LIKE '%word%'` with the word's `%`, `_` and `\` taken literally.
    pub fn push_contains(&mut self, column: &str, word: &str) -> &mut Self {
        let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        self.push(" AND ").push(column).push(" LIKE ").bind(format!("%{escaped}%")).push(" ESCAPE '\\'")
    }

    pub fn build(self) -> Query<'static, Any, AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::OptI64(v) => q.bind(v),
                Arg::OptText(v) => q.bind(v),
            };
        }
        q
    }

    #[cfg(test)]
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::agency::AgencyId;

    #[test]
    fn numbers_placeholders_in_order() {
        let mut b = SqlBuilder::new("SELECT * FROM t WHERE a = ");
        b.bind(1i64).push(" AND b = ").bind("x");
        assert_eq!(b.text(), "SELECT * FROM t WHERE a = $1 AND b = $2");
    }

    #[test]
    fn subtree_ranges() {
        let p = AgencyPath::root(AgencyId(1)).child(AgencyId(5));
        let mut b = SqlBuilder::new("");
        b.push_subtrees("path", &[p]);
        assert_eq!(b.text(), "((path >= $1 AND path < $2))");
        let text = |a: &Arg| match a {
            Arg::Text(s) => s.clone(),
            other => panic!("a path bound is text, not {other:?}"),
        };
        let (low, high) = (text(&b.args[0]), text(&b.args[1]));
        assert_eq!((low.as_str(), high.as_str()), ("/1/5/", "/1/50"));
        // The range the builder bound holds the agency and everything below it, and nothing
        // else: not a sibling whose id starts with the same digits, nor the next one.
        let within = |path: &str| low.as_str() <= path && path < high.as_str();
        for inside in ["/1/5/", "/1/5/99/", "/1/5/7/8/"] {
            assert!(within(inside), "{inside}");
        }
        for outside in ["/1/", "/1/50/", "/1/51/", "/1/6/", "/1/4/99/", "/2/5/"] {
            assert!(!within(outside), "{outside}");
        }
        let mut empty = SqlBuilder::new("");
        empty.push_subtrees("path", &[]);
        assert_eq!(empty.text(), "(1 = 0)");
    }
}
