//! Distribution by a dimension with proportions (Volcengine RTC API reference,
//! `ListOperationDistribution`).

use std::fmt;
use std::str::FromStr;

use mediameter_core::RoundingMode;
use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// The indicator of a distribution. The Volcengine document names it `user_num` in its text and
/// response but sends `user_count` in its sample request: both parse, and it is always reported as
/// `user_num`.
///
/// ```
/// use mediameter_usage::Indicator;
/// assert_eq!("user_count".parse::<Indicator>()?, Indicator::UserNum);
/// assert_eq!(Indicator::UserNum.to_string(), "user_num");
/// assert!("minutes".parse::<Indicator>().is_err());
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Indicator {
    /// Distinct users, deduplicated by user id.
    #[default]
    UserNum,
}

impl Indicator {
    /// The reported name, `user_num`.
    ///
    /// ```
    /// assert_eq!(mediameter_usage::Indicator::UserNum.as_str(), "user_num");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        "user_num"
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Indicator {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "user_num" | "user_count" => Ok(Indicator::UserNum),
            _ => Err(Error::invalid(
                "indicator",
                s,
                "user_num (or its alias user_count)",
            )),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Indicator {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Indicator {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How proportions are rounded to 2 decimals (percent).
///
/// ```
/// use mediameter_usage::ProportionMode;
/// assert_eq!(ProportionMode::default(), ProportionMode::VENDOR);
/// assert_eq!("largest-remainder".parse::<ProportionMode>()?, ProportionMode::LargestRemainder);
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ProportionMode {
    /// The vendor's style: each proportion rounded on its own to 2 decimals with this rounding mode;
    /// the sum may differ from 100.00. The Volcengine sample (Shanghai 666 → 66.66, Beijing
    /// 123 → 12.31) fits a total of 999 users truncated toward zero (half-up would give 66.67),
    /// so [`ProportionMode::VENDOR`] truncates.
    Independent(RoundingMode),
    /// Largest remainder (Hamilton): every share truncated to 0.01, then the missing hundredths
    /// handed one each to the largest remainders, so the proportions sum to exactly 100.00
    /// (when the total is not zero). Ties go to the larger value, then the name in byte order.
    LargestRemainder,
}

impl ProportionMode {
    /// The vendor's style, and the default: independent, 2 decimals, truncated.
    pub const VENDOR: ProportionMode = ProportionMode::Independent(RoundingMode::Down);
}

impl Default for ProportionMode {
    fn default() -> Self {
        ProportionMode::VENDOR
    }
}

/// Prints `vendor` for [`ProportionMode::VENDOR`], `independent:<rounding mode>` for another
/// rounding (`independent:half_up`) and `largest-remainder`; each parses back.
impl fmt::Display for ProportionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProportionMode::Independent(RoundingMode::Down) => f.write_str("vendor"),
            ProportionMode::Independent(mode) => write!(f, "independent:{mode}"),
            ProportionMode::LargestRemainder => f.write_str("largest-remainder"),
        }
    }
}

impl FromStr for ProportionMode {
    type Err = Error;
    /// `vendor` or `independent` (truncating), `independent:<rounding mode>` with core's
    /// rounding-mode spellings, `largest-remainder` (or `largest_remainder`, `hamilton`).
    fn from_str(s: &str) -> Result<Self> {
        let expected = "vendor, independent:<rounding mode> or largest-remainder";
        match s {
            "vendor" | "independent" => Ok(ProportionMode::VENDOR),
            "largest-remainder" | "largest_remainder" | "hamilton" => {
                Ok(ProportionMode::LargestRemainder)
            }
            _ => match s.split_once(':') {
                Some(("independent", mode)) => mode
                    .parse::<RoundingMode>()
                    .map(ProportionMode::Independent)
                    .map_err(|_| Error::invalid("proportion mode", s, expected)),
                _ => Err(Error::invalid("proportion mode", s, expected)),
            },
        }
    }
}

/// One row of a distribution, as [`distribution`] and [`distribution_by`] give it.
///
/// ```
/// use mediameter_usage::{ProportionMode, distribution};
/// let rows = distribution(&[("上海".to_owned(), 2), ("北京".to_owned(), 1)], ProportionMode::VENDOR)?;
/// assert_eq!((rows[0].name.as_str(), rows[0].value), ("上海", 2));
/// assert_eq!(rows[0].proportion.to_string(), "66.66");
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DistributionRow {
    /// The dimension value (a province, a country, a region id).
    pub name: String,
    /// The indicator's value (distinct users).
    pub value: u64,
    /// Percent of the total, 2 decimals.
    pub proportion: Decimal,
}

/// Proportions of `values` in percent with 2 decimals, rows ordered by value (descending),
/// then name.
///
/// A zero total gives every proportion 0.00. Repeated names are not merged: pass each name
/// once.
///
/// # Errors
///
/// [`Error::Overflow`] if the values sum beyond `u64`.
///
/// ```
/// use mediameter_usage::{ProportionMode, distribution};
/// // Volcengine RTC API reference: Shanghai 666 → 66.66, Beijing 123 → 12.31 (of 999 users).
/// let rows = distribution(&[("上海".into(), 666), ("北京".into(), 123), ("其他".into(), 210)], ProportionMode::VENDOR)?;
/// assert_eq!(rows[0].proportion.to_string(), "66.66");
/// assert_eq!(rows[1].proportion.to_string(), "21.02");
/// assert_eq!(rows[2].proportion.to_string(), "12.31");
/// let lr = distribution(&[("上海".into(), 666), ("北京".into(), 123), ("其他".into(), 210)], ProportionMode::LargestRemainder)?;
/// let sum: rust_decimal::Decimal = lr.iter().map(|r| r.proportion).sum();
/// assert_eq!(sum.to_string(), "100.00");
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
pub fn distribution(
    values: &[(String, u64)],
    mode: ProportionMode,
) -> Result<Vec<DistributionRow>> {
    let total = values
        .iter()
        .try_fold(0_u64, |a, (_, v)| a.checked_add(*v))
        .ok_or(Error::overflow("distribution total"))?;
    let mut rows: Vec<DistributionRow> = values
        .iter()
        .map(|(n, v)| DistributionRow {
            name: n.clone(),
            value: *v,
            proportion: Decimal::new(0, 2),
        })
        .collect();
    rows.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.name.cmp(&b.name)));
    if total == 0 {
        return Ok(rows);
    }
    let total_u128 = u128::from(total);
    match mode {
        ProportionMode::Independent(rounding) => {
            for r in &mut rows {
                // value × 100 / total, exact in Decimal (28 digits) for any u64 inputs.
                let pct = Decimal::from(r.value)
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .and_then(|x| x.checked_div(Decimal::from(total)))
                    .ok_or(Error::overflow("proportion"))?;
                let mut p = pct.round_dp_with_strategy(2, rounding.strategy());
                p.rescale(2);
                r.proportion = p;
            }
        }
        ProportionMode::LargestRemainder => {
            // Work in hundredths of a percent: share_i = value_i × 10,000 / total.
            let mut shares: Vec<(u128, u128, usize)> = Vec::with_capacity(rows.len());
            let mut assigned: u128 = 0;
            for (i, r) in rows.iter().enumerate() {
                let scaled = u128::from(r.value).saturating_mul(10_000);
                let q = scaled.checked_div(total_u128).unwrap_or(0);
                let rem = scaled.checked_rem(total_u128).unwrap_or(0);
                assigned = assigned.saturating_add(q);
                shares.push((q, rem, i));
            }
            let mut missing = 10_000_u128.saturating_sub(assigned);
            // Rows are already ordered by value desc then name: a stable sort by remainder
            // keeps that order among ties.
            let mut order: Vec<usize> = (0..shares.len()).collect();
            order.sort_by(|&a, &b| {
                let ra = shares.get(a).map_or(0, |s| s.1);
                let rb = shares.get(b).map_or(0, |s| s.1);
                rb.cmp(&ra)
            });
            for i in order {
                if missing == 0 {
                    break;
                }
                if let Some(s) = shares.get_mut(i) {
                    s.0 = s.0.saturating_add(1);
                    missing = missing.saturating_sub(1);
                }
            }
            for (q, _, i) in shares {
                if let Some(r) = rows.get_mut(i) {
                    let hundredths = i64::try_from(q).unwrap_or(i64::MAX);
                    r.proportion = Decimal::new(hundredths, 2);
                }
            }
        }
    }
    Ok(rows)
}

/// The distribution of distinct users over the values of `dimension`, from a state split by
/// it (other split dimensions are merged away; a user counts once per value over the whole
/// range). Segments without a value are reported under `-`.
///
/// # Errors
///
/// [`Error::Invalid`] if the state is not split by `dimension` or has no distinct counts;
/// [`Error::Incompatible`] for mixed distinct modes.
///
/// ```
/// # use mediameter_core::*; use mediameter_usage::*;
/// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
///     Role::Subscribe, MediaSpec::Audio, TimeRange::from_unix(0, 60)?).with_region(RegionId::new("上海")?);
/// let q = UsageQuery::new(BillingZone::GMT8, Granularity::DAY).with_split_by([Dimension::Region]);
/// let mut agg = Aggregator::new(q)?;
/// agg.push(&s)?;
/// let rows = distribution_by(&agg.finish()?, Dimension::Region, ProportionMode::VENDOR)?;
/// assert_eq!((rows[0].name.as_str(), rows[0].value, rows[0].proportion.to_string()), ("上海", 1, "100.00".to_owned()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn distribution_by(
    state: &crate::UsageState,
    dimension: crate::Dimension,
    mode: ProportionMode,
) -> Result<Vec<DistributionRow>> {
    let pos = state
        .query()
        .split_by()
        .iter()
        .position(|d| *d == dimension)
        .ok_or_else(|| {
            Error::invalid(
                "distribution dimension",
                dimension.as_str(),
                "a dimension the state is split by",
            )
        })?;
    if !state.query().metrics().users {
        return Err(Error::invalid(
            "metrics",
            "active users off",
            "active users (distinct user ids) on for a distribution",
        ));
    }
    let mut sets: std::collections::BTreeMap<String, Option<crate::state::Distinct>> =
        std::collections::BTreeMap::new();
    for (key, g) in &state.groups {
        let name = key
            .get(pos)
            .cloned()
            .flatten()
            .unwrap_or_else(|| "-".to_owned());
        let acc = sets.entry(name).or_default();
        for c in g.cells.values() {
            if let Some(u) = &c.users {
                match acc {
                    Some(a) => a.merge(u, |k| k)?,
                    None => *acc = Some(u.clone()),
                }
            }
        }
    }
    let values: Vec<(String, u64)> = sets
        .into_iter()
        .map(|(k, v)| (k, v.map_or(0, |d| d.count())))
        .collect();
    distribution(&values, mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_are_stable() {
        let v: Vec<(String, u64)> = vec![("b".into(), 1), ("a".into(), 1), ("c".into(), 1)];
        let rows = distribution(&v, ProportionMode::LargestRemainder).unwrap();
        let got: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.name.clone(), r.proportion.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a".into(), "33.34".into()),
                ("b".into(), "33.33".into()),
                ("c".into(), "33.33".into())
            ]
        );
    }

    #[test]
    fn zero_total() {
        let rows = distribution(&[("x".into(), 0)], ProportionMode::LargestRemainder).unwrap();
        assert_eq!(rows[0].proportion.to_string(), "0.00");
    }
}
