//! Password hashing with Argon2id. Parameters come from configuration and are stored in each
//! PHC string, so raising them later upgrades hashes at the next successful login.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Params {
    /// OWASP's baseline for Argon2id: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Argon2Params,
}

impl PasswordHasher {
    pub fn new(params: Argon2Params) -> anyhow::Result<Self> {
        Params::new(params.memory_kib, params.iterations, params.parallelism, None)
            .map_err(|e| anyhow::anyhow!("invalid Argon2 parameters: {e}"))?;
        Ok(Self { params })
    }

    fn argon2(&self) -> Argon2<'static> {
        let p = Params::new(self.params.memory_kib, self.params.iterations, self.params.parallelism, None)
            .expect("checked in new()");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
    }

    /// Hashes on a blocking thread: Argon2 takes tens of milliseconds by design.
    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let argon2 = self.argon2();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await?
    }

    /// Verifies; `Ok(false)` for a wrong password or an unreadable stored hash.
    pub async fn verify(&self, password: &str, phc: &str) -> anyhow::Result<bool> {
        let password = password.to_owned();
        let phc = phc.to_owned();
        Ok(tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
        })
        .await?)
    }

    /// Spends the same effort as a real verification, so that unknown usernames cannot be told
    /// apart from wrong passwords by response time.
    pub async fn verify_dummy(&self, password: &str) {
        let _ = self.hash(password).await;
    }

    /// Whether a stored hash was made with other parameters than the configured ones.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        let get = |name: &str| parsed.params.get_decimal(name);
        parsed.algorithm.as_str() != "argon2id"
            || get("m") != Some(self.params.memory_kib)
            || get("t") != Some(self.params.iterations)
            || get("p") != Some(self.params.parallelism)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> PasswordHasher {
        PasswordHasher::new(Argon2Params { memory_kib: 1024, iterations: 1, parallelism: 1 }).unwrap()
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let h = small();
        let phc = h.hash("mật khẩu đủ dài").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(h.verify("mật khẩu đủ dài", &phc).await.unwrap());
        assert!(!h.verify("mat khau du dai", &phc).await.unwrap());
        assert!(!h.verify("x", "not a phc string").await.unwrap());
    }

    #[tokio::test]
    async fn detects_parameter_changes() {
        let phc = small().hash("abcdefghijk").await.unwrap();
        assert!(!small().needs_rehash(&phc));
        let stronger = PasswordHasher::new(Argon2Params { memory_kib: 2048, iterations: 1, parallelism: 1 }).unwrap();
        assert!(stronger.needs_rehash(&phc));
        // ...and the stronger hasher still verifies the old hash (parameters come from the PHC).
        assert!(stronger.verify("abcdefghijk", &phc).await.unwrap());
    }

    #[test]
    fn rejects_impossible_parameters() {
        assert!(PasswordHasher::new(Argon2Params { memory_kib: 1, iterations: 1, parallelism: 1 }).is_err());
        assert!(PasswordHasher::new(Argon2Params { memory_kib: 1024, iterations: 0, parallelism: 1 }).is_err());
    }
}
