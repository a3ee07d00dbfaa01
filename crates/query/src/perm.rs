//! Permissions: every API is an action; policies of allow/deny statements over actions and
//! resources (app ids) decide who may call what.
//!
//! Evaluation (the rule of Alibaba RAM and Huawei IAM, as the Alibaba Cloud Live API reference
//! and the Huawei Cloud CTS user guide apply it):
//!
//! 1. an explicit deny in any statement of any policy wins;
//! 2. otherwise an allow in any statement allows;
//! 3. otherwise the request is denied (nothing is allowed by default).
//!
//! Actions are `service:Action` or `service:resource:verb` (`live:DescribeLiveProducerUsageData`,
//! `cts:trace:list`) and are compared ASCII case-insensitively; patterns may use `*` for any run
//! of characters (`live:Describe*`, `cts:*:list*`, `*`). Resources are app ids, compared
//! exactly, with the same `*` wildcard. A request that names no app (a query over all apps)
//! matches only allow statements whose resources include `*`, and matches every deny
//! statement for the action: a deny on one app blocks a query that would read all of them.
//!
//! An action may depend on others ("关联操作" in the Alibaba Cloud Live API reference, "权限依赖"
//! in the Huawei Cloud CTS user guide): the caller needs them too. [`check`] evaluates the action
//! and then its [`dependencies`].

use crate::error::{Error, Result};
use crate::profile::{Profile, Value, ViolationKind};
use crate::reject::Violation;
use crate::validate::ValidQuery;

/// Longest action or resource pattern, in bytes.
pub const MAX_PATTERN_LEN: usize = 256;

/// Allow or deny.
///
/// Exhaustive on purpose: a statement's effect is `Allow` or `Deny` in every vendor's policy
/// grammar (and in IAM's), and the evaluation (an explicit deny wins, then an allow) is
/// defined over exactly these two.
///
/// ```
/// use mediameter_query::perm::Effect;
/// assert_ne!(Effect::Allow, Effect::Deny);
/// assert_eq!(Effect::Deny.to_string(), "Deny"); // as serialized, the vendors' policy spelling
/// assert_eq!("Allow".parse::<Effect>()?, Effect::Allow);
/// # Ok::<(), mediameter_query::ParseNameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Effect {
    /// Grants.
    Allow,
    /// Refuses, whatever else grants.
    Deny,
}

crate::names::named!(Effect, "effect",
    Effect::Allow => "Allow",
    Effect::Deny => "Deny",
);

/// One statement of a policy.
///
/// Checked as part of its policy ([`Policy::new`], and deserializing a policy): at least one
/// action and one resource, at most 100 patterns of each kind, each 1 to
/// [`MAX_PATTERN_LEN`] bytes.
///
/// ```
/// use mediameter_query::perm::{Effect, Statement};
/// let s = Statement::allow(&["live:Describe*"], &["*"]);
/// assert!(s.matches_action("live:describelivestreamsnapshotdata"));
/// assert_eq!(s, Statement::new(Effect::Allow, &["live:Describe*"], &["*"]));
/// assert_eq!(s.effect(), Effect::Allow);
/// assert_eq!(s.actions(), ["live:Describe*"]);
/// assert_eq!(s.resources(), ["*"]);
/// ```
///
/// Its fields are private:
///
/// ```compile_fail,E0451
/// use mediameter_query::perm::{Effect, Statement};
/// let s = Statement { effect: Effect::Allow, action: vec![], not_action: vec![], resource: vec![] };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "PascalCase", deny_unknown_fields)
)]
pub struct Statement {
    /// Allow or deny.
    pub(crate) effect: Effect,
    /// Action patterns the statement covers.
    pub(crate) action: Vec<String>,
    /// Action patterns carved out of [`Statement::action`] (CTS Administrator: read-only on
    /// every service except IAM).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub(crate) not_action: Vec<String>,
    /// Resource (app id) patterns the statement covers.
    pub(crate) resource: Vec<String>,
}

impl Statement {
    /// A statement over `actions` and `resources`.
    ///
    /// ```
    /// use mediameter_query::perm::{Effect, Statement};
    /// assert_eq!(Statement::new(Effect::Deny, &["*"], &["app-1"]).resources(), ["app-1"]);
    /// ```
    #[must_use]
    pub fn new(effect: Effect, actions: &[&str], resources: &[&str]) -> Self {
        Statement {
            effect,
            action: owned(actions),
            not_action: Vec::new(),
            resource: owned(resources),
        }
    }

    /// A statement allowing `actions` on `resources`.
    ///
    /// ```
    /// use mediameter_query::perm::{Effect, Statement};
    /// assert_eq!(Statement::allow(&["rtc:*"], &["app-1"]).effect(), Effect::Allow);
    /// ```
    #[must_use]
    pub fn allow(actions: &[&str], resources: &[&str]) -> Self {
        Statement::new(Effect::Allow, actions, resources)
    }

    /// A statement denying `actions` on `resources`, whatever else allows them.
    ///
    /// ```
    /// use mediameter_query::perm::{Effect, Statement};
    /// assert_eq!(Statement::deny(&["cts:trace:*"], &["*"]).effect(), Effect::Deny);
    /// ```
    #[must_use]
    pub fn deny(actions: &[&str], resources: &[&str]) -> Self {
        Statement::new(Effect::Deny, actions, resources)
    }

    /// The same statement, except for the actions matching `patterns` (added to
    /// [`Statement::not_actions`]).
    ///
    /// ```
    /// use mediameter_query::perm::Statement;
    /// let s = Statement::allow(&["*:*:list*"], &["*"]).except(&["iam:*"]);
    /// assert!(s.matches_action("cts:trace:list"));
    /// assert!(!s.matches_action("iam:users:listUsers"));
    /// ```
    #[must_use]
    pub fn except(mut self, patterns: &[&str]) -> Self {
        self.not_action
            .extend(patterns.iter().map(|s| (*s).to_owned()));
        self
    }

    /// Allow or deny.
    #[must_use]
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The action patterns the statement covers.
    #[must_use]
    pub fn actions(&self) -> &[String] {
        &self.action
    }

    /// The action patterns carved out of [`Statement::actions`].
    #[must_use]
    pub fn not_actions(&self) -> &[String] {
        &self.not_action
    }

    /// The resource (app id) patterns the statement covers.
    #[must_use]
    pub fn resources(&self) -> &[String] {
        &self.resource
    }

    /// Whether the statement covers `action`.
    ///
    /// ```
    /// use mediameter_query::perm::{Effect, Statement};
    /// let s = Statement::new(Effect::Allow, &["*:*:list*"], &["*"]).except(&["iam:*"]);
    /// assert!(s.matches_action("cts:trace:list"));
    /// assert!(!s.matches_action("iam:users:listUsers"));
    /// ```
    #[must_use]
    pub fn matches_action(&self, action: &str) -> bool {
        self.action
            .iter()
            .any(|p| glob(p.as_bytes(), action.as_bytes(), true))
            && !self
                .not_action
                .iter()
                .any(|p| glob(p.as_bytes(), action.as_bytes(), true))
    }

    /// Whether the statement covers `resource` (`None`: every app), as described in the
    /// [module docs](self).
    ///
    /// ```
    /// use mediameter_query::perm::{Effect, Statement};
    /// let allow = Statement::new(Effect::Allow, &["*"], &["app-1"]);
    /// assert!(allow.matches_resource(Some("app-1")));
    /// assert!(!allow.matches_resource(None));
    /// assert!(Statement::new(Effect::Deny, &["*"], &["app-1"]).matches_resource(None));
    /// ```
    #[must_use]
    pub fn matches_resource(&self, resource: Option<&str>) -> bool {
        match resource {
            Some(r) => self
                .resource
                .iter()
                .any(|p| glob(p.as_bytes(), r.as_bytes(), false)),
            None => match self.effect {
                Effect::Allow => self.resource.iter().any(|p| p == "*"),
                Effect::Deny => !self.resource.is_empty(),
            },
        }
    }
}

/// A named set of statements, checked when it is built.
///
/// Its fields are private: a policy is made by [`Policy::new`] (or read from serde, which goes
/// through the same checks), so a [`crate::Gate`] or [`check`] only ever sees a valid one:
/// at most 100 statements of at most 100 patterns of each kind, every pattern 1 to
/// [`MAX_PATTERN_LEN`] bytes, every statement with an action and a resource.
///
/// ```
/// use mediameter_query::perm::{self, Effect, Policy, Statement};
/// let p: Policy = perm::read_only_access("live")?;
/// assert_eq!(p.name(), "live ReadOnlyAccess");
/// let own = Policy::new("mine", vec![Statement::new(Effect::Allow, &["rtc:*"], &["app-1"])])?;
/// assert_eq!(own.statements().len(), 1);
/// # Ok::<(), mediameter_query::Error>(())
/// ```
///
/// A struct literal would skip the checks, so it does not compile outside the crate:
///
/// ```compile_fail,E0451
/// use mediameter_query::perm::Policy;
/// let p = Policy { name: "p".into(), statement: vec![] };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "PascalCase", try_from = "RawPolicy")
)]
pub struct Policy {
    name: String,
    statement: Vec<Statement>,
}

/// A policy as read, before [`Policy::new`] checks it.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RawPolicy {
    name: String,
    statement: Vec<Statement>,
}

#[cfg(feature = "serde")]
impl TryFrom<RawPolicy> for Policy {
    type Error = Error;

    fn try_from(raw: RawPolicy) -> Result<Self> {
        Policy::new(raw.name, raw.statement)
    }
}

impl Policy {
    /// The policy called `name` with `statements`, after checking sizes: at most 100
    /// statements of at most 100 patterns of each kind, each pattern 1 to
    /// [`MAX_PATTERN_LEN`] bytes, every statement with an action and a resource.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] (field `"policy"`, the policy's name as the value) naming the first
    /// problem.
    ///
    /// ```
    /// use mediameter_query::perm::{Effect, Policy, Statement};
    /// assert!(Policy::new("p", vec![Statement::new(Effect::Allow, &[], &["*"])]).is_err());
    /// assert!(Policy::new("p", vec![Statement::new(Effect::Allow, &["*"], &["*"])]).is_ok());
    /// ```
    pub fn new(name: impl Into<String>, statements: Vec<Statement>) -> Result<Self> {
        let name = name.into();
        let bad = |expected| Err(Error::invalid("policy", &name, expected));
        if statements.len() > 100 {
            return bad("at most 100 statements");
        }
        for s in &statements {
            if s.action.is_empty() || s.resource.is_empty() {
                return bad("statements with at least one action and one resource");
            }
            if s.action.len() > 100 || s.not_action.len() > 100 || s.resource.len() > 100 {
                return bad("at most 100 patterns of each kind per statement");
            }
            let all = s.action.iter().chain(&s.not_action).chain(&s.resource);
            for p in all {
                if p.is_empty() || p.len() > MAX_PATTERN_LEN {
                    return bad("patterns of 1 to 256 bytes");
                }
            }
        }
        Ok(Policy {
            name,
            statement: statements,
        })
    }

    /// The policy's name.
    ///
    /// ```
    /// assert_eq!(mediameter_query::perm::cts_administrator().name(), "CTS Administrator");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its statements, in order.
    ///
    /// ```
    /// assert_eq!(mediameter_query::perm::cts_administrator().statements().len(), 2);
    /// ```
    #[must_use]
    pub fn statements(&self) -> &[Statement] {
        &self.statement
    }
}

/// The outcome of an evaluation.
///
/// ```
/// use mediameter_query::perm::{self, Access};
/// let r = perm::evaluate(&[], "live:DescribeLiveProducerUsageData", None);
/// assert_eq!(r, Access::ImplicitDeny);
/// assert!(!r.is_allowed());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// An allow statement covers the request and no deny does.
    Allowed,
    /// A deny statement covers the request.
    ExplicitDeny {
        /// The name of the policy with the deny.
        policy: String,
    },
    /// No statement allows the request.
    ImplicitDeny,
    /// The action is allowed but an action it depends on is not.
    MissingDependency {
        /// The first dependency that is not allowed.
        action: String,
    },
}

impl Access {
    /// Whether the request may proceed.
    ///
    /// ```
    /// assert!(mediameter_query::perm::Access::Allowed.is_allowed());
    /// ```
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        matches!(self, Access::Allowed)
    }

    /// The refusal as a [`crate::ViolationKind::Denied`] violation, or `None` when allowed.
    ///
    /// ```
    /// use mediameter_query::{builtin, perm, Rejection};
    /// let p = builtin::describe_live_producer_usage_data();
    /// let v = perm::check(&[], p.action(), None).to_violation(p.action()).ok_or("missing violation")?;
    /// let r = Rejection::new(&p, vec![v]);
    /// assert_eq!((r.status(), r.code()), (403, "Forbidden.RAM"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_violation(&self, action: &str) -> Option<Violation> {
        let detail = match self {
            Access::Allowed => return None,
            Access::ExplicitDeny { policy } => format!("{action} is denied by policy {policy:?}"),
            Access::ImplicitDeny => format!("{action} is not allowed by any policy"),
            Access::MissingDependency { action: dep } => format!("{action} also needs {dep}"),
        };
        Some(Violation::new(ViolationKind::Denied, None, None, detail))
    }
}

/// Evaluates `action` on `resource` (an app id, or `None` for every app) under `policies`,
/// without dependencies.
///
/// ```
/// use mediameter_query::perm::{self, Access, Effect, Policy, Statement};
/// let policies = [
///     perm::full_access("live")?,
///     Policy::new("no-app-2", vec![Statement::new(Effect::Deny, &["live:*"], &["app-2"])])?,
/// ];
/// let action = "live:DescribeLiveProducerUsageData";
/// assert_eq!(perm::evaluate(&policies, action, Some("app-1")), Access::Allowed);
/// assert!(matches!(perm::evaluate(&policies, action, Some("app-2")), Access::ExplicitDeny { .. }));
/// assert!(matches!(perm::evaluate(&policies, action, None), Access::ExplicitDeny { .. }));
/// # Ok::<(), mediameter_query::Error>(())
/// ```
#[must_use]
pub fn evaluate(policies: &[Policy], action: &str, resource: Option<&str>) -> Access {
    let mut allowed = false;
    for p in policies {
        for s in &p.statement {
            if !s.matches_action(action) || !s.matches_resource(resource) {
                continue;
            }
            match s.effect {
                Effect::Deny => {
                    return Access::ExplicitDeny {
                        policy: mediameter_core::error::truncate(&p.name),
                    };
                }
                Effect::Allow => allowed = true,
            }
        }
    }
    if allowed {
        Access::Allowed
    } else {
        Access::ImplicitDeny
    }
}

/// [`evaluate`]s `action` and then every action it depends on ([`dependencies`]; the
/// dependencies are evaluated over every resource, as they are other services' actions).
///
/// ```
/// use mediameter_query::perm::{self, Access};
/// let only_cts = [perm::full_access("cts")?];
/// assert_eq!(perm::check(&only_cts, "cts:trace:list", None), Access::Allowed);
/// // Listing trackers also needs two OBS permissions (Huawei Cloud CTS user guide, table 3).
/// assert_eq!(
///     perm::check(&only_cts, "cts:tracker:list", None),
///     Access::MissingDependency { action: "obs:bucket:GetBucketAcl".into() },
/// );
/// # Ok::<(), mediameter_query::Error>(())
/// ```
#[must_use]
pub fn check(policies: &[Policy], action: &str, resource: Option<&str>) -> Access {
    let first = evaluate(policies, action, resource);
    if !first.is_allowed() {
        return first;
    }
    for dep in dependencies(action) {
        if !evaluate(policies, dep, None).is_allowed() {
            return Access::MissingDependency {
                action: (*dep).to_owned(),
            };
        }
    }
    Access::Allowed
}

/// [`check`]s the profile's action on the app the query names (the value of the profile's
/// `resource_param`; every app when it has none).
///
/// ```
/// use mediameter_query::{perm::{self, Access}, Options, Registry};
/// let reg = Registry::builtin();
/// let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).ok_or("out of range")?;
/// let input = [("app", "app-2")];
/// let q = reg.validate("rtc/rooms", &input, now, &Options::default())?;
/// let profile = reg.get("rtc/rooms")?;
/// let team = [perm::allow_apps("team", &["rtc:room:list"], &["app-1"])?];
/// assert_eq!(perm::check_query(&team, profile, &q), Access::ImplicitDeny);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn check_query(policies: &[Policy], profile: &Profile, query: &ValidQuery<'_>) -> Access {
    let resource = profile
        .resource_param
        .as_deref()
        .and_then(|name| match query.get(name) {
            Some(Value::Text(app)) => Some(*app),
            _ => None,
        });
    check(policies, &profile.action, resource)
}

/// How an action reads or changes things (Alibaba Cloud Live API reference, "访问级别" access level).
///
/// ```
/// use mediameter_query::perm::{action_info, AccessLevel};
/// assert_eq!(action_info("cts:tracker:delete").ok_or("unknown action")?.level, AccessLevel::Write);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AccessLevel {
    /// Reads one thing (`get`).
    Read,
    /// Lists things.
    List,
    /// Creates, changes or deletes.
    Write,
}

crate::names::named!(AccessLevel, "access level",
    AccessLevel::Read => "read",
    AccessLevel::List => "list",
    AccessLevel::Write => "write",
);

/// A known action, as listed in [`ACTIONS`].
///
/// `#[non_exhaustive]`: an entry of the table may say more later (the resource types it acts
/// on, say). It is only read, never built outside the crate.
///
/// ```
/// use mediameter_query::perm::ACTIONS;
/// assert!(ACTIONS.iter().any(|a| a.name == "live:DescribeLiveProducerUsageData"));
/// ```
///
/// ```compile_fail,E0639
/// use mediameter_query::perm::{AccessLevel, ActionInfo};
/// let a = ActionInfo { name: "x:y", level: AccessLevel::Read, depends_on: &[], source: "" };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionInfo {
    /// `service:...`.
    pub name: &'static str,
    /// Its access level.
    pub level: AccessLevel,
    /// Actions the caller needs as well.
    pub depends_on: &'static [&'static str],
    /// Where it is documented.
    pub source: &'static str,
}

const NOTIFY_DEPS: &[&str] = &[
    "smn:topic:listTopic",
    "iam:agencies:listAgencies",
    "iam:agencies:createAgency",
    "iam:permissions:grantRoleToAgencyOnProject",
    "iam:permissions:listRolesForAgencyOnProject",
    "iam:projects:listProjects",
    "iam:groups:listGroups",
    "iam:users:listUsers",
    "iam:users:listUsersForGroup",
];

const TRACKER_UPDATE_DEPS: &[&str] = &[
    "iam:agencies:listAgencies",
    "iam:agencies:createAgency",
    "iam:permissions:grantRoleToAgencyOnProject",
    "iam:permissions:listRolesForAgencyOnProject",
    "iam:projects:listProjects",
    "iam:groups:listGroups",
    "iam:users:listUsersForGroup",
    "lts:topics:list",
    "lts:topics:create",
    "lts:topics:get",
    "lts:logstreams:list",
    "lts:groups:get",
    "lts:groups:list",
    "lts:groups:create",
    "obs:bucket:CreateBucket",
    "obs:bucket:HeadBucket",
    "obs:bucket:GetLifecycleConfiguration",
    "obs:bucket:PutLifecycleConfiguration",
    "obs:bucket:GetBucketAcl",
    "obs:bucket:PutBucketAcl",
    "obs:bucket:ListAllMyBuckets",
    "kms:cmk:list",
    "kms:cmk:get",
    "eps:enterpriseProjects:list",
    "organizations:trustedServices:list",
    "organizations:organizations:get",
    "organizations:deletgatedAdministrators:list",
    "organizations:accounts:list",
    "organizations:deletgatedServices:list",
];

const CTS_TABLE_3: &str =
    "Huawei Cloud CTS user guide (细粒度权限说明 fine-grained permissions, table 3)";
const LIBRARY: &str = "library (action named for a built-in profile; not in the vendor documents)";

/// The actions the library knows: the CTS table of the Huawei Cloud CTS user guide (with its
/// dependencies, names as printed there), the Live action of the Alibaba Cloud Live API reference,
/// and the actions of the built-in profiles.
pub const ACTIONS: &[ActionInfo] = &[
    ActionInfo {
        name: "live:DescribeLiveProducerUsageData",
        level: AccessLevel::Read,
        depends_on: &[],
        source: "Alibaba Cloud Live API reference, DescribeLiveProducerUsageData (授权信息 authorization)",
    },
    ActionInfo {
        name: "cts:quota:get",
        level: AccessLevel::Read,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:trace:list",
        level: AccessLevel::List,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:trace:listResource",
        level: AccessLevel::List,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:trace:listTraceUser",
        level: AccessLevel::List,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:notification:create",
        level: AccessLevel::Write,
        depends_on: NOTIFY_DEPS,
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:notification:update",
        level: AccessLevel::Write,
        depends_on: NOTIFY_DEPS,
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:notification:delete",
        level: AccessLevel::Write,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:notification:list",
        level: AccessLevel::List,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:tracker:delete",
        level: AccessLevel::Write,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:tracker:update",
        level: AccessLevel::Write,
        depends_on: TRACKER_UPDATE_DEPS,
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:tracker:create",
        level: AccessLevel::Write,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:tracker:list",
        level: AccessLevel::List,
        depends_on: &["obs:bucket:GetBucketAcl", "obs:bucket:ListAllMyBuckets"],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:tag:create",
        level: AccessLevel::Write,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "cts:tag:delete",
        level: AccessLevel::Write,
        depends_on: &[],
        source: CTS_TABLE_3,
    },
    ActionInfo {
        name: "rtc:ListOperationDistribution",
        level: AccessLevel::List,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:DescribeMonitorDiagnostics",
        level: AccessLevel::Read,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:room:list",
        level: AccessLevel::List,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:user:list",
        level: AccessLevel::List,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:realtime:get",
        level: AccessLevel::Read,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:history:get",
        level: AccessLevel::Read,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:client:get",
        level: AccessLevel::Read,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:client:list",
        level: AccessLevel::List,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:abnormalEvent:list",
        level: AccessLevel::List,
        depends_on: &[],
        source: LIBRARY,
    },
    ActionInfo {
        name: "rtc:abnormalEvent:get",
        level: AccessLevel::Read,
        depends_on: &[],
        source: LIBRARY,
    },
];

/// The known action called `name` (case-insensitive).
///
/// ```
/// assert!(mediameter_query::perm::action_info("CTS:TRACE:LIST").is_some());
/// ```
#[must_use]
pub fn action_info(name: &str) -> Option<&'static ActionInfo> {
    ACTIONS.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// The actions `action` depends on (none for an unknown action).
///
/// ```
/// assert_eq!(mediameter_query::perm::dependencies("cts:tracker:list").len(), 2);
/// assert!(mediameter_query::perm::dependencies("cts:trace:list").is_empty());
/// ```
#[must_use]
pub fn dependencies(action: &str) -> &'static [&'static str] {
    action_info(action).map_or(&[], |a| a.depends_on)
}

/// The read patterns of a service: `Describe*`, `List*`, `Get*` (Alibaba and Volcengine action
/// names) and `*:get*`, `*:list*` (Huawei's `service:resource:verb` names).
fn read_patterns(service: &str) -> Vec<String> {
    ["Describe*", "List*", "Get*", "*:get*", "*:list*"]
        .iter()
        .map(|p| format!("{service}:{p}"))
        .collect()
}

/// The system policy granting every action of `service` on every resource (Huawei "CTS
/// `FullAccess`", Alibaba "`AliyunLiveFullAccess`"; Huawei Cloud CTS user guide, table 1).
///
/// ```
/// use mediameter_query::perm::{self, Access};
/// assert_eq!(perm::evaluate(&[perm::full_access("cts")?], "cts:tracker:create", None), Access::Allowed);
/// # Ok::<(), mediameter_query::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Invalid`] when `service` makes a pattern longer than [`MAX_PATTERN_LEN`].
pub fn full_access(service: &str) -> Result<Policy> {
    Policy::new(
        format!("{service} FullAccess"),
        vec![Statement::new(
            Effect::Allow,
            &[&format!("{service}:*")],
            &["*"],
        )],
    )
}

/// The system policy granting the read and list actions of `service` on every resource
/// ("CTS ReadOnlyAccess": query events, quota, trackers and notifications, but no create,
/// update or delete; Huawei Cloud CTS user guide, table 2).
///
/// ```
/// use mediameter_query::perm::{self, Access};
/// let ro = [perm::read_only_access("cts")?];
/// assert_eq!(perm::evaluate(&ro, "cts:trace:list", None), Access::Allowed);
/// assert_eq!(perm::evaluate(&ro, "cts:quota:get", None), Access::Allowed);
/// assert_eq!(perm::evaluate(&ro, "cts:tracker:create", None), Access::ImplicitDeny);
/// assert_eq!(perm::evaluate(&[perm::read_only_access("live")?], "live:DescribeLiveProducerUsageData", None), Access::Allowed);
/// # Ok::<(), mediameter_query::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Invalid`] when `service` makes a pattern longer than [`MAX_PATTERN_LEN`].
pub fn read_only_access(service: &str) -> Result<Policy> {
    let patterns = read_patterns(service);
    let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
    Policy::new(
        format!("{service} ReadOnlyAccess"),
        vec![Statement::new(Effect::Allow, &refs, &["*"])],
    )
}

/// The "CTS Administrator" system role (Huawei Cloud CTS user guide, table 1): every CTS action,
/// plus read-only access to every other service except IAM. (Its role dependencies — Tenant Guest,
/// OBS Administrator, Security Administrator — are separate roles; attach them as their own
/// policies.)
///
/// ```
/// use mediameter_query::perm::{self, Access};
/// let admin = [perm::cts_administrator()];
/// assert_eq!(perm::evaluate(&admin, "cts:tracker:delete", None), Access::Allowed);
/// assert_eq!(perm::evaluate(&admin, "obs:bucket:GetBucketAcl", None), Access::Allowed);
/// assert_eq!(perm::evaluate(&admin, "obs:bucket:CreateBucket", None), Access::ImplicitDeny);
/// assert_eq!(perm::evaluate(&admin, "iam:users:listUsers", None), Access::ImplicitDeny);
/// ```
#[must_use]
pub fn cts_administrator() -> Policy {
    let reads = read_patterns("*");
    let reads = Statement::new(
        Effect::Allow,
        &reads.iter().map(String::as_str).collect::<Vec<_>>(),
        &["*"],
    )
    .except(&["iam:*"]);
    // Fixed patterns, within every limit (the unit test `system_policies_pass_the_checks`).
    Policy {
        name: "CTS Administrator".into(),
        statement: vec![Statement::new(Effect::Allow, &["cts:*"], &["*"]), reads],
    }
}

/// A policy allowing `actions` on the listed apps only.
///
/// ```
/// use mediameter_query::perm::{self, Access};
/// let p = [perm::allow_apps("team-a", &["rtc:room:list"], &["app-1", "app-2"])?];
/// assert_eq!(perm::evaluate(&p, "rtc:room:list", Some("app-1")), Access::Allowed);
/// assert_eq!(perm::evaluate(&p, "rtc:room:list", Some("app-3")), Access::ImplicitDeny);
/// # Ok::<(), mediameter_query::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Invalid`] when `actions` or `apps` is empty or breaks a limit of [`Policy::new`].
pub fn allow_apps(name: &str, actions: &[&str], apps: &[&str]) -> Result<Policy> {
    Policy::new(name, vec![Statement::new(Effect::Allow, actions, apps)])
}

/// The patterns as owned strings.
fn owned(patterns: &[&str]) -> Vec<String> {
    patterns.iter().map(|s| (*s).to_owned()).collect()
}

/// `*`-wildcard matching, linear in practice (the classic backtrack-to-last-star algorithm,
/// at most `pattern.len() × text.len()` steps). A `*` that ends the pattern matches whatever
/// text is left at once, so the usual patterns (`*`, `rtc:*`, `live:Describe*`) cost one pass
/// over their literal prefix rather than a backtracking walk over the whole text.
fn glob(pattern: &[u8], text: &[u8], fold_case: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if fold_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut t) = (0_usize, 0_usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match (pattern.get(p), text.get(t)) {
            (Some(b'*'), _) => {
                if p.saturating_add(1) == pattern.len() {
                    return true;
                }
                star = Some((p, t));
                p = p.saturating_add(1);
            }
            (Some(&pc), Some(&tc)) if eq(pc, tc) => {
                p = p.saturating_add(1);
                t = t.saturating_add(1);
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp.saturating_add(1);
                    t = st.saturating_add(1);
                    star = Some((sp, t));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|&c| c == b'*')
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// The matcher before the trailing-`*` shortcut, kept as the reference.
    fn reference_glob(pattern: &[u8], text: &[u8], fold_case: bool) -> bool {
        let eq = |a: u8, b: u8| {
            if fold_case {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        };
        let (mut p, mut t) = (0_usize, 0_usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match (pattern.get(p), text.get(t)) {
                (Some(b'*'), _) => {
                    star = Some((p, t));
                    p += 1;
                }
                (Some(&pc), Some(&tc)) if eq(pc, tc) => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, t));
                    }
                    None => return false,
                },
            }
        }
        pattern[p..].iter().all(|&c| c == b'*')
    }

    proptest::proptest! {
        #[test]
        fn glob_as_reference(pattern in "[aAb:*]{0,8}", text in "[aAb:]{0,10}", fold_case: bool) {
            proptest::prop_assert_eq!(
                glob(pattern.as_bytes(), text.as_bytes(), fold_case),
                reference_glob(pattern.as_bytes(), text.as_bytes(), fold_case)
            );
        }
    }

    #[test]
    fn globbing() {
        assert!(glob(b"*", b"", false));
        assert!(glob(b"live:Describe*", b"live:DescribeX", false));
        assert!(!glob(b"live:Describe*", b"live:Create", false));
        assert!(glob(b"a*b*c", b"axxbyyc", false));
        assert!(!glob(b"a*b*c", b"axxbyy", false));
        assert!(glob(b"*:*:list*", b"cts:trace:listTraceUser", true));
        assert!(!glob(b"abc", b"ABC", false));
        assert!(glob(b"abc", b"ABC", true));
    }

    #[test]
    fn deny_beats_allow_in_any_order() {
        let deny = Policy::new(
            "d",
            vec![Statement::new(Effect::Deny, &["cts:trace:*"], &["*"])],
        )
        .expect("valid");
        let full = full_access("cts").expect("valid");
        for order in [[full.clone(), deny.clone()], [deny.clone(), full.clone()]] {
            assert!(matches!(
                evaluate(&order, "cts:trace:list", None),
                Access::ExplicitDeny { .. }
            ));
            assert_eq!(evaluate(&order, "cts:quota:get", None), Access::Allowed);
        }
    }

    #[test]
    fn system_policies_pass_the_checks() {
        let admin = cts_administrator();
        assert_eq!(
            Policy::new(admin.name.clone(), admin.statement.clone()),
            Ok(admin)
        );
        assert!(full_access(&"s".repeat(MAX_PATTERN_LEN)).is_err());
        assert!(read_only_access(&"s".repeat(MAX_PATTERN_LEN)).is_err());
    }
}
