//! Reading a report back: the figures' axis ranges and plot areas, and the drawn lines and
//! rectangles mapped from pixels to data values.

/// One `<figure class="chart">` of a report.
#[derive(Debug)]
pub struct Figure {
    pub id: String,
    /// left, top, right, bottom (pixels; right and bottom exclusive).
    pub plot: [f64; 4],
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub y2: Option<(f64, f64)>,
    pub body: String,
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(&tag[i..j])
}

fn nums(s: &str) -> Vec<f64> {
    s.split_whitespace().map(|x| x.parse().unwrap()).collect()
}

fn pair(s: &str) -> (f64, f64) {
    let v = nums(s);
    (v[0], v[1])
}

pub fn figures(html: &str) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<figure class=\"chart\"") {
        let after = &rest[i..];
        let tag_end = after.find('>').unwrap();
        let tag = &after[..tag_end];
        let end = after.find("</figure>").unwrap();
        let p = nums(attr(tag, "data-plot").unwrap());
        out.push(Figure {
            id: attr(tag, "id").unwrap().to_owned(),
            plot: [p[0], p[1], p[2], p[3]],
            x: pair(attr(tag, "data-x").unwrap()),
            y: pair(attr(tag, "data-y").unwrap()),
            y2: attr(tag, "data-y2").map(pair),
            body: after[..end].to_owned(),
        });
        rest = &after[end..];
    }
    out
}

pub fn figure<'a>(figs: &'a [Figure], id: &str) -> &'a Figure {
    figs.iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no figure {id}"))
}

impl Figure {
    /// Data x of a pixel column.
    pub fn x_of(&self, px: f64) -> f64 {
        let (l, r) = (self.plot[0], self.plot[2] - 1.0);
        self.x.0 + (px - l) / (r - l) * (self.x.1 - self.x.0)
    }
    /// Data y of a pixel row, on the left axis or on the right one.
    pub fn y_of(&self, py: f64, secondary: bool) -> f64 {
        let (t, b) = (self.plot[1], self.plot[3] - 1.0);
        let (lo, hi) = if secondary { self.y2.unwrap() } else { self.y };
        lo + (b - py) / (b - t) * (hi - lo)
    }
    /// Data units per pixel of x, and of y (left or right axis). Points are drawn on whole
    /// pixels, so a drawn value is within about one pixel of the data.
    pub fn x_px(&self) -> f64 {
        (self.x.1 - self.x.0) / (self.plot[2] - 1.0 - self.plot[0])
    }
    pub fn y_px(&self, secondary: bool) -> f64 {
        let (lo, hi) = if secondary { self.y2.unwrap() } else { self.y };
        (hi - lo) / (self.plot[3] - 1.0 - self.plot[1])
    }

    /// Every point of the polylines stroked in `color`, in data units, in drawing order.
    pub fn line(&self, color: &str, secondary: bool) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut rest = self.body.as_str();
        while let Some(i) = rest.find("<polyline") {
            let after = &rest[i..];
            let end = after.find("/>").unwrap();
            let tag = &after[..end];
            if attr(tag, "stroke") == Some(color) {
                for p in attr(tag, "points").unwrap().split_whitespace() {
                    let (x, y) = p.split_once(',').unwrap();
                    let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                    out.push((self.x_of(x), self.y_of(y, secondary)));
                }
            }
            rest = &after[end..];
        }
        out
    }

    /// The rectangles filled with `color`, as data (x from, x to, y from, y to).
    pub fn rects(&self, color: &str) -> Vec<(f64, f64, f64, f64)> {
        let mut out = Vec::new();
        let mut rest = self.body.as_str();
        while let Some(i) = rest.find("<rect") {
            let after = &rest[i..];
            let end = after.find("/>").unwrap();
            let tag = &after[..end];
            if attr(tag, "fill") == Some(color) {
                let f = |n| attr(tag, n).unwrap().parse::<f64>().unwrap();
                let (x, y, w, h) = (f("x"), f("y"), f("width"), f("height"));
                out.push((
                    self.x_of(x),
                    self.x_of(x + w),
                    self.y_of(y + h, false),
                    self.y_of(y, false),
                ));
            }
            rest = &after[end..];
        }
        out
    }
}
