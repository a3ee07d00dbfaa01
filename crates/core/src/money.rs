//! Amounts of money in an ISO 4217 currency.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::rounding::{Rounding, RoundingMode};

/// An ISO 4217 currency with its number of minor units (decimal places of its smallest coin).
///
/// Only currencies in the built-in table are accepted from text, so a typo such as `"CYN"` is an
/// error rather than a new currency. The table covers the currencies the cloud vendors bill in.
///
/// ```
/// use mediameter_core::Currency;
///
/// let cny: Currency = "CNY".parse()?;
/// assert_eq!(cny, Currency::CNY);
/// assert_eq!(cny.minor_units(), 2);
/// assert_eq!(Currency::JPY.minor_units(), 0);
/// assert!("XXX".parse::<Currency>().is_err());
/// # Ok::<(), mediameter_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

macro_rules! currencies {
    ($($name:ident = $code:literal, $minor:literal, $doc:literal;)*) => {
        impl Currency {
            $(
                #[doc = $doc]
                pub const $name: Currency = Currency { code: *$code, minor_units: $minor };
            )*
            /// Every currency in the built-in table.
            ///
            /// ```
            /// assert!(mediameter_core::Currency::KNOWN.contains(&mediameter_core::Currency::CNY));
            /// ```
            pub const KNOWN: &'static [Currency] = &[$(Currency::$name),*];
        }
    };
}

currencies! {
    CNY = b"CNY", 2, "Chinese yuan renminbi (2 minor units).";
    USD = b"USD", 2, "US dollar (2 minor units).";
    EUR = b"EUR", 2, "Euro (2 minor units).";
    GBP = b"GBP", 2, "Pound sterling (2 minor units).";
    HKD = b"HKD", 2, "Hong Kong dollar (2 minor units).";
    SGD = b"SGD", 2, "Singapore dollar (2 minor units).";
    JPY = b"JPY", 0, "Japanese yen (0 minor units).";
    KRW = b"KRW", 0, "South Korean won (0 minor units).";
    INR = b"INR", 2, "Indian rupee (2 minor units).";
    IDR = b"IDR", 2, "Indonesian rupiah (2 minor units).";
    BRL = b"BRL", 2, "Brazilian real (2 minor units).";
    KWD = b"KWD", 3, "Kuwaiti dinar (3 minor units).";
    BHD = b"BHD", 3, "Bahraini dinar (3 minor units).";
}

impl Currency {
    /// The three-letter code.
    ///
    /// ```
    /// assert_eq!(mediameter_core::Currency::USD.code(), "USD");
    /// ```
    #[must_use]
    pub fn code(&self) -> &str {
        // The table only holds ASCII upper-case codes.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Decimal places of the smallest unit (2 for CNY, 0 for JPY, 3 for KWD).
    ///
    /// ```
    /// assert_eq!(mediameter_core::Currency::KWD.minor_units(), 3);
    /// ```
    #[must_use]
    pub const fn minor_units(&self) -> u32 {
        self.minor_units as u32
    }

    /// Rounding to this currency's minor unit under `mode`.
    ///
    /// ```
    /// use mediameter_core::{Currency, RoundingMode};
    /// assert_eq!(Currency::JPY.minor_rounding(RoundingMode::HalfUp).scale(), 0);
    /// ```
    #[must_use]
    pub fn minor_rounding(&self, mode: RoundingMode) -> Rounding {
        // minor_units is at most 3, far below the 28 places Rounding accepts.
        Rounding::new(self.minor_units(), mode).unwrap_or(Rounding::CENTS_HALF_UP)
    }
}

/// Prints `Currency(CNY)`, the code rather than its bytes.
///
/// ```
/// assert_eq!(format!("{:?}", mediameter_core::Currency::CNY), "Currency(CNY)");
/// ```
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;

    /// Parses an upper-case ISO 4217 code from the built-in table.
    fn from_str(s: &str) -> Result<Self> {
        Currency::KNOWN
            .iter()
            .find(|c| c.code.as_slice() == s.as_bytes())
            .copied()
            .ok_or_else(|| {
                Error::invalid(
                    "currency code",
                    s,
                    "an upper-case ISO 4217 code of a supported currency (CNY, USD, EUR, JPY, ...)",
                )
            })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An amount of money: a [`Decimal`] and its [`Currency`].
///
/// Arithmetic is checked and never mixes currencies: there is no silent conversion, and an
/// overflow is an error, not a wrap or a panic. An amount is not rounded until a caller says
/// how ([`Money::round`]); amounts carry whatever precision the computation produced.
///
/// ```
/// use mediameter_core::{Currency, Money, Rounding};
/// use rust_decimal_macros::dec;
///
/// let price = Money::new(dec!(26218.00), Currency::CNY); // 52,168 − 25,950
/// let fee = price.checked_mul(dec!(0.9548))?.round(Rounding::CENTS_HALF_UP);
/// assert_eq!(fee.to_string(), "25032.95 CNY");
/// let total = fee.checked_add(Money::new(dec!(25950), Currency::CNY))?;
/// assert_eq!(total.amount(), dec!(50982.95));
/// # Ok::<(), mediameter_core::Error>(())
/// ```
///
/// In JSON: `{"amount": "25032.95", "currency": "CNY"}`, the amount a string (a JSON number
/// would pass through a binary float); any other field is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in `currency`.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// let m = Money::new(rust_decimal::Decimal::TEN, Currency::USD);
    /// assert_eq!(m.currency(), Currency::USD);
    /// ```
    #[must_use]
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// assert!(Money::zero(Currency::CNY).is_zero());
    /// ```
    #[must_use]
    pub const fn zero(currency: Currency) -> Self {
        Money::new(Decimal::ZERO, currency)
    }

    /// The amount.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// assert_eq!(Money::zero(Currency::CNY).amount(), rust_decimal::Decimal::ZERO);
    /// ```
    #[must_use]
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// assert_eq!(Money::zero(Currency::JPY).currency(), Currency::JPY);
    /// ```
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// assert!(!Money::new(rust_decimal::Decimal::ONE, Currency::CNY).is_zero());
    /// ```
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// assert!(Money::new(rust_decimal::Decimal::NEGATIVE_ONE, Currency::CNY).is_negative());
    /// ```
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    fn same_currency(&self, other: &Money, operation: &'static str) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                operation,
                left: self.currency.to_string(),
                right: other.currency.to_string(),
            })
        }
    }

    /// `self + other`.
    ///
    /// # Errors
    ///
    /// [`Error::CurrencyMismatch`] when the currencies differ; [`Error::Overflow`] when the sum
    /// is outside `Decimal`'s range.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let a = Money::new(dec!(1.10), Currency::CNY);
    /// assert_eq!(a.checked_add(a)?.amount(), dec!(2.20));
    /// assert!(a.checked_add(Money::new(dec!(1), Currency::USD)).is_err());
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(&other, "money add")?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| Error::overflow("money add"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self − other`.
    ///
    /// # Errors
    ///
    /// As [`Money::checked_add`].
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let a = Money::new(dec!(52168), Currency::CNY);
    /// let b = Money::new(dec!(25950), Currency::CNY);
    /// assert_eq!(a.checked_sub(b)?.amount(), dec!(26218));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(&other, "money subtract")?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(|| Error::overflow("money subtract"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × quantity` (a unit price times a quantity, a fee times a period). Unrounded.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when the product is outside `Decimal`'s range.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let per_minute = Money::new(dec!(0.028), Currency::CNY);
    /// assert_eq!(per_minute.checked_mul(dec!(1000))?.amount(), dec!(28.000));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn checked_mul(self, quantity: Decimal) -> Result<Money> {
        let amount = self
            .amount
            .checked_mul(quantity)
            .ok_or_else(|| Error::overflow("money multiply"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self ÷ divisor` (an hourly price to a per-second price). Unrounded beyond `Decimal`'s
    /// 28 significant digits; prefer multiplying first and dividing last.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] for a zero divisor; [`Error::Overflow`] when the quotient is out
    /// of range.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let hourly = Money::new(dec!(36), Currency::CNY);
    /// assert_eq!(hourly.checked_div(dec!(3600))?.amount(), dec!(0.01));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn checked_div(self, divisor: Decimal) -> Result<Money> {
        if divisor.is_zero() {
            return Err(Error::out_of_range(
                "money divisor",
                divisor,
                "a non-zero number",
            ));
        }
        let amount = self
            .amount
            .checked_div(divisor)
            .ok_or_else(|| Error::overflow("money divide"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// The amount rounded under `rounding`. The caller chooses the scale; see
    /// [`Money::round_to_minor`] for the currency's own.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money, Rounding, RoundingMode};
    /// use rust_decimal_macros::dec;
    /// let m = Money::new(dec!(8390.775), Currency::CNY);
    /// assert_eq!(m.round(Rounding::CENTS_HALF_UP).amount(), dec!(8390.78));
    /// assert_eq!(m.round(Rounding::new(2, RoundingMode::HalfEven)?).amount(), dec!(8390.78));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    #[must_use]
    pub fn round(self, rounding: Rounding) -> Money {
        Money::new(rounding.apply(self.amount), self.currency)
    }

    /// The amount rounded to the currency's minor unit under `mode`.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money, RoundingMode};
    /// use rust_decimal_macros::dec;
    /// let yen = Money::new(dec!(1234.5), Currency::JPY);
    /// assert_eq!(yen.round_to_minor(RoundingMode::HalfEven).amount(), dec!(1234));
    /// ```
    #[must_use]
    pub fn round_to_minor(self, mode: RoundingMode) -> Money {
        self.round(self.currency.minor_rounding(mode))
    }

    /// Sums amounts that must all be in `currency` (so an empty list is a valid zero).
    ///
    /// # Errors
    ///
    /// [`Error::CurrencyMismatch`] at the first amount in another currency;
    /// [`Error::Overflow`] if the sum leaves `Decimal`'s range.
    ///
    /// ```
    /// use mediameter_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let lines = [dec!(0.10), dec!(0.20)].map(|a| Money::new(a, Currency::CNY));
    /// assert_eq!(Money::sum(Currency::CNY, lines)?.amount(), dec!(0.30));
    /// # Ok::<(), mediameter_core::Error>(())
    /// ```
    pub fn sum(currency: Currency, items: impl IntoIterator<Item = Money>) -> Result<Money> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl FromStr for Money {
    type Err = Error;

    /// Parses `"<decimal> <CODE>"`, as printed by `Display` (`"25032.95 CNY"`).
    fn from_str(s: &str) -> Result<Self> {
        let expected = "a decimal amount, one space and a currency code, e.g. \"12.50 CNY\"";
        if s.len() > 64 {
            return Err(Error::invalid("money", s, expected));
        }
        let (amount, code) = s
            .split_once(' ')
            .ok_or_else(|| Error::invalid("money", s, expected))?;
        let amount = Decimal::from_str_exact(amount).map_err(|_| {
            Error::invalid(
                "money amount",
                amount,
                "a decimal number with at most 28 digits",
            )
        })?;
        Ok(Money::new(amount, code.parse()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn display_parse_roundtrip() {
        let m = Money::new(dec!(-0.050), Currency::KWD);
        assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        assert!("1.0CNY".parse::<Money>().is_err());
        assert!("abc CNY".parse::<Money>().is_err());
    }

    #[test]
    fn overflow_is_an_error() {
        let m = Money::new(Decimal::MAX, Currency::CNY);
        assert_eq!(
            m.checked_add(m).unwrap_err().kind(),
            crate::ErrorKind::Overflow
        );
        assert_eq!(
            m.checked_mul(dec!(2)).unwrap_err().kind(),
            crate::ErrorKind::Overflow
        );
        assert!(m.checked_div(Decimal::ZERO).is_err());
    }

    #[test]
    fn every_known_code_parses() {
        for c in Currency::KNOWN {
            assert_eq!(c.code().parse::<Currency>().unwrap(), *c);
        }
        assert!(
            "cny".parse::<Currency>().is_err(),
            "codes are upper case in ISO 4217"
        );
    }
}
