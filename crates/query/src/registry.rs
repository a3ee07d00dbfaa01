//! [`Registry`]: profiles by name, each checked when it is added.

use chrono::{DateTime, Utc};

use crate::builtin;
use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::validate::{Options, ValidQuery, validate};

/// A set of profiles by name: the built-in ones, plus any a service adds.
///
/// ```
/// use mediameter_query::Registry;
/// let reg = Registry::builtin();
/// assert!(reg.get("ListOperationDistribution").is_ok());
/// assert_eq!(reg.profiles().len(), 18);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Registry {
    profiles: Vec<Profile>,
}

impl Registry {
    /// An empty registry.
    ///
    /// ```
    /// assert!(mediameter_query::Registry::new().profiles().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Registry {
            profiles: Vec::new(),
        }
    }

    /// Every profile of [`builtin::all`].
    ///
    /// ```
    /// assert!(mediameter_query::Registry::builtin().get("cts/traces").is_ok());
    /// ```
    #[must_use]
    pub fn builtin() -> Self {
        Registry {
            profiles: builtin::all(),
        }
    }

    /// Adds `profile` after [`Profile::check`], replacing one of the same name.
    ///
    /// # Errors
    ///
    /// [`Error::Profile`] when the profile is not usable ([`Profile::check`]; a profile from
    /// [`Profile::builder`] or from serde has passed it already).
    ///
    /// ```
    /// use mediameter_query::{builtin, Registry};
    /// let mut reg = Registry::new();
    /// let p = builtin::huawei_rtc_rooms().into_builder().name("my/rooms").build()?;
    /// reg.insert(p)?;
    /// assert!(reg.get("my/rooms").is_ok());
    /// # Ok::<(), mediameter_query::Error>(())
    /// ```
    pub fn insert(&mut self, profile: Profile) -> Result<()> {
        profile.check()?;
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(slot) => *slot = profile,
            None => self.profiles.push(profile),
        }
        Ok(())
    }

    /// The profile called `name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownApi`] listing the registered names.
    ///
    /// ```
    /// assert!(mediameter_query::Registry::builtin().get("nope").is_err());
    /// ```
    pub fn get(&self, name: &str) -> Result<&Profile> {
        self.profiles
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::UnknownApi {
                name: mediameter_core::error::truncate(name),
                expected: self
                    .profiles
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Every registered profile.
    ///
    /// ```
    /// assert!(mediameter_query::Registry::builtin().profiles().iter().any(|p| p.name() == "rtc/rooms"));
    /// ```
    #[must_use]
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// Validates `input` under the profile called `api` (see [`validate()`]).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownApi`], or what [`validate()`] returns.
    ///
    /// ```
    /// use mediameter_query::{Options, Registry};
    /// let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
    /// let err = Registry::builtin().validate("rtc/rooms", &[("limit", "0")], now, &Options::default()).unwrap_err();
    /// assert_eq!(err.rejection().ok_or("missing rejection")?.violations().len(), 2); // app missing, limit out of range
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate<'a, K: AsRef<str>, V: AsRef<str>>(
        &'a self,
        api: &str,
        input: &'a [(K, V)],
        now: DateTime<Utc>,
        options: &Options,
    ) -> Result<ValidQuery<'a>> {
        validate(self.get(api)?, input, now, options)
    }
}
