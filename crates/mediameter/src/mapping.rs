//! The mapping: which product and spec each segment's usage bills as. Data, not code.
//!
//! A [`Mapping`] is an ordered list of [`Rule`]s. A segment bills under the first rule whose
//! role matches (and, when the rule names them, its product type and one of its specs); the
//! rule says which billing product the time is charged to and under which spec. A segment
//! that no rule matches is not billed: it is counted as unbilled seconds on the invoice
//! (publish time of RTC, for instance), or refused when the mapping says `"unmatched":
//! "refuse"`.
//!
//! ```
//! use mediameter::mapping::Mapping;
//! let rtc: Mapping = serde_json::from_str(r#"{"rules": [{"role": "sub", "product": "rtc"}]}"#)?;
//! assert_eq!(rtc, Mapping::rtc());
//!
//! // Live transcoding billed per output tier (LD, SD, HD of DescribeLiveProducerUsageData).
//! let live: Mapping = serde_json::from_str(r#"{"rules": [
//!     {"role": "sub", "product_type": "transcode", "product": "live-transcode", "bill_spec": "live_tier"},
//!     {"role": "sub", "product": "rtc"}], "unmatched": "skip"}"#)?;
//! assert_eq!(live.rules().len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use mediameter_core::{LiveTier, MediaSpec, ProductType, Role, StreamSegment, VideoTier};

use crate::error::{Error, Result};

/// Most rules a mapping holds.
pub const MAX_RULES: usize = 64;

/// The spec a rule bills the segment's time under.
///
/// In JSON: `"same"` (the default), `"live_tier"`, or a spec (`"720p"`).
///
/// ```
/// use mediameter::mapping::BillSpec;
/// use mediameter_core::MediaSpec;
/// assert_eq!("live_tier".parse::<BillSpec>()?, BillSpec::LiveTier);
/// assert_eq!("720p".parse::<BillSpec>()?.to_string(), "720p");
/// assert_eq!(BillSpec::LiveTier.apply("2k".parse()?), Some("1080p".parse()?)); // HD
/// assert_eq!(BillSpec::LiveTier.apply(MediaSpec::Audio), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BillSpec {
    /// The segment's own spec (RTC bills subscribe time per spec).
    #[default]
    Same,
    /// The live-streaming output tier of the segment's spec, named by the spec that opens the
    /// tier: LD (up to 360p) bills as `360p`, SD (720p) as `720p`, HD (1080p and above) as
    /// `1080p`. Audio has no output tier.
    LiveTier,
    /// Always this spec.
    Spec(MediaSpec),
}

impl BillSpec {
    /// The billed spec of a segment in `spec`, `None` when there is none (audio under
    /// [`BillSpec::LiveTier`]).
    ///
    /// ```
    /// use mediameter::mapping::BillSpec;
    /// assert_eq!(BillSpec::Same.apply("4k".parse()?), Some("4k".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn apply(self, spec: MediaSpec) -> Option<MediaSpec> {
        match self {
            BillSpec::Same => Some(spec),
            BillSpec::Spec(s) => Some(s),
            BillSpec::LiveTier => match spec {
                MediaSpec::Audio => None,
                MediaSpec::Video(VideoTier::P360) => Some(tier_spec(LiveTier::Ld)),
                MediaSpec::Video(VideoTier::P720) => Some(tier_spec(LiveTier::Sd)),
                MediaSpec::Video(_) => Some(tier_spec(LiveTier::Hd)),
            },
        }
    }
}

/// The spec that names a live output tier on a bill.
fn tier_spec(tier: LiveTier) -> MediaSpec {
    match tier {
        LiveTier::Ld => MediaSpec::Video(VideoTier::P360),
        LiveTier::Sd => MediaSpec::Video(VideoTier::P720),
        LiveTier::Hd => MediaSpec::Video(VideoTier::P1080),
    }
}

impl fmt::Display for BillSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BillSpec::Same => f.write_str("same"),
            BillSpec::LiveTier => f.write_str("live_tier"),
            BillSpec::Spec(s) => f.write_str(s.as_str()),
        }
    }
}

impl FromStr for BillSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "same" => Ok(BillSpec::Same),
            "live_tier" => Ok(BillSpec::LiveTier),
            _ => s.parse().map(BillSpec::Spec).map_err(|_| {
                Error::invalid(
                    "bill spec",
                    s,
                    "same, live_tier or a spec (audio, 360p, 720p, 1080p, 2k, 4k)",
                )
            }),
        }
    }
}

impl serde::Serialize for BillSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BillSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What happens to a segment no rule matches.
///
/// `#[non_exhaustive]`: another policy may come (bill it under a fallback product, say), so a
/// `match` needs a `_` arm.
///
/// ```
/// assert_eq!(mediameter::mapping::Unmatched::default(), mediameter::mapping::Unmatched::Skip);
/// ```
///
/// ```compile_fail,E0004
/// use mediameter::mapping::Unmatched;
/// fn refuses(u: Unmatched) -> bool {
///     match u {
///         Unmatched::Skip => false,
///         Unmatched::Refuse => true,
///     }
/// }
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unmatched {
    /// Not billed; its seconds are shown on the invoice as unbilled, by role.
    #[default]
    Skip,
    /// An error naming the segment.
    Refuse,
}

/// One rule: which segments it matches and what they bill as.
///
/// In JSON: `{"role", "product_type"?, "specs"?: [...], "product", "bill_spec"?}`; any other
/// field is refused.
///
/// ```
/// use mediameter::mapping::{BillSpec, Rule};
/// use mediameter_core::Role;
/// let r = Rule::new(Role::Subscribe, "rtc".parse()?);
/// assert_eq!((r.role(), r.bill_spec()), (Role::Subscribe, BillSpec::Same));
/// assert!(r.specs().is_empty()); // every spec
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    product_type: Option<ProductType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    specs: Vec<MediaSpec>,
    product: ProductType,
    #[serde(default)]
    bill_spec: BillSpec,
}

impl Rule {
    /// Every segment of `role` bills to `product` under its own spec.
    #[must_use]
    pub fn new(role: Role, product: ProductType) -> Self {
        Rule {
            role,
            product_type: None,
            specs: Vec::new(),
            product,
            bill_spec: BillSpec::Same,
        }
    }

    /// Matches only segments whose product type (the `Type` dimension) is `product_type`.
    #[must_use]
    pub fn for_product_type(mut self, product_type: ProductType) -> Self {
        self.product_type = Some(product_type);
        self
    }

    /// Matches only segments in one of `specs`.
    #[must_use]
    pub fn for_specs(mut self, specs: impl IntoIterator<Item = MediaSpec>) -> Self {
        self.specs = specs.into_iter().collect();
        self
    }

    /// Bills under `bill_spec`.
    #[must_use]
    pub fn billed_as(mut self, bill_spec: BillSpec) -> Self {
        self.bill_spec = bill_spec;
        self
    }

    /// The role matched.
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// The product type matched, if the rule names one.
    #[must_use]
    pub fn product_type(&self) -> Option<&ProductType> {
        self.product_type.as_ref()
    }

    /// The specs matched; empty for every spec.
    #[must_use]
    pub fn specs(&self) -> &[MediaSpec] {
        &self.specs
    }

    /// The billing product.
    #[must_use]
    pub fn product(&self) -> &ProductType {
        &self.product
    }

    /// The billed spec.
    #[must_use]
    pub fn bill_spec(&self) -> BillSpec {
        self.bill_spec
    }

    fn matches(&self, seg: &StreamSegment) -> bool {
        self.matches_parts(
            seg.role,
            seg.spec,
            seg.product_type.as_ref().map(ProductType::as_str),
        )
    }

    fn matches_parts(&self, role: Role, spec: MediaSpec, product_type: Option<&str>) -> bool {
        role == self.role
            && (self.specs.is_empty() || self.specs.contains(&spec))
            && self
                .product_type
                .as_ref()
                .is_none_or(|t| product_type == Some(t.as_str()))
    }

    /// The specs this rule can bill, each with the spec it bills as.
    pub(crate) fn billed(&self) -> impl Iterator<Item = (MediaSpec, Option<MediaSpec>)> + '_ {
        MediaSpec::ALL
            .into_iter()
            .filter(|s| self.specs.is_empty() || self.specs.contains(s))
            .map(|s| (s, self.bill_spec.apply(s)))
    }
}

/// A validated mapping from segments to billing products and specs.
///
/// In JSON: `{"rules": [...], "unmatched"?: "skip" | "refuse"}`. Validated on construction and
/// on deserialization: 1 to [`MAX_RULES`] rules; a `live_tier` rule must not name `audio`
/// among its specs. [`Mapping::rtc`] is the mapping of RTC: subscribe time, per spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "MappingRepr", into = "MappingRepr")]
pub struct Mapping {
    rules: Vec<Rule>,
    unmatched: Unmatched,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingRepr {
    rules: Vec<Rule>,
    #[serde(default)]
    unmatched: Unmatched,
}

impl TryFrom<MappingRepr> for Mapping {
    type Error = Error;
    fn try_from(r: MappingRepr) -> Result<Self> {
        Mapping::new(r.rules, r.unmatched)
    }
}

impl From<Mapping> for MappingRepr {
    fn from(m: Mapping) -> Self {
        MappingRepr {
            rules: m.rules,
            unmatched: m.unmatched,
        }
    }
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping::rtc()
    }
}

impl Mapping {
    /// A mapping of `rules`, first match wins.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for no rule or more than [`MAX_RULES`]; located at `rules[i]` for a
    /// `live_tier` rule that names `audio`.
    ///
    /// ```
    /// use mediameter::mapping::{BillSpec, Mapping, Rule, Unmatched};
    /// use mediameter_core::{MediaSpec, Role};
    /// let audio_tier = Rule::new(Role::Subscribe, "live".parse()?)
    ///     .for_specs([MediaSpec::Audio]).billed_as(BillSpec::LiveTier);
    /// let err = Mapping::new(vec![audio_tier], Unmatched::Skip).unwrap_err();
    /// assert!(err.to_string().starts_with("rules[0], field specs: "));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(rules: Vec<Rule>, unmatched: Unmatched) -> Result<Self> {
        if rules.is_empty() || rules.len() > MAX_RULES {
            return Err(Error::invalid(
                "mapping rules",
                &format!("{} rules", rules.len()),
                format!("1 to {MAX_RULES} rules"),
            ));
        }
        for (i, r) in rules.iter().enumerate() {
            if r.bill_spec == BillSpec::LiveTier && r.specs.contains(&MediaSpec::Audio) {
                return Err(Error::invalid(
                    "rule spec",
                    "audio",
                    "video specs only in a live_tier rule (audio has no live output tier)",
                )
                .at(format!("rules[{i}], field specs")));
            }
        }
        Ok(Mapping { rules, unmatched })
    }

    /// RTC: every subscribe segment bills to product `rtc` under its own spec; publish time is
    /// not billed.
    ///
    /// ```
    /// use mediameter::mapping::Mapping;
    /// assert_eq!(Mapping::rtc().rules()[0].product().as_str(), "rtc");
    /// ```
    #[must_use]
    #[allow(
        clippy::expect_used,
        reason = "a constant, valid product type: not caller input"
    )]
    pub fn rtc() -> Self {
        // Unreachable: "rtc" is a fixed, valid product type (lowercase ASCII, 3 bytes), not
        // caller input; the doctest above and every test that bills with the default mapping
        // run this line.
        let rtc = ProductType::new("rtc").expect("\"rtc\" is a valid product type");
        Mapping {
            rules: vec![Rule::new(Role::Subscribe, rtc)],
            unmatched: Unmatched::Skip,
        }
    }

    /// The rules, in matching order.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// What happens to a segment no rule matches.
    #[must_use]
    pub fn unmatched(&self) -> Unmatched {
        self.unmatched
    }

    /// The index of the rule `seg` bills under, if any.
    ///
    /// ```
    /// use mediameter::mapping::Mapping;
    /// use mediameter_core::*;
    /// let seg = StreamSegment::new(AppId::new("a")?, ChannelId::new("c")?, UserId::new("u")?,
    ///     Role::Publish, MediaSpec::Audio, TimeRange::from_unix(0, 60)?);
    /// assert_eq!(Mapping::rtc().rule_for(&seg), None); // publish time is not billed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn rule_for(&self, seg: &StreamSegment) -> Option<usize> {
        self.rules.iter().position(|r| r.matches(seg))
    }

    /// The index of the rule usage of `role`, `spec` and product type `product_type` bills
    /// under, if any: [`Mapping::rule_for`] for figures that are not segments (a usage
    /// report's row).
    ///
    /// ```
    /// use mediameter::mapping::Mapping;
    /// use mediameter_core::{MediaSpec, Role};
    /// assert_eq!(Mapping::rtc().rule_for_parts(Role::Subscribe, MediaSpec::Audio, None), Some(0));
    /// ```
    #[must_use]
    pub fn rule_for_parts(
        &self,
        role: Role,
        spec: MediaSpec,
        product_type: Option<&str>,
    ) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.matches_parts(role, spec, product_type))
    }

    /// Every (product, spec) the mapping can bill, sorted: what the tariff must price.
    ///
    /// ```
    /// use mediameter::mapping::Mapping;
    /// assert_eq!(Mapping::rtc().targets().len(), 6); // rtc × every spec
    /// ```
    #[must_use]
    pub fn targets(&self) -> Vec<(ProductType, MediaSpec)> {
        let mut out: Vec<(ProductType, MediaSpec)> = self
            .rules
            .iter()
            .flat_map(|r| {
                r.billed()
                    .filter_map(|(_, b)| b.map(|b| (r.product.clone(), b)))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}
