//! Volcengine RTC `ListOperationDistribution` response (Volcengine RTC API reference).

use rust_decimal::Decimal;

use crate::distribution::{DistributionRow, Indicator};

/// `ResponseMetadata` of a Volcengine OpenAPI response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct ResponseMetadata {
    /// Request id.
    pub request_id: String,
    /// `ListOperationDistribution`.
    pub action: String,
    /// `2020-12-01`.
    pub version: String,
    /// `rtc`.
    pub service: String,
    /// The service region, e.g. `cn-north-1`.
    pub region: String,
}

impl ResponseMetadata {
    /// The metadata of a `ListOperationDistribution` answer (version `2020-12-01`, service
    /// `rtc`) to the request `request_id`; the region is left empty.
    ///
    /// ```
    /// use mediameter_usage::vendor::ResponseMetadata;
    /// let m = ResponseMetadata::list_operation_distribution("req-1");
    /// assert_eq!((m.action.as_str(), m.version.as_str()), ("ListOperationDistribution", "2020-12-01"));
    /// ```
    #[must_use]
    pub fn list_operation_distribution(request_id: impl Into<String>) -> Self {
        ResponseMetadata {
            request_id: request_id.into(),
            action: "ListOperationDistribution".to_owned(),
            version: "2020-12-01".to_owned(),
            service: "rtc".to_owned(),
            region: String::new(),
        }
    }
}

/// One `Data` item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct DistributionItem {
    /// The dimension value (`上海`).
    pub distribution_name: String,
    /// The indicator's value (a JSON number; whole for user counts).
    #[cfg_attr(feature = "serde", serde(with = "json_number"))]
    pub value: Decimal,
    /// Percent, 2 decimals (a JSON number).
    #[cfg_attr(feature = "serde", serde(with = "json_number"))]
    pub proportion: Decimal,
}

/// `Result`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct DistributionResult {
    /// The indicator: always reported as `user_num` (`user_count` accepted on input).
    pub name: Indicator,
    /// The dimension (`province`, `country`).
    pub dimension: String,
    /// The rows.
    pub data: Vec<DistributionItem>,
}

/// The response.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_usage::vendor::DistributionResponse;
/// let json = r#"{"ResponseMetadata":{"RequestId":"r","Action":"ListOperationDistribution","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1"},
///   "Result":{"Name":"user_num","Dimension":"province","Data":[{"DistributionName":"上海","Value":666,"Proportion":66.66}]}}"#;
/// let r: DistributionResponse = serde_json::from_str(json)?;
/// assert_eq!(r.result.data[0].proportion.to_string(), "66.66");
/// let again: serde_json::Value = serde_json::to_value(&r)?;
/// assert_eq!(again, serde_json::from_str::<serde_json::Value>(json)?);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct DistributionResponse {
    /// Metadata.
    pub response_metadata: ResponseMetadata,
    /// The result.
    pub result: DistributionResult,
}

impl DistributionResponse {
    /// The response for distribution rows.
    ///
    /// ```
    /// use mediameter_usage::{ProportionMode, distribution, vendor::{DistributionResponse, ResponseMetadata}};
    /// let rows = distribution(&[("上海".into(), 1)], ProportionMode::VENDOR)?;
    /// let r = DistributionResponse::from_rows(ResponseMetadata::default(), "province", &rows);
    /// assert_eq!(r.result.data[0].proportion.to_string(), "100.00");
    /// # Ok::<(), mediameter_usage::Error>(())
    /// ```
    #[must_use]
    pub fn from_rows(meta: ResponseMetadata, dimension: &str, rows: &[DistributionRow]) -> Self {
        DistributionResponse {
            response_metadata: meta,
            result: DistributionResult {
                name: Indicator::UserNum,
                dimension: dimension.to_owned(),
                data: rows
                    .iter()
                    .map(|r| DistributionItem {
                        distribution_name: r.name.clone(),
                        value: Decimal::from(r.value),
                        proportion: r.proportion,
                    })
                    .collect(),
            },
        }
    }
}

#[cfg(feature = "serde")]
mod json_number {
    //! A decimal written as a JSON number: an integer when whole, else the shortest float that
    //! prints as the decimal (`66.66`); read from any JSON number by its printed digits, so
    //! `66.66` stays exactly 66.66.
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let n = d.normalize();
        if let (0, Ok(i)) = (n.scale(), i64::try_from(n)) {
            return s.serialize_i64(i);
        }
        let f = f64::from_str(&n.to_string()).map_err(serde::ser::Error::custom)?;
        s.serialize_f64(f)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let v = serde_json::Number::deserialize(d)?;
        let text = v.to_string();
        Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&text))
            .map_err(|_| serde::de::Error::custom(format!("number {text} does not fit a decimal")))
    }
}
