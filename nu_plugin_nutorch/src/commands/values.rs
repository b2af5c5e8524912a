use crate::args;
use crate::errors::At;
use crate::plugin::NutorchPlugin;
use crate::values::{data_from_input, value_from_data};
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Spanned, SyntaxShape, Type, Value};
use nutorch_core::{autograd, tensor_from_data, tensor_to_data};

/// `nutorch tovalue`: tensor → Nushell data (Tensor.tolist).
pub struct ToValue;

impl PluginCommand for ToValue {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch tovalue"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![
                (super::tensor_type(), Type::Any),
                (Type::Nothing, Type::Any),
                (Type::Any, Type::Any),
            ])
            .optional("tensor", SyntaxShape::Any, "the tensor, when none is piped in")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "A tensor's values as nested lists, or a number for a 0-d tensor (Tensor.tolist)."
    }

    fn extra_description(&self) -> &str {
        "Integer dtypes give ints, floating dtypes floats, bool gives bools, complex dtypes a \
         [real, imaginary] pair of floats per element (view_as_real's values). The tensor stays \
         where it is (a CUDA tensor is read without moving it). Lists and records of tensors \
         (what split or sort return) are converted element by element; any other value in \
         them is an error naming where it is."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["Tensor.tolist", "item", "values", "to list"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch fromvalue [[1 2] [3 4]] | nutorch tovalue",
            description: "A 2x2 int64 tensor back to lists",
            result: Some(Value::test_list(vec![
                Value::test_list(vec![Value::test_int(1), Value::test_int(2)]),
                Value::test_list(vec![Value::test_int(3), Value::test_int(4)]),
            ])),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let value = args::piped_or_positional(
            input,
            call,
            0,
            "Missing tensor",
            "this command needs a tensor from the pipeline or as its first argument",
        )?;
        match value {
            // A plain string is a tensor id; inside lists and records, only tensors convert.
            Value::String { .. } => tensor_values(plugin, &value, call.head),
            other => nested_values(plugin, other, call.head),
        }
        .map(|v| PipelineData::Value(v, None))
    }
}

fn tensor_values(plugin: &NutorchPlugin, value: &Value, head: nu_protocol::Span) -> Result<Value, LabeledError> {
    let tensor = args::tensor(plugin, value)?;
    let data = tensor_to_data(&tensor.item).at(tensor.span)?;
    Ok(value_from_data(&data, head))
}

/// Tensors anywhere in lists and records become their values; anything else in them is an
/// error naming where it is (not passed through as if it were converted).
fn nested_values(plugin: &NutorchPlugin, value: Value, head: nu_protocol::Span) -> Result<Value, LabeledError> {
    nested_at(plugin, value, head, &mut String::new())
}

fn nested_at(
    plugin: &NutorchPlugin,
    value: Value,
    head: nu_protocol::Span,
    at: &mut String,
) -> Result<Value, LabeledError> {
    Ok(match value {
        Value::Custom { .. } => tensor_values(plugin, &value, head)?,
        Value::List { vals, internal_span, .. } => {
            let mut out = Vec::with_capacity(vals.len());
            for (i, v) in vals.into_iter().enumerate() {
                let before = at.len();
                at.push_str(&format!("[{i}]"));
                out.push(nested_at(plugin, v, head, at)?);
                at.truncate(before);
            }
            Value::list(out, internal_span)
        }
        Value::Record { val, internal_span, .. } => {
            let mut record = nu_protocol::Record::new();
            for (k, v) in val.into_owned() {
                let before = at.len();
                at.push_str(&format!(".{k}"));
                let converted = nested_at(plugin, v, head, at)?;
                at.truncate(before);
                record.push(k, converted);
            }
            Value::record(record, internal_span)
        }
        other if at.is_empty() => {
            return Err(crate::errors::invalid(
                format!("expected a tensor, found {}", other.get_type_shallow()),
                other.span(),
            ))
        }
        other => {
            return Err(crate::errors::invalid(
                format!("expected a tensor at {at}, found {}", other.get_type_shallow()),
                other.span(),
            ))
        }
    })
}

/// `nutorch fromvalue`: Nushell data → tensor (torch.tensor).
pub struct FromValue;

impl PluginCommand for FromValue {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch fromvalue"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Any, super::tensor_type())])
            // Number first, so that a negative number parses as data rather than as a flag.
            .optional(
                "data",
                SyntaxShape::OneOf(vec![SyntaxShape::Number, SyntaxShape::Any]),
                "a number or nested list, when none is piped in",
            )
            .named("dtype", SyntaxShape::String, "element type (inferred as torch.tensor does when absent)", None)
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .named(
                "columns",
                SyntaxShape::List(Box::new(SyntaxShape::String)),
                "for a table: the columns to take, in this order (default: all, in record order)",
                None,
            )
            .switch("requires-grad", "track gradients for this tensor", None)
            .category(super::category())
    }

    fn description(&self) -> &str {
        "A tensor from a number, nested lists, a range or a table (torch.tensor)."
    }

    fn extra_description(&self) -> &str {
        "Without --dtype the type is inferred as torch.tensor does: all ints give int64, any \
         float gives float32, all bools give bool, an empty list gives float32 of shape [0]. \
         Lists must be rectangular and at most 128 deep. A range (1..5, 0..2..10, 1..<5, \
         0.0..0.5..2.0) gives a 1-D tensor. A table (a list of records, e.g. from \
         `open data.csv`) gives a 2-D tensor, one row per record and one column per field in \
         record order (--columns chooses and orders them); every cell must be a number or bool. \
         A value the dtype cannot hold ([300] as int8, NaN as int64) is an error, as \
         torch.tensor gives. --dtype complex64 makes real numbers complex, as torch.tensor does; \
         [real, imaginary] pairs (what tovalue gives for a complex tensor) become complex with \
         `| nutorch view_as_complex`."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.tensor", "from list", "create"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "[1.5 2.5] | nutorch fromvalue --dtype float64 | nutorch tovalue",
                description: "A float64 tensor from a list",
                result: Some(Value::test_list(vec![Value::test_float(1.5), Value::test_float(2.5)])),
            },
            Example {
                example: "nutorch fromvalue [9223372036854775807] | nutorch tovalue",
                description: "Ints are exact through int64",
                result: Some(Value::test_list(vec![Value::test_int(i64::MAX)])),
            },
            Example {
                example: "[[x y]; [1 2] [3 4]] | nutorch fromvalue --columns [y x] | nutorch tovalue",
                description: "A table, with the columns chosen and ordered",
                result: Some(Value::test_list(vec![
                    Value::test_list(vec![Value::test_int(2), Value::test_int(1)]),
                    Value::test_list(vec![Value::test_int(4), Value::test_int(3)]),
                ])),
            },
            Example {
                example: "[[3.0 4.0] [0.0 -1.0]] | nutorch fromvalue | nutorch view_as_complex | nutorch mul 2 | nutorch tovalue",
                description: "Complex numbers from [real, imaginary] pairs (3+4j and -1j), read back as pairs",
                result: Some(Value::test_list(vec![
                    Value::test_list(vec![Value::test_float(6.0), Value::test_float(8.0)]),
                    Value::test_list(vec![Value::test_float(0.0), Value::test_float(-2.0)]),
                ])),
            },
            Example {
                example: "1..<4 | nutorch fromvalue | nutorch tovalue",
                description: "A range",
                result: Some(Value::test_list(vec![Value::test_int(1), Value::test_int(2), Value::test_int(3)])),
            },
            Example {
                example: "open data.csv | nutorch fromvalue --dtype float32",
                description: "A numeric CSV file as a 2-D tensor",
                result: None,
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let value = args::piped_or_positional(
            input,
            call,
            0,
            "Missing data",
            "pipe in a number or a list, or pass it as an argument",
        )?;
        let columns = column_names(call)?;
        let data = data_from_input(&value, columns.as_deref())?;
        let dtype = args::dtype_flag(call)?;
        let device = args::device_flag(call)?;
        let tensor = tensor_from_data(&data, dtype, device).at(value.span())?;
        let tensor = autograd::set_requires_grad(tensor, call.has_flag("requires-grad")?)
            .at(call.get_flag_span("requires-grad").unwrap_or(call.head))?;
        Ok(PipelineData::Value(plugin.tensor_value(tensor, call.head)?, None))
    }

    #[allow(deprecated)]
    fn get_dynamic_completion(
        &self,
        _plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        _call: nu_plugin::DynamicCompletionCall,
        arg_type: nu_protocol::engine::ArgType,
        _experimental: nu_protocol::engine::ExperimentalMarker,
    ) -> Option<Vec<nu_protocol::DynamicSuggestion>> {
        super::completion::dtype_or_device(&arg_type)
    }
}

/// `--columns [a b]`: names and where each was written.
fn column_names(call: &EvaluatedCall) -> Result<Option<Vec<Spanned<String>>>, LabeledError> {
    let Some(value) = call.get_flag::<Value>("columns")? else { return Ok(None) };
    let Value::List { vals, .. } = &value else {
        return Err(crate::errors::invalid(
            format!("expected a list of column names, found {}", value.get_type_shallow()),
            value.span(),
        ));
    };
    vals.iter()
        .map(|v| match v {
            Value::String { val, .. } => Ok(Spanned { item: val.clone(), span: v.span() }),
            Value::Int { val, .. } => Ok(Spanned { item: val.to_string(), span: v.span() }),
            other => Err(crate::errors::invalid(
                format!("expected a column name, found {}", other.get_type_shallow()),
                other.span(),
            )),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `nutorch totable`: a tensor → a table (pandas.DataFrame(t)).
pub struct ToTable;

impl PluginCommand for ToTable {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch totable"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![
                (super::tensor_type(), Type::table()),
                (Type::Nothing, Type::table()),
                (Type::Any, Type::table()),
            ])
            .optional("tensor", SyntaxShape::Any, "the tensor, when none is piped in")
            .named(
                "columns",
                SyntaxShape::List(Box::new(SyntaxShape::String)),
                "column names, one per column (default 0 1 2 …, as pandas.DataFrame names them)",
                None,
            )
            .category(super::category())
    }

    fn description(&self) -> &str {
        "A 2-D tensor as a table: one record per row (pandas.DataFrame(t.numpy()))."
    }

    fn extra_description(&self) -> &str {
        "Columns are named 0, 1, 2, … as pandas names them, or by --columns (one name per \
         column). A 1-D tensor gives a table of one column (named 0, or by --columns), one row \
         per element, as pandas.DataFrame does for a 1-D array. Other ranks are an error: \
         reshape first, or use tovalue for nested lists. Integer dtypes give ints, floating \
         dtypes floats, bool bools."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["DataFrame", "table", "records", "to table"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch fromvalue [[1 2] [3 4]] | nutorch totable --columns [x y]",
            description: "A 2x2 tensor as a table with named columns",
            result: Some(Value::test_list(vec![
                Value::test_record(nu_protocol::record! {"x" => Value::test_int(1), "y" => Value::test_int(2)}),
                Value::test_record(nu_protocol::record! {"x" => Value::test_int(3), "y" => Value::test_int(4)}),
            ])),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let value = args::piped_or_positional(
            input,
            call,
            0,
            "Missing tensor",
            "this command needs a tensor from the pipeline or as its first argument",
        )?;
        let tensor = args::tensor(plugin, &value)?;
        let data = tensor_to_data(&tensor.item).at(tensor.span)?;
        let (rows, cols) = match data.shape.as_slice() {
            [n, m] => (*n as usize, *m as usize),
            [n] => (*n as usize, 1),
            other => {
                return Err(crate::errors::invalid(
                    format!(
                        "totable needs a 1-D or 2-D tensor, this one has {} dimensions (shape {other:?}); reshape it first, or use tovalue",
                        other.len()
                    ),
                    tensor.span,
                ))
            }
        };
        let names: Vec<String> = match column_names(call)? {
            Some(names) => {
                if names.len() != cols {
                    let span = call.get_flag_span("columns").unwrap_or(call.head);
                    return Err(crate::errors::invalid(
                        format!("{} column names for {cols} columns", names.len()),
                        span,
                    ));
                }
                for (i, n) in names.iter().enumerate() {
                    if names[..i].iter().any(|p| p.item == n.item) {
                        return Err(crate::errors::invalid(format!("column '{}' is named twice", n.item), n.span));
                    }
                }
                names.into_iter().map(|n| n.item).collect()
            }
            None => (0..cols).map(|i| i.to_string()).collect(),
        };
        let head = call.head;
        let leaf = |i: usize| match &data.values {
            nutorch_core::Buffer::Bool(v) => Value::bool(v[i], head),
            nutorch_core::Buffer::Int(v) => Value::int(v[i], head),
            nutorch_core::Buffer::Float(v) => Value::float(v[i], head),
        };
        let table = (0..rows)
            .map(|r| {
                let record: nu_protocol::Record =
                    names.iter().enumerate().map(|(c, name)| (name.clone(), leaf(r * cols + c))).collect();
                Value::record(record, head)
            })
            .collect();
        Ok(PipelineData::Value(Value::list(table, head), None))
    }
}
