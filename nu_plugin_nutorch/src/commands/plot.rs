//! `nutorch plot scatter | loss | boundary`: PNG figures of data, training and models.

use super::nn::file_path;
use super::nn::model::ModelRecord;
use crate::args;
use crate::errors::{invalid, At};
use crate::plot::{self, Figure, Grid};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Span, Spanned, SyntaxShape, Type, Value};
use nutorch_core::tch::{Kind, Tensor};
use nutorch_core::{tensor_to_data, Buffer};
use nutorch_nn::{Model, Module};
use std::path::PathBuf;

type Command = Box<dyn PluginCommand<Plugin = NutorchPlugin>>;

pub fn commands() -> Vec<Command> {
    vec![Box::new(PlotRoot), Box::new(Scatter), Box::new(Loss), Box::new(Boundary)]
}

/// Flags every plot takes.
fn figure_flags(signature: Signature) -> Signature {
    signature
        .named("title", SyntaxShape::String, "the figure's title", None)
        .named("x-label", SyntaxShape::String, "the x axis label", None)
        .named("y-label", SyntaxShape::String, "the y axis label", None)
        .named("width", SyntaxShape::Int, "width in pixels (default 900)", None)
        .named("height", SyntaxShape::Int, "height in pixels (default 650)", None)
        .category(super::category())
}

struct FigureArgs {
    path: Spanned<PathBuf>,
    width: u32,
    height: u32,
    title: Option<String>,
    x_label: Option<String>,
    y_label: Option<String>,
}

impl FigureArgs {
    fn read(engine: &EngineInterface, call: &EvaluatedCall, file_index: usize) -> Result<FigureArgs, LabeledError> {
        let path = file_path(engine, &call.req(file_index)?)?;
        let is_png = path.item.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("png"));
        if !is_png {
            return Err(invalid("plots are written as PNG: give a file name ending in .png", path.span));
        }
        let pixels = |name: &str, default: u32| -> Result<u32, LabeledError> {
            match call.get_flag::<Spanned<i64>>(name)? {
                None => Ok(default),
                Some(Spanned { item: n, span }) if !(200..=8000).contains(&n) => {
                    Err(invalid(format!("--{name} must be between 200 and 8000 pixels, got {n}"), span))
                }
                Some(n) => Ok(n.item as u32),
            }
        };
        let text = |name: &str| -> Result<Option<String>, LabeledError> { Ok(call.get_flag::<String>(name)?) };
        Ok(FigureArgs {
            width: pixels("width", 900)?,
            height: pixels("height", 650)?,
            title: text("title")?,
            x_label: text("x-label")?,
            y_label: text("y-label")?,
            path,
        })
    }

    /// Draws with `draw`, fonts registered first; failures are labelled at the file.
    fn draw(
        &self,
        engine: &EngineInterface,
        title: &str,
        x: &str,
        y: &str,
        draw: impl FnOnce(&Figure) -> Result<(), String>,
    ) -> Result<(), LabeledError> {
        let font =
            engine.get_env_var(plot::FONT_ENV).ok().flatten().and_then(|v| v.coerce_string().ok()).map(PathBuf::from);
        plot::ensure_fonts(font)
            .map_err(|e| LabeledError::new("No font for the plot").with_label(e, self.path.span))?;
        let figure = Figure {
            path: &self.path.item,
            width: self.width,
            height: self.height,
            title: self.title.as_deref().unwrap_or(title),
            x_label: self.x_label.as_deref().unwrap_or(x),
            y_label: self.y_label.as_deref().unwrap_or(y),
        };
        draw(&figure).map_err(|e| {
            LabeledError::new("Cannot write the plot")
                .with_label(format!("{}: {e}", self.path.item.display()), self.path.span)
        })
    }
}

/// X as 2-D points (`[N, 2]`, any real dtype).
fn points(x: &Spanned<Tensor>) -> Result<Vec<(f64, f64)>, LabeledError> {
    let shape = x.item.size();
    if shape.len() != 2 || shape[1] != 2 {
        return Err(invalid(format!("plots take points of shape [N, 2], got {shape:?}"), x.span));
    }
    let data = tensor_to_data(&x.item.f_to_kind(Kind::Double).at(x.span)?).at(x.span)?;
    let Buffer::Float(v) = data.values else { return Err(invalid("expected real numbers", x.span)) };
    Ok(v.chunks_exact(2).map(|p| (p[0], p[1])).collect())
}

/// y as integer classes, one per point.
fn labels(y: &Spanned<Tensor>, n: usize) -> Result<Vec<i64>, LabeledError> {
    let data = tensor_to_data(&y.item).at(y.span)?;
    let values = match data.values {
        Buffer::Int(v) => v,
        Buffer::Bool(v) => v.into_iter().map(i64::from).collect(),
        Buffer::Float(_) => return Err(invalid("class labels must be an integer tensor (e.g. int64)", y.span)),
    };
    if data.shape.len() != 1 || values.len() != n {
        return Err(invalid(format!("expected one class per point: shape [{n}], got {:?}", data.shape), y.span));
    }
    Ok(values)
}

/// `nutorch plot`: help for the family.
pub struct PlotRoot;

impl PluginCommand for PlotRoot {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch plot"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::String)])
            .category(super::category())
    }

    fn description(&self) -> &str {
        "PNG figures: data coloured by class, training loss curves, decision boundaries (as with matplotlib)."
    }

    fn extra_description(&self) -> &str {
        "Text is drawn with a TrueType font found on the system (DejaVu Sans, Liberation Sans, \
         Noto Sans, Arial, or what fc-match names); set $env.NUTORCH_FONT to a .ttf file to \
         choose one."
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        Ok(PipelineData::Value(Value::string(engine.get_help()?, call.head), None))
    }
}

/// `nutorch plot scatter`.
pub struct Scatter;

impl PluginCommand for Scatter {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch plot scatter"
    }

    fn signature(&self) -> Signature {
        figure_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::Nothing)])
                .required("x", SyntaxShape::Any, "points [N, 2]")
                .required("y", SyntaxShape::Any, "integer class of each point [N]")
                .required("file", SyntaxShape::Filepath, "the .png file to write"),
        )
    }

    fn description(&self) -> &str {
        "Write a scatter plot of 2-D points coloured by class to a PNG file (plt.scatter(X[:, 0], X[:, 1], c=y))."
    }

    fn extra_description(&self) -> &str {
        "Colours are matplotlib's tab10 cycle, one legend entry per class."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["matplotlib", "plt.scatter", "chart", "png", "visualize"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let data = (nutorch blobs --seed 42); nutorch plot scatter $data.X $data.y blobs.png",
            description: "The seed's blobs",
            result: Some(Value::test_nothing()),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let x = args::tensor(plugin, &call.req(0)?)?;
        let y = args::tensor(plugin, &call.req(1)?)?;
        let fig = FigureArgs::read(engine, call, 2)?;
        let pts = points(&x)?;
        let classes = labels(&y, pts.len())?;
        let k = {
            let mut c = classes.clone();
            c.sort_unstable();
            c.dedup();
            c.len()
        };
        let title = format!("{} points, {k} class{}", pts.len(), if k == 1 { "" } else { "es" });
        fig.draw(engine, &title, "x[:, 0]", "x[:, 1]", |f| plot::scatter(f, &pts, &classes))?;
        Ok(PipelineData::Empty)
    }
}

/// `nutorch plot loss`.
pub struct Loss;

impl PluginCommand for Loss {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch plot loss"
    }

    fn signature(&self) -> Signature {
        figure_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::Nothing)])
                .required("table", SyntaxShape::Any, "rows with an epoch and a loss, as nutorch nn train returns")
                .required("file", SyntaxShape::Filepath, "the .png file to write")
                .named("x", SyntaxShape::String, "the column for the x axis (default epoch)", None)
                .named("y", SyntaxShape::String, "the column for the y axis (default loss)", None),
        )
    }

    fn description(&self) -> &str {
        "Write a training loss curve (epoch against loss) to a PNG file (plt.plot(epochs, losses, marker='o'))."
    }

    fn extra_description(&self) -> &str {
        "The table is what nutorch nn train returns, or any list of records with numeric columns \
         (choose them with --x and --y)."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["matplotlib", "plt.plot", "learning curve", "chart", "png"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch plot loss [[epoch loss]; [0 1.1] [100 0.5] [200 0.3]] loss.png",
            description: "A loss curve from a table",
            result: Some(Value::test_nothing()),
        }]
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let table = call.req(0)?;
        let column = |flag: &str, default: &str| -> Result<String, LabeledError> {
            Ok(call.get_flag::<String>(flag)?.unwrap_or_else(|| default.to_string()))
        };
        let (xc, yc) = (column("x", "epoch")?, column("y", "loss")?);
        let fig = FigureArgs::read(engine, call, 1)?;
        let pts = table_points(&table, &xc, &yc)?;
        let y_label = if yc == "loss" { "loss (cross-entropy)".to_string() } else { yc.clone() };
        let title = if yc == "loss" { "Training loss".to_string() } else { format!("{yc} by {xc}") };
        fig.draw(engine, &title, &xc, &y_label, |f| plot::loss_curve(f, &pts, &yc))?;
        Ok(PipelineData::Empty)
    }
}

fn table_points(table: &Value, xc: &str, yc: &str) -> Result<Vec<(f64, f64)>, LabeledError> {
    let Value::List { vals, .. } = table else {
        return Err(invalid(format!("expected a table of {xc} and {yc}, found {}", table.get_type()), table.span()));
    };
    if vals.is_empty() {
        return Err(invalid("the table is empty: nothing to plot", table.span()));
    }
    let number = |row: &Value, col: &str, span: Span| -> Result<f64, LabeledError> {
        let Value::Record { val, .. } = row else {
            return Err(invalid(format!("expected a record with {xc} and {yc}, found {}", row.get_type()), span));
        };
        match val.get(col) {
            Some(Value::Int { val, .. }) => Ok(*val as f64),
            Some(Value::Float { val, .. }) => Ok(*val),
            Some(other) => {
                Err(invalid(format!("column `{col}` must be a number, found {}", other.get_type()), other.span()))
            }
            None => Err(invalid(format!("this row has no column `{col}`"), span)),
        }
    };
    vals.iter().map(|row| Ok((number(row, xc, row.span())?, number(row, yc, row.span())?))).collect()
}

/// `nutorch plot boundary`.
pub struct Boundary;

impl PluginCommand for Boundary {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch plot boundary"
    }

    fn signature(&self) -> Signature {
        figure_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::Nothing)])
                .required("model", super::nn::model_shape(), "a model record with 2 inputs")
                .required("x", SyntaxShape::Any, "points [N, 2]")
                .required("y", SyntaxShape::Any, "integer class of each point [N]")
                .required("file", SyntaxShape::Filepath, "the .png file to write")
                .named("resolution", SyntaxShape::Int, "grid cells along each axis (default 200)", None),
        )
    }

    fn description(&self) -> &str {
        "Write a model's decision regions over the plane, with the points on top, to a PNG file (plt.contourf of model(grid).argmax(1) + plt.scatter)."
    }

    fn extra_description(&self) -> &str {
        "The grid covers the points with a 10% margin; each cell takes the colour of the class \
         the model predicts at its centre (lighter), borders between classes are drawn, and the \
         points keep their true class colour. The default title gives the model and its \
         accuracy on the points."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["matplotlib", "contourf", "decision regions", "classifier", "png"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); nutorch nn train $model $data.X $data.y --epochs 1000 | ignore; nutorch plot boundary $model $data.X $data.y boundary.png",
            description: "The trained seed network's decision regions",
            result: Some(Value::test_nothing()),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let model_value: Value = call.req(0)?;
        let mut model = ModelRecord::parse(plugin, &model_value)?.model;
        model.set_training(false);
        // A dry run on one point: the model must take points of the plane.
        predict_points(&model, &[(0.0, 0.0)]).map_err(|e| {
            invalid(
                format!("a decision boundary is drawn in the plane: the model must take 2 inputs ({e})"),
                model_value.span(),
            )
        })?;
        let x = args::tensor(plugin, &call.req(1)?)?;
        let y = args::tensor(plugin, &call.req(2)?)?;
        let fig = FigureArgs::read(engine, call, 3)?;
        let resolution = match call.get_flag::<Spanned<i64>>("resolution")? {
            None => 200,
            Some(Spanned { item: n, span }) if !(2..=2000).contains(&n) => {
                return Err(invalid(format!("--resolution must be between 2 and 2000, got {n}"), span));
            }
            Some(n) => n.item as usize,
        };
        let pts = points(&x)?;
        let classes = labels(&y, pts.len())?;
        let xr = plot::padded_range(pts.iter().map(|p| p.0), 0.10);
        let yr = plot::padded_range(pts.iter().map(|p| p.1), 0.10);
        let centres = Grid::centres(xr, yr, resolution, resolution);
        let predicted = predict_points(&model, &centres).at(model_value.span())?;
        let on_points = predict_points(&model, &pts).at(x.span)?;
        let correct = on_points.iter().zip(&classes).filter(|(p, c)| p == c).count();
        let accuracy = if pts.is_empty() { f64::NAN } else { correct as f64 / pts.len() as f64 };
        let grid = Grid { x: xr, y: yr, nx: resolution, ny: resolution, classes: predicted };
        let name = model.spec().describe();
        let title = format!("Decision boundary: {name}, accuracy {accuracy:.3}");
        fig.draw(engine, &title, "x[:, 0]", "x[:, 1]", |f| plot::boundary(f, &grid, &pts, &classes))?;
        Ok(PipelineData::Empty)
    }
}

/// The model's class for each point (on the model's device and dtype, without autograd).
fn predict_points(model: &Model, pts: &[(f64, f64)]) -> nutorch_core::Result<Vec<i64>> {
    if pts.is_empty() {
        return Ok(Vec::new());
    }
    let flat: Vec<f64> = pts.iter().flat_map(|p| [p.0, p.1]).collect();
    let input =
        Tensor::f_from_slice(&flat)?.f_reshape([pts.len() as i64, 2])?.f_to_kind(model.kind())?.f_to(model.device())?;
    let classes = nutorch_core::tch::no_grad(|| -> nutorch_core::Result<Tensor> {
        Ok(model.forward(&input)?.f_argmax(-1, false)?)
    })?;
    match tensor_to_data(&classes)?.values {
        Buffer::Int(v) => Ok(v),
        _ => Err(nutorch_core::Error::Value("argmax gave no integer classes".into())),
    }
}
