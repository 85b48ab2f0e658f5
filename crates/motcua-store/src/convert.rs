//! Conversions between rows and domain values, shared by every table.

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_app::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;
use sqlx::error::ErrorKind;

/// Instants are stored as microseconds since the epoch.
pub(crate) fn us(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn opt_us(t: Option<Timestamp>) -> Option<i64> {
    t.map(us)
}

pub(crate) fn ts(v: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(v).map_err(StoreError::backend)
}

pub(crate) fn date_text(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Parses a JSON column; a parse failure means the stored data is damaged.
pub(crate) fn json<T: serde::de::DeserializeOwned>(col: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Backend(format!("stored {col} is invalid: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::backend)
}

pub(crate) trait RowExt {
    fn i64(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn flag(&self, col: &str) -> Result<bool, StoreError>;
    fn ts(&self, col: &str) -> Result<Timestamp, StoreError>;
    fn opt_ts(&self, col: &str) -> Result<Option<Timestamp>, StoreError>;
    fn opt_date(&self, col: &str) -> Result<Option<Date>, StoreError>;
    fn date(&self, col: &str) -> Result<Date, StoreError>;
}

impl RowExt for AnyRow {
    fn i64(&self, col: &str) -> Result<i64, StoreError> {
        self.try_get(col).map_err(StoreError::backend)
    }

    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(col).map_err(StoreError::backend)
    }

    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.try_get(col).map_err(StoreError::backend)
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.try_get(col).map_err(StoreError::backend)
    }

    /// PostgreSQL returns BOOLEAN, SQLite the 0/1 integer it stores.
    fn flag(&self, col: &str) -> Result<bool, StoreError> {
        match self.try_get::<bool, _>(col) {
            Ok(b) => Ok(b),
            Err(_) => self.try_get::<i64, _>(col).map(|v| v != 0).map_err(StoreError::backend),
        }
    }

    fn ts(&self, col: &str) -> Result<Timestamp, StoreError> {
        ts(self.i64(col)?)
    }

    fn opt_ts(&self, col: &str) -> Result<Option<Timestamp>, StoreError> {
        self.opt_i64(col)?.map(ts).transpose()
    }

    fn opt_date(&self, col: &str) -> Result<Option<Date>, StoreError> {
        self.opt_text(col)?.map(|s| s.parse::<Date>().map_err(StoreError::backend)).transpose()
    }

    fn date(&self, col: &str) -> Result<Date, StoreError> {
        self.text(col)?.parse::<Date>().map_err(StoreError::backend)
    }
}

/// Decodes database errors into what the use cases can act on, alike on both backends: a
/// violated uniqueness rule (named by [`crate::dialect::unique_key`]), a missing referenced
/// row; the rest is logged and reported as a backend failure.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                return StoreError::Duplicate { key: crate::dialect::unique_key(db.message(), db.constraint()) };
            }
            ErrorKind::ForeignKeyViolation => return StoreError::MissingReference,
            _ => {}
        }
    }
    tracing::error!(error = %e, "database error");
    StoreError::Backend(e.to_string())
}
