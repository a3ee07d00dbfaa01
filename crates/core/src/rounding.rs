//! Explicit decimal rounding: a scale and a mode, never an implicit default.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, Result};

/// The largest scale `rust_decimal` can represent.
///
/// ```
/// use mediameter_core::{Rounding, RoundingMode, rounding::MAX_SCALE};
/// assert!(Rounding::new(MAX_SCALE, RoundingMode::HalfEven).is_ok());
/// assert!(Rounding::new(MAX_SCALE + 1, RoundingMode::HalfEven).is_err());
/// ```
pub const MAX_SCALE: u32 = 28;

/// How a value that lies between two representable values is resolved.
///
/// The names are the ones billing teams use; each maps onto one
/// [`rust_decimal::RoundingStrategy`] (see [`RoundingMode::strategy`]).
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): these are the seven ways a decimal can
/// be rounded to a scale (three tie rules, four directions), listed in [`RoundingMode::ALL`].
///
/// ```
/// use mediameter_core::{Rounding, RoundingMode};
/// use rust_decimal_macros::dec;
///
/// let r = |mode| Rounding::new(2, mode).map(|r| r.apply(dec!(-8390.775)));
/// assert_eq!(r(RoundingMode::HalfUp)?, dec!(-8390.78));
/// assert_eq!(r(RoundingMode::HalfEven)?, dec!(-8390.78));
/// assert_eq!(r(RoundingMode::HalfDown)?, dec!(-8390.77));
/// assert_eq!(r(RoundingMode::Down)?, dec!(-8390.77));
/// assert_eq!(r(RoundingMode::Up)?, dec!(-8390.78));
/// assert_eq!(r(RoundingMode::Floor)?, dec!(-8390.78));
/// assert_eq!(r(RoundingMode::Ceiling)?, dec!(-8390.77));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RoundingMode {
    /// Nearest; a tie goes away from zero (commercial rounding, the vendors' default).
    HalfUp,
    /// Nearest; a tie goes to the even neighbour (banker's rounding).
    HalfEven,
    /// Nearest; a tie goes toward zero.
    HalfDown,
    /// Toward zero (truncate).
    Down,
    /// Away from zero.
    Up,
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceiling,
}

impl RoundingMode {
    /// Every mode, in declaration order.
    ///
    /// ```
    /// assert_eq!(mediameter_core::RoundingMode::ALL.len(), 7);
    /// ```
    pub const ALL: [RoundingMode; 7] = [
        RoundingMode::HalfUp,
        RoundingMode::HalfEven,
        RoundingMode::HalfDown,
        RoundingMode::Down,
        RoundingMode::Up,
        RoundingMode::Floor,
        RoundingMode::Ceiling,
    ];

    /// The `rust_decimal` strategy that implements this mode.
    ///
    /// ```
    /// use mediameter_core::RoundingMode;
    /// use rust_decimal::RoundingStrategy;
    /// assert_eq!(RoundingMode::HalfUp.strategy(), RoundingStrategy::MidpointAwayFromZero);
    /// ```
    #[must_use]
    pub const fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfDown => RoundingStrategy::MidpointTowardZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
            RoundingMode::Floor => RoundingStrategy::ToNegativeInfinity,
            RoundingMode::Ceiling => RoundingStrategy::ToPositiveInfinity,
        }
    }

    /// The canonical spelling, as accepted by [`FromStr`].
    ///
    /// ```
    /// use mediameter_core::RoundingMode;
    /// assert_eq!(RoundingMode::HalfEven.as_str(), "half_even");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RoundingMode::HalfUp => "half_up",
            RoundingMode::HalfEven => "half_even",
            RoundingMode::HalfDown => "half_down",
            RoundingMode::Down => "down",
            RoundingMode::Up => "up",
            RoundingMode::Floor => "floor",
            RoundingMode::Ceiling => "ceiling",
        }
    }
}

impl fmt::Display for RoundingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RoundingMode {
    type Err = Error;

    /// Parses the canonical spelling (`half_up`, `half_even`, `half_down`, `down`, `up`,
    /// `floor`, `ceiling`); `-` is accepted for `_` and case is ignored.
    fn from_str(s: &str) -> Result<Self> {
        let expected = "one of half_up, half_even, half_down, down, up, floor, ceiling";
        if s.len() > 16 {
            return Err(Error::invalid("rounding mode", s, expected));
        }
        let norm = s.to_ascii_lowercase().replace('-', "_");
        RoundingMode::ALL
            .into_iter()
            .find(|m| m.as_str() == norm)
            .ok_or_else(|| Error::invalid("rounding mode", s, expected))
    }
}

/// A rounding step: how many decimal places to keep, and how to resolve the rest.
///
/// The workspace never rounds implicitly: every amount that is rounded says with which
/// `Rounding`, so a bill can state its rounding rule.
///
/// ```
/// use mediameter_core::{Rounding, RoundingMode};
/// use rust_decimal_macros::dec;
///
/// let cents = Rounding::new(2, RoundingMode::HalfUp)?;
/// assert_eq!(cents.apply(dec!(25032.9464)), dec!(25032.95));
/// assert_eq!(cents.to_string(), "2dp half_up");
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "RoundingRepr", into = "RoundingRepr")
)]
pub struct Rounding {
    scale: u32,
    mode: RoundingMode,
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundingRepr {
    scale: u32,
    mode: RoundingMode,
}

#[cfg(feature = "serde")]
impl TryFrom<RoundingRepr> for Rounding {
    type Error = Error;
    fn try_from(r: RoundingRepr) -> Result<Self> {
        Rounding::new(r.scale, r.mode)
    }
}

#[cfg(feature = "serde")]
impl From<Rounding> for RoundingRepr {
    fn from(r: Rounding) -> Self {
        RoundingRepr {
            scale: r.scale,
            mode: r.mode,
        }
    }
}

impl Rounding {
    /// Money to the cent, half away from zero: the rule of the vendors' worked examples.
    ///
    /// ```
    /// use mediameter_core::Rounding;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(Rounding::CENTS_HALF_UP.apply(dec!(0.125)), dec!(0.13));
    /// ```
    pub const CENTS_HALF_UP: Rounding = Rounding {
        scale: 2,
        mode: RoundingMode::HalfUp,
    };

    /// A rounding to `scale` decimal places under `mode`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] when `scale` is over [`MAX_SCALE`] (28).
    ///
    /// ```
    /// use mediameter_core::{Rounding, RoundingMode};
    /// assert!(Rounding::new(4, RoundingMode::HalfUp).is_ok());
    /// assert!(Rounding::new(29, RoundingMode::HalfUp).is_err());
    /// ```
    pub fn new(scale: u32, mode: RoundingMode) -> Result<Self> {
        if scale > MAX_SCALE {
            return Err(Error::out_of_range("rounding scale", scale, "0..=28"));
        }
        Ok(Rounding { scale, mode })
    }

    /// Decimal places kept.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Rounding::CENTS_HALF_UP.scale(), 2);
    /// ```
    #[must_use]
    pub const fn scale(self) -> u32 {
        self.scale
    }

    /// How the discarded part is resolved.
    ///
    /// ```
    /// use mediameter_core::{Rounding, RoundingMode};
    /// assert_eq!(Rounding::CENTS_HALF_UP.mode(), RoundingMode::HalfUp);
    /// ```
    #[must_use]
    pub const fn mode(self) -> RoundingMode {
        self.mode
    }

    /// Rounds `value`. Never fails: rounding to fewer places cannot overflow.
    ///
    /// The result always carries exactly `scale` places, padded with zeros (zero cents print
    /// `0.00`, a yen amount `656`), so a rounded amount prints the way a bill shows it.
    /// Applying a rounding twice equals applying it once. (A value so large that padding it
    /// would leave `Decimal`'s 28 digits keeps as many places as fit; its value is unchanged.)
    ///
    /// ```
    /// use mediameter_core::{Rounding, RoundingMode};
    /// use rust_decimal_macros::dec;
    /// let r = Rounding::new(4, RoundingMode::HalfUp)?;
    /// assert_eq!(r.apply(dec!(0.954838)), dec!(0.9548));
    /// assert_eq!(r.apply(r.apply(dec!(0.954838))), dec!(0.9548));
    /// assert_eq!(Rounding::CENTS_HALF_UP.apply(dec!(0)).to_string(), "0.00");
    /// assert_eq!(Rounding::new(0, RoundingMode::HalfUp)?.apply(dec!(655.86)).to_string(), "656");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn apply(self, value: Decimal) -> Decimal {
        let mut rounded = value.round_dp_with_strategy(self.scale, self.mode.strategy());
        rounded.rescale(self.scale);
        rounded
    }
}

/// Prints `"<scale>dp <mode>"` (`"2dp half_up"`); [`FromStr`] reads it back.
impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}dp {}", self.scale, self.mode)
    }
}

impl FromStr for Rounding {
    type Err = Error;

    /// Parses `"<scale>dp <mode>"`, as printed by `Display` (`"2dp half_up"`); the mode is any
    /// spelling [`RoundingMode`] accepts.
    ///
    /// ```
    /// use mediameter_core::Rounding;
    /// let r: Rounding = "2dp half_up".parse()?;
    /// assert_eq!(r, Rounding::CENTS_HALF_UP);
    /// assert_eq!(r.to_string().parse::<Rounding>()?, r);
    /// assert!("29dp half_up".parse::<Rounding>().is_err());
    /// assert!("2 half_up".parse::<Rounding>().is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let expected =
            "a scale followed by \"dp\", one space and a rounding mode, e.g. \"2dp half_up\"";
        if s.len() > 32 {
            return Err(Error::invalid("rounding", s, expected));
        }
        let (scale, mode) = s
            .split_once(' ')
            .ok_or_else(|| Error::invalid("rounding", s, expected))?;
        let scale = scale
            .strip_suffix("dp")
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u32>().ok())
            .ok_or_else(|| Error::invalid("rounding", s, expected))?;
        Rounding::new(scale, mode.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn each_mode_on_a_positive_tie() {
        let cases = [
            (RoundingMode::HalfUp, dec!(2.35)),
            (RoundingMode::HalfEven, dec!(2.34)),
            (RoundingMode::HalfDown, dec!(2.34)),
            (RoundingMode::Down, dec!(2.34)),
            (RoundingMode::Up, dec!(2.35)),
            (RoundingMode::Floor, dec!(2.34)),
            (RoundingMode::Ceiling, dec!(2.35)),
        ];
        for (mode, want) in cases {
            assert_eq!(
                Rounding::new(2, mode).unwrap().apply(dec!(2.345)),
                want,
                "{mode}"
            );
        }
    }

    #[test]
    fn modes_parse_their_own_display() {
        for m in RoundingMode::ALL {
            assert_eq!(m.to_string().parse::<RoundingMode>().unwrap(), m);
        }
        assert_eq!(
            "HALF-UP".parse::<RoundingMode>().unwrap(),
            RoundingMode::HalfUp
        );
        assert!("bankers".parse::<RoundingMode>().is_err());
    }
}
