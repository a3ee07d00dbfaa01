//! One chart kind drawn with plotters' SVG backend: lines on one or two y axes, stacked bars,
//! and shaded windows on the x axis. The `<figure>` around each SVG carries the plot area in
//! pixels and the axis ranges (`data-plot`, `data-x`, `data-y`, `data-y2`), so a test or a
//! reader of the file can map every drawn point back to a value.

use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::html::escape;
use crate::{Error, Result};

/// A colour as `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

impl Rgb {
    fn color(self) -> RGBColor {
        RGBColor(self.0, self.1, self.2)
    }
    pub(crate) fn hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }
}

/// Series colours, chosen to stay apart in print and for common colour blindness.
pub(crate) const PALETTE: [Rgb; 8] = [
    Rgb(0x1F, 0x77, 0xB4),
    Rgb(0xD6, 0x27, 0x28),
    Rgb(0x2C, 0xA0, 0x2C),
    Rgb(0xFF, 0x7F, 0x0E),
    Rgb(0x94, 0x67, 0xBD),
    Rgb(0x8C, 0x56, 0x4B),
    Rgb(0x17, 0xBE, 0xCF),
    Rgb(0x7F, 0x7F, 0x7F),
];

/// The shading of a finding on the time axis.
pub(crate) const SHADE: Rgb = Rgb(0xFF, 0xB0, 0x00);

/// A line of `(x, y)` points; a `None` y breaks the line.
pub(crate) struct Line {
    pub(crate) name: String,
    pub(crate) color: Rgb,
    pub(crate) points: Vec<(f64, Option<f64>)>,
    /// Drawn against the right-hand axis.
    pub(crate) secondary: bool,
}

/// A shaded x window with a short label drawn at its top.
pub(crate) struct Shade {
    pub(crate) from: f64,
    pub(crate) to: f64,
    pub(crate) label: String,
}

/// One bar stack at `x` (width `width`), segments bottom-up.
pub(crate) struct Stack {
    pub(crate) x: f64,
    pub(crate) width: f64,
    pub(crate) parts: Vec<(Rgb, f64)>,
}

/// How an axis value prints.
pub(crate) type Fmt<'a> = &'a dyn Fn(&f64) -> String;

/// Everything one chart draws.
pub(crate) struct Chart<'a> {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) size: (u32, u32),
    pub(crate) x: (f64, f64),
    pub(crate) y: (f64, f64),
    pub(crate) y_desc: String,
    /// The right-hand axis: range and description.
    pub(crate) y2: Option<((f64, f64), String)>,
    pub(crate) x_fmt: Fmt<'a>,
    pub(crate) y_fmt: Fmt<'a>,
    pub(crate) lines: Vec<Line>,
    pub(crate) shades: Vec<Shade>,
    pub(crate) stacks: Vec<Stack>,
}

/// The top of an axis for values up to `max`: a little headroom, never an empty range.
pub(crate) fn top(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.1
    } else {
        1.0
    }
}

/// At most two points per pixel column (the column's first minimum and maximum, in time
/// order), so an hour at 1 Hz on a 500-pixel chart draws about a thousand points and keeps
/// every spike. Shorter series are kept as they are.
fn thin(points: &[(f64, Option<f64>)], x: (f64, f64), columns: u32) -> Vec<(f64, Option<f64>)> {
    let columns = usize::try_from(columns).unwrap_or(usize::MAX).max(1);
    if points.len() <= columns.saturating_mul(2) || x.1 <= x.0 {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(columns.saturating_mul(2).saturating_add(8));
    let col = |t: f64| (((t - x.0) / (x.1 - x.0)) * columns as f64).floor();
    let mut current: Option<f64> = None;
    let mut lo: Option<(f64, f64)> = None;
    let mut hi: Option<(f64, f64)> = None;
    let flush = |out: &mut Vec<(f64, Option<f64>)>,
                 lo: Option<(f64, f64)>,
                 hi: Option<(f64, f64)>| match (lo, hi) {
        (Some(a), Some(b)) if a.0 <= b.0 => {
            out.push((a.0, Some(a.1)));
            if b.0 > a.0 {
                out.push((b.0, Some(b.1)));
            }
        }
        (Some(a), Some(b)) => {
            out.push((b.0, Some(b.1)));
            out.push((a.0, Some(a.1)));
        }
        _ => {}
    };
    for &(t, v) in points {
        let c = col(t);
        if current != Some(c) {
            flush(&mut out, lo.take(), hi.take());
            current = Some(c);
        }
        match v {
            None => {
                flush(&mut out, lo.take(), hi.take());
                out.push((t, None));
            }
            Some(v) => {
                if lo.is_none_or(|(_, m)| v < m) {
                    lo = Some((t, v));
                }
                if hi.is_none_or(|(_, m)| v > m) {
                    hi = Some((t, v));
                }
            }
        }
    }
    flush(&mut out, lo, hi);
    out
}

/// The runs of consecutive points with a value.
fn runs(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    for &(t, v) in points {
        match v {
            Some(v) => run.push((t, v)),
            None if !run.is_empty() => out.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// The category index an axis value stands for: a whole number from 0 below `len`.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked just before
#[cfg(feature = "usage")]
pub(crate) fn index_at(v: f64, len: usize) -> Option<usize> {
    let i = v.round();
    ((v - i).abs() < 1e-6 && i >= 0.0 && i < len as f64).then_some(i as usize)
}

/// An axis tick: whole numbers without decimals, others with what they need (up to 2).
pub(crate) fn tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if (v * 10.0 - (v * 10.0).round()).abs() < 1e-9 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Whole milliseconds of `seconds`, clamped to `0..=limit_ms`.
#[allow(clippy::cast_possible_truncation)] // clamped to an i64 range just before
#[cfg(feature = "diagnostics")]
pub(crate) fn millis(seconds: f64, limit_ms: i64) -> i64 {
    (seconds * 1000.0).round().clamp(0.0, limit_ms as f64) as i64
}

fn draw_err<E: std::fmt::Display>(e: E) -> Error {
    Error::draw(e)
}

impl Chart<'_> {
    /// Renders the chart as a `<figure>` holding an inline SVG, a caption and a legend; an
    /// error names the chart (`chart {id}`).
    pub(crate) fn render(&self, out: &mut String) -> Result<()> {
        self.render_figure(out)
            .map_err(|e| e.at(format!("chart {}", self.id)))
    }

    fn render_figure(&self, out: &mut String) -> Result<()> {
        let mut svg = String::new();
        let plot;
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            let font = ("sans-serif", 12).into_font();
            let mut builder = ChartBuilder::on(&root);
            builder
                .margin(6)
                .x_label_area_size(22)
                .y_label_area_size(48);
            // Reserved even without a right axis: panels stay aligned and the last time
            // label is not cut.
            builder.right_y_label_area_size(48);
            let y2 = self.y2.as_ref().map_or((0.0, 1.0), |(r, _)| *r);
            let mut chart = builder
                .build_cartesian_2d(self.x.0..self.x.1, self.y.0..self.y.1)
                .map_err(draw_err)?
                .set_secondary_coord(self.x.0..self.x.1, y2.0..y2.1);
            chart
                .configure_mesh()
                .x_labels(6)
                .y_labels(5)
                .x_label_formatter(self.x_fmt)
                .y_label_formatter(self.y_fmt)
                .y_desc(self.y_desc.as_str())
                .label_style(font.clone())
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(draw_err)?;
            if let Some((_, desc)) = &self.y2 {
                chart
                    .configure_secondary_axes()
                    .y_labels(5)
                    .y_desc(desc.as_str())
                    .label_style(font.clone())
                    .draw()
                    .map_err(draw_err)?;
            }
            let shade = SHADE.color().mix(0.28).filled();
            for s in &self.shades {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(s.from, self.y.0), (s.to, self.y.1)],
                        shade,
                    )))
                    .map_err(draw_err)?;
                let style = ("sans-serif", 11)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Top));
                chart
                    .draw_series(std::iter::once(Text::new(
                        s.label.clone(),
                        (s.from, self.y.1),
                        style,
                    )))
                    .map_err(draw_err)?;
            }
            for st in &self.stacks {
                let mut base = 0.0;
                for &(color, v) in &st.parts {
                    if v > 0.0 {
                        chart
                            .draw_series(std::iter::once(Rectangle::new(
                                [(st.x, base), (st.x + st.width, base + v)],
                                color.color().filled(),
                            )))
                            .map_err(draw_err)?;
                    }
                    base += v;
                }
            }
            let columns =
                u32::try_from(chart.plotting_area().get_pixel_range().0.len()).unwrap_or(u32::MAX);
            for line in &self.lines {
                let style = line.color.color().stroke_width(1);
                for run in runs(&thin(&line.points, self.x, columns)) {
                    if line.secondary {
                        chart
                            .draw_secondary_series(LineSeries::new(run, style))
                            .map_err(draw_err)?;
                    } else {
                        chart
                            .draw_series(LineSeries::new(run, style))
                            .map_err(draw_err)?;
                    }
                }
            }
            plot = chart.plotting_area().get_pixel_range();
            root.present().map_err(draw_err)?;
        }
        let y2 = self
            .y2
            .as_ref()
            .map(|((a, b), _)| format!(" data-y2=\"{a} {b}\""))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<figure class=\"chart\" id=\"{}\" data-plot=\"{} {} {} {}\" data-x=\"{} {}\" data-y=\"{} {}\"{y2}>\n<figcaption>{}</figcaption>\n",
            escape(&self.id),
            plot.0.start,
            plot.1.start,
            plot.0.end,
            plot.1.end,
            self.x.0,
            self.x.1,
            self.y.0,
            self.y.1,
            escape(&self.title),
        );
        // The XML declaration plotters writes is not valid inside HTML.
        let body = svg.find("<svg").and_then(|i| svg.get(i..)).unwrap_or(&svg);
        out.push_str(body);
        if !self.lines.is_empty() {
            out.push_str("<ul class=\"legend\">");
            for l in &self.lines {
                let _ = write!(
                    out,
                    "<li><span class=\"swatch\" style=\"background:{}\"></span>{}{}</li>",
                    l.color.hex(),
                    escape(&l.name),
                    if l.secondary && self.y2.is_some() {
                        " (right axis)"
                    } else {
                        ""
                    }
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</figure>\n");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_extremes_of_each_column() {
        let points: Vec<(f64, Option<f64>)> = (0..1000)
            .map(|i| (f64::from(i), Some(if i == 503 { 99.0 } else { 1.0 })))
            .collect();
        let thinned = thin(&points, (0.0, 1000.0), 10);
        assert!(thinned.len() <= 20, "{}", thinned.len());
        assert!(thinned.contains(&(503.0, Some(99.0))));
        // Short series are untouched.
        assert_eq!(thin(&points[..15], (0.0, 1000.0), 10).len(), 15);
    }

    #[test]
    fn runs_break_at_missing_values() {
        let r = runs(&[
            (0.0, Some(1.0)),
            (1.0, None),
            (2.0, Some(2.0)),
            (3.0, Some(3.0)),
        ]);
        assert_eq!(r, vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]);
    }
}
