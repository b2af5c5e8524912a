//! PNG figures with plotters: scatter plots of classes, loss curves, decision boundaries.
//!
//! Text is drawn with a TrueType font read at run time (plotters' `ab_glyph` backend), so the
//! plugin links no font library: the first of `$NUTORCH_FONT`, the usual places of DejaVu
//! Sans, Liberation Sans, Noto Sans, Arial, or what `fc-match sans-serif` names.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// matplotlib's default colour cycle ("tab10").
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// Environment variable naming a .ttf/.otf file to draw text with.
pub const FONT_ENV: &str = "NUTORCH_FONT";

const REGULAR: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/noto/NotoSans-Regular.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
];

/// A bold face next to a regular one: same folder, DejaVu/Liberation/Noto/Arial naming.
fn bold_of(regular: &Path) -> Option<PathBuf> {
    let name = regular.file_name()?.to_str()?;
    let bold = match name {
        "DejaVuSans.ttf" => "DejaVuSans-Bold.ttf".to_string(),
        "Arial.ttf" => "Arial Bold.ttf".to_string(),
        n if n.contains("-Regular.") => n.replace("-Regular.", "-Bold."),
        _ => return None,
    };
    let path = regular.with_file_name(bold);
    path.is_file().then_some(path)
}

fn fc_match() -> Option<PathBuf> {
    let out = std::process::Command::new("fc-match").args(["-f", "%{file}", "sans-serif"]).output().ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    (out.status.success() && path.is_file()).then_some(path)
}

fn leak(path: &Path) -> Result<&'static [u8], String> {
    std::fs::read(path)
        .map(|b| &*Box::leak(b.into_boxed_slice()))
        .map_err(|e| format!("cannot read font {}: {e}", path.display()))
}

/// Registers the fonts once per process; `font` is an explicit choice (the user's
/// `$env.NUTORCH_FONT`), tried first.
pub fn ensure_fonts(font: Option<PathBuf>) -> Result<(), String> {
    static FONTS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let candidates = font
                .into_iter()
                .chain(std::env::var_os(FONT_ENV).map(PathBuf::from))
                .chain(REGULAR.iter().map(PathBuf::from))
                .chain(fc_match());
            for path in candidates {
                if !path.is_file() {
                    continue;
                }
                let regular = leak(&path)?;
                if register_font("sans-serif", FontStyle::Normal, regular).is_err() {
                    continue;
                }
                let bold = bold_of(&path).and_then(|b| leak(&b).ok()).unwrap_or(regular);
                let _ = register_font("sans-serif", FontStyle::Bold, bold);
                return Ok(path);
            }
            Err(format!(
                "no TrueType font found for the plot's text: install one (Debian/Ubuntu: apt-get install fonts-dejavu-core) or set {FONT_ENV} to a .ttf file"
            ))
        })
        .as_ref()
        .map(|_| ())
        .map_err(Clone::clone)
}

/// The colour of class `c` (cycling through the palette; negative classes grey).
pub fn class_color(c: i64) -> RGBColor {
    if c < 0 {
        RGBColor(0x40, 0x40, 0x40)
    } else {
        PALETTE[(c as usize) % PALETTE.len()]
    }
}

/// Size and text of a figure.
pub struct Figure<'a> {
    pub path: &'a Path,
    pub width: u32,
    pub height: u32,
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
}

impl Figure<'_> {
    /// Text sizes follow the figure (tuned for 900 × 650).
    fn scale(&self) -> f64 {
        (self.width.min(self.height * 900 / 650) as f64 / 900.0).clamp(0.5, 4.0)
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The padded range of `values` (5 % each side, as matplotlib's autoscale margins).
pub fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let margin = if span > 0.0 { span * pad } else { (lo.abs() * 0.1).max(0.5) };
    (lo - margin, hi + margin)
}

type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// White background, bold title, axes with light grid and labelled ticks.
fn chart<'a, 'b>(
    root: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    fig: &Figure,
    x: (f64, f64),
    y: (f64, f64),
) -> Result<Chart<'a, 'b>, String> {
    let s = fig.scale();
    let px = |v: f64| (v * s).round() as u32;
    root.fill(&WHITE).map_err(err)?;
    let title = ("sans-serif", px(25.0) as f64, FontStyle::Bold);
    let mut chart = ChartBuilder::on(root)
        .caption(fig.title, title)
        .margin(px(18.0))
        .margin_right(px(30.0))
        .x_label_area_size(px(62.0))
        .y_label_area_size(px(80.0))
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(err)?;
    let grid = RGBColor(0xe0, 0xe0, 0xe0);
    chart
        .configure_mesh()
        .x_desc(fig.x_label)
        .y_desc(fig.y_label)
        .axis_desc_style(("sans-serif", px(21.0)))
        .label_style(("sans-serif", px(17.0)))
        .axis_style(BLACK.stroke_width(1))
        .bold_line_style(grid.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .x_labels(9)
        .y_labels(8)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Tick text: no trailing zeros, scientific for very large or small numbers.
fn tick(v: &f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}");
    }
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// Draws the frame (a closed box, as matplotlib's four spines) over everything, then the legend.
fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, fig: &Figure, position: SeriesLabelPosition) -> Result<(), String> {
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new([(0, 0), (w as i32 - 1, h as i32 - 1)], BLACK.stroke_width(1))).map_err(err)?;
    let s = fig.scale();
    chart
        .configure_series_labels()
        .position(position)
        .margin((12.0 * s) as u32)
        .legend_area_size((22.0 * s) as u32)
        .label_font(("sans-serif", (18.0 * s).round()))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0xbb, 0xbb, 0xbb))
        .draw()
        .map_err(err)
}

/// Distinct classes in order.
fn classes(labels: &[i64]) -> Vec<i64> {
    let mut c = labels.to_vec();
    c.sort_unstable();
    c.dedup();
    c
}

/// Points coloured by class, one legend entry per class.
fn draw_points<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    fig: &Figure,
    points: &[(f64, f64)],
    labels: &[i64],
    edge: bool,
) -> Result<(), String> {
    let radius = (4.5 * fig.scale()).round().max(2.0) as i32;
    for class in classes(labels) {
        let color = class_color(class);
        let members = points.iter().zip(labels).filter(|(_, &l)| l == class).map(|(p, _)| *p);
        chart
            .draw_series(members.map(|p| {
                EmptyElement::at(p)
                    + Circle::new((0, 0), radius, color.mix(0.85).filled())
                    + Circle::new(
                        (0, 0),
                        radius,
                        if edge { BLACK.mix(0.7).stroke_width(1) } else { color.stroke_width(1) },
                    )
            }))
            .map_err(err)?
            .label(format!("class {class}"))
            .legend(move |(x, y)| Circle::new((x + 8, y), radius, color.filled()));
    }
    Ok(())
}

/// `nutorch plot scatter`: 2-D points coloured by class.
pub fn scatter(fig: &Figure, points: &[(f64, f64)], labels: &[i64]) -> Result<(), String> {
    let root = BitMapBackend::new(fig.path, (fig.width, fig.height)).into_drawing_area();
    let x = padded_range(points.iter().map(|p| p.0), 0.05);
    let y = padded_range(points.iter().map(|p| p.1), 0.05);
    let mut chart = chart(&root, fig, x, y)?;
    draw_points(&mut chart, fig, points, labels, false)?;
    legend(&mut chart, fig, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(err)
}

/// `nutorch plot loss`: a curve through (epoch, loss) with a marker at each record.
pub fn loss_curve(fig: &Figure, points: &[(f64, f64)], series: &str) -> Result<(), String> {
    let root = BitMapBackend::new(fig.path, (fig.width, fig.height)).into_drawing_area();
    let x = padded_range(points.iter().map(|p| p.0), 0.03);
    let y = padded_range(points.iter().map(|p| p.1), 0.06);
    let mut chart = chart(&root, fig, x, y)?;
    let s = fig.scale();
    let color = PALETTE[0];
    let width = (2.5 * s).round().max(1.0) as u32;
    let radius = (4.0 * s).round().max(2.0) as i32;
    chart
        .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(width)))
        .map_err(err)?
        .label(series)
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(-2, 0), (18, 0)], color.stroke_width(width))
                + Circle::new((8, 0), radius, color.filled())
        });
    chart.draw_series(points.iter().map(|&p| Circle::new(p, radius, color.filled()))).map_err(err)?;
    legend(&mut chart, fig, SeriesLabelPosition::UpperRight)?;
    root.present().map_err(err)
}

/// Predicted classes on a regular grid: `classes[iy * nx + ix]` for the cell centred at
/// `(x.0 + (ix + 0.5) dx, y.0 + (iy + 0.5) dy)`.
pub struct Grid {
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub nx: usize,
    pub ny: usize,
    pub classes: Vec<i64>,
}

impl Grid {
    /// The centres of the cells, row by row (what to predict).
    pub fn centres(x: (f64, f64), y: (f64, f64), nx: usize, ny: usize) -> Vec<(f64, f64)> {
        let (dx, dy) = ((x.1 - x.0) / nx as f64, (y.1 - y.0) / ny as f64);
        (0..ny)
            .flat_map(|iy| (0..nx).map(move |ix| (x.0 + (ix as f64 + 0.5) * dx, y.0 + (iy as f64 + 0.5) * dy)))
            .collect()
    }
}

/// `nutorch plot boundary`: predicted regions as light colours, the points on top.
pub fn boundary(fig: &Figure, grid: &Grid, points: &[(f64, f64)], labels: &[i64]) -> Result<(), String> {
    let root = BitMapBackend::new(fig.path, (fig.width, fig.height)).into_drawing_area();
    let mut chart = chart(&root, fig, grid.x, grid.y)?;
    let (dx, dy) = ((grid.x.1 - grid.x.0) / grid.nx as f64, (grid.y.1 - grid.y.0) / grid.ny as f64);
    let cells = (0..grid.ny).flat_map(|iy| (0..grid.nx).map(move |ix| (ix, iy)));
    chart
        .draw_series(cells.map(|(ix, iy)| {
            let (x0, y0) = (grid.x.0 + ix as f64 * dx, grid.y.0 + iy as f64 * dy);
            let color = class_color(grid.classes[iy * grid.nx + ix]);
            // Opaque light tints: no seams where neighbouring cells overlap by a pixel.
            let tint = |c: u8| (255.0 - (255.0 - c as f64) * 0.3).round() as u8;
            Rectangle::new(
                [(x0, y0), (x0 + dx, y0 + dy)],
                RGBColor(tint(color.0), tint(color.1), tint(color.2)).filled(),
            )
        }))
        .map_err(err)?;
    // Class borders: where the predicted class changes between neighbouring cells.
    let edge = BLACK.mix(0.55).stroke_width((1.5 * fig.scale()).round().max(1.0) as u32);
    let mut segments = Vec::new();
    for iy in 0..grid.ny {
        for ix in 0..grid.nx {
            let c = grid.classes[iy * grid.nx + ix];
            let (x0, y0) = (grid.x.0 + ix as f64 * dx, grid.y.0 + iy as f64 * dy);
            if ix + 1 < grid.nx && grid.classes[iy * grid.nx + ix + 1] != c {
                segments.push(vec![(x0 + dx, y0), (x0 + dx, y0 + dy)]);
            }
            if iy + 1 < grid.ny && grid.classes[(iy + 1) * grid.nx + ix] != c {
                segments.push(vec![(x0, y0 + dy), (x0 + dx, y0 + dy)]);
            }
        }
    }
    chart.draw_series(segments.into_iter().map(|s| PathElement::new(s, edge))).map_err(err)?;
    draw_points(&mut chart, fig, points, labels, true)?;
    legend(&mut chart, fig, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(err)
}
