//! Usage outside the billing period: refused, or carried to the period it belongs to.
//!
//! A statement bills the usage of its period only. Usage stamped outside it must not be
//! deducted in this run: it would draw from packs and be recorded as applied (so the run of
//! its own period skips it as a replay) while this statement leaves it out, and it would be
//! billed in no period at all. [`split_by_period`] runs before any deduction and either
//! refuses such an item with an error naming it ([`OutOfPeriod::Refuse`], the default) or
//! sets it aside untouched for the run of its own period ([`OutOfPeriod::Carry`]).

use std::fmt;
use std::str::FromStr;

use mediameter_core::TimeRange;

use crate::error::{Error, Result};
use crate::packs::UsageItem;

/// What a run does with usage stamped outside its billing period.
///
/// ```
/// use mediameter_billing::OutOfPeriod;
/// assert_eq!(OutOfPeriod::default(), OutOfPeriod::Refuse);
/// assert_eq!("carry".parse::<OutOfPeriod>()?, OutOfPeriod::Carry);
/// assert_eq!(OutOfPeriod::Carry.to_string(), "carry");
/// # Ok::<(), mediameter_billing::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum OutOfPeriod {
    /// The run fails with an error naming the first such item; nothing is deducted.
    #[default]
    Refuse,
    /// Such items are not deducted here: they are returned, unapplied, for the run of the
    /// period they belong to.
    Carry,
}

impl OutOfPeriod {
    /// The spelling used in JSON and on the command line: `refuse` or `carry`.
    ///
    /// ```
    /// assert_eq!(mediameter_billing::OutOfPeriod::Refuse.as_str(), "refuse");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            OutOfPeriod::Refuse => "refuse",
            OutOfPeriod::Carry => "carry",
        }
    }
}

impl fmt::Display for OutOfPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutOfPeriod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "refuse" => Ok(OutOfPeriod::Refuse),
            "carry" => Ok(OutOfPeriod::Carry),
            _ => Err(Error::invalid("out-of-period rule", s, "refuse or carry")),
        }
    }
}

/// Usage split by the billing period: what the run deducts and bills, and what it carries.
///
/// ```
/// let s = mediameter_billing::PeriodSplit::default();
/// assert!(s.inside.is_empty() && s.carried.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeriodSplit {
    /// Items stamped inside the period, in their order.
    pub inside: Vec<UsageItem>,
    /// Items stamped outside it, in their order: not deducted, for their own period's run.
    pub carried: Vec<UsageItem>,
}

/// Splits `items` by `period` under `rule`, before anything is deducted.
///
/// # Errors
///
/// Under [`OutOfPeriod::Refuse`], the first item stamped outside the period:
/// [`Error::Invalid`] located at `usage[i]` and naming the item and its `at` field.
///
/// ```
/// use mediameter_billing::UsageItem;
/// use mediameter_billing::{OutOfPeriod, split_by_period};
/// use mediameter_core::{MediaSpec, Quantity, TimeRange, Unit};
/// let march = TimeRange::new("2024-02-29T16:00:00Z".parse()?, "2024-03-31T16:00:00Z".parse()?)?;
/// let item = |id, at: &str| -> Result<UsageItem, Box<dyn std::error::Error>> {
///     Ok(UsageItem::new(id, at.parse()?, "rtc".parse()?, MediaSpec::Audio, Quantity::new(100.into(), Unit::Minute)?)?)
/// };
/// let items = vec![item(1, "2024-03-10T00:00:00Z")?, item(2, "2024-04-02T00:00:00Z")?];
///
/// let err = split_by_period(items.clone(), march, OutOfPeriod::Refuse).unwrap_err();
/// assert!(err.to_string().starts_with("usage[1]: usage item (partition 0, id 2), field at: "));
///
/// let split = split_by_period(items, march, OutOfPeriod::Carry)?;
/// assert_eq!((split.inside.len(), split.carried[0].id()), (1, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn split_by_period(
    items: Vec<UsageItem>,
    period: TimeRange,
    rule: OutOfPeriod,
) -> Result<PeriodSplit> {
    if let Some((i, item)) = items
        .iter()
        .enumerate()
        .find(|(_, item)| !period.contains(item.at()))
    {
        if rule == OutOfPeriod::Refuse {
            return Err(Error::invalid(
                "usage instant",
                &item.at().to_rfc3339(),
                format!(
                    "an instant inside the billing period {period} (usage of another period is \
                     refused unless it is carried to its own period)"
                ),
            )
            .at(format!(
                "usage[{i}]: usage item (partition {}, id {}), field at",
                item.partition(),
                item.id()
            )));
        }
    } else {
        return Ok(PeriodSplit {
            inside: items,
            carried: Vec::new(),
        });
    }
    let (inside, carried) = items
        .into_iter()
        .partition(|item| period.contains(item.at()));
    Ok(PeriodSplit { inside, carried })
}
