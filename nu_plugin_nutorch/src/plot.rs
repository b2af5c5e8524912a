//! Figures with plotters, written as PNG or SVG: scatter plots of classes, loss curves,
//! decision boundaries, confusion matrices.
//!
//! Text is drawn with a TrueType font (plotters' `ab_glyph` backend), so the plugin links no
//! font library: the first of `$NUTORCH_FONT`, the usual places of DejaVu Sans, Liberation
//! Sans, Noto Sans, Arial, what `fc-match sans-serif` names, else DejaVu Sans embedded in the
//! binary (fonts/, a subset of ~150 KB): plots work on a machine with no fonts installed.
//!
//! PNGs are drawn at twice their size and reduced (2×2 box filter): lines, markers and text
//! come out anti-aliased, as matplotlib's Agg backend draws them.

use nutorch_core::tch::{Kind, TchError, Tensor};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::BitMapElement;
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

/// DejaVu Sans (subset), the fallback when the system has no font: see fonts/README.md.
const EMBEDDED_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const EMBEDDED_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

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

fn leak(path: &Path) -> Option<&'static [u8]> {
    std::fs::read(path).ok().map(|b| &*Box::leak(b.into_boxed_slice()))
}

/// Where the text's font came from.
#[derive(Clone, Debug, PartialEq)]
pub enum FontSource {
    File(PathBuf),
    Embedded,
}

/// Registers the fonts once per process; `font` is an explicit choice (the user's
/// `$env.NUTORCH_FONT`), tried first; the embedded DejaVu Sans when nothing else loads.
pub fn ensure_fonts(font: Option<PathBuf>) -> Result<FontSource, String> {
    static FONTS: OnceLock<Result<FontSource, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let candidates = font
                .into_iter()
                .chain(std::env::var_os(FONT_ENV).map(PathBuf::from))
                .chain(REGULAR.iter().map(PathBuf::from))
                .chain(std::iter::from_fn({
                    let mut asked = false;
                    move || if std::mem::replace(&mut asked, true) { None } else { fc_match() }
                }));
            for path in candidates {
                if !path.is_file() {
                    continue;
                }
                let Some(regular) = leak(&path) else { continue };
                if register_font("sans-serif", FontStyle::Normal, regular).is_err() {
                    continue;
                }
                let bold = bold_of(&path).and_then(|b| leak(&b)).unwrap_or(regular);
                let _ = register_font("sans-serif", FontStyle::Bold, bold);
                return Ok(FontSource::File(path));
            }
            register_font("sans-serif", FontStyle::Normal, EMBEDDED_REGULAR)
                .map_err(|_| "the embedded font does not load".to_string())?;
            let _ = register_font("sans-serif", FontStyle::Bold, EMBEDDED_BOLD);
            Ok(FontSource::Embedded)
        })
        .clone()
}

/// The colour of class `c` (cycling through the palette; negative classes grey).
pub fn class_color(c: i64) -> RGBColor {
    if c < 0 {
        RGBColor(0x40, 0x40, 0x40)
    } else {
        PALETTE[(c as usize) % PALETTE.len()]
    }
}

/// The file formats a figure is written in, chosen by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Format::Png),
            "svg" => Some(Format::Svg),
            _ => None,
        }
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

/// The figure as drawn: its pixel size (PNGs at twice theirs) and text/line scale.
pub struct Canvas<'a> {
    pub fig: &'a Figure<'a>,
    pub width: u32,
    pub height: u32,
    /// Pixels per pixel of the output (2 for PNG, 1 for SVG).
    pub ss: u32,
}

impl Canvas<'_> {
    /// Sizes follow the figure (tuned for 900 × 650), as its square root: a small figure
    /// keeps readable text (matplotlib keeps text sizes fixed), a large one grows its text.
    fn scale(&self) -> f64 {
        let (w, h) = (self.fig.width as f64, self.fig.height as f64);
        (w.min(h * 900.0 / 650.0) / 900.0).sqrt().clamp(0.6, 3.0) * self.ss as f64
    }

    /// `v` output pixels at 900 × 650, in drawing pixels.
    fn px(&self, v: f64) -> u32 {
        (v * self.scale()).round().max(1.0) as u32
    }

    fn font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", (size * self.scale()).round()).into_font().color(&BLACK)
    }
}

/// A figure kind: draws itself on any plotters backend.
pub trait Plot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, canvas: &Canvas) -> Result<(), String>;
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Writes `plot` to `fig.path` in the format of its extension.
pub fn write(fig: &Figure, plot: &impl Plot) -> Result<(), String> {
    match Format::of(fig.path) {
        Some(Format::Svg) => {
            let root = SVGBackend::new(fig.path, (fig.width, fig.height)).into_drawing_area();
            plot.draw(&root, &Canvas { fig, width: fig.width, height: fig.height, ss: 1 })?;
            root.present().map_err(err)
        }
        Some(Format::Png) => {
            const SS: u32 = 2;
            let (w, h) = (fig.width * SS, fig.height * SS);
            let mut big = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut big, (w, h)).into_drawing_area();
                plot.draw(&root, &Canvas { fig, width: w, height: h, ss: SS })?;
                root.present().map_err(err)?;
            }
            let small = downsample(&big, w as usize, h as usize, SS as usize).map_err(err)?;
            save_png(fig.path, &small, fig.width, fig.height)
        }
        None => Err("plots are written as PNG or SVG: give a file name ending in .png or .svg".into()),
    }
}

/// An RGB image as a PNG file (fast deflate: figures are mostly flat colour).
fn save_png(path: &Path, rgb: &[u8], w: u32, h: u32) -> Result<(), String> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let file = std::fs::File::create(path).map_err(err)?;
    let encoder = PngEncoder::new_with_quality(std::io::BufWriter::new(file), CompressionType::Fast, FilterType::Sub);
    encoder.write_image(rgb, w, h, image::ColorType::Rgb8).map_err(err)
}

/// Box filter of `ss × ss` pixels of an RGB image (in libtorch: fast in any build).
fn downsample(src: &[u8], w: usize, h: usize, ss: usize) -> Result<Vec<u8>, TchError> {
    let (ow, oh) = (w / ss, h / ss);
    let image = Tensor::f_from_data_size(src, &[h as i64, w as i64, 3], Kind::Uint8)?
        .f_narrow(0, 0, (oh * ss) as i64)?
        .f_narrow(1, 0, (ow * ss) as i64)?
        .f_to_kind(Kind::Float)?
        .f_reshape([oh as i64, ss as i64, ow as i64, ss as i64, 3])?
        .f_mean_dim([1i64, 3].as_slice(), false, Kind::Float)?;
    to_bytes(&image)
}

/// An RGB image tensor `[h, w, 3]` of values 0..=255 as bytes.
fn to_bytes(image: &Tensor) -> Result<Vec<u8>, TchError> {
    let bytes = image.f_round()?.f_clamp(0.0, 255.0)?.f_to_kind(Kind::Uint8)?.f_contiguous()?;
    let n = bytes.numel();
    let mut out = vec![0u8; n];
    bytes.f_copy_data_u8(&mut out, n)?;
    Ok(out)
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

type Chart<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;

/// White background, bold title, axes with light grid and labelled ticks.
fn chart<'a, DB, Y>(
    root: &'a DrawingArea<DB, Shift>,
    canvas: &Canvas,
    x: (f64, f64),
    y: Y,
) -> Result<Chart<'a, DB, Y::CoordDescType>, String>
where
    DB: DrawingBackend,
    Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    Y::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64> + Ranged<ValueType = f64>,
{
    chart_with(root, canvas, x, y, &tick)
}

/// `chart` with the y ticks written by `y_tick`.
fn chart_with<'a, DB, Y>(
    root: &'a DrawingArea<DB, Shift>,
    canvas: &Canvas,
    x: (f64, f64),
    y: Y,
    y_tick: &dyn Fn(&f64) -> String,
) -> Result<Chart<'a, DB, Y::CoordDescType>, String>
where
    DB: DrawingBackend,
    Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    Y::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64> + Ranged<ValueType = f64>,
{
    let fig = canvas.fig;
    root.fill(&WHITE).map_err(err)?;
    let title = ("sans-serif", canvas.px(24.0) as f64, FontStyle::Bold);
    let mut chart = ChartBuilder::on(root)
        .caption(fig.title, title)
        .margin(canvas.px(18.0))
        .margin_top(canvas.px(24.0))
        .margin_right(canvas.px(30.0))
        .x_label_area_size(canvas.px(62.0))
        .y_label_area_size(canvas.px(78.0))
        .build_cartesian_2d(x.0..x.1, y)
        .map_err(err)?;
    let grid = RGBColor(0xe0, 0xe0, 0xe0);
    chart
        .configure_mesh()
        .x_desc(fig.x_label)
        .y_desc(fig.y_label)
        .axis_desc_style(canvas.font(20.0))
        .label_style(canvas.font(16.0))
        .axis_style(BLACK.stroke_width(canvas.ss))
        .bold_line_style(grid.stroke_width(canvas.ss))
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(canvas.px(5.0))
        .x_labels(9)
        .y_labels(8)
        .x_label_formatter(&tick)
        .y_label_formatter(y_tick)
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
fn frame_and_legend<'a, DB: DrawingBackend + 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut Chart<'a, DB, Y>,
    canvas: &Canvas,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    let t = canvas.ss as i32;
    area.draw(&Rectangle::new([(0, 0), (w as i32 - t, h as i32 - t)], BLACK.stroke_width(canvas.ss))).map_err(err)?;
    chart
        .configure_series_labels()
        .position(position)
        .margin(canvas.px(12.0))
        .legend_area_size(canvas.px(34.0))
        .label_font(canvas.font(16.0))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0xbb, 0xbb, 0xbb).stroke_width(canvas.ss))
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
fn draw_points<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB, RangedCoordf64>,
    canvas: &Canvas,
    points: &[(f64, f64)],
    labels: &[i64],
    edge: bool,
) -> Result<(), String> {
    let radius = canvas.px(4.5) as i32;
    let line = canvas.ss;
    let glyph = canvas.px(12.0) as i32;
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
                        if edge { BLACK.mix(0.7).stroke_width(line) } else { color.stroke_width(line) },
                    )
            }))
            .map_err(err)?
            .label(format!("class {class}"))
            .legend(move |(x, y)| Circle::new((x + glyph, y), radius, color.filled()));
    }
    Ok(())
}

/// `nutorch plot scatter`: 2-D points coloured by class.
pub struct Scatter<'a> {
    pub points: &'a [(f64, f64)],
    pub labels: &'a [i64],
}

impl Plot for Scatter<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, canvas: &Canvas) -> Result<(), String> {
        let x = padded_range(self.points.iter().map(|p| p.0), 0.05);
        let y = padded_range(self.points.iter().map(|p| p.1), 0.05);
        let mut chart = chart(root, canvas, x, y.0..y.1)?;
        draw_points(&mut chart, canvas, self.points, self.labels, false)?;
        frame_and_legend(&mut chart, canvas, SeriesLabelPosition::UpperLeft)
    }
}

/// One curve of a loss plot.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// `nutorch plot loss`: curves through (epoch, value), markers when there are few points.
pub struct Curves<'a> {
    pub series: &'a [Series],
    pub log_y: bool,
}

impl Curves<'_> {
    fn draw_on<'a, DB: DrawingBackend + 'a, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &mut Chart<'a, DB, Y>,
        canvas: &Canvas,
    ) -> Result<(), String> {
        let width = canvas.px(2.2);
        let radius = canvas.px(3.5) as i32;
        let glyph = canvas.px(26.0) as i32;
        for (i, s) in self.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let markers = s.points.len() <= 60;
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), color.stroke_width(width)))
                .map_err(err)?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    let line = PathElement::new(vec![(0, 0), (glyph, 0)], color.stroke_width(width));
                    let fill = if markers { color.filled() } else { TRANSPARENT.filled() };
                    EmptyElement::at((x, y)) + line + Circle::new((glyph / 2, 0), radius, fill)
                });
            if markers {
                chart.draw_series(s.points.iter().map(|&p| Circle::new(p, radius, color.filled()))).map_err(err)?;
            }
        }
        frame_and_legend(chart, canvas, SeriesLabelPosition::UpperRight)
    }
}

impl Plot for Curves<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, canvas: &Canvas) -> Result<(), String> {
        let all = || self.series.iter().flat_map(|s| s.points.iter());
        let x = padded_range(all().map(|p| p.0), 0.03);
        if self.log_y {
            // log10 of the values on a linear axis, ticks at round values (as matplotlib's
            // LogLocator: decades, or 1-2-5, or every digit within a narrow range).
            let (lo, hi) = padded_range(all().map(|p| p.1.log10()), 0.06);
            let ticks = log_ticks(lo, hi);
            let y = LogTicks { inner: (lo..hi).into(), ticks };
            let series: Vec<Series> = self
                .series
                .iter()
                .map(|s| Series {
                    name: s.name.clone(),
                    points: s.points.iter().map(|&(x, y)| (x, y.log10())).collect(),
                })
                .collect();
            let curves = Curves { series: &series, log_y: true };
            let mut chart = chart_with(root, canvas, x, y, &|v: &f64| tick(&10f64.powf(*v)))?;
            curves.draw_on(&mut chart, canvas)
        } else {
            let y = padded_range(all().map(|p| p.1), 0.06);
            let mut chart = chart(root, canvas, x, y.0..y.1)?;
            self.draw_on(&mut chart, canvas)
        }
    }
}

/// A linear axis of log10 values with the ticks of `log_ticks`.
struct LogTicks {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for LogTicks {
    type FormatOption = plotters::coord::ranged1d::NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

impl plotters::coord::ranged1d::ValueFormatter<f64> for LogTicks {
    fn format(value: &f64) -> String {
        tick(&10f64.powf(*value))
    }
}

/// log10 of round values between 10^lo and 10^hi.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let decades = hi - lo;
    let mantissas: &[f64] = if decades > 3.0 {
        &[1.0]
    } else if decades > 1.2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    };
    let step = if decades > 10.0 { (decades / 8.0).ceil() as i64 } else { 1 };
    let mut out = Vec::new();
    let mut e = lo.floor() as i64;
    while (e as f64) <= hi.ceil() {
        for m in mantissas {
            let v = m.log10() + e as f64;
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
        e += step;
    }
    out
}

/// The model's scores for points of the plane: `(scores row by row, classes per row)`.
pub type Scorer<'a> = dyn Fn(&[(f64, f64)]) -> Result<(Vec<f32>, usize), String> + 'a;

/// `nutorch plot boundary`: predicted regions as light colours with anti-aliased borders
/// (contourf of the argmax of the scores, interpolated at every pixel), the points on top.
pub struct Boundary<'a> {
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// Model evaluations along each axis; `None`: one per output pixel of the plot area.
    pub resolution: Option<usize>,
    pub scores: &'a Scorer<'a>,
    pub points: &'a [(f64, f64)],
    pub labels: &'a [i64],
}

fn tint(c: RGBColor) -> [f32; 3] {
    let t = |v: u8| 255.0 - (255.0 - v as f32) * 0.3;
    [t(c.0), t(c.1), t(c.2)]
}

impl Boundary<'_> {
    /// The regions as an RGB image of `w × h` pixels (row 0 at the top): the scores on an
    /// `nx × ny` grid, bilinearly interpolated at each pixel (upsample_bilinear2d), each
    /// pixel the tint of its best class, blended with the runner-up's within half a pixel of
    /// their border, and a line of `line_width` pixels along the border (the distance to it
    /// is the score margin over its gradient).
    fn regions(&self, w: usize, h: usize, nx: usize, ny: usize, line_width: f64) -> Result<Vec<u8>, String> {
        let (dx, dy) = ((self.x.1 - self.x.0) / nx as f64, (self.y.1 - self.y.0) / ny as f64);
        let nodes: Vec<(f64, f64)> = (0..ny)
            .flat_map(|iy| {
                (0..nx).map(move |ix| (self.x.0 + (ix as f64 + 0.5) * dx, self.y.0 + (iy as f64 + 0.5) * dy))
            })
            .collect();
        let (mut values, mut c) = (self.scores)(&nodes)?;
        if c == 1 {
            // One logit (binary classifier): class 1 where it is positive.
            values = values.iter().flat_map(|&v| [0.0, v]).collect();
            c = 2;
        }
        if c == 0 || values.len() != nodes.len() * c {
            return Err("the model gave no scores for the grid".into());
        }
        let palette: Vec<f32> = (0..c).flat_map(|k| tint(class_color(k as i64))).collect();
        self.regions_torch(&values, c, (nx, ny), (w, h), line_width, &palette).map_err(err)
    }

    fn regions_torch(
        &self,
        values: &[f32],
        c: usize,
        (nx, ny): (usize, usize),
        (w, h): (usize, usize),
        line_width: f64,
        palette: &[f32],
    ) -> Result<Vec<u8>, TchError> {
        let (w, h, c) = (w as i64, h as i64, c as i64);
        // [ny, nx, c], row 0 at the bottom → [1, c, ny, nx] with row 0 at the top.
        let grid = Tensor::f_from_slice(values)?
            .f_reshape([ny as i64, nx as i64, c])?
            .f_flip([0i64].as_slice())?
            .f_permute([2i64, 0, 1].as_slice())?
            .f_unsqueeze(0)?;
        let field = grid.f_upsample_bilinear2d([h, w].as_slice(), false, None, None)?.f_squeeze_dim(0)?;
        let (top, index) = field.f_topk(2, 0, true, true)?;
        let (k, j) = (index.f_narrow(0, 0, 1)?, index.f_narrow(0, 1, 1)?);
        let margin = top.f_narrow(0, 0, 1)?.f_sub(&top.f_narrow(0, 1, 1)?)?;
        // The margin between k and j at the neighbouring pixels (edges repeated).
        let padded = field.f_unsqueeze(0)?.f_replication_pad2d([1i64, 1, 1, 1].as_slice())?.f_squeeze_dim(0)?;
        let shifted = |dy: i64, dx: i64| -> Result<Tensor, TchError> {
            let view = padded.f_narrow(1, 1 + dy, h)?.f_narrow(2, 1 + dx, w)?;
            view.f_gather(0, &k, false)?.f_sub(&view.f_gather(0, &j, false)?)
        };
        let gx = shifted(0, 1)?.f_sub(&shifted(0, -1)?)?.f_div_scalar(2.0)?;
        let gy = shifted(1, 0)?.f_sub(&shifted(-1, 0)?)?.f_div_scalar(2.0)?;
        let grad = gx.f_square()?.f_add(&gy.f_square()?)?.f_sqrt()?.f_clamp_min(1e-12)?;
        let dist = margin.f_div(&grad)?.f_squeeze_dim(0)?.f_unsqueeze(-1)?; // [h, w, 1]
        let colors = Tensor::f_from_slice(palette)?.f_reshape([c, 3])?;
        let color_of = |idx: &Tensor| -> Result<Tensor, TchError> {
            colors.f_index_select(0, &idx.f_reshape([-1])?)?.f_reshape([h, w, 3])
        };
        let (a, b) = (color_of(&k)?, color_of(&j)?);
        let t = dist.f_neg()?.f_add_scalar(0.5)?.f_clamp(0.0, 0.5)?;
        let line = dist.f_neg()?.f_add_scalar(line_width / 2.0 + 0.5)?.f_clamp(0.0, 1.0)?.f_mul_scalar(0.6)?;
        let region = a.f_mul(&t.f_neg()?.f_add_scalar(1.0)?)?.f_add(&b.f_mul(&t)?)?;
        let image = region.f_mul(&line.f_neg()?.f_add_scalar(1.0)?)?;
        to_bytes(&image)
    }
}

impl Plot for Boundary<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, canvas: &Canvas) -> Result<(), String> {
        let mut chart = chart(root, canvas, self.x, self.y.0..self.y.1)?;
        let area = chart.plotting_area().strip_coord_spec();
        let (w, h) = area.dim_in_pixel();
        let (nx, ny) = match self.resolution {
            Some(n) => (n, n),
            None => ((w / canvas.ss).max(2) as usize, (h / canvas.ss).max(2) as usize),
        };
        let image = self.regions(w as usize, h as usize, nx, ny, 1.6 * canvas.ss as f64)?;
        let element = BitMapElement::with_owned_buffer((0, 0), (w, h), image)
            .ok_or_else(|| "the regions' image has the wrong size".to_string())?;
        area.draw(&element).map_err(err)?;
        draw_points(&mut chart, canvas, self.points, self.labels, true)?;
        frame_and_legend(&mut chart, canvas, SeriesLabelPosition::UpperLeft)
    }
}

/// matplotlib's "Blues" colour map (its 9 anchor colours), `t` in 0..=1.
fn blues(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 9] = [
        (0xf7, 0xfb, 0xff),
        (0xde, 0xeb, 0xf7),
        (0xc6, 0xdb, 0xef),
        (0x9e, 0xca, 0xe1),
        (0x6b, 0xae, 0xd6),
        (0x42, 0x92, 0xc6),
        (0x21, 0x71, 0xb5),
        (0x08, 0x51, 0x9c),
        (0x08, 0x30, 0x6b),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * 8.0;
    let i = (t as usize).min(7);
    let f = t - i as f64;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 * (1.0 - f) + y as f64 * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// `nutorch plot confusion`: counts (or fractions of each true class) as a heatmap, the value
/// written in each cell, as sklearn's ConfusionMatrixDisplay with cmap="Blues".
pub struct Confusion<'a> {
    /// `matrix[true][predicted]`.
    pub matrix: &'a [Vec<f64>],
    pub normalized: bool,
}

impl Plot for Confusion<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, canvas: &Canvas) -> Result<(), String> {
        let fig = canvas.fig;
        let k = self.matrix.len().max(1);
        root.fill(&WHITE).map_err(err)?;
        let (w, h) = (canvas.width as i32, canvas.height as i32);
        let px = |v: f64| canvas.px(v) as i32;
        let title_font = ("sans-serif", canvas.px(22.0) as f64, FontStyle::Bold).into_font().color(&BLACK);
        let tick_font = canvas.font(15.0);
        let desc_font = canvas.font(19.0);
        let text_h = |f: &TextStyle| root.estimate_text_size("0", f).map(|s| s.1 as i32).map_err(err);
        let text_w = |t: &str, f: &TextStyle| root.estimate_text_size(t, f).map(|s| s.0 as i32).map_err(err);
        // Tick labels: every class up to 30, else about 20 of them.
        let every = if k <= 30 { 1 } else { k.div_ceil(20) };
        let widest = (0..k)
            .step_by(every)
            .map(|c| text_w(&c.to_string(), &tick_font))
            .try_fold(0, |m, w| w.map(|w| m.max(w)))?;
        let max = self.matrix.iter().flatten().copied().fold(0.0f64, f64::max);
        let top_max = if self.normalized { 1.0 } else { max.max(1.0) };
        let bar_labels: Vec<(f64, String)> = nice_ticks(0.0, top_max, 6)
            .into_iter()
            .filter(|v| self.normalized || v.fract() == 0.0)
            .map(|v| (v, if self.normalized { format!("{v:.1}") } else { tick(&v) }))
            .collect();
        let bar_label_w =
            bar_labels.iter().map(|(_, t)| text_w(t, &tick_font)).try_fold(0, |m, w| w.map(|w| m.max(w)))?;
        // Layout: title, then the square matrix; y label and ticks left, colour bar right.
        let top = px(20.0) + text_h(&title_font)? + px(18.0);
        let left = px(20.0) + text_h(&desc_font)? + px(14.0) + widest + px(10.0);
        let bottom = px(10.0) + text_h(&tick_font)? + px(14.0) + text_h(&desc_font)? + px(20.0);
        let bar_w = px(22.0);
        let right = px(30.0) + bar_w + px(8.0) + bar_label_w + px(20.0);
        let side = (w - left - right).min(h - top - bottom).max(k as i32);
        let x0 = left + ((w - left - right) - side) / 2;
        let y0 = top;
        let cell = side as f64 / k as f64;
        let edge = |i: usize| (i as f64 * cell).round() as i32;
        let title_w = text_w(fig.title, &title_font)?;
        root.draw_text(fig.title, &title_font, ((x0 + side / 2 - title_w / 2).max(px(10.0)), px(20.0))).map_err(err)?;
        // Cells, with their values when they fit.
        let value_size = (cell * 0.32).min(canvas.px(17.0) as f64);
        let show_values = value_size >= 7.0 * canvas.ss as f64;
        let value_font = ("sans-serif", value_size.round()).into_font();
        for (t, row) in self.matrix.iter().enumerate() {
            for (p, &v) in row.iter().enumerate() {
                let frac = if top_max > 0.0 { v / top_max } else { 0.0 };
                let (cx0, cy0) = (x0 + edge(p), y0 + edge(t));
                let (cx1, cy1) = (x0 + edge(p + 1), y0 + edge(t + 1));
                root.draw(&Rectangle::new([(cx0, cy0), (cx1, cy1)], blues(frac).filled())).map_err(err)?;
                if show_values {
                    let text = if self.normalized { two_significant(v) } else { format!("{v}") };
                    let color = if frac > 0.5 { WHITE } else { BLACK };
                    let style = value_font.clone().color(&color).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ));
                    root.draw_text(&text, &style, ((cx0 + cx1) / 2, (cy0 + cy1) / 2)).map_err(err)?;
                }
            }
        }
        let frame = BLACK.stroke_width(canvas.ss);
        root.draw(&Rectangle::new([(x0, y0), (x0 + side, y0 + side)], frame)).map_err(err)?;
        // Ticks and class numbers.
        let tick_len = px(5.0);
        let th = text_h(&tick_font)?;
        for c in (0..k).step_by(every) {
            let centre = ((c as f64 + 0.5) * cell).round() as i32;
            let label = c.to_string();
            let lw = text_w(&label, &tick_font)?;
            root.draw(&PathElement::new(vec![(x0 + centre, y0 + side), (x0 + centre, y0 + side + tick_len)], frame))
                .map_err(err)?;
            root.draw_text(&label, &tick_font, (x0 + centre - lw / 2, y0 + side + tick_len + px(4.0))).map_err(err)?;
            root.draw(&PathElement::new(vec![(x0 - tick_len, y0 + centre), (x0, y0 + centre)], frame)).map_err(err)?;
            root.draw_text(&label, &tick_font, (x0 - tick_len - px(4.0) - lw, y0 + centre - th / 2)).map_err(err)?;
        }
        // Axis names.
        let xw = text_w(fig.x_label, &desc_font)?;
        let x_desc_y = y0 + side + tick_len + px(4.0) + th + px(12.0);
        root.draw_text(fig.x_label, &desc_font, (x0 + side / 2 - xw / 2, x_desc_y)).map_err(err)?;
        let yw = text_w(fig.y_label, &desc_font)?;
        let rotated = desc_font.transform(FontTransform::Rotate270);
        root.draw_text(
            fig.y_label,
            &rotated,
            (x0 - tick_len - px(4.0) - widest - px(14.0) - text_h(&desc_font)?, y0 + side / 2 + yw / 2),
        )
        .map_err(err)?;
        // Colour bar.
        let bx = x0 + side + px(30.0);
        let steps = side.max(1);
        for i in 0..steps {
            let frac = 1.0 - (i as f64 + 0.5) / steps as f64;
            root.draw(&Rectangle::new([(bx, y0 + i), (bx + bar_w, y0 + i + 1)], blues(frac).filled())).map_err(err)?;
        }
        root.draw(&Rectangle::new([(bx, y0), (bx + bar_w, y0 + side)], frame)).map_err(err)?;
        for (v, label) in &bar_labels {
            let y = y0 + side - (v / top_max * side as f64).round() as i32;
            root.draw(&PathElement::new(vec![(bx + bar_w, y), (bx + bar_w + tick_len, y)], frame)).map_err(err)?;
            root.draw_text(label, &tick_font, (bx + bar_w + tick_len + px(4.0), y - th / 2)).map_err(err)?;
        }
        let _ = h;
        Ok(())
    }
}

/// `v` as matplotlib's `format(v, ".2g")` writes fractions: 0, 1, 0.33, 0.05, 0.012.
fn two_significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { v.to_string() };
    }
    let decimals = (1 - v.abs().log10().floor() as i64).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// About `n` round tick values from `lo` to `hi` (1, 2, 5 × 10^k steps).
fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let mut out = Vec::new();
    let mut v = (lo / step).ceil() * step;
    while v <= hi + step * 1e-9 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}
