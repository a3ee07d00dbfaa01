//! App status rules (Alibaba Cloud RTC console guide, Alibaba Cloud RTC pricing).
//!
//! * A newly opened app is **disabled**; creating or joining a channel is unavailable while
//!   disabled.
//! * Enabling needs a resource pack that still has balance (Alibaba Cloud RTC pricing "在您购买套餐包后，可在RTC
//!   控制台将状态切换到启用").
//! * An enabled app whose pay-as-you-go charges are unpaid becomes **overdue**; paying the
//!   arrears brings it back to enabled.
//! * Disabling cuts all communication at once and is always allowed; deleting cuts
//!   communication and removes the app and its data for good.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The status of an app.
///
/// ```
/// use mediameter_billing::AppStatus;
/// assert_eq!(AppStatus::default(), AppStatus::Disabled); // new apps start disabled
/// assert!(!AppStatus::Disabled.can_communicate());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AppStatus {
    /// 启用: channels can be created and joined.
    Enabled,
    /// 停用: the state of a new app; no communication.
    #[default]
    Disabled,
    /// 欠费: charges are unpaid; no communication.
    Overdue,
    /// Deleted with all its data; final.
    Deleted,
}

impl AppStatus {
    /// Every status, in declaration order.
    ///
    /// ```
    /// assert_eq!(mediameter_billing::AppStatus::ALL.len(), 4);
    /// ```
    pub const ALL: [AppStatus; 4] = [
        AppStatus::Enabled,
        AppStatus::Disabled,
        AppStatus::Overdue,
        AppStatus::Deleted,
    ];

    /// The spelling used by `Display`, `FromStr` and JSON (`"overdue"`).
    ///
    /// ```
    /// assert_eq!(mediameter_billing::AppStatus::Overdue.as_str(), "overdue");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AppStatus::Enabled => "enabled",
            AppStatus::Disabled => "disabled",
            AppStatus::Overdue => "overdue",
            AppStatus::Deleted => "deleted",
        }
    }

    /// Whether channels can be created and joined.
    ///
    /// ```
    /// assert!(mediameter_billing::AppStatus::Enabled.can_communicate());
    /// ```
    #[must_use]
    pub fn can_communicate(self) -> bool {
        matches!(self, AppStatus::Enabled)
    }

    /// Applies `action` to an app in this status: the new status, or why it is refused.
    ///
    /// # Errors
    ///
    /// The [`AppRefusal`] when the rules forbid the action.
    ///
    /// ```
    /// use mediameter_billing::{AppAction, AppContext, AppRefusal, AppStatus};
    /// let none = AppContext::default();
    /// let funded = AppContext::new(true, false);
    /// assert_eq!(AppStatus::Disabled.transition(AppAction::Enable, none), Err(AppRefusal::NoPackBalance));
    /// assert_eq!(AppStatus::Disabled.transition(AppAction::Enable, funded), Ok(AppStatus::Enabled));
    /// assert_eq!(AppStatus::Enabled.transition(AppAction::ChargesUnpaid, funded), Ok(AppStatus::Overdue));
    /// assert_eq!(AppStatus::Overdue.transition(AppAction::ArrearsPaid, funded), Ok(AppStatus::Enabled));
    /// assert_eq!(AppStatus::Deleted.transition(AppAction::Enable, funded), Err(AppRefusal::Deleted));
    /// ```
    pub fn transition(
        self,
        action: AppAction,
        context: AppContext,
    ) -> Result<AppStatus, AppRefusal> {
        use AppAction as A;
        use AppStatus as S;
        match (self, action) {
            (S::Deleted, _) => Err(AppRefusal::Deleted),
            (_, A::Delete) => Ok(S::Deleted),
            (_, A::Disable) => Ok(S::Disabled),
            (S::Overdue, A::Enable) if context.arrears => Err(AppRefusal::ArrearsUnpaid),
            (_, A::Enable) if !context.pack_with_balance => Err(AppRefusal::NoPackBalance),
            (_, A::Enable) => Ok(S::Enabled),
            (S::Enabled, A::ChargesUnpaid) => Ok(S::Overdue),
            (S::Overdue, A::ChargesUnpaid) => Ok(S::Overdue),
            (S::Overdue, A::ArrearsPaid) => Ok(S::Enabled),
            (S::Disabled, A::ChargesUnpaid | A::ArrearsPaid) | (S::Enabled, A::ArrearsPaid) => {
                Err(AppRefusal::NotApplicable)
            }
        }
    }
}

impl fmt::Display for AppStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AppStatus {
    type Err = Error;

    /// Parses what `Display` prints.
    ///
    /// ```
    /// use mediameter_billing::AppStatus;
    /// assert_eq!("disabled".parse::<AppStatus>()?, AppStatus::Disabled);
    /// assert!("paused".parse::<AppStatus>().is_err());
    /// # Ok::<(), mediameter_billing::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        AppStatus::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| Error::invalid("app status", s, "enabled, disabled, overdue or deleted"))
    }
}

/// What is asked of an app.
///
/// ```
/// use mediameter_billing::AppAction;
/// assert_eq!(AppAction::Enable.to_string(), "enable");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AppAction {
    /// Switch to enabled.
    Enable,
    /// Switch to disabled (cuts communication at once).
    Disable,
    /// Pay-as-you-go charges went unpaid.
    ChargesUnpaid,
    /// The arrears were paid.
    ArrearsPaid,
    /// Delete the app and all its data.
    Delete,
}

impl AppAction {
    /// Every action, in declaration order.
    ///
    /// ```
    /// assert_eq!(mediameter_billing::AppAction::ALL.len(), 5);
    /// ```
    pub const ALL: [AppAction; 5] = [
        AppAction::Enable,
        AppAction::Disable,
        AppAction::ChargesUnpaid,
        AppAction::ArrearsPaid,
        AppAction::Delete,
    ];

    /// The spelling `Display` prints: words separated by a space (`"charges unpaid"`).
    ///
    /// ```
    /// assert_eq!(mediameter_billing::AppAction::ArrearsPaid.as_str(), "arrears paid");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AppAction::Enable => "enable",
            AppAction::Disable => "disable",
            AppAction::ChargesUnpaid => "charges unpaid",
            AppAction::ArrearsPaid => "arrears paid",
            AppAction::Delete => "delete",
        }
    }
}

impl fmt::Display for AppAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AppAction {
    type Err = Error;

    /// Parses what `Display` prints (`"charges unpaid"`) or the JSON spelling
    /// (`"charges_unpaid"`).
    ///
    /// ```
    /// use mediameter_billing::AppAction;
    /// assert_eq!("charges unpaid".parse::<AppAction>()?, AppAction::ChargesUnpaid);
    /// assert_eq!("arrears_paid".parse::<AppAction>()?, AppAction::ArrearsPaid);
    /// assert!("pay".parse::<AppAction>().is_err());
    /// # Ok::<(), mediameter_billing::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        AppAction::ALL
            .into_iter()
            .find(|a| {
                let printed = a.as_str();
                s == printed
                    || (s.len() == printed.len()
                        && s.bytes()
                            .zip(printed.bytes())
                            .all(|(x, y)| x == y || (x == b'_' && y == b' ')))
            })
            .ok_or_else(|| {
                Error::invalid(
                    "app action",
                    s,
                    "enable, disable, charges unpaid, arrears paid or delete",
                )
            })
    }
}

/// Facts the rules need, supplied by the caller (e.g. from [`crate::packs::PackEngine::has_balance`]).
///
/// Not validated (any pair of facts is possible), but the rules may come to need more facts,
/// so it is `#[non_exhaustive]`: build it with [`AppContext::new`] (or `Default`, every fact
/// false, and set the fields), read the public fields.
///
/// ```
/// use mediameter_billing::AppContext;
/// let c = AppContext::new(true, false);
/// assert!(c.pack_with_balance && !c.arrears);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AppContext {
    /// Some pack valid now still has balance.
    pub pack_with_balance: bool,
    /// Pay-as-you-go charges are unpaid.
    pub arrears: bool,
}

impl AppContext {
    /// The facts: whether a pack valid now has balance, whether charges are unpaid.
    #[must_use]
    pub const fn new(pack_with_balance: bool, arrears: bool) -> Self {
        AppContext {
            pack_with_balance,
            arrears,
        }
    }
}

/// Why an action was refused.
///
/// `Display` is a sentence for a message, not a value format, so it has no `FromStr`; the
/// JSON spelling (`"no_pack_balance"`) is the one that reads back.
///
/// ```
/// use mediameter_billing::AppRefusal;
/// assert!(AppRefusal::NoPackBalance.to_string().contains("pack"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AppRefusal {
    /// Enabling needs a pack with balance.
    NoPackBalance,
    /// Enabling an overdue app needs the arrears paid first.
    ArrearsUnpaid,
    /// The app was deleted.
    Deleted,
    /// The action does not apply in this status (e.g. arrears paid while not overdue).
    NotApplicable,
}

impl fmt::Display for AppRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AppRefusal::NoPackBalance => "enabling needs a resource pack that still has balance",
            AppRefusal::ArrearsUnpaid => "the app is overdue: pay the arrears first",
            AppRefusal::Deleted => "the app was deleted",
            AppRefusal::NotApplicable => "the action does not apply in the current status",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_statuses_parse_what_they_print() {
        for a in AppAction::ALL {
            assert_eq!(a.to_string().parse::<AppAction>(), Ok(a));
        }
        for st in AppStatus::ALL {
            assert_eq!(st.to_string().parse::<AppStatus>(), Ok(st));
        }
        assert!("charges  unpaid".parse::<AppAction>().is_err());
        assert!("charges_paid".parse::<AppAction>().is_err());
    }

    #[test]
    fn only_enabled_communicates_and_delete_is_final() {
        let ctx = AppContext {
            pack_with_balance: true,
            arrears: true,
        };
        for s in [AppStatus::Enabled, AppStatus::Disabled, AppStatus::Overdue] {
            assert_eq!(s.transition(AppAction::Delete, ctx), Ok(AppStatus::Deleted));
            assert_eq!(
                s.transition(AppAction::Disable, ctx),
                Ok(AppStatus::Disabled)
            );
        }
        assert_eq!(
            AppStatus::Overdue.transition(AppAction::Enable, ctx),
            Err(AppRefusal::ArrearsUnpaid)
        );
        assert_eq!(
            AppStatus::Disabled.transition(AppAction::ArrearsPaid, ctx),
            Err(AppRefusal::NotApplicable)
        );
    }
}
