//! The file store on local disk: `<root>/<first two hex digits>/<sha256>`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use async_trait::async_trait;
use motcua_app::ports::{AnchorSink, FileStore, FormTemplateSource};
use tokio::io::AsyncWriteExt;

pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: impl Into<PathBuf>) -> LocalFiles {
        LocalFiles { root: root.into() }
    }

    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        // Keys are hex digests: nothing in them can climb out of the root.
        if key.len() < 8 || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("invalid file key");
        }
        Ok(self.root.join(&key[..2]).join(key))
    }
}

async fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    tokio::fs::File::open(dir).await?.sync_all().await?;
    Ok(())
}

#[async_trait]
impl FileStore for LocalFiles {
    async fn put(&self, key: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path(key)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        let dir = path.parent().context("file key has a folder")?;
        tokio::fs::create_dir_all(dir).await.with_context(|| format!("cannot create {}", dir.display()))?;
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        let mut f = tokio::fs::File::create(&tmp).await.with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(bytes).await?;
        f.sync_all().await?;
        drop(f);
        tokio::fs::rename(&tmp, &path).await?;
        sync_dir(dir).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Anchors appended to a file, one JSON line each, synced before the append returns.
pub struct FileAnchorSink {
    path: PathBuf,
}

impl FileAnchorSink {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Reads back every anchor of an export file (for `motcua audit verify --anchors`).
    pub fn read(path: &Path) -> anyhow::Result<Vec<motcua_domain::integrity::Anchor>> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                motcua_domain::integrity::Anchor::from_line(l)
                    .map_err(|e| anyhow::anyhow!("{} line {}: {e}", path.display(), i + 1))
            })
            .collect()
    }
}

#[async_trait]
impl AnchorSink for FileAnchorSink {
    async fn append(&self, anchor: &motcua_domain::integrity::Anchor) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await.with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut f = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .with_context(|| format!("cannot open {}", self.path.display()))?;
        f.write_all(format!("{}\n", anchor.to_line()).as_bytes()).await?;
        f.sync_all().await?;
        Ok(())
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// A folder of form templates (`*.txt` named like the built-ins), read at each use.
pub struct TemplateDir {
    dir: PathBuf,
}

impl TemplateDir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
}

impl FormTemplateSource for TemplateDir {
    fn templates(&self) -> anyhow::Result<Vec<(String, String)>> {
        let entries = std::fs::read_dir(&self.dir).with_context(|| format!("{}", self.dir.display()))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".txt") {
                continue;
            }
            let source = std::fs::read_to_string(entry.path()).with_context(|| name.clone())?;
            out.push((name, source));
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_rejects_bad_keys() {
        let dir = std::env::temp_dir().join(format!("motcua-files-{}", std::process::id()));
        let files = LocalFiles::new(&dir);
        let key = "ab".repeat(32);
        files.put(&key, b"hello").await.unwrap();
        files.put(&key, b"hello").await.unwrap();
        assert_eq!(files.get(&key).await.unwrap().unwrap(), b"hello");
        assert!(files.get(&"cd".repeat(32)).await.unwrap().is_none());
        assert!(files.put("../../etc/passwd", b"x").await.is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_template_folder_gives_its_text_files_by_name() {
        let dir = std::env::temp_dir().join(format!("motcua-templates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("01-giay-tiep-nhan.txt"), "Giấy tiếp nhận").unwrap();
        std::fs::write(dir.join("README.md"), "notes").unwrap();
        let files = TemplateDir::new(&dir).templates().unwrap();
        assert_eq!(files, vec![("01-giay-tiep-nhan.txt".to_owned(), "Giấy tiếp nhận".to_owned())]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(TemplateDir::new(&dir).templates().is_err(), "a missing folder is an error, not the built-ins");
    }
}
