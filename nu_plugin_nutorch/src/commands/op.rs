//! The one command type behind every catalog op: its signature, help and example come from
//! the op's spec, its arguments are parsed by the spec's types (op_args.rs), and it runs the
//! spec's function.

use super::op_args::{parse_call, Parsed};
use crate::errors::labeled;
use crate::plugin::NutorchPlugin;
use crate::values::json_to_value;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Record, Signature, Span, SyntaxShape, Type, Value};
use nutorch_core::catalog::{ArgSpec, Dflt, OpSpec, Out, OutKind, Ty};

pub struct OpCommand {
    spec: &'static OpSpec,
    name: String,
    description: String,
    extra: String,
}

impl OpCommand {
    pub fn new(spec: &'static OpSpec) -> OpCommand {
        OpCommand {
            spec,
            name: format!("nutorch {}", spec.name),
            description: format!("{} ({})", spec.summary, spec.torch),
            extra: extra_description(spec),
        }
    }
}

/// Help beyond the summary: the PyTorch equivalent, where the tensor comes from, notes.
fn extra_description(spec: &'static OpSpec) -> String {
    let mut text = format!("PyTorch: {}.", spec.torch);
    if let Some(piped) = spec.piped() {
        let name = spec.name;
        if spec.rest().is_some_and(|r| std::ptr::eq(r, piped)) {
            text.push_str(&format!(
                " The tensors `{}` are piped in as a list or written as the last arguments (`[$a $b] | nutorch {name} ...` or `nutorch {name} ... $a $b`).",
                piped.name
            ));
        } else {
            text.push_str(&format!(
                " The tensor `{}` comes from the pipeline (`$x | nutorch {name} ...`).",
                piped.name
            ));
        }
    }
    if spec.output == OutKind::Same {
        text.push_str(" Changes the tensor in place and returns it.");
    }
    if !spec.notes.is_empty() {
        text.push(' ');
        text.push_str(spec.notes);
    }
    text
}

/// How a positional argument appears in the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    Required,
    Optional,
    /// The rest of the line.
    Rest,
}

/// The signature's positionals in Nushell's order (required, optional, rest), each with the
/// argument it fills. The piped tensor has no slot unless it takes the rest of the line
/// (`cat $a $b`). A required list that takes the rest is a required first value and the rest
/// (`zeros <size> ...size`), so that a bare `zeros` is a parse error. The catalog keeps
/// required arguments before optional ones (tests/catalog.rs checks every op), so this order
/// is the spec's.
pub fn slots(spec: &'static OpSpec) -> Vec<(&'static ArgSpec, SlotKind)> {
    let piped = spec.piped();
    let rest = spec.rest();
    let mut out = Vec::new();
    for arg in spec.positionals() {
        let is_piped = piped.is_some_and(|p| std::ptr::eq(p, arg));
        let is_rest = rest.is_some_and(|r| std::ptr::eq(r, arg));
        match (is_piped, is_rest) {
            (true, false) => {}
            (true, true) => out.push((arg, SlotKind::Rest)),
            (false, true) => {
                out.push((arg, SlotKind::Required));
                out.push((arg, SlotKind::Rest));
            }
            (false, false) if arg.is_required() => out.push((arg, SlotKind::Required)),
            (false, false) => out.push((arg, SlotKind::Optional)),
        }
    }
    // `dim` or `bias` may follow the positionals (`sum 1`, `linear $w $b`) as well as be a flag.
    out.extend(spec.positional_option().map(|arg| (arg, SlotKind::Optional)));
    out
}

/// The syntax shape of one value of an argument. Tensors are `Any` (a custom value has no
/// syntax shape; the descriptions say "tensor"). Number shapes come before `Any` so that `-1`
/// parses as a number rather than as an unknown flag.
fn value_shape(ty: Ty) -> SyntaxShape {
    match ty {
        Ty::Tensor | Ty::Tensors => SyntaxShape::Any,
        Ty::TensorOrNumber => SyntaxShape::OneOf(vec![SyntaxShape::Number, SyntaxShape::Any]),
        // A number may also be a 0-d tensor, as in PyTorch; `FullCellPath` takes `$t` and
        // `(...)` but no bare word, so a mistyped literal stays a parse error.
        Ty::Float | Ty::Number => SyntaxShape::OneOf(vec![SyntaxShape::Number, SyntaxShape::FullCellPath]),
        Ty::Int => int_or_tensor(),
        Ty::Bool => SyntaxShape::Boolean,
        Ty::Ints => SyntaxShape::OneOf(vec![
            SyntaxShape::Int,
            SyntaxShape::List(Box::new(int_or_tensor())),
            SyntaxShape::FullCellPath,
        ]),
        Ty::IntsOrNone => SyntaxShape::OneOf(vec![
            SyntaxShape::Int,
            SyntaxShape::Nothing,
            SyntaxShape::List(Box::new(SyntaxShape::OneOf(vec![
                SyntaxShape::Int,
                SyntaxShape::Nothing,
                SyntaxShape::FullCellPath,
            ]))),
            SyntaxShape::FullCellPath,
        ]),
        Ty::FloatOrFloats => SyntaxShape::OneOf(vec![
            SyntaxShape::Number,
            SyntaxShape::List(Box::new(SyntaxShape::Number)),
            SyntaxShape::FullCellPath,
        ]),
        Ty::Floats => SyntaxShape::List(Box::new(SyntaxShape::Number)),
        Ty::Shapes => SyntaxShape::OneOf(vec![
            SyntaxShape::Int,
            SyntaxShape::List(Box::new(SyntaxShape::Any)),
            SyntaxShape::FullCellPath,
        ]),
        Ty::Str(_) | Ty::DType | Ty::Device => SyntaxShape::String,
        Ty::NumOrStr(_) => {
            SyntaxShape::OneOf(vec![SyntaxShape::Number, SyntaxShape::String, SyntaxShape::FullCellPath])
        }
        Ty::IntsOrStr(_) => SyntaxShape::OneOf(vec![
            SyntaxShape::Int,
            SyntaxShape::List(Box::new(int_or_tensor())),
            SyntaxShape::String,
            SyntaxShape::FullCellPath,
        ]),
        // Ints and ranges first, so that `-1` and `1..<3` parse as such rather than as a flag
        // or a word.
        Ty::Index => SyntaxShape::OneOf(vec![SyntaxShape::Int, SyntaxShape::Range, SyntaxShape::Any]),
    }
}

/// An int, or a 0-d integer tensor (`$t`, `(...)`).
fn int_or_tensor() -> SyntaxShape {
    SyntaxShape::OneOf(vec![SyntaxShape::Int, SyntaxShape::FullCellPath])
}

/// A positional's shape. An optional tensor followed by the positional `dim` also takes an
/// int, which is that dim (`max 1` is torch.max(x, 1), `max $y` torch.max(x, y)).
fn slot_shape(spec: &OpSpec, arg: &ArgSpec) -> SyntaxShape {
    if int_means_dim(spec, arg) {
        return SyntaxShape::OneOf(vec![SyntaxShape::Int, SyntaxShape::Any]);
    }
    value_shape(arg.ty)
}

/// Whether an int written for `arg` is the op's positional `dim`: `arg` is an optional tensor
/// positional and `dim` follows it.
pub fn int_means_dim(spec: &OpSpec, arg: &ArgSpec) -> bool {
    arg.positional
        && !arg.is_required()
        && arg.ty == Ty::Tensor
        && spec.positional_option().is_some_and(|o| o.name == "dim")
}

/// A description for an argument: its doc (or a stock one for common names), its choices
/// and default.
pub fn arg_description(arg: &ArgSpec) -> String {
    let mut text = if !arg.doc.is_empty() { arg.doc.to_string() } else { stock_doc(arg.name, arg.ty) };
    match arg.ty {
        Ty::Str(choices) if !choices.is_empty() => text.push_str(&format!(" ({})", choices.join(", "))),
        Ty::NumOrStr(choices) => text.push_str(&format!(" (a number or {})", choices.join(", "))),
        Ty::IntsOrStr(choices) => text.push_str(&format!(" (ints or {})", choices.join(", "))),
        _ => {}
    }
    match arg.default {
        Dflt::Req | Dflt::None => {}
        Dflt::Int(i) => text.push_str(&format!(" (default {i})")),
        Dflt::Float(f) => text.push_str(&format!(" (default {f})")),
        Dflt::Bool(true) => text.push_str(&format!(" (default true; --{}=false turns it off)", kebab(arg.name))),
        Dflt::Bool(false) => {}
        Dflt::Str(s) => text.push_str(&format!(" (default {s})")),
        Dflt::Ints(v) => text.push_str(&format!(" (default {v:?})")),
    }
    text
}

fn stock_doc(name: &str, ty: Ty) -> String {
    let known = match name {
        "input" => "the input tensor",
        "other" if ty == Ty::TensorOrNumber => "the other operand (a tensor or a number)",
        "other" => "the other tensor",
        "dim" => "the dimension (negative counts from the end)",
        "keepdim" => "keep reduced dimensions as size 1",
        "dtype" => "element type, e.g. float32, int64 (see `nutorch ops`)",
        "device" => "cpu, cuda, cuda:N or mps",
        "requires_grad" => "track gradients for this tensor",
        "reduction" => "how to reduce the per-element losses",
        "target" => "the target tensor",
        "weight" => "the weight tensor",
        "bias" => "the bias tensor",
        "tensors" => "the tensors: a list, or several arguments",
        "index" => "the index tensor",
        "mask" => "a bool mask tensor",
        _ => "",
    };
    if !known.is_empty() {
        return known.into();
    }
    let kind = match ty {
        Ty::Tensor => "a tensor",
        Ty::TensorOrNumber => "a tensor or a number",
        Ty::Tensors => "tensors",
        Ty::Int => "an int",
        Ty::Float => "a float",
        Ty::Number => "a number",
        Ty::Bool => "a switch",
        Ty::Ints => "ints (several, or one list)",
        Ty::IntsOrNone => "ints, null keeping the input's size (several, or one list)",
        Ty::Floats => "a list of numbers",
        Ty::FloatOrFloats => "a number, or a list of numbers",
        Ty::Shapes => "shapes (each an int or a list of ints)",
        Ty::Str(_) => "a string",
        Ty::NumOrStr(_) => "a number or a word",
        Ty::IntsOrStr(_) => "ints or a word",
        Ty::DType => "a dtype",
        Ty::Device => "a device",
        Ty::Index => "an index: ints, ranges, null, '...', tensors, lists or PyTorch's text ('1:3, ::2')",
    };
    format!("{} ({kind})", name.replace('_', " "))
}

pub fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

/// The Nushell type of an op's output.
fn output_type(kind: OutKind) -> Type {
    match kind {
        OutKind::Tensor | OutKind::Same => super::tensor_type(),
        OutKind::Tensors => Type::List(Box::new(super::tensor_type())),
        OutKind::Record(fields) => Type::Record(fields.iter().map(|f| (f.to_string(), super::tensor_type())).collect()),
        OutKind::Fields(fields) => {
            Type::Record(fields.iter().map(|(f, kind)| (f.to_string(), output_type(*kind))).collect())
        }
        OutKind::Value | OutKind::Varies => Type::Any,
        OutKind::Nothing => Type::Nothing,
    }
}

impl PluginCommand for OpCommand {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> Signature {
        let spec = self.spec;
        let mut sig = Signature::build(&self.name)
            .input_output_types(vec![(Type::Any, output_type(spec.output))])
            .category(super::category());
        for (arg, kind) in slots(spec) {
            let desc = arg_description(arg);
            let shape = slot_shape(spec, arg);
            sig = match kind {
                SlotKind::Required => sig.required(arg.name, shape, desc),
                SlotKind::Optional => sig.optional(arg.name, shape, desc),
                SlotKind::Rest if spec.piped().is_some_and(|p| std::ptr::eq(p, arg)) => {
                    sig.rest(arg.name, shape, format!("{desc}; or pipe them in as a list"))
                }
                SlotKind::Rest => {
                    let more = match arg.ty {
                        Ty::Ints | Ty::IntsOrNone => {
                            format!("more of {}: `{} 2 3` is `{} [2 3]`", arg.name, spec.name, spec.name)
                        }
                        Ty::Shapes => format!("more shapes: `{} [2 1] [3]` is `{} [[2 1] [3]]`", spec.name, spec.name),
                        Ty::Index => "more entries of the index: `getitem 1..<3 0` is x[1:3, 0]".to_string(),
                        _ => format!("more of {}: several arguments or one list", arg.name),
                    };
                    sig.rest(arg.name, shape, more)
                }
            };
        }
        for arg in spec.flags() {
            let desc = arg_description(arg);
            sig = match arg.ty {
                Ty::Bool => sig.switch(kebab(arg.name), desc, None),
                ty => sig.named(kebab(arg.name), value_shape(ty), desc, None),
            };
        }
        sig
    }

    fn description(&self) -> &str {
        &self.description
    }

    fn extra_description(&self) -> &str {
        &self.extra
    }

    fn search_terms(&self) -> Vec<&str> {
        vec![self.spec.torch, self.spec.category.name()]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        let example = self.spec.example;
        vec![Example {
            example: example.source,
            description: self.spec.summary,
            result: json_to_value(example.result, Span::test_data()).ok(),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let parsed = parse_call(self.spec, plugin, call, input)?;
        let value = run_parsed(plugin, parsed, call.head)?;
        Ok(PipelineData::Value(value, None))
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
        super::completion::complete(self.spec, &arg_type)
    }
}

/// Runs a parsed call (honouring the plugin's no-grad blocks) and turns its result into a
/// Nushell value.
pub fn run_parsed(plugin: &NutorchPlugin, parsed: Parsed, head: Span) -> Result<Value, LabeledError> {
    let Parsed { args, spans, same_id } = parsed;
    let spec = args.spec();
    if let Some(id) = same_id.as_deref() {
        // State that a plugin restart lost is an error to use, never a silent difference.
        let graph_op = matches!(spec.name, "backward" | "is_leaf" | "retain_grad");
        let in_place = spec.category == nutorch_core::catalog::Category::InPlace;
        let at = spec.piped().and_then(|p| spec.args.iter().position(|a| std::ptr::eq(a, p))).and_then(|i| spans[i]);
        plugin.check_restored(id, graph_op, in_place).map_err(|e| labeled(e, at.unwrap_or(head)))?;
    }
    let out = plugin.grad_mode().run(|| crate::guard::refusals_as_errors(|| (spec.run)(&args))).map_err(|e| {
        let span = e
            .blamed_args(spec)
            .into_iter()
            .find_map(|name| spec.args.iter().position(|a| a.name == name).and_then(|i| spans[i]))
            .unwrap_or(head);
        labeled(e.error, span)
    })?;
    // A backward frees the graph behind its root: the tensors on it no longer keep the
    // plugin alive.
    if spec.name == "backward" {
        plugin.store().graph_freed_from(args.input());
    } else if spec.name == "autograd_grad" && !args.flag("retain_graph") && !args.flag("create_graph") {
        args.tensors("outputs").iter().for_each(|root| plugin.store().graph_freed_from(root));
    }
    drop(args);
    out_value(plugin, out, same_id.as_deref(), head)
}

fn out_value(plugin: &NutorchPlugin, out: Out, same_id: Option<&str>, span: Span) -> Result<Value, LabeledError> {
    Ok(match out {
        Out::T(t) => plugin.tensor_value(t, span)?,
        Out::List(ts) => {
            Value::list(ts.into_iter().map(|t| plugin.tensor_value(t, span)).collect::<Result<_, _>>()?, span)
        }
        Out::Rec(fields) => {
            let mut record = Record::new();
            for (name, t) in fields {
                record.push(name, plugin.tensor_value(t, span)?);
            }
            Value::record(record, span)
        }
        Out::Fields(fields) => {
            let mut record = Record::new();
            for (name, field) in fields {
                record.push(name, out_value(plugin, field, same_id, span)?);
            }
            Value::record(record, span)
        }
        Out::Int(i) => Value::int(i, span),
        Out::Float(f) => Value::float(f, span),
        Out::Bool(b) => Value::bool(b, span),
        Out::Ints(v) => Value::list(v.into_iter().map(|i| Value::int(i, span)).collect(), span),
        Out::Str(s) => Value::string(s, span),
        Out::Nothing => Value::nothing(span),
        Out::Same => match same_id {
            Some(id) => plugin.existing_tensor_value(id, span)?,
            None => {
                return Err(LabeledError::new("Internal error in nutorch")
                    .with_label("an in-place op without an input tensor", span))
            }
        },
    })
}
