//! Alibaba Cloud Live `DescribeLiveProducerUsageData` response (Alibaba Cloud Live API reference).

use chrono::{DateTime, Utc};
use mediameter_core::{Granularity, LiveTier, MediaSpec, VideoTier};

use super::xml;
use crate::error::{Error, Result};
use crate::query::Dimension;
use crate::report::UsageReport;

/// One item: a bucket (`TimeStamp`), the split fields, and the output and transcoding
/// durations per live tier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct ProducerUsageItem {
    /// Start of the bucket, UTC.
    pub time_stamp: DateTime<Utc>,
    /// Split field `domain`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub domain_name: Option<String>,
    /// Split field `region`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub region: Option<String>,
    /// Split field `instance`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub instance: Option<String>,
    /// Split field `type`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub r#type: Option<String>,
    /// Output duration, LD.
    pub output_ld_duration: u64,
    /// Output duration, SD.
    pub output_sd_duration: u64,
    /// Output duration, HD.
    pub output_hd_duration: u64,
    /// Transcoding duration, LD.
    pub tran_ld_duration: u64,
    /// Transcoding duration, SD.
    pub tran_sd_duration: u64,
    /// Transcoding duration, HD.
    pub tran_hd_duration: u64,
}

/// The list wrapper (`BillProducerData.BillProducerDataItem`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BillProducerData {
    /// The items.
    #[cfg_attr(feature = "serde", serde(rename = "BillProducerDataItem", default))]
    pub items: Vec<ProducerUsageItem>,
}

/// The response.
///
/// Times are kept as the document gives them: the document's sample response has `StartTime`
/// and `EndTime` swapped (a slip in the sample, not a rule), so reading does not check their
/// order; [`ProducerUsageResponse::query_range`] orders them.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use mediameter_usage::vendor::ProducerUsageResponse;
/// let json = r#"{"RequestId":"r","StartTime":"2018-10-31T15:59:59Z","EndTime":"2018-09-30T16:00:00Z",
///   "BillProducerData":{"BillProducerDataItem":[{"Type":"slidelive","TimeStamp":"2018-09-30T00:00:00Z",
///   "OutputLdDuration":1001,"OutputSdDuration":500,"OutputHdDuration":6000,
///   "TranLdDuration":111,"TranSdDuration":666,"TranHdDuration":6777}]}}"#;
/// let r: ProducerUsageResponse = serde_json::from_str(json)?;
/// assert_eq!(r.bill_producer_data.items[0].tran_hd_duration, 6777);
/// let (start, end) = r.query_range();
/// assert!(start < end);
/// let back = ProducerUsageResponse::from_xml(&r.to_xml())?;
/// assert_eq!(back, r);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[non_exhaustive]
pub struct ProducerUsageResponse {
    /// Request id.
    pub request_id: String,
    /// Start of the query range, as written.
    pub start_time: DateTime<Utc>,
    /// End of the query range, as written.
    pub end_time: DateTime<Utc>,
    /// The items.
    pub bill_producer_data: BillProducerData,
}

/// The live tier an RTC spec is reported under: 360p → LD, 720p → SD, 1080p and above → HD;
/// audio has no tier and is left out.
///
/// ```
/// use mediameter_core::{LiveTier, MediaSpec, VideoTier};
/// use mediameter_usage::vendor::live_tier;
/// assert_eq!(live_tier(MediaSpec::Video(VideoTier::K4)), Some(LiveTier::Hd));
/// assert_eq!(live_tier(MediaSpec::Audio), None);
/// ```
#[must_use]
pub fn live_tier(spec: MediaSpec) -> Option<LiveTier> {
    match spec {
        MediaSpec::Audio => None,
        MediaSpec::Video(VideoTier::P360) => Some(LiveTier::Ld),
        MediaSpec::Video(VideoTier::P720) => Some(LiveTier::Sd),
        MediaSpec::Video(_) => Some(LiveTier::Hd),
    }
}

fn ts(t: DateTime<Utc>) -> String {
    // Whole seconds as the API writes them; a fraction, if a document had one, is kept.
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

impl ProducerUsageResponse {
    /// `(start, end)` in order, whichever way the document wrote them.
    #[must_use]
    pub fn query_range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            self.start_time.min(self.end_time),
            self.start_time.max(self.end_time),
        )
    }

    /// The response for a usage report. Output durations are the publish seconds and
    /// transcoding durations the subscribe seconds, each by [`live_tier`]; the report must be
    /// hourly or daily and split only by domain, region, instance or type.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for another interval or split dimension, or `end <= start`.
    ///
    /// ```
    /// # use mediameter_core::*; use mediameter_usage::*;
    /// let s = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Publish, MediaSpec::Video(VideoTier::P720), TimeRange::from_unix(0, 60)?);
    /// let q = UsageQuery::new(BillingZone::UTC, Granularity::DAY);
    /// let mut agg = Aggregator::new(q)?;
    /// agg.push(&s)?;
    /// let r = agg.report(MinutePolicy::Exact)?;
    /// let (a, b) = (chrono::DateTime::UNIX_EPOCH, chrono::DateTime::from_timestamp(86_400, 0).ok_or("out of range")?);
    /// let resp = vendor::ProducerUsageResponse::from_report(&r, "req-1", a, b)?;
    /// assert_eq!(resp.bill_producer_data.items[0].output_sd_duration, 60);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_report(
        report: &UsageReport,
        request_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Self> {
        if report.interval != Granularity::HOUR && report.interval != Granularity::DAY {
            return Err(Error::invalid(
                "interval",
                &report.interval.to_string(),
                "3600 or 86400 for DescribeLiveProducerUsageData",
            ));
        }
        if end <= start {
            return Err(Error::invalid(
                "EndTime",
                &ts(end),
                "an end after StartTime",
            ));
        }
        for d in &report.split_by {
            if matches!(d, Dimension::App | Dimension::Spec | Dimension::Role) {
                return Err(Error::invalid(
                    "SplitBy",
                    d.as_str(),
                    "domain, region, instance or type",
                ));
            }
        }
        let mut items = Vec::with_capacity(report.rows.len());
        for row in &report.rows {
            let mut it = ProducerUsageItem {
                time_stamp: row.bucket_start,
                ..ProducerUsageItem::default()
            };
            for (d, v) in &row.group {
                let v = Some(v.clone().unwrap_or_default());
                match d {
                    Dimension::Domain => it.domain_name = v,
                    Dimension::Region => it.region = v,
                    Dimension::Instance => it.instance = v,
                    Dimension::ProductType => it.r#type = v,
                    _ => {}
                }
            }
            for (spec, secs) in row.publish_seconds.iter() {
                let slot = match live_tier(spec) {
                    Some(LiveTier::Ld) => &mut it.output_ld_duration,
                    Some(LiveTier::Sd) => &mut it.output_sd_duration,
                    Some(LiveTier::Hd) => &mut it.output_hd_duration,
                    None => continue,
                };
                *slot = slot
                    .checked_add(*secs)
                    .ok_or(Error::overflow("output duration"))?;
            }
            for (spec, secs) in row.subscribe_seconds.iter() {
                let slot = match live_tier(spec) {
                    Some(LiveTier::Ld) => &mut it.tran_ld_duration,
                    Some(LiveTier::Sd) => &mut it.tran_sd_duration,
                    Some(LiveTier::Hd) => &mut it.tran_hd_duration,
                    None => continue,
                };
                *slot = slot
                    .checked_add(*secs)
                    .ok_or(Error::overflow("transcoding duration"))?;
            }
            items.push(it);
        }
        Ok(ProducerUsageResponse {
            request_id: request_id.to_owned(),
            start_time: start,
            end_time: end,
            bill_producer_data: BillProducerData { items },
        })
    }

    /// The XML shape of the document (`DescribeLiveProducerUsageDataResponse` root).
    #[must_use]
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<DescribeLiveProducerUsageDataResponse>\n");
        xml::leaf(&mut out, 1, "RequestId", &self.request_id);
        xml::leaf(&mut out, 1, "EndTime", &ts(self.end_time));
        xml::leaf(&mut out, 1, "StartTime", &ts(self.start_time));
        out.push_str("  <BillProducerData>\n");
        for it in &self.bill_producer_data.items {
            out.push_str("    <BillProducerDataItem>\n");
            for (name, v) in [
                ("DomainName", &it.domain_name),
                ("Region", &it.region),
                ("Instance", &it.instance),
                ("Type", &it.r#type),
            ] {
                if let Some(v) = v {
                    xml::leaf(&mut out, 3, name, v);
                }
            }
            for (name, v) in [
                ("OutputLdDuration", it.output_ld_duration),
                ("OutputSdDuration", it.output_sd_duration),
                ("OutputHdDuration", it.output_hd_duration),
                ("TranLdDuration", it.tran_ld_duration),
                ("TranSdDuration", it.tran_sd_duration),
                ("TranHdDuration", it.tran_hd_duration),
            ] {
                xml::leaf(&mut out, 3, name, &v.to_string());
            }
            xml::leaf(&mut out, 3, "TimeStamp", &ts(it.time_stamp));
            out.push_str("    </BillProducerDataItem>\n");
        }
        out.push_str("  </BillProducerData>\n</DescribeLiveProducerUsageDataResponse>\n");
        out
    }

    /// Reads the XML shape.
    ///
    /// # Errors
    ///
    /// [`Error::Document`] for malformed XML, a missing element, or a value that is not a
    /// number or an ISO 8601 UTC instant.
    pub fn from_xml(text: &str) -> Result<Self> {
        let root = xml::parse(text)?;
        if root.name != "DescribeLiveProducerUsageDataResponse" {
            return Err(Error::document(
                "xml",
                format!(
                    "root <{}>: expected <DescribeLiveProducerUsageDataResponse>",
                    root.name
                ),
            ));
        }
        let text_of = |el: &xml::Element, name: &str| -> Result<String> {
            el.child(name)
                .map(|c| c.text.clone())
                .ok_or_else(|| Error::document("xml", format!("missing <{name}> in <{}>", el.name)))
        };
        let time = |el: &xml::Element, name: &str| -> Result<DateTime<Utc>> {
            let t = text_of(el, name)?;
            DateTime::parse_from_rfc3339(&t)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|e| Error::document("xml", format!("<{name}> {t:?}: {e}")))
        };
        let num = |el: &xml::Element, name: &str| -> Result<u64> {
            let t = text_of(el, name)?;
            t.parse::<u64>().map_err(|_| {
                Error::document("xml", format!("<{name}> {t:?}: expected a whole number"))
            })
        };
        let opt = |el: &xml::Element, name: &str| el.child(name).map(|c| c.text.clone());
        let mut items = Vec::new();
        if let Some(data) = root.child("BillProducerData") {
            for el in data
                .children
                .iter()
                .filter(|c| c.name == "BillProducerDataItem")
            {
                items.push(ProducerUsageItem {
                    time_stamp: time(el, "TimeStamp")?,
                    domain_name: opt(el, "DomainName"),
                    region: opt(el, "Region"),
                    instance: opt(el, "Instance"),
                    r#type: opt(el, "Type"),
                    output_ld_duration: num(el, "OutputLdDuration")?,
                    output_sd_duration: num(el, "OutputSdDuration")?,
                    output_hd_duration: num(el, "OutputHdDuration")?,
                    tran_ld_duration: num(el, "TranLdDuration")?,
                    tran_sd_duration: num(el, "TranSdDuration")?,
                    tran_hd_duration: num(el, "TranHdDuration")?,
                });
            }
        }
        Ok(ProducerUsageResponse {
            request_id: text_of(&root, "RequestId")?,
            start_time: time(&root, "StartTime")?,
            end_time: time(&root, "EndTime")?,
            bill_producer_data: BillProducerData { items },
        })
    }
}
