//! `nutorch plot scatter | loss | boundary | confusion`: PNG or SVG figures of data, training and models.

use super::nn::file_path;
use super::nn::model::ModelRecord;
use crate::args;
use crate::errors::{invalid, At};
use crate::plot::{self, Figure, Format, Plot, Series};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Span, Spanned, SyntaxShape, Type, Value};
use nutorch_core::tch::{Kind, Tensor};
use nutorch_core::{tensor_to_data, Buffer};
use nutorch_nn::{Model, Module};
use std::path::PathBuf;

type Command = Box<dyn PluginCommand<Plugin = NutorchPlugin>>;

pub fn commands() -> Vec<Command> {
    vec![Box::new(PlotRoot), Box::new(Scatter), Box::new(Loss), Box::new(Boundary), Box::new(Confusion)]
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
    fn read(engine: &EngineInterface, call: &EvaluatedCall, file: &Value) -> Result<FigureArgs, LabeledError> {
        let path = file_path(engine, file)?;
        if Format::of(&path.item).is_none() {
            return Err(invalid("plots are written as PNG or SVG: give a file name ending in .png or .svg", path.span));
        }
        let pixels = |name: &str, default: u32| -> Result<u32, LabeledError> {
            match call.get_flag_value(name) {
                None => Ok(default),
                Some(v) => {
                    let n = args::int(&v)?;
                    if !(200..=8000).contains(&n) {
                        return Err(invalid(
                            format!("--{name} must be between 200 and 8000 pixels, got {n}"),
                            v.span(),
                        ));
                    }
                    Ok(n as u32)
                }
            }
        };
        let text = |name: &str| -> Result<Option<String>, LabeledError> {
            call.get_flag_value(name)
                .map(|v| v.coerce_string().map_err(|_| invalid(format!("--{name} takes a string"), v.span())))
                .transpose()
        };
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
        plot: &impl Plot,
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
        plot::write(&figure, plot).map_err(|e| {
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
        super::did_you_mean::family_signature(self.name())
    }

    fn description(&self) -> &str {
        "PNG or SVG figures: data coloured by class, training curves, decision boundaries, confusion matrices (as with matplotlib)."
    }

    fn extra_description(&self) -> &str {
        "The file's extension chooses the format: .png (drawn anti-aliased) or .svg. Text is \
         drawn with a TrueType font found on the system (DejaVu Sans, Liberation Sans, Noto \
         Sans, Arial, or what fc-match names), else with DejaVu Sans built into the plugin, so \
         plots work on a machine with no fonts installed; set $env.NUTORCH_FONT to a .ttf file \
         to choose one."
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        super::did_you_mean::run_family(plugin, engine, call, self.name())
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
                .required("file", SyntaxShape::Filepath, "the .png or .svg file to write"),
        )
    }

    fn description(&self) -> &str {
        "Write a scatter plot of 2-D points coloured by class to a PNG or SVG file (plt.scatter(X[:, 0], X[:, 1], c=y))."
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
        let x = args::tensor(plugin, &args::positional(call, 0)?)?;
        let y = args::tensor(plugin, &args::positional(call, 1)?)?;
        let fig = FigureArgs::read(engine, call, &args::positional(call, 2)?)?;
        let pts = points(&x)?;
        let classes = labels(&y, pts.len())?;
        let k = {
            let mut c = classes.clone();
            c.sort_unstable();
            c.dedup();
            c.len()
        };
        let title = format!("{} points, {k} class{}", pts.len(), if k == 1 { "" } else { "es" });
        fig.draw(engine, &title, "x[:, 0]", "x[:, 1]", &plot::Scatter { points: &pts, labels: &classes })?;
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
                .input_output_types(vec![
                    (Type::Nothing, Type::Nothing),
                    (Type::table(), Type::Nothing),
                    (Type::List(Box::new(Type::Any)), Type::Nothing),
                ])
                .required(
                    "table",
                    SyntaxShape::Any,
                    "the history (rows with an epoch and losses, as nutorch nn fit returns); the file when the table is piped in",
                )
                .optional("file", SyntaxShape::Filepath, "the .png or .svg file to write (after a table argument)")
                .named(
                    "columns",
                    SyntaxShape::List(Box::new(SyntaxShape::String)),
                    "the columns to draw, one curve each (default: every numeric column whose name contains \"loss\")",
                    None,
                )
                .named("x", SyntaxShape::String, "the column for the x axis (default epoch, else the row number)", None)
                .named("y", SyntaxShape::String, "one column to draw (as --columns [name])", None)
                .switch("log-y", "a logarithmic y axis (plt.yscale('log'))", None),
        )
    }

    fn description(&self) -> &str {
        "Write training curves (epoch against loss, one curve per column, with a legend) to a PNG or SVG file (plt.plot(epochs, losses, label=...); plt.legend())."
    }

    fn extra_description(&self) -> &str {
        "The table is piped in or given before the file: what nutorch nn fit returns \
         ({epoch, loss, val_loss, val_accuracy, lr}: train and validation curves), what \
         nutorch nn train returns, or any list of records with numeric columns. Null values \
         (val_loss without validation data) are skipped; a column with no numbers at all is \
         left out of the default curves. Markers are drawn at each record when there are at \
         most 60."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["matplotlib", "plt.plot", "learning curve", "validation", "chart", "png", "svg"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "[[epoch loss val_loss]; [1 1.1 1.2] [2 0.5 0.7] [3 0.3 0.6]] | nutorch plot loss loss.png",
                description: "Train and validation curves from a history piped in",
                result: Some(Value::test_nothing()),
            },
            Example {
                example: "nutorch plot loss [[epoch loss]; [0 1.1] [100 0.5] [200 0.3]] loss.svg --log-y",
                description: "A table given as an argument, drawn as SVG with a logarithmic y axis",
                result: Some(Value::test_nothing()),
            },
            Example {
                example: "[[epoch loss val_accuracy]; [0 1.0 0.5] [1 0.5 0.8]] | nutorch plot loss acc.png --columns [val_accuracy] --title 'Validation accuracy'",
                description: "Any numeric column of the history",
                result: Some(Value::test_nothing()),
            },
        ]
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let piped = args::input_value(input, call.head)?;
        let first = args::positional(call, 0)?;
        let (table, file) = match (piped, call.nth(1)) {
            (Value::Nothing { .. }, Some(file)) => (first, file),
            (Value::Nothing { .. }, None) => {
                return Err(LabeledError::new("No table to plot").with_label(
                    "pipe the history in ($hist | nutorch plot loss file.png) or give it before the file",
                    first.span(),
                ))
            }
            (piped, None) => (piped, first),
            (_, Some(extra)) => return Err(invalid("the table is piped in: give only the file", extra.span())),
        };
        let fig = FigureArgs::read(engine, call, &file)?;
        let rows = table_rows(&table)?;
        let x_flag = text_flag(call, "x")?;
        let mut chosen: Option<Vec<Spanned<String>>> = match call.get_flag_value("columns") {
            None => None,
            Some(v) => {
                let Value::List { vals, .. } = &v else {
                    return Err(invalid("--columns takes a list of column names", v.span()));
                };
                if vals.is_empty() {
                    return Err(invalid("--columns is empty: name at least one column", v.span()));
                }
                let names = vals.iter().map(|c| {
                    c.coerce_string()
                        .map(|item| Spanned { item, span: c.span() })
                        .map_err(|_| invalid("a column name is a string", c.span()))
                });
                Some(names.collect::<Result<_, _>>()?)
            }
        };
        if let Some(y) = call.get_flag_value("y") {
            let item = y.coerce_string().map_err(|_| invalid("--y takes a column name", y.span()))?;
            chosen.get_or_insert_with(Vec::new).push(Spanned { item, span: y.span() });
        }
        // x: the chosen column, else `epoch` when every row has a number there, else the row.
        let xs: Vec<f64> = match &x_flag {
            Some(x) => column(&rows, &x.item, x.span, table.span())?
                .into_iter()
                .enumerate()
                .map(|(i, v)| v.ok_or_else(|| invalid(format!("row {i} has no number in `{}`", x.item), x.span)))
                .collect::<Result<_, _>>()?,
            None => match column(&rows, "epoch", table.span(), table.span()) {
                Ok(v) if v.iter().all(Option::is_some) => v.into_iter().flatten().collect(),
                _ => (0..rows.len()).map(|i| i as f64).collect(),
            },
        };
        let x_name = match (&x_flag, xs.len() == rows.len() && has_column(&rows, "epoch")) {
            (Some(x), _) => x.item.clone(),
            (None, true) => "epoch".to_string(),
            (None, false) => "row".to_string(),
        };
        let log_y = call.has_flag("log-y")?;
        let series_of = |name: &str, values: Vec<Option<f64>>| Series {
            name: name.to_string(),
            points: xs
                .iter()
                .zip(values)
                .filter_map(|(&x, y)| y.map(|y| (x, y)))
                .filter(|&(x, y)| x.is_finite() && y.is_finite() && (!log_y || y > 0.0))
                .collect(),
        };
        let series: Vec<Series> = match &chosen {
            Some(names) => names
                .iter()
                .map(|n| {
                    let s = series_of(&n.item, column(&rows, &n.item, n.span, table.span())?);
                    if s.points.is_empty() {
                        let what = if log_y { "no positive numbers (--log-y)" } else { "no numbers" };
                        return Err(invalid(format!("column `{}` has {what} to plot", n.item), n.span));
                    }
                    Ok(s)
                })
                .collect::<Result<_, _>>()?,
            None => {
                let names = column_names(&rows);
                let losses: Vec<Series> = names
                    .iter()
                    .filter(|n| {
                        n.to_lowercase().contains("loss")
                            && Some(n.as_str()) != x_flag.as_ref().map(|x| x.item.as_str())
                    })
                    .filter_map(|n| column(&rows, n, table.span(), table.span()).ok().map(|v| series_of(n, v)))
                    .filter(|s| !s.points.is_empty())
                    .collect();
                if losses.is_empty() {
                    return Err(invalid(
                        format!(
                            "no numeric column whose name contains \"loss\"{}: choose columns with --columns (the table has {})",
                            if log_y { " with positive values" } else { "" },
                            names.join(", ")
                        ),
                        table.span(),
                    ));
                }
                losses
            }
        };
        let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
        let all_losses = names.iter().all(|n| n.to_lowercase().contains("loss"));
        let title = match names.as_slice() {
            ["loss"] => "Training loss".to_string(),
            ["loss", "val_loss"] | ["val_loss", "loss"] => "Training and validation loss".to_string(),
            _ if all_losses => "Loss".to_string(),
            [one] => format!("{one} by {x_name}"),
            _ => format!("{} by {x_name}", names.join(", ")),
        };
        let y_label = if all_losses {
            "loss".to_string()
        } else if names.len() == 1 {
            names[0].to_string()
        } else {
            "value".to_string()
        };
        fig.draw(engine, &title, &x_name, &y_label, &plot::Curves { series: &series, log_y })?;
        Ok(PipelineData::Empty)
    }
}

fn text_flag(call: &EvaluatedCall, name: &str) -> Result<Option<Spanned<String>>, LabeledError> {
    call.get_flag_value(name)
        .map(|v| {
            v.coerce_string()
                .map(|item| Spanned { item, span: v.span() })
                .map_err(|_| invalid(format!("--{name} takes a column name"), v.span()))
        })
        .transpose()
}

/// The rows of a table: records, each with its span.
fn table_rows(table: &Value) -> Result<Vec<(&nu_protocol::Record, Span)>, LabeledError> {
    let Value::List { vals, .. } = table else {
        return Err(invalid(
            format!("expected a table (a list of records with epoch and loss), found {}", table.get_type_shallow()),
            table.span(),
        ));
    };
    if vals.is_empty() {
        return Err(invalid("the table is empty: nothing to plot", table.span()));
    }
    vals.iter()
        .map(|row| match row {
            Value::Record { val, .. } => Ok((&**val, row.span())),
            other => Err(invalid(
                format!("expected a record with epoch and loss in each row, found {}", other.get_type_shallow()),
                if other.span() == Span::unknown() { table.span() } else { other.span() },
            )),
        })
        .collect()
}

fn has_column(rows: &[(&nu_protocol::Record, Span)], name: &str) -> bool {
    rows.iter().any(|(r, _)| r.contains(name))
}

/// Column names in the order they first appear.
fn column_names(rows: &[(&nu_protocol::Record, Span)]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (r, _) in rows {
        for c in r.columns() {
            if !names.iter().any(|n| n == c) {
                names.push(c.clone());
            }
        }
    }
    names
}

/// A column's numbers (None for null or missing cells); an error at `span` if no row has it,
/// at the cell if it is not a number.
fn column(
    rows: &[(&nu_protocol::Record, Span)],
    name: &str,
    span: Span,
    _table: Span,
) -> Result<Vec<Option<f64>>, LabeledError> {
    if !has_column(rows, name) {
        return Err(invalid(
            format!("the table has no column `{name}` (it has {})", column_names(rows).join(", ")),
            span,
        ));
    }
    rows.iter()
        .enumerate()
        .map(|(i, (r, row_span))| match r.get(name) {
            None | Some(Value::Nothing { .. }) => Ok(None),
            Some(Value::Int { val, .. }) => Ok(Some(*val as f64)),
            Some(Value::Float { val, .. }) => Ok(Some(*val)),
            Some(other) => Err(invalid(
                format!("column `{name}` must be a number, found {} in row {i}", other.get_type_shallow()),
                if other.span() == Span::unknown() { *row_span } else { other.span() },
            )),
        })
        .collect()
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
                .required("file", SyntaxShape::Filepath, "the .png or .svg file to write")
                .named(
                    "resolution",
                    SyntaxShape::Int,
                    "model evaluations along each axis (default: one per pixel of the plot area)",
                    None,
                ),
        )
    }

    fn description(&self) -> &str {
        "Write a model's decision regions over the plane, with the points on top, to a PNG or SVG file (plt.contourf of model(grid).argmax(1) + plt.scatter)."
    }

    fn extra_description(&self) -> &str {
        "The plane covers the points with a 10% margin. The model's scores are evaluated on a \
         grid (one point per pixel by default, or --resolution points along each axis, \
         interpolated between them) and each pixel takes the lighter colour of the class with \
         the highest score; the borders between classes are drawn as smooth anti-aliased \
         lines, and the points keep their true class colour. A model with a single output is \
         read as a binary classifier's logit (class 1 where it is positive). The default title \
         gives the model and its accuracy on the points."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["matplotlib", "contourf", "decision regions", "classifier", "png", "svg"]
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
        let model_value = args::positional(call, 0)?;
        let mut model = ModelRecord::parse(plugin, &model_value)?.model;
        model.set_training(false);
        // A dry run on one point: the model must take points of the plane.
        predict_scores(&model, &[(0.0, 0.0)]).map_err(|e| {
            invalid(
                format!("a decision boundary is drawn in the plane: the model must take 2 inputs ({e})"),
                model_value.span(),
            )
        })?;
        let x = args::tensor(plugin, &args::positional(call, 1)?)?;
        let y = args::tensor(plugin, &args::positional(call, 2)?)?;
        let fig = FigureArgs::read(engine, call, &args::positional(call, 3)?)?;
        let resolution = match call.get_flag_value("resolution") {
            None => None,
            Some(v) => {
                let n = args::int(&v)?;
                if !(2..=2000).contains(&n) {
                    return Err(invalid(format!("--resolution must be between 2 and 2000, got {n}"), v.span()));
                }
                Some(n as usize)
            }
        };
        let pts = points(&x)?;
        let classes = labels(&y, pts.len())?;
        let xr = plot::padded_range(pts.iter().map(|p| p.0), 0.10);
        let yr = plot::padded_range(pts.iter().map(|p| p.1), 0.10);
        let (scores, c) = predict_scores(&model, &pts).at(x.span)?;
        let on_points = argmax_rows(&scores, c);
        let correct = on_points.iter().zip(&classes).filter(|(p, c)| p == c).count();
        let accuracy = if pts.is_empty() { f64::NAN } else { correct as f64 / pts.len() as f64 };
        let name = model.spec().describe();
        let title = format!("Decision boundary: {name}, accuracy {accuracy:.3}");
        let scorer = |grid: &[(f64, f64)]| predict_scores(&model, grid).map_err(|e| e.to_string());
        let boundary = plot::Boundary { x: xr, y: yr, resolution, scores: &scorer, points: &pts, labels: &classes };
        fig.draw(engine, &title, "x[:, 0]", "x[:, 1]", &boundary)?;
        Ok(PipelineData::Empty)
    }
}

/// The model's scores (outputs) for each point, row by row, and how many per point; on the
/// model's device and dtype, without autograd, in batches.
fn predict_scores(model: &Model, pts: &[(f64, f64)]) -> nutorch_core::Result<(Vec<f32>, usize)> {
    const BATCH: usize = 1 << 16;
    let mut out = Vec::new();
    let mut width = 0;
    for chunk in pts.chunks(BATCH) {
        let flat: Vec<f64> = chunk.iter().flat_map(|p| [p.0, p.1]).collect();
        let input = Tensor::f_from_slice(&flat)?
            .f_reshape([chunk.len() as i64, 2])?
            .f_to_kind(model.kind())?
            .f_to(model.device())?;
        let scores = nutorch_core::tch::no_grad(|| -> nutorch_core::Result<Tensor> {
            let y = model.forward(&input)?;
            Ok(y.f_reshape([chunk.len() as i64, -1])?.f_to_kind(Kind::Float)?)
        })?;
        let data = tensor_to_data(&scores)?;
        width = data.shape.get(1).copied().unwrap_or(1) as usize;
        match data.values {
            Buffer::Float(v) => out.extend(v.into_iter().map(|x| x as f32)),
            _ => return Err(nutorch_core::Error::Value("the model gave no real scores".into())),
        }
    }
    if width == 0 {
        return Err(nutorch_core::Error::Value("the model gives no outputs".into()));
    }
    Ok((out, width))
}

/// The class of each row of scores (one score per row: class 1 where it is positive).
fn argmax_rows(scores: &[f32], c: usize) -> Vec<i64> {
    if c == 1 {
        return scores.iter().map(|&s| i64::from(s > 0.0)).collect();
    }
    scores
        .chunks_exact(c)
        .map(|row| {
            let mut best = 0;
            for (i, v) in row.iter().enumerate() {
                if *v > row[best] {
                    best = i;
                }
            }
            best as i64
        })
        .collect()
}

/// `nutorch plot confusion`.
pub struct Confusion;

impl PluginCommand for Confusion {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch plot confusion"
    }

    fn signature(&self) -> Signature {
        figure_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::Nothing)])
                .required("predicted", SyntaxShape::Any, "predicted class of each sample, integer tensor [N]")
                .required("targets", SyntaxShape::Any, "true class of each sample, integer tensor [N]")
                .required("file", SyntaxShape::Filepath, "the .png or .svg file to write")
                .named("classes", SyntaxShape::Int, "number of classes (default: the largest class + 1)", None)
                .switch("normalize", "fractions of each true class (each row sums to 1) instead of counts", None),
        )
    }

    fn description(&self) -> &str {
        "Write a confusion matrix (true class by row, predicted class by column, the count in each cell) to a PNG or SVG file (sklearn's ConfusionMatrixDisplay)."
    }

    fn extra_description(&self) -> &str {
        "As ConfusionMatrixDisplay.from_predictions(targets, predicted, cmap='Blues') draws it: \
         rows are the true classes (0 at the top), columns the predicted ones, colours from \
         matplotlib's Blues map with a colour bar, and the count written in each cell (white on \
         dark cells). --normalize divides each row by the number of samples of that true class \
         (normalize='true'), written with two decimals. The default title gives the accuracy \
         and the number of samples."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["sklearn", "ConfusionMatrixDisplay", "confusion_matrix", "heatmap", "classification", "png", "svg"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "nutorch plot confusion (nutorch fromvalue [0 1 2 2 1]) (nutorch fromvalue [0 1 2 1 1]) confusion.png",
                description: "Predicted against true classes",
                result: Some(Value::test_nothing()),
            },
            Example {
                example: "let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); let pred = (nutorch nn predict $model $data.X); nutorch plot confusion $pred $data.y confusion.svg --classes 4 --normalize",
                description: "A classifier's predictions, as fractions of each true class",
                result: Some(Value::test_nothing()),
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let predicted = args::tensor(plugin, &args::positional(call, 0)?)?;
        let targets = args::tensor(plugin, &args::positional(call, 1)?)?;
        let fig = FigureArgs::read(engine, call, &args::positional(call, 2)?)?;
        let n = predicted.item.size().first().copied().unwrap_or(0) as usize;
        let pred = class_vector(&predicted, "predicted classes")?;
        let truth = class_vector(&targets, "target classes")?;
        if pred.len() != truth.len() {
            return Err(invalid(
                format!("expected one target per prediction: shape [{}], got [{}]", pred.len(), truth.len()),
                targets.span,
            ));
        }
        if pred.is_empty() {
            return Err(invalid("no predictions: nothing to plot", predicted.span));
        }
        let largest = pred.iter().chain(&truth).copied().max().unwrap_or(0);
        let k = match call.get_flag_value("classes") {
            None => largest as usize + 1,
            Some(v) => {
                let k = args::int(&v)?;
                if !(1..=1000).contains(&k) {
                    return Err(invalid(format!("--classes must be between 1 and 1000, got {k}"), v.span()));
                }
                if largest >= k {
                    let (which, span) =
                        if pred.contains(&largest) { ("predicted", predicted.span) } else { ("target", targets.span) };
                    return Err(invalid(format!("a {which} class is {largest}, out of range for --classes {k}"), span));
                }
                k as usize
            }
        };
        if k > 1000 {
            return Err(invalid(
                format!("class {largest} is too large for a confusion matrix (at most 1000 classes)"),
                predicted.span,
            ));
        }
        let mut counts = vec![vec![0.0f64; k]; k];
        for (&p, &t) in pred.iter().zip(&truth) {
            counts[t as usize][p as usize] += 1.0;
        }
        let correct: f64 = (0..k).map(|i| counts[i][i]).sum();
        let accuracy = correct / pred.len() as f64;
        let normalize = call.has_flag("normalize")?;
        if normalize {
            for row in &mut counts {
                let total: f64 = row.iter().sum();
                if total > 0.0 {
                    row.iter_mut().for_each(|v| *v /= total);
                }
            }
        }
        let _ = n;
        let title = format!("Confusion matrix: accuracy {accuracy:.3} (N = {})", pred.len());
        let plot = plot::Confusion { matrix: &counts, normalized: normalize };
        fig.draw(engine, &title, "Predicted label", "True label", &plot)?;
        Ok(PipelineData::Empty)
    }
}

/// Classes as non-negative integers, a 1-D integer tensor.
fn class_vector(t: &Spanned<Tensor>, what: &str) -> Result<Vec<i64>, LabeledError> {
    let data = tensor_to_data(&t.item).at(t.span)?;
    let values = match data.values {
        Buffer::Int(v) => v,
        Buffer::Bool(v) => v.into_iter().map(i64::from).collect(),
        Buffer::Float(_) => {
            return Err(invalid(format!("{what} must be an integer tensor (e.g. int64: argmax of the scores)"), t.span))
        }
    };
    if data.shape.len() != 1 {
        return Err(invalid(format!("{what} must be a 1-D tensor [N], got shape {:?}", data.shape), t.span));
    }
    if let Some(neg) = values.iter().find(|&&v| v < 0) {
        return Err(invalid(format!("{what} must be non-negative, found {neg}"), t.span));
    }
    Ok(values)
}
