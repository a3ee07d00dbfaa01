//! The vendors' common request parameters (see [`CommonParams`]).

use crate::profile::{ErrorRule, Profile, Vendor, ViolationKind};
use crate::reject::Violation;

/// Alibaba Cloud's common request parameters.
pub const ALIBABA_COMMON: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "RegionId",
    "SecurityToken",
    "ResourceOwnerAccount",
    "OwnerAccount",
    "OwnerId",
];

/// Volcengine's common query parameters.
pub const VOLCENGINE_COMMON: &[&str] = &["Action", "Version"];

/// The Alibaba Cloud Live API version (Alibaba Cloud Live API reference).
pub const ALIBABA_LIVE_VERSION: &str = "2016-11-01";

/// Which common parameters an API accepts and which values it checks: the vendors' common
/// request parameters are accepted next to an API's own parameters, and the ones the vendor's
/// API page names are checked.
///
/// * **Alibaba Cloud** (RPC style): every request carries `Action`, `Version`, `Format`,
///   `AccessKeyId`, `Signature`, `SignatureMethod`, `SignatureVersion`, `SignatureNonce`,
///   `SignatureType`, `Timestamp`, `RegionId`, `SecurityToken`, `ResourceOwnerAccount`,
///   `OwnerAccount`, `OwnerId` (the "common request parameters" of Alibaba Cloud's API
///   reference). The `DescribeLiveProducerUsageData` page's sample request is
///   `?Action=DescribeLiveProducerUsageData&...&<common request parameters>`, so `Action` is
///   checked; `Version` is checked against the Alibaba Cloud Live API version `2016-11-01`.
/// * **Volcengine**: `Action` and `Version` in the query. The `ListOperationDistribution` page
///   names both, `Action=ListOperationDistribution&Version=2020-12-01`, so both are checked.
/// * **Huawei Cloud** (REST style): the project id is in the path and the credentials
///   (`X-Auth-Token`, or `Authorization` with `X-Sdk-Date` and `X-Project-Id`) are headers, so
///   nothing is stripped from the query.
///
/// Checking is signature-agnostic: the signature parameters are accepted and removed, not
/// verified (that is the service's authentication, see the gateway's principal).
///
/// A missing checked parameter is a [`ViolationKind::Missing`] (answered by the profile's own
/// missing-parameter rule); a wrong value is a [`ViolationKind::NotSupported`] on that
/// parameter, answered by the rules of [`CommonParams::error_rules`]: Alibaba's
/// `InvalidAction.NotFound` (404) and `InvalidVersion` (400), Volcengine's
/// `InvalidActionOrVersion` (`CodeN` 100008, 404), as the vendors' common error code pages give
/// them.
///
/// ```
/// use mediameter_query::{builtin, CommonParams, Options, Rejection};
/// let mut profile = builtin::list_operation_distribution();
/// let common = CommonParams::for_profile(&profile);
/// common.apply(&mut profile);
///
/// let input = [("Action", "ListOperationDistribution"), ("Version", "2020-12-02"), ("AppId", "a")];
/// let (rest, violations) = common.split(&input);
/// assert_eq!(rest, [("AppId", "a")]);
/// let r = Rejection::new(&profile, violations);
/// assert_eq!((r.status(), r.code()), (404, "InvalidActionOrVersion"));
/// assert_eq!(r.message(), "Could not find operation ListOperationDistribution for version 2020-12-02");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Huawei:
///
/// ```
/// use mediameter_query::{builtin, CommonParams};
/// let c = CommonParams::for_profile(&builtin::huawei_rtc_rooms());
/// let input = [("app", "a"), ("Action", "x")];
/// let (rest, violations) = c.split(&input);
/// assert_eq!(rest.len(), 2); // Huawei: nothing is a common query parameter
/// assert!(violations.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonParams {
    vendor: Vendor,
    names: &'static [&'static str],
    action: Option<String>,
    version: Option<String>,
}

impl CommonParams {
    /// Alibaba's common parameters; `Action` must be `action`, and `Version` must be `version`
    /// when one is given.
    #[must_use]
    pub fn alibaba(action: &str, version: Option<&str>) -> Self {
        CommonParams {
            vendor: Vendor::Alibaba,
            names: ALIBABA_COMMON,
            action: Some(action.to_owned()),
            version: version.map(str::to_owned),
        }
    }

    /// Volcengine's `Action` and `Version`, both checked.
    #[must_use]
    pub fn volcengine(action: &str, version: &str) -> Self {
        CommonParams {
            vendor: Vendor::Volcengine,
            names: VOLCENGINE_COMMON,
            action: Some(action.to_owned()),
            version: Some(version.to_owned()),
        }
    }

    /// No common query parameters (Huawei's path-and-header style).
    #[must_use]
    pub fn none(vendor: Vendor) -> Self {
        CommonParams {
            vendor,
            names: &[],
            action: None,
            version: None,
        }
    }

    /// The vendor's rules for `profile`: Alibaba with `Action` = the profile's name (and the
    /// Live version for `DescribeLiveProducerUsageData`), Volcengine with `Action` = the name
    /// and `Version` 2020-12-01, Huawei with none.
    #[must_use]
    pub fn for_profile(profile: &Profile) -> Self {
        match profile.vendor {
            Vendor::Alibaba => {
                let version = (profile.name == "DescribeLiveProducerUsageData")
                    .then_some(ALIBABA_LIVE_VERSION);
                CommonParams::alibaba(&profile.name, version)
            }
            Vendor::Volcengine => {
                CommonParams::volcengine(&profile.name, crate::reject::VOLCENGINE_RTC_VERSION)
            }
            Vendor::Huawei => CommonParams::none(Vendor::Huawei),
        }
    }

    /// Splits `input` into the API's own parameters (returned in input order) and the
    /// violations of the checked common ones.
    #[must_use]
    pub fn split<'p, K: AsRef<str>, V: AsRef<str>>(
        &self,
        input: &'p [(K, V)],
    ) -> (Vec<(&'p str, &'p str)>, Vec<Violation>) {
        let mut rest = Vec::with_capacity(input.len());
        let mut action = None;
        let mut version = None;
        for (k, v) in input {
            let (k, v) = (k.as_ref(), v.as_ref());
            if !self.names.contains(&k) {
                rest.push((k, v));
            } else if k == "Action" {
                action = Some(v);
            } else if k == "Version" {
                version = Some(v);
            }
        }
        let mut violations = Vec::new();
        for (name, expected, given) in [
            ("Action", &self.action, action),
            ("Version", &self.version, version),
        ] {
            let Some(expected) = expected else { continue };
            match given {
                None | Some("") => violations.push(Violation::new(
                    ViolationKind::Missing,
                    Some(name),
                    None,
                    "required",
                )),
                Some(v) if v != expected => violations.push(Violation::new(
                    ViolationKind::NotSupported,
                    Some(name),
                    Some(v),
                    format!("expected {expected}"),
                )),
                Some(_) => {}
            }
        }
        (rest, violations)
    }

    /// The rules answering a wrong `Action` or `Version`, to put before a profile's own.
    ///
    /// ```
    /// use mediameter_query::{CommonParams, Vendor};
    /// assert_eq!(CommonParams::alibaba("A", Some("1")).error_rules().len(), 2);
    /// assert!(CommonParams::none(Vendor::Huawei).error_rules().is_empty());
    /// ```
    #[must_use]
    pub fn error_rules(&self) -> Vec<ErrorRule> {
        let ns = [ViolationKind::NotSupported];
        let action = self.action.as_deref().unwrap_or_default();
        let version = self.version.as_deref().unwrap_or_default();
        match (self.vendor, self.action.is_some()) {
            (Vendor::Alibaba, true) => vec![
                ErrorRule::new(
                    &ns,
                    "InvalidAction.NotFound",
                    "Specified api is not found, please check your url and method.",
                    404,
                )
                .on("Action"),
                ErrorRule::new(
                    &ns,
                    "InvalidVersion",
                    "Specified parameter Version is not valid.",
                    400,
                )
                .on("Version"),
            ],
            (Vendor::Volcengine, true) => {
                let rule = |param: &str, message: String| {
                    ErrorRule::new(&ns, "InvalidActionOrVersion", &message, 404)
                        .on(param)
                        .with_code_n(100_008)
                };
                vec![
                    rule(
                        "Action",
                        format!("Could not find operation {{value}} for version {version}"),
                    ),
                    rule(
                        "Version",
                        format!("Could not find operation {action} for version {{value}}"),
                    ),
                ]
            }
            _ => Vec::new(),
        }
    }

    /// Puts [`CommonParams::error_rules`] before `profile`'s own rules.
    pub fn apply(&self, profile: &mut Profile) {
        let mut rules = self.error_rules();
        rules.append(&mut profile.errors);
        profile.errors = rules;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::{Rejection, builtin};

    #[test]
    fn alibaba_action_and_version() {
        let mut p = builtin::describe_live_producer_usage_data();
        let c = CommonParams::for_profile(&p);
        c.apply(&mut p);
        let input = [
            ("Action", "DescribeLiveProducerUsageData"),
            ("Version", "2016-11-01"),
            ("Format", "JSON"),
            ("SignatureNonce", "x"),
            ("SplitBy", "type"),
        ];
        let (rest, v) = c.split(&input);
        assert_eq!(rest, [("SplitBy", "type")]);
        assert!(v.is_empty());

        let (_, v) = c.split(&[("Action", "DescribeLiveStreamsOnlineList")]);
        let r = Rejection::new(&p, v);
        assert_eq!((r.status(), r.code()), (404, "InvalidAction.NotFound"));
        assert_eq!(r.violations().len(), 2); // and Version is missing
        let (_, v) = c.split(&[
            ("Action", "DescribeLiveProducerUsageData"),
            ("Version", "2014-01-01"),
        ]);
        let r = Rejection::new(&p, v);
        assert_eq!(
            (r.status(), r.code(), r.message()),
            (
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid."
            )
        );
        let (_, v) = c.split(&[("Version", "2016-11-01")]);
        let r = Rejection::new(&p, v);
        assert_eq!(
            r.message(),
            "The input parameter \"Action\" that is mandatory for processing this request is not supplied."
        );
    }

    #[test]
    fn volcengine_action() {
        let mut p = builtin::list_operation_distribution();
        let c = CommonParams::for_profile(&p);
        c.apply(&mut p);
        let (_, v) = c.split(&[("Action", "ListRooms"), ("Version", "2020-12-01")]);
        let r = Rejection::new(&p, v);
        assert_eq!(
            r.message(),
            "Could not find operation ListRooms for version 2020-12-01"
        );
        let (_, v) = c.split(&[("Action", "ListOperationDistribution")]);
        let r = Rejection::new(&p, v);
        assert_eq!(
            (r.code(), r.message()),
            ("MissingParameter", "The parameter Version is required.")
        );
    }
}
